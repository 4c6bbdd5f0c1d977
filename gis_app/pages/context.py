"""Template context for every page: who is logged in, their role's label, the header's links."""
from gis_app.pages.nav import ROLE_LABELS, entries_for, role_of


def shell(request):
    user = getattr(request, "user", None)
    role = role_of(user)
    if role is None:
        return {"nav_entries": [], "nav_role": None, "nav_role_label": ""}
    return {"nav_entries": entries_for(user), "nav_role": role, "nav_role_label": ROLE_LABELS.get(role, "")}
