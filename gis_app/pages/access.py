"""Which roles open which of the command-centre pages (records stay filtered by the incidents
app's `visible_cases`; this only keeps people off pages that are not their work)."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from gis_app.pages.nav import role_of

# Planners see maps and statistics, not case records; grid members work on their phone pages.
CASE_READERS = frozenset({"command_centre", "department", "township_team", "admin"})
SCREEN_READERS = frozenset({"command_centre", "admin"})
ASSESSMENT_READERS = frozenset({"command_centre", "department", "planner", "admin"})


def page_for(roles: frozenset[str]):
    """Decorator: anonymous -> login page; a role not in `roles` -> a Chinese 403 page."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
