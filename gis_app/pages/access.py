"""The page guard: anonymous people to the login page, roles a page is not for to a Chinese
403 page. Which roles open which page is gis_app/incidents/access.py's `PAGE_ROLES` (the one
home of who may see what); records on a page stay filtered by `Case.objects.visible_to`."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from gis_app.incidents.access import PAGE_ROLES, may_open_page


def page_for(page: str):
    """Decorator for the views of page `page` (a key of PAGE_ROLES)."""
    if page not in PAGE_ROLES:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGE_ROLES)}")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_open_page(request.user, page):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
