"""Live positions: each team's latest fix, marked stale when older than PATROL_STALE_MINUTES.

Raw SQL because "the latest fix of the latest track of each team" is two LATERAL top-1
lookups, each answered by an index (track: team, ended_at; fix: track, time), which the ORM
can only write as nested subqueries per column.
"""
from __future__ import annotations

from datetime import datetime, timezone

from django.conf import settings
from django.db import connection

from boundaries.models import County
from gis_app.enforcement.models import Team
from gis_app.patrols.models import Fix, Track


def latest_positions(county: County, now: datetime | None = None,
                     stale_minutes: float | None = None) -> list[dict]:
    """One row per team of the county that has ever uploaded a fix, by team code."""
    now = now or datetime.now(timezone.utc)
    stale_minutes = settings.PATROL_STALE_MINUTES if stale_minutes is None else float(stale_minutes)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT tm.code, tm.name, tm.kind, tr.id, f.time, ST_X(f.geom), ST_Y(f.geom), f.accuracy
            FROM {Team._meta.db_table} tm
            CROSS JOIN LATERAL (SELECT id FROM {Track._meta.db_table} WHERE team_id = tm.id
                                ORDER BY ended_at DESC LIMIT 1) tr
            CROSS JOIN LATERAL (SELECT time, geom, accuracy FROM {Fix._meta.db_table}
                                WHERE track_id = tr.id ORDER BY time DESC LIMIT 1) f
            WHERE tm.county_id = %s
            ORDER BY tm.code
        """, [county.pk])
        rows = cursor.fetchall()
    out = []
    for code, name, kind, track_id, time, lon, lat, accuracy in rows:
        age = (now - time).total_seconds()
        out.append({"team": code, "team_name": name, "team_kind": kind, "track": track_id,
                    "time": time, "lon": lon, "lat": lat, "accuracy": accuracy,
                    "age_seconds": round(age, 1), "stale": age > stale_minutes * 60})
    return out
