"""Which counties a user may act in: the rule, below the API so the router can use it.

Same rule as `gis_app/api/access.py` (which sits above enforcement and may delegate here):
- a superuser acts anywhere;
- any other authenticated user acts in the county of their `Member` row, whatever the role;
- an authenticated user without a `Member` row acts nowhere and is told why.
Plain Python (no DRF): views turn `NotAMember` into a 403.
"""
from __future__ import annotations

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
