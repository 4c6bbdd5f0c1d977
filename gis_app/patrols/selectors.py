"""Reads of the patrols app that other parts reuse (map layers, the API): rows a user may see.

Coverage, plan comparison, hub reach and live positions are their own modules
(coverage.py, plans.py, hub_coverage.py, live.py); these are the plain row sets.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from gis_app.enforcement.access import in_counties, visible_county_ids
from gis_app.enforcement.models import Team
from gis_app.patrols.models import PatrolPlan, Track


def _in_visible_counties(queryset: QuerySet, user) -> QuerySet:
    ids = visible_county_ids(user)  # raises NotAMember for an account without a Member row
    return queryset if ids is None else queryset.filter(in_counties(ids, "team__county_id"))


def visible_tracks(user) -> QuerySet[Track]:
    """Tracks of the teams of the counties `user` may see (role checks are the caller's)."""
    return _in_visible_counties(Track.objects.select_related("team", "plan", "uploaded_by"), user)


def visible_plans(user) -> QuerySet[PatrolPlan]:
    """Patrol plans of the teams of the counties `user` may see."""
    return _in_visible_counties(PatrolPlan.objects.select_related("team", "team__county", "created_by"),
                                user)


def visible_teams(user) -> QuerySet[Team]:
    """Teams of the counties `user` may see."""
    ids = visible_county_ids(user)
    teams = Team.objects.all()
    return teams if ids is None else teams.filter(in_counties(ids))


def overlapping(tracks: QuerySet[Track], start: datetime | None, end: datetime | None) -> QuerySet[Track]:
    """Tracks with some fix in [start, end)."""
    if start is not None:
        tracks = tracks.filter(ended_at__gte=start)
    if end is not None:
        tracks = tracks.filter(started_at__lt=end)
    return tracks
