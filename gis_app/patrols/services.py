"""Writes of the patrols app, each in one transaction: storing a cleaned track, patrol plans.

Views and commands call these; reads live in selectors.py.
"""
from __future__ import annotations

import io

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from gis_app.enforcement.models import Team
from gis_app.patrols import segments
from gis_app.patrols.collector import Fixes, MalformedUpload, iso, us_to_datetime
from gis_app.patrols.duplicates import drop_already_stored
from gis_app.patrols.fix_copy import COLUMNS as COPY_COLUMNS, binary_copy
from gis_app.patrols.ingest import Cleaned, clean, read_upload
from gis_app.patrols.models import Fix, PatrolPlan, Track
from gis_app.patrols.pieces import store_line


def upload_track(stream, *, team: Team, filename: str | None = None, crs=None,
                 plan: PatrolPlan | None = None, uploaded_by=None) -> Track:
    """Read, clean and store one upload; raises MalformedUpload (nothing stored) if unreadable,
    DuplicateUpload (nothing stored) if the team already has every fix of it (duplicates.py)."""
    fixes = read_upload(stream, filename=filename, crs=crs)
    limit = settings.PATROL_MAX_FIXES
    if len(fixes) > limit:
        raise MalformedUpload(fixes.format, [{"field": "file", "reason": f"{len(fixes):,} fixes; "
                                              f"at most {limit:,} per upload (PATROL_MAX_FIXES)"}])
    cleaned = drop_already_stored(team, fixes, clean(fixes))
    return store_track(fixes, cleaned, team=team, plan=plan, uploaded_by=uploaded_by,
                       filename=filename or "")


def _report(fixes: Fixes, cleaned: Cleaned) -> dict:
    gaps = segments.gap_params()
    return {
        "format": fixes.format,
        "crs_received": fixes.crs.name,
        "crs_stored": "EPSG:4326",
        "received": len(fixes),
        "kept": cleaned.kept,
        "dropped": len(cleaned.dropped),
        "dropped_by_reason": cleaned.counts(),
        "dropped_fixes": cleaned.dropped,
        "rules": {"max_speed_kmh": settings.PATROL_MAX_SPEED_KMH,
                  "line_gap_seconds": gaps["gap_s"], "line_gap_metres": gaps["gap_m"]},
        "notes": fixes.notes,
    }


def _copy_fixes(track_id: int, fixes: Fixes, keep: np.ndarray) -> None:
    """COPY the kept fixes in one binary stream (fix_copy.py): the fastest way PostgreSQL
    takes 100,000 rows."""
    payload = binary_copy(track_id, fixes.times_us[keep], fixes.lon[keep], fixes.lat[keep],
                          fixes.accuracy[keep])
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {Fix._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN "
                           "(FORMAT binary)", io.BytesIO(payload))


def store_track(fixes: Fixes, cleaned: Cleaned, *, team: Team, plan: PatrolPlan | None = None,
                uploaded_by=None, filename: str = "") -> Track:
    """Store the kept fixes of one upload and derive its line, all or nothing."""
    keep = cleaned.keep
    kept_times = fixes.times_us[keep]
    with transaction.atomic():
        track = Track.objects.create(
            team=team, plan=plan, uploaded_by=uploaded_by, filename=filename[:255],
            source_format=fixes.format, crs=fixes.crs.name,
            started_at=us_to_datetime(kept_times.min()), ended_at=us_to_datetime(kept_times.max()),
            fixes_received=len(fixes), fixes_kept=cleaned.kept, fixes_dropped=len(cleaned.dropped),
            report=_report(fixes, cleaned))
        _copy_fixes(track.pk, fixes, keep)
        line = store_line(track, kept_times, fixes.lon[keep], fixes.lat[keep])
        track.report["line"] = {"pieces": line.count, "length_m": round(line.length_m, 1),
                                "started_at": iso(kept_times.min()), "ended_at": iso(kept_times.max())}
        Track.objects.filter(pk=track.pk).update(report=track.report)
    # The stored line is read only when asked for (the answer reads the track again, simplified):
    # fetching 100,000 vertices back here cost more than storing them.
    return Track.objects.defer("geom").get(pk=track.pk)
    return track


# --- patrol plans ------------------------------------------------------------------------------

def create_plan(*, team: Team, name: str, route=None, area=None, weekdays=(), start_time=None,
                end_time=None, valid_from=None, valid_to=None, created_by=None) -> PatrolPlan:
    """Check and store a patrol plan (geometries GEOS in WGS84, times and days already typed).

    The plan's rules are checked here, not by the caller: a route, an area or both; both ends
    of the daily window or neither; ISO weekdays; a validity that does not end before it
    starts; a route of some length; geometries touching the team's county. A broken rule is a
    ValidationError naming the field (the web layer answers 400 naming it); nothing is stored.
    """
    _check_plan(team, name, route, area, weekdays, start_time, end_time, valid_from, valid_to)
    with transaction.atomic():
        return PatrolPlan.objects.create(team=team, name=name, route=route, area=area,
                                         weekdays=sorted(set(weekdays)), start_time=start_time,
                                         end_time=end_time, valid_from=valid_from, valid_to=valid_to,
                                         created_by=created_by)


def update_plan(plan: PatrolPlan, *, team: Team, name: str, route=None, area=None, weekdays=(),
                start_time=None, end_time=None, valid_from=None, valid_to=None) -> PatrolPlan:
    """Replace a plan's team, geometry and schedule, keeping its id and the tracks tied to it;
    the same rules as `create_plan` (ValidationError naming the field, nothing changed)."""
    _check_plan(team, name, route, area, weekdays, start_time, end_time, valid_from, valid_to)
    with transaction.atomic():
        for key, value in dict(team=team, name=name, route=route, area=area,
                               weekdays=sorted(set(weekdays)), start_time=start_time,
                               end_time=end_time, valid_from=valid_from, valid_to=valid_to).items():
            setattr(plan, key, value)
        plan.save()
        return plan


def _refuse(field: str, reason: str):
    raise ValidationError({field: [reason]})


def _check_plan(team, name, route, area, weekdays, start_time, end_time, valid_from, valid_to) -> None:
    if not name or not name.strip():
        _refuse("name", "required")
    if route is None and area is None:
        _refuse("route", "a plan needs a route (lines), an area (polygons) or both")
    if route is not None and route.length == 0:
        _refuse("route", "has zero length")
    county = team.county
    for field, geom in (("route", route), ("area", area)):
        if geom is not None and not type(county).objects.filter(pk=county.pk, geom__intersects=geom).exists():
            _refuse(field, f"lies outside county {county.code} (coordinates in the wrong CRS?)")
    if not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays):
        _refuse("weekdays", "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)")
    if (start_time is None) != (end_time is None):
        _refuse("end_time" if end_time is None else "start_time",
                "the daily window needs both start_time and end_time")
    if valid_from and valid_to and valid_to < valid_from:
        _refuse("valid_to", "is before valid_from")


def delete_plan(plan: PatrolPlan) -> None:
    """Delete a plan; its tracks stay, no longer tied to it."""
    with transaction.atomic():
        plan.delete()
