"""Tracks counted once: fixes a team has already uploaded are not stored again.

A phone's log is often uploaded twice (retried after a timeout, exported again with the next
day's fixes). Coverage, visits and time inside are computed from the stored fixes, so a fix
stored twice would count twice. The rule (docs/guide.md, "Tracks counted once"):
- a kept fix of an upload is *already stored* when a fix of another track of the same team
  has the same instant and lies within PATROL_DUPLICATE_METRES of it;
- an upload whose every kept fix is already stored is refused (409 `duplicate_upload`),
  naming the first track that holds them: nothing is stored;
- an upload holding some already-stored fixes keeps only its new ones: each other is
  dropped as `already_uploaded` in the cleaning report, naming the track that holds it.
"""
from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import connection

from gis_app.patrols.collector import Fixes, iso, us_to_datetime
from gis_app.patrols.ingest import Cleaned
from gis_app.patrols.models import Fix, Track


class DuplicateUpload(Exception):
    """Every fix of the upload is already stored for the team."""

    def __init__(self, track_id: int, fixes: int):
        self.track_id = track_id
        self.fixes = fixes
        super().__init__(f"all {fixes} fixes of this upload are already stored for the team, "
                         f"first in track {track_id}: nothing stored")

    def as_dict(self) -> dict:
        return {"error": "duplicate_upload", "detail": str(self), "duplicate_of": self.track_id,
                "stored": False}


def _stored_matches(team_id: int, times_us: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                    tolerance_m: float) -> dict[int, int]:
    """{position in the arrays: id of the team's track holding that fix}. Raw SQL: the upload's
    fixes are matched as one unnested array against the team's stored fixes (same instant,
    within `tolerance_m` on the ellipsoid), which the ORM cannot join to; values are params."""
    stamps = [us_to_datetime(t) for t in times_us]
    sql = f"""
        SELECT u.i - 1, min(f.track_id)
        FROM unnest(%s::timestamptz[], %s::float8[], %s::float8[]) WITH ORDINALITY AS u(t, x, y, i)
        JOIN {Fix._meta.db_table} f ON f.time = u.t
        JOIN {Track._meta.db_table} tr ON tr.id = f.track_id AND tr.team_id = %s
        WHERE ST_DWithin(f.geom::geography, ST_SetSRID(ST_MakePoint(u.x, u.y), 4326)::geography, %s)
        GROUP BY u.i"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamps, lon.tolist(), lat.tolist(), team_id, tolerance_m])
        return {int(i): int(track) for i, track in cursor.fetchall()}


def drop_already_stored(team, fixes: Fixes, cleaned: Cleaned) -> Cleaned:
    """`cleaned` without the fixes the team has already stored (each reported as
    `already_uploaded`); raises DuplicateUpload when no new fix is left."""
    kept = np.flatnonzero(cleaned.keep)
    if len(kept) == 0:
        return cleaned
    times = fixes.times_us[kept]
    overlapping = Fix.objects.filter(track__team=team, time__gte=us_to_datetime(times.min()),
                                     time__lte=us_to_datetime(times.max()))
    if not overlapping.exists():      # the usual case: nothing of that period is stored
        return cleaned
    matches = _stored_matches(team.pk, times, fixes.lon[kept], fixes.lat[kept],
                              settings.PATROL_DUPLICATE_METRES)
    if not matches:
        return cleaned
    if len(matches) == len(kept):
        raise DuplicateUpload(min(matches.values()), len(kept))
    keep = cleaned.keep.copy()
    dropped = list(cleaned.dropped)
    for position, track_id in matches.items():
        i = int(kept[position])
        keep[i] = False
        dropped.append({"index": i, "reason": "already_uploaded", "time": iso(fixes.times_us[i]),
                        "detail": f"the team's track {track_id} already holds this fix"})
    dropped.sort(key=lambda d: d["index"])
    return Cleaned(keep, dropped)
