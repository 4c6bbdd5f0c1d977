"""The patrol line: which consecutive fixes of a track are joined, in one place.

Consecutive fixes of a track (in time order) are joined by a straight segment unless they are
more than PATROL_GAP_SECONDS apart in time or PATROL_GAP_METRES apart on the ground
(geodesic metres): such a gap breaks the line, since nobody knows where the team went.
The stored Track.geom and TrackPiece rows (pieces.py, at upload) and coverage (coverage.py)
all use this rule: `joined` says it in SQL, `joined_fixes` for an upload's arrays in memory
(the geodesic part still asked of PostGIS), and tests/patrols/test_track_pieces.py checks
that both give the same line.

Raw SQL because the rule is a window function (LAG over each track's fixes) whose results
are then cut by time windows: the ORM can express neither the window join nor the clipping.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import connection

from gis_app.patrols.models import Fix, Track, TrackPiece

FIX = Fix._meta.db_table
TRACK = Track._meta.db_table
PIECE = TrackPiece._meta.db_table


def gap_params(gap_seconds: float | None = None, gap_metres: float | None = None) -> dict:
    return {"gap_s": float(settings.PATROL_GAP_SECONDS if gap_seconds is None else gap_seconds),
            "gap_m": float(settings.PATROL_GAP_METRES if gap_metres is None else gap_metres)}


#: Metres per degree, rounded up from the most a degree of latitude or longitude measures on
#: the WGS84 spheroid (111,694 m): fixes fewer degrees apart than gap_m / this are surely
#: within gap_m geodesic metres of each other.
_MAX_METRES_PER_DEGREE = 112_000.0


def joined(t0: str, t1: str, p0: str, p1: str) -> str:
    """SQL condition: the fix (t1, p1) is joined to the one before it (t0, p0).

    The planar distance in degrees settles nearly every pair (consecutive fixes are metres
    apart); the geodesic distance, ten times dearer, decides the rest."""
    return (f"({t1} - {t0} <= make_interval(secs => %(gap_s)s) "
            f"AND (ST_DWithin({p0}, {p1}, %(gap_m)s / {_MAX_METRES_PER_DEGREE}) "
            f"OR ST_Distance({p0}::geography, {p1}::geography) <= %(gap_m)s))")


def joined_fixes(times_us: np.ndarray, lon: np.ndarray, lat: np.ndarray, gap: dict) -> np.ndarray:
    """`joined` for one track's fixes in memory (time order, times in µs since the epoch):
    element i says fix i is joined to fix i - 1 (element 0 is False). The planar test settles
    nearly every pair, as in `joined`; the rest are measured by PostGIS (the same
    ST_Distance on geography), in one statement."""
    out = np.zeros(len(times_us), dtype=bool)
    if len(times_us) < 2:
        return out
    soon = np.diff(times_us) <= round(gap["gap_s"] * 1_000_000)
    near = np.hypot(np.diff(lon), np.diff(lat)) <= gap["gap_m"] / _MAX_METRES_PER_DEGREE
    out[1:] = soon & near
    undecided = np.flatnonzero(soon & ~near)
    if len(undecided):
        out[undecided + 1] = _within_on_the_ground(lon[undecided], lat[undecided], lon[undecided + 1],
                                                   lat[undecided + 1], gap["gap_m"])
    return out


def _within_on_the_ground(x0, y0, x1, y1, metres: float) -> np.ndarray:
    """Whether each pair of points is within `metres` geodesic metres, by PostGIS. Raw SQL:
    the pairs go in as arrays (values as parameters) and come back in their order."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT ST_Distance(ST_SetSRID(ST_MakePoint(a, b), 4326)::geography,
                               ST_SetSRID(ST_MakePoint(c, d), 4326)::geography) <= %s
            FROM unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[])
                 WITH ORDINALITY AS u(a, b, c, d, i)
            ORDER BY i""", [metres, x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist()])
        return np.array([row[0] for row in cursor.fetchall()], dtype=bool)


def _fixes_in_windows(track_filter: str) -> str:
    """FROM ... WINDOW w: the fixes (alias f, track tr) of the tracks matching `track_filter`
    that segments within %(lo)s..%(hi)s may need, each track's in time order (window `w`)."""
    return f"""FROM {FIX} f JOIN {TRACK} tr ON tr.id = f.track_id
            WHERE ({track_filter})
              AND tr.ended_at >= %(lo)s AND tr.started_at <= %(hi)s
              AND f.time >= %(lo)s - make_interval(secs => %(gap_s)s)
              AND f.time <= %(hi)s + make_interval(secs => %(gap_s)s)
            WINDOW w AS (PARTITION BY f.track_id ORDER BY f.time)"""


