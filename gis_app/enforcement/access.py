"""Which counties a user may act in: the rule, below the API so the router can use it.

Same rule as `gis_app/api/access.py` (which sits above enforcement and may delegate here):
- a superuser acts anywhere;
- any other authenticated user acts in the county of their `Member` row, whatever the role;
- an authenticated user without a `Member` row acts nowhere and is told why.
Plain Python (no DRF): views turn `NotAMember` into a 403.

`in_counties` is the one way a query is narrowed to such counties (the API's `restrict`, the
case reach in gis_app/incidents/access.py and the layers use it).
"""
from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import BigIntegerField, Q, Value
from django.db.models.functions import Cast

NO_MEMBERSHIP = ("this account has no organisation membership (county and role); "
                 "ask an administrator to create its Member row")


class NotAMember(Exception):
    """Authenticated, but bound to no county."""

    def __init__(self, message: str = NO_MEMBERSHIP):
        super().__init__(message)


def visible_county_ids(user) -> list[int] | None:
    """Ids of the counties `user` may act in; None means every county (superuser).

    Raises NotAMember for a user without a Member row (or not authenticated).
    """
    if user is None or not user.is_authenticated:
        raise NotAMember("authentication required")
    if user.is_superuser:
        return None
    # `user.member` raises RelatedObjectDoesNotExist (an AttributeError) when there is no row.
    member = getattr(user, "member", None)
    if member is None:
        raise NotAMember()
    return [member.county_id]


def may_act_in(user, county_id: int) -> bool:
    """True if `user` may act in county `county_id` (False also for non-members)."""
    try:
        ids = visible_county_ids(user)
    except NotAMember:
        return False
    return ids is None or county_id in ids


def in_counties(county_ids: Iterable[int], field: str = "county_id") -> Q:
    """Rows whose `field` (a county id: bigint) is one of `county_ids`, compared as bigint.

    Why the cast: a plain Python int reaches PostgreSQL as an integer literal, so the
    comparison is bigint = integer, an operator btree_gist's bigint class does not have; a
    GiST index on (county_id, geom) could then never be used for the county. Typed
    `(1)::bigint`, the comparison is bigint = bigint: same rows, and every index on
    county_id (btree or GiST) stays usable. One equality per county, ORed (a user sees one
    county; a footprint may overlap two or three): Django's `__in` on a relation takes no
    expressions, and `= ANY(array)` is no plain GiST index condition."""
    ids = sorted({int(i) for i in county_ids})
    if not ids:
        return Q(**{f"{field}__in": []})  # matches nothing
    return reduce(operator.or_, (Q(**{field: Cast(Value(i), BigIntegerField())}) for i in ids))
