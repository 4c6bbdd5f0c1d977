"""Template context for every page: who is logged in, their role's label, the header's links;
and the name of the county a page speaks for."""
from gis_app.pages.nav import ROLE_LABELS, entries_for, role_of


def county_name(user) -> str:
    """The user's county's name ("全部县" for an account of no county: a superuser sees all):
    the 大屏's title, and what the charts' labels leave out of team names."""
    member = getattr(user, "member", None)
    return member.county.name if member is not None else "全部县"


def shell(request):
    user = getattr(request, "user", None)
    role = role_of(user)
    if role is None:
        return {"nav_entries": [], "nav_role": None, "nav_role_label": ""}
    return {"nav_entries": entries_for(user), "nav_role": role, "nav_role_label": ROLE_LABELS.get(role, "")}
