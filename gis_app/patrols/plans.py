"""Patrol plans against what was walked: share of the planned route walked, planned grids missed.

Only the plan's scheduled windows inside the asked period count (its weekdays, daily time
window and validity dates, in local time), and only the plan's team's tracks, cut by the same
line rule as coverage (segments.py).
- Route: the share of the planned length (geodesic metres) lying within `tolerance_m` of the
  team's line: a planner's route is walked when the team passed within GPS error of it.
- Grids: a grid is planned when the route passes through it (ST_Intersects, as coverage
  counts a walked line) or the area overlaps its interior (touching the area's edge is not
  enough); it is missed when no segment of the team passed through it.

Raw SQL for the buffer/intersection over the team's segments (a temporary table, see
segments.create_segments_table), which the ORM cannot join.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from boundaries.models import Grid
from gis_app.enforcement.models import Team
from gis_app.patrols import segments
from gis_app.patrols.models import PatrolPlan

GRID = Grid._meta.db_table
PLAN = PatrolPlan._meta.db_table
TEAM = Team._meta.db_table


def schedule_windows(plan: PatrolPlan, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The plan's scheduled time windows within [start, end), merged where they touch.

    A daily window whose end is not after its start runs overnight into the next day.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    day = start.astimezone(zone).date() - timedelta(days=1)  # yesterday's overnight window
    last = end.astimezone(zone).date()
    windows: list[tuple[datetime, datetime]] = []
    while day <= last:
        scheduled = ((plan.valid_from is None or day >= plan.valid_from)
                     and (plan.valid_to is None or day <= plan.valid_to)
                     and (not plan.weekdays or day.isoweekday() in plan.weekdays))
        if scheduled:
            if plan.start_time is not None:
                w0 = datetime.combine(day, plan.start_time, zone)
                w1 = datetime.combine(day, plan.end_time, zone)
                if w1 <= w0:
                    w1 += timedelta(days=1)
            else:
                w0 = datetime.combine(day, time(0), zone)
                w1 = datetime.combine(day + timedelta(days=1), time(0), zone)
            w0, w1 = max(w0, start), min(w1, end)
            if w1 > w0:
                if windows and w0 <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], max(windows[-1][1], w1))
                else:
                    windows.append((w0, w1))
        day += timedelta(days=1)
    return windows


def _route_walked(plan_id: int, tolerance_m: float) -> tuple[float, float]:
    """(planned metres, metres within `tolerance_m` of the team's segments)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH plan AS (SELECT route FROM {PLAN} WHERE id = %(plan)s),
            near AS (
                SELECT ST_Buffer(ST_Collect(s.geom)::geography, %(tol)s)::geometry AS zone
                FROM patrol_segments s, plan
                WHERE ST_DWithin(s.geom::geography, plan.route::geography, %(tol)s)
            )
            SELECT ST_Length(plan.route::geography),
                   COALESCE(ST_Length(ST_Intersection(plan.route, near.zone)::geography), 0)
            FROM plan, near
        """, {"plan": plan_id, "tol": tolerance_m})
        planned, walked = cursor.fetchone()
        return float(planned), float(walked)


def _planned_grids(plan_id: int) -> list[tuple[str, bool]]:
    """(grid code, patrolled) for each grid the plan's route or area covers."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT g.code, EXISTS (SELECT 1 FROM patrol_segments s WHERE ST_Intersects(g.geom, s.geom))
            FROM {GRID} g, {PLAN} p JOIN {TEAM} t ON t.id = p.team_id
            WHERE p.id = %(plan)s AND g.county_id = t.county_id
              AND ((p.route IS NOT NULL AND ST_Intersects(g.geom, p.route))
                   OR (p.area IS NOT NULL AND ST_Intersects(g.geom, p.area)
                       AND NOT ST_Touches(g.geom, p.area)))
            ORDER BY g.code
        """, {"plan": plan_id})
        return cursor.fetchall()


def compare_plan(plan: PatrolPlan, start: datetime, end: datetime,
                 tolerance_m: float | None = None) -> dict:
    """How far the plan's team walked its plan in [start, end)."""
    tolerance_m = settings.PATROL_PLAN_TOLERANCE_M if tolerance_m is None else float(tolerance_m)
    windows = schedule_windows(plan, start, end)
    params = {**segments.gap_params(), **segments.window_params(windows), "team": plan.team_id}
    with transaction.atomic():
        segments.create_segments_table("tr.team_id = %(team)s", params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT track_id), COALESCE(sum(extract(epoch FROM t1 - t0)), 0)"
                           " FROM patrol_segments")
            tracks, seconds = cursor.fetchone()
        route = None
        if plan.route is not None:
            planned, walked = _route_walked(plan.pk, tolerance_m)
            route = {"planned_m": round(planned, 1), "walked_m": round(walked, 1),
                     "share_walked": round(walked / planned, 4) if planned else 0.0}
        grids = _planned_grids(plan.pk)
    missed = [code for code, patrolled in grids if not patrolled]
    return {
        "plan": {"id": plan.pk, "name": plan.name, "team": plan.team.code},
        "period": {"from": _iso(start), "to": _iso(end)},
        "scheduled_windows": [{"from": _iso(a), "to": _iso(b)} for a, b in windows],
        "scheduled_seconds": sum((b - a).total_seconds() for a, b in windows),
        "tracks": int(tracks),
        "seconds_on_patrol": round(float(seconds), 1),
        "tolerance_m": tolerance_m,
        "route": route,
        "grids": {"planned": len(grids), "patrolled": len(grids) - len(missed), "missed": missed,
                  "share_patrolled": round((len(grids) - len(missed)) / len(grids), 4) if grids else None},
    }


def _iso(value) -> str:
    """In the output time zone (+08:00 unless the client asked for `tz=UTC`)."""
    return timezone.localtime(value).isoformat()
