"""Which counties a user may see: the one place that decides it.

Every API view, the router, cases and layers call these helpers instead of reading
`request.user.member` themselves, so the rule lives here only:
- a superuser sees every county;
- any other authenticated user sees the county of their `Member` row, whatever the role
  (grid member, township team, department, command centre, planner);
- an authenticated user without a `Member` row sees nothing and is told why (403).
"""
from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from boundaries.models import County

NO_MEMBERSHIP = ("this account has no organisation membership (county and role); "
                 "ask an administrator to create its Member row")


class NoMembership(PermissionDenied):
    """Authenticated, but bound to no county: there is nothing this user may see."""

    default_detail = NO_MEMBERSHIP
    default_code = "no_membership"


def _member(user):
    # `user.member` raises RelatedObjectDoesNotExist (an AttributeError) when there is no row.
    return getattr(user, "member", None)


def sees_all_counties(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def visible_county_ids(user) -> list[int] | None:
    """Ids of the counties `user` may see; None means all of them (superuser).

    Raises NoMembership for an authenticated user without a Member row.
    """
    if sees_all_counties(user):
        return None
    member = _member(user) if user and user.is_authenticated else None
    if member is None:
        raise NoMembership()
    return [member.county_id]


def visible_counties(user) -> QuerySet[County]:
    """The counties `user` may see, as a queryset (empty never: no membership raises)."""
    ids = visible_county_ids(user)
    counties = County.objects.all()
    return counties if ids is None else counties.filter(pk__in=ids)


def restrict(queryset: QuerySet, user, county_field: str = "county") -> QuerySet:
    """`queryset` narrowed to rows whose `county_field` is a county `user` may see."""
    ids = visible_county_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{county_field}__in": ids})


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
        return sees_all_counties(user) or _member(user) is not None
