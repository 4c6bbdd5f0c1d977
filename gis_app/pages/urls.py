"""The people's pages, mounted at the site root (URL plan in shell.py and DESIGN §3)."""
from django.contrib.auth import views as auth_views
from django.urls import path

from gis_app.pages import (assessment, casepage, footprint, intake, planner, replaypage, screen, shell,
                           workspace)

urlpatterns = [
    path("", shell.home, name="pages-home"),
    path("login/", shell.LoginView.as_view(), name="pages-login"),
    path("logout/", shell.LogoutView.as_view(), name="pages-logout"),
    path("map/login/", shell.MapLoginView.as_view(), name="map-login"),
    path("map/logout/", auth_views.LogoutView.as_view(next_page="/map/login/"), name="map-logout"),
    path("workspace/", workspace.workspace, name="pages-workspace"),
    path("intake/", intake.intake, name="pages-intake"),
    path("workspace/rows/", workspace.workspace_rows, name="pages-workspace-rows"),
    path("workspace/export.csv", workspace.export_csv, name="pages-workspace-csv"),
    path("workspace/export.xlsx", workspace.export_xlsx, name="pages-workspace-xlsx"),
    path("screen/", screen.screen, name="pages-screen"),
    path("screen/data.json", screen.screen_json, name="pages-screen-data"),
    path("assessment/", assessment.assessment_page, name="pages-assessment"),
    path("assessment/export.xlsx", assessment.assessment_xlsx, name="pages-assessment-xlsx"),
    path("cases/<int:pk>/", casepage.case_page, name="pages-case"),
    path("cases/<int:pk>/replay/", replaypage.replay_page, name="pages-case-replay"),
    path("footprint/", footprint.footprint_page, name="pages-footprint"),
    path("planner/", planner.planner_page, name="pages-planner"),
    path("cases/<int:pk>/step/<str:step>/", casepage.case_step, name="pages-case-step"),
]
