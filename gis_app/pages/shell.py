"""The shell every page shares: log in, log out, and `/` sending each user to their role's home.

Homes (URL plan shared with the field and planner pages):
- command centre, department (the queue shows their reach), admin: /workspace/;
- grid member: /field/report/; township team member: /field/inbox/; planner: /planner/.
A logged-in account with no role (no Member row, not a superuser) sees a page saying so
instead of being bounced between pages it may not open.
"""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from gis_app.pages.nav import ADMIN, Role, role_of

ROLE_HOMES = {
    Role.COMMAND_CENTRE: "/workspace/",
    Role.DEPARTMENT: "/workspace/",
    ADMIN: "/workspace/",
    Role.GRID_MEMBER: "/field/report/",
    Role.TOWNSHIP_TEAM: "/field/inbox/",
    Role.PLANNER: "/planner/",
}


def home_url(user) -> str | None:
    return ROLE_HOMES.get(role_of(user))


def home(request):
    """`/`: anonymous to the login page, everyone else to the home of their role."""
    if not request.user.is_authenticated:
        return redirect("pages-login")
    url = home_url(request.user)
    if url is None:
        return render(request, "pages/no_role.html", status=403)
    return redirect(url)


class LoginView(auth_views.LoginView):
    """Session login (Chinese form); after it, `next` if it is ours, else the role's home."""

    template_name = "pages/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_url(self.request.user) or "/"

    def get_redirect_url(self):
        url = super().get_redirect_url()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()},
                                                   require_https=self.request.is_secure()):
            return url
        return ""


class MapLoginView(LoginView):
    """/map/login/ kept for old links and bookmarks: the site's login page, landing on the map."""

    def get_default_redirect_url(self):
        return "/map/"


class LogoutView(auth_views.LogoutView):
    """POST /logout/ (Django's rule: logging out changes state), then back to the login page."""

    next_page = "pages-login"