def segments_sql(track_filter: str) -> str:
    """SQL selecting (track_id, team_id, t0, t1, geom) for every joined pair of fixes of the
    tracks matching `track_filter` (SQL on alias `tr`), cut to the time windows
    `%(windows)s` (a tstzrange[]); `%(lo)s`/`%(hi)s` bound all windows.

    A pair partly inside a window keeps the part of its segment walked inside it, assuming
    constant speed between the two fixes. A pair at one place (standing still) is a point.
    """
    return f"""
        WITH pairs AS (
            SELECT f.track_id, tr.team_id,
                   lag(f.time) OVER w AS t0, f.time AS t1, lag(f.geom) OVER w AS p0, f.geom AS p1
            {_fixes_in_windows(track_filter)}
        ), clipped AS (
            SELECT p.track_id, p.team_id, p.t0, p.t1, p.p0, p.p1,
                   greatest(p.t0, lower(w)) AS s0, least(p.t1, upper(w)) AS s1
            FROM pairs p JOIN unnest(%(windows)s::tstzrange[]) w ON tstzrange(p.t0, p.t1, '[]') && w
            WHERE p.t0 IS NOT NULL AND {joined("p.t0", "p.t1", "p.p0", "p.p1")}
        )
        SELECT track_id, team_id, s0 AS t0, s1 AS t1,
               CASE WHEN ST_Equals(p0, p1) THEN p0
                    WHEN s0 = t0 AND s1 = t1 THEN ST_MakeLine(p0, p1)
                    ELSE ST_LineSubstring(ST_MakeLine(p0, p1),
                                          extract(epoch FROM s0 - t0) / extract(epoch FROM t1 - t0),
                                          extract(epoch FROM s1 - t0) / extract(epoch FROM t1 - t0))
               END AS geom
        FROM clipped WHERE s1 > s0
    """


def window_params(windows: list[tuple[datetime, datetime]]) -> dict:
    """Parameters for `segments_sql`: the windows as range literals and their bounds."""
    if not windows:
        # No window at all: an empty range matches nothing, the bounds keep the SQL valid.
        epoch = datetime(1970, 1, 1).astimezone()
        return {"windows": ["empty"], "lo": epoch, "hi": epoch}
    return {"windows": [f"[{a.isoformat()},{b.isoformat()})" for a, b in windows],
            "lo": min(a for a, _ in windows), "hi": max(b for _, b in windows)}


#: Segments per piece of line at most (see `lines_sql` and pieces.py).
PIECE_SEGMENTS = 32


def simple_sql(flat: str) -> str:
    """SQL condition: the 2D line `flat` neither crosses, retraces nor closes on itself and
    never stands still (a zero-length step), so every point on it has one time.
    (M counts in ST_RemoveRepeatedPoints: give it the flat line.)"""
    return (f"(ST_NPoints(ST_RemoveRepeatedPoints({flat})) = ST_NPoints({flat}) "
            f"AND ST_IsSimple({flat}) AND NOT ST_IsClosed({flat}))")


def lines_sql(track_filter: str) -> str:
    """SQL selecting (track_id, team_id, t0, t1, line, simple) for the patrol line of the
    tracks matching `track_filter` (SQL on alias `tr`) in ONE time window [%(lo)s, %(hi)s),
    built from their fixes and cut to the window as `segments_sql` cuts: one LINESTRING M per
    unbroken piece of line, M = epoch seconds of each vertex, so where a piece falls along
    the line says when it was walked; `simple` and `length_m` are NULL (not known yet, see
    `simple_sql` and `create_lines_table`).

    Unbroken pieces are further cut every PIECE_SEGMENTS fixes: short pieces are mostly simple
    and mostly inside one grid (coverage.py). Every step runs in the fixes' (track, time)
    order, so the database sorts them once.
    """
    return f"""
        WITH f AS (
            SELECT f.track_id, tr.team_id, f.time AS t1, f.geom AS p1,
                   lag(f.time) OVER w AS t0, lag(f.geom) OVER w AS p0,
                   row_number() OVER w / {PIECE_SEGMENTS} AS piece
            {_fixes_in_windows(track_filter)}
        ), pairs AS (
            -- `joined`: this fix is joined to the one before it; `run` numbers the unbroken
            -- stretches of each track (a fix not joined to the one before starts a new one).
            SELECT *, sum(CASE WHEN joined THEN 0 ELSE 1 END)
                          OVER (PARTITION BY track_id ORDER BY t1) AS run
            FROM (SELECT *, t0 IS NOT NULL AND {joined("t0", "t1", "p0", "p1")} AS joined FROM f) j
        ), ends AS (
            -- A pair partly inside the window keeps the part walked inside it (constant speed).
            SELECT track_id, team_id, run, piece, s0 AS t0, s1 AS t1,
                   CASE WHEN s0 = t0 THEN p0 ELSE ST_LineInterpolatePoint(ST_MakeLine(p0, p1),
                        extract(epoch FROM s0 - t0) / extract(epoch FROM t1 - t0)) END AS a,
                   CASE WHEN s1 = t1 THEN p1 ELSE ST_LineInterpolatePoint(ST_MakeLine(p0, p1),
                        extract(epoch FROM s1 - t0) / extract(epoch FROM t1 - t0)) END AS b
            FROM (SELECT *, greatest(t0, %(lo)s) AS s0, least(t1, %(hi)s) AS s1 FROM pairs
                  WHERE joined) p
            WHERE s1 > s0
        ), pieces AS (
            SELECT track_id, team_id, min(t0) AS t0, max(t1) AS t1,
                   array_agg(ST_MakePointM(ST_X(a), ST_Y(a), extract(epoch FROM t0)::float8)
                             ORDER BY t0) AS starts,
                   (array_agg(b ORDER BY t0 DESC))[1] AS last
            FROM ends GROUP BY track_id, team_id, run, piece
        )
        SELECT track_id, team_id, t0, t1,
               ST_SetSRID(ST_MakeLine(starts || ST_MakePointM(ST_X(last), ST_Y(last),
                                                              extract(epoch FROM t1)::float8)),
                          4326) AS line,
               NULL::boolean AS simple, NULL::float8 AS length_m
        FROM pieces
    """


