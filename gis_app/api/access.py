"""Which counties a user may see, for the API: DRF's face of the one rule.

The rule itself lives in gis_app/enforcement/access.py (below the API, so the router uses
it too); this module turns it into querysets, a DRF permission and a 403 with a reason.
Every API view, cases and layers call these helpers instead of reading
`request.user.member` themselves:
- a superuser sees every county;
- any other authenticated user sees the county of their `Member` row, whatever the role
  (grid member, township team, department, command centre, planner);
- an authenticated user without a `Member` row sees nothing and is told why (403).
"""
from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.permissions import BasePermission

from boundaries.models import County
from gis_app.enforcement import access as rule
from gis_app.web.errors import NoMembership

NO_MEMBERSHIP = rule.NO_MEMBERSHIP
__all__ = ["NoMembership", "visible_county_ids", "visible_counties", "restrict", "HasCountyAccess"]


def visible_county_ids(user) -> list[int] | None:
    """Ids of the counties `user` may see; None means all of them (superuser).

    Raises NoMembership (403) for a user without a Member row.
    """
    try:
        return rule.visible_county_ids(user)
    except rule.NotAMember as exc:
        raise NoMembership(str(exc)) from None


def visible_counties(user) -> QuerySet[County]:
    """The counties `user` may see, as a queryset (never empty: no membership raises)."""
    ids = visible_county_ids(user)
    counties = County.objects.all()
    return counties if ids is None else counties.filter(rule.in_counties(ids, "pk"))


def restrict(queryset: QuerySet, user, county_field: str = "county") -> QuerySet:
    """`queryset` narrowed to rows whose `county_field` is a county `user` may see."""
    ids = visible_county_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(rule.in_counties(ids, county_field))


class HasCountyAccess(BasePermission):
    """DRF permission: authenticated and bound to a county (or superuser).

    Put after IsAuthenticated so anonymous requests still get 401, not 403.
    """

    message = NO_MEMBERSHIP
    code = "no_membership"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        try:
            rule.visible_county_ids(user)
        except rule.NotAMember:
            return False
        return True
