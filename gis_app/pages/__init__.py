"""The people's pages: command-centre workspace, case page, big screen, assessment, and the
shared shell (login, logout, role homes, the header's links) that the field and planner pages
build on. A face like `layers` and the API: it imports the domain apps, never the reverse."""