#: SQL condition on alias `tr`: the track's stored pieces were cut by the gap rule asked for.
_PIECES_FIT = "(tr.line_gap_seconds = %(gap_s)s AND tr.line_gap_metres = %(gap_m)s)"


def stored_lines_sql(track_filter: str) -> str:
    """SQL selecting what `lines_sql` selects, read from the stored pieces (TrackPiece) of the
    tracks matching `track_filter` whose pieces were cut by the gap rule asked for: a piece
    inside the window as it is, one straddling a bound cut to the window by its M values
    (ST_LocateBetween interpolates at constant speed, as `lines_sql` does). A part of a
    simple piece is simple; a part of another is left to the segment by segment clipping.
    A whole piece keeps its stored length; a part is measured again (NULL here)."""
    return f"""
        SELECT p.track_id, tr.team_id, greatest(p.t0, %(lo)s) AS t0, least(p.t1, %(hi)s) AS t1,
               CASE WHEN p.t0 >= %(lo)s AND p.t1 <= %(hi)s THEN p.line
                    ELSE ST_GeometryN(ST_LocateBetween(p.line, extract(epoch FROM %(lo)s::timestamptz)::float8,
                                                      extract(epoch FROM %(hi)s::timestamptz)::float8), 1)
               END AS line,
               p.simple, CASE WHEN p.t0 >= %(lo)s AND p.t1 <= %(hi)s THEN p.length_m END AS length_m
        FROM {PIECE} p JOIN {TRACK} tr ON tr.id = p.track_id
        WHERE ({track_filter}) AND {_PIECES_FIT}
          AND tr.ended_at >= %(lo)s AND tr.started_at <= %(hi)s
          AND p.t0 < %(hi)s AND p.t1 > %(lo)s
    """


def create_lines_table(track_filter: str, params: dict) -> int:
    """TEMP TABLE patrol_lines (dropped at commit: call inside a transaction) of (track_id,
    team_id, t0, t1, line, shape, simple) for the tracks matching `track_filter` in the window
    [%(lo)s, %(hi)s): their stored pieces where those were cut by the gap rule asked for
    (`stored_lines_sql`), else built from their fixes (`lines_sql`). `shape` is the line
    without M, or its point where the team stood still throughout; `simple` as `simple_sql`;
    `length_m` geodesic metres along it (WGS84 ellipsoid).
    Returns the number of pieces. JIT is switched off for the rest of the transaction."""
    sql = f"""
        SELECT track_id, team_id, t0, t1, line,
               CASE WHEN ST_Length(line) = 0 THEN ST_StartPoint(flat) ELSE flat END AS shape,
               COALESCE(simple, {simple_sql("flat")}) AS simple,
               COALESCE(length_m, ST_Length(flat::geography)) AS length_m
        FROM (SELECT *, ST_Force2D(line) AS flat
              FROM (SELECT * FROM ({stored_lines_sql(track_filter)}) s
                    UNION ALL
                    SELECT * FROM ({lines_sql(f"({track_filter}) AND {_PIECES_FIT} IS NOT TRUE")}) f
                   ) u) l
    """
    return _temp_table("patrol_lines", sql, params)


def create_segments_table(track_filter: str, params: dict) -> int:
    """TEMP TABLE patrol_segments (dropped at commit: call inside a transaction) holding
    `segments_sql(track_filter)`, spatially indexed; returns the number of segments. JIT is
    switched off for the rest of the transaction."""
    return _temp_table("patrol_segments", segments_sql(track_filter), params, gist="geom")


def _temp_table(name: str, sql: str, params: dict, gist: str | None = None) -> int:
    """CREATE TEMP TABLE `name` ON COMMIT DROP AS `sql`, analysed (and with a GiST index on
    column `gist`); returns its row count."""
    with connection.cursor() as cursor:
        # The planner's row estimates for these set-returning steps are wild (billions), which
        # triggers JIT compilation costing more than the queries; off for this transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {sql}", params)
        count = cursor.rowcount
        if gist:
            cursor.execute(f"CREATE INDEX ON {name} USING gist ({gist})")
        cursor.execute(f"ANALYZE {name}")
        return count
