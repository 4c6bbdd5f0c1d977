"""An upload's patrol line, derived once from its kept fixes while they are still in memory.

Why here and not from the stored fixes: the upload already holds the fixes as arrays in time
order, so which are joined (segments.joined_fixes, the one gap rule), where the line breaks
and where it is cut into pieces take numpy a few milliseconds; deriving the same from the
table cost the database three sorts of every fix (a third of a 100,000-fix upload).

Two things are stored, both from the same runs of joined fixes:
- Track.geom, the line maps draw (a MultiLineString, one line per unbroken run of two or more
  fixes), and Track.length_m, its geodesic length on the WGS84 ellipsoid, measured here on
  the arrays by pyproj's Geod (GeographicLib, the algorithm PostGIS uses for geography
  lengths; the test compares the two): PostGIS measuring the stored line took a quarter of a
  100,000-fix upload (casting 100,000 vertices to geography first);
- TrackPiece rows: each run cut every segments.PIECE_SEGMENTS segments into LINESTRING M
  pieces, M = each fix's time (epoch seconds), with whether the piece is simple
  (segments.simple_sql, PostGIS) and its geodesic length (as Track.length_m). Coverage
  reads these instead of rebuilding lines from the fixes (segments.stored_lines_sql);
  Track.line_gap_seconds/metres say which rule cut them.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import shapely
from django.db import connection
from pyproj import Geod

from gis_app.patrols import segments
from gis_app.patrols.models import Track, TrackPiece

#: EWKB geometry types (little-endian), with the SRID flag on the outer geometry only.
_SRID_FLAG, _M_FLAG = 0x20000000, 0x40000000
_LINESTRING, _MULTILINESTRING = 2, 5
_WGS84 = Geod(ellps="WGS84")


def runs(joined: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) fix index of every unbroken run of two or more joined fixes."""
    starts = np.flatnonzero(~joined)          # a fix not joined to the one before starts a run
    ends = np.r_[starts[1:] - 1, len(joined) - 1]
    return [(int(a), int(b)) for a, b in zip(starts, ends) if b > a]


def cut(first: int, last: int, size: int = segments.PIECE_SEGMENTS) -> list[tuple[int, int]]:
    """(first, last) fix index of the pieces of one run: `size` segments each (the last
    shorter), consecutive pieces sharing their end fix."""
    return [(a, min(a + size, last)) for a in range(first, last, size)]


def _ewkb_multilinestring_m(xym: np.ndarray, pieces: list[tuple[int, int]]) -> bytes:
    """EWKB of a MULTILINESTRING M (SRID 4326) of the pieces of `xym` (rows x, y, m)."""
    parts = [np.array([1], "u1").tobytes(),
             np.array([_MULTILINESTRING | _M_FLAG | _SRID_FLAG, 4326, len(pieces)], "<u4").tobytes()]
    for a, b in pieces:
        parts.append(np.array([1], "u1").tobytes())
        parts.append(np.array([_LINESTRING | _M_FLAG, b - a + 1], "<u4").tobytes())
        parts.append(xym[a:b + 1].tobytes())
    return b"".join(parts)


def step_metres(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic metres from each fix to the next (one fewer than the fixes)."""
    if len(lon) < 2:
        return np.zeros(0)
    if len(lon) == 2:        # (pyproj takes one-element arrays as scalars, with a warning)
        return np.array([_WGS84.inv(lon[0], lat[0], lon[1], lat[1])[2]])
    return np.asarray(_WGS84.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2])


class StoredLine(NamedTuple):
    count: int            # unbroken lines
    length_m: float       # geodesic metres, as stored in Track.length_m


def store_line(track: Track, times_us: np.ndarray, lon: np.ndarray, lat: np.ndarray,
               gap: dict | None = None) -> StoredLine:
    """Derive and store the line of `track` (its kept fixes, any order) and its pieces under
    the gap rule `gap` (segments.gap_params: the settings by default). Call inside the
    upload's transaction."""
    gap = gap or segments.gap_params()
    order = np.argsort(times_us, kind="stable")
    times_us, lon, lat = times_us[order], np.ascontiguousarray(lon[order]), np.ascontiguousarray(lat[order])
    joined = segments.joined_fixes(times_us, lon, lat, gap)
    lines = runs(joined)
    pieces = [p for a, b in lines for p in cut(a, b)]
    # Metres walked up to each fix (steps across a gap count nothing).
    walked = np.r_[0.0, np.cumsum(np.where(joined[1:], step_metres(lon, lat), 0.0))]
    if lines:
        index = np.concatenate([np.full(b - a + 1, k) for k, (a, b) in enumerate(lines)])
        chosen = np.concatenate([np.arange(a, b + 1) for a, b in lines])
        flat = shapely.multilinestrings(
            shapely.linestrings(np.column_stack([lon[chosen], lat[chosen]]), indices=index))
        geom = shapely.to_wkb(shapely.set_srid(flat, 4326), include_srid=True)
        xym = np.column_stack([lon, lat, times_us / 1_000_000])   # M: epoch seconds, as in SQL
        line_m = _ewkb_multilinestring_m(xym, pieces)
    else:
        geom = line_m = None
    # Raw SQL: the line and its pieces go in as one EWKB each; PostGIS splits the pieces apart
    # and says which are simple (values as parameters; times as exact microseconds).
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {Track._meta.db_table} SET geom = ST_GeomFromEWKB(%(geom)s), length_m = %(length)s,
                   line_gap_seconds = %(gap_s)s, line_gap_metres = %(gap_m)s
            WHERE id = %(track)s""", {"geom": geom, "length": float(walked[-1]), "track": track.pk, **gap})
        if pieces:
            cursor.execute(f"""
                INSERT INTO {TrackPiece._meta.db_table} (track_id, t0, t1, line, simple, length_m)
                SELECT %(track)s, timestamptz 'epoch' + u.t0 * interval '1 microsecond',
                       timestamptz 'epoch' + u.t1 * interval '1 microsecond',
                       d.geom, {segments.simple_sql("ST_Force2D(d.geom)")}, u.metres
                FROM ST_Dump(ST_GeomFromEWKB(%(pieces)s)) d
                JOIN unnest(%(t0)s::int8[], %(t1)s::int8[], %(metres)s::float8[]) WITH ORDINALITY
                     AS u(t0, t1, metres, i) ON u.i = d.path[1]""",
                {"track": track.pk, "pieces": line_m,
                 "t0": times_us[[a for a, _ in pieces]].tolist(),
                 "t1": times_us[[b for _, b in pieces]].tolist(),
                 "metres": [float(walked[b] - walked[a]) for a, b in pieces]})
    return StoredLine(len(lines), float(walked[-1]))
