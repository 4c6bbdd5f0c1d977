"""Which grids were patrolled in a period, computed in PostGIS.

A grid is patrolled when a segment of a track's line passes through it (ST_Intersects, so a
line along a border shared by two grids patrols both; see segments.py for the line). The
line comes as short LINESTRING M pieces carrying each vertex's time (segments.lines_sql),
intersected with the grids once per piece. For each grid: first and last visit, number of
visits and seconds inside, from where the pieces fall in it, with times interpolated along
each segment at constant speed between its two fixes. A visit is a stretch of one track inside the grid:
leaving and re-entering within VISIT_JOIN_SECONDS counts as the same visit. A team standing
still on a shared border is inside both grids for that time.

Raw SQL (one named function per step, values as parameters) because the steps are set
operations over lines built by window functions; the lines and the pieces in each grid go
into temporary tables so the per-grid and per-team summaries read them once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from boundaries.models import County, Grid, Township
from gis_app.enforcement.models import Team
from gis_app.patrols import segments

VISIT_JOIN_SECONDS = 1.0
GRID = Grid._meta.db_table
TOWNSHIP = Township._meta.db_table
TEAM = Team._meta.db_table


@dataclass
class Coverage:
    """The answer: one row per grid, summaries per township and per team."""

    county: County
    period: tuple[datetime, datetime]
    grids: list[dict]
    townships: list[dict]
    teams: list[dict]
    unpatrolled: list[str] = field(default_factory=list)

    @property
    def patrolled(self) -> list[str]:
        return [g["code"] for g in self.grids if g["patrolled"]]


def _create_pieces(grid_filter: str, params: dict) -> None:
    """TEMP TABLE patrol_pieces: each piece of line (segments.lines_sql) clipped to each grid
    it intersects, with the times it entered and left and the seconds spent inside.

    The grids are looked up once per piece of line, not once per segment. Then, per piece and
    grid:
    - a piece wholly inside the grid (most pieces) entered and left it at its own first and
      last times;
    - a simple piece crossing the grid's border is clipped to the grid once, and each part's
      times are the M values where its ends fall on the piece (ST_InterpolatePoint: on a
      simple line every point has one time); time inside is their difference, which is the
      per-segment sum since M grows linearly along each segment;
    - a piece that crosses or retraces itself, or stands still somewhere (where a point would
      have several times) is taken apart into its segments, each clipped on its own (the grid
      is the same argument for all of them, so PostGIS prepares it once): a line walked out
      and back over the same ground is never merged with itself.
    Something that touches a grid where ST_Intersection finds nothing (a numerical corner
    case) still counts, through its closest point, so patrolled always means ST_Intersects.
    """
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS patrol_pieces")
        cursor.execute(f"""
            CREATE TEMP TABLE patrol_pieces ON COMMIT DROP AS
            WITH hits AS MATERIALIZED (
                SELECT g.id AS grid_id, g.geom AS cell, l.track_id, l.team_id, l.t0, l.t1, l.line,
                       l.shape, l.simple, ST_CoveredBy(l.shape, g.geom) AS whole
                FROM patrol_lines l
                JOIN {GRID} g ON ST_Intersects(g.geom, l.shape)
                WHERE {grid_filter}
            ), simple_parts AS (
                SELECT h.grid_id, h.track_id, h.team_id, h.line,
                       COALESCE(d.geom, ST_ClosestPoint(h.shape, h.cell)) AS part
                FROM hits h
                CROSS JOIN LATERAL (SELECT ST_Intersection(h.cell, h.shape) AS inter) i
                LEFT JOIN LATERAL ST_Dump(i.inter) d ON true
                WHERE NOT h.whole AND h.simple
            ), simple_located AS (
                SELECT grid_id, track_id, team_id,
                       ST_InterpolatePoint(line, CASE WHEN GeometryType(part) = 'POINT' THEN part
                                                      ELSE ST_StartPoint(part) END) AS ma,
                       ST_InterpolatePoint(line, CASE WHEN GeometryType(part) = 'POINT' THEN part
                                                      ELSE ST_EndPoint(part) END) AS mb
                FROM simple_parts
            ), segs AS (
                SELECT h.grid_id, h.cell, h.track_id, h.team_id,
                       to_timestamp(ST_M(ST_StartPoint(d.geom))) AS t0,
                       to_timestamp(ST_M(ST_EndPoint(d.geom))) AS t1,
                       CASE WHEN ST_Length(d.geom) = 0 THEN ST_Force2D(ST_StartPoint(d.geom))
                            ELSE ST_Force2D(d.geom) END AS seg
                FROM hits h CROSS JOIN LATERAL ST_DumpSegments(h.line) d
                WHERE NOT h.whole AND NOT h.simple
            ), seg_hits AS MATERIALIZED (
                SELECT grid_id, cell, track_id, team_id, t0, t1, seg,
                       GeometryType(seg) = 'POINT' OR ST_CoveredBy(seg, cell) AS whole
                FROM segs WHERE ST_Intersects(seg, cell)
            ), seg_parts AS (
                SELECT h.grid_id, h.track_id, h.team_id, h.t0, h.t1, h.seg,
                       COALESCE(d.geom, ST_ClosestPoint(h.seg, h.cell)) AS part
                FROM seg_hits h
                CROSS JOIN LATERAL (SELECT ST_Intersection(h.cell, h.seg) AS inter) i
                LEFT JOIN LATERAL ST_Dump(i.inter) d ON true
                WHERE NOT h.whole
            ), located AS (
                -- Pieces of line wholly inside the grid, and segments wholly inside it or
                -- standing still: all of it.
                SELECT grid_id, track_id, team_id, t0, t1, 0.0::float8 AS a, 1.0::float8 AS b,
                       1.0::float8 AS share
                FROM hits WHERE whole
                UNION ALL
                SELECT grid_id, track_id, team_id, t0, t1, 0.0, 1.0, 1.0
                FROM seg_hits WHERE whole
                UNION ALL
                SELECT grid_id, track_id, team_id, t0, t1,
                       ST_LineLocatePoint(seg, ST_StartPoint(part)),
                       ST_LineLocatePoint(seg, ST_EndPoint(part)),
                       ST_Length(part) / NULLIF(ST_Length(seg), 0)
                FROM seg_parts
                UNION ALL
                SELECT grid_id, track_id, team_id, to_timestamp(least(ma, mb)),
                       to_timestamp(greatest(ma, mb)), 0.0, 1.0, 1.0
                FROM simple_located
            )
            SELECT grid_id, track_id, team_id,
                   t0 + (t1 - t0) * least(a, b) AS entered,
                   t0 + (t1 - t0) * greatest(a, b) AS left_at,
                   extract(epoch FROM t1 - t0) * COALESCE(share, 0) AS seconds
            FROM located
        """, params)


def _grid_rows(grid_filter: str, params: dict) -> list[dict]:
    """Every grid of the filter with its visits (visits counted per track, then added)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH ordered AS (
                SELECT grid_id, track_id, entered, left_at, seconds,
                       max(left_at) OVER (PARTITION BY grid_id, track_id ORDER BY entered, left_at
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                FROM patrol_pieces
            ), per_grid AS MATERIALIZED (
                SELECT grid_id, min(entered) AS first_visit, max(left_at) AS last_visit,
                       sum(CASE WHEN before IS NULL
                                  OR entered > before + make_interval(secs => %(join_s)s)
                                THEN 1 ELSE 0 END) AS visits,
                       sum(seconds) AS seconds_inside
                FROM ordered GROUP BY grid_id
            )
            SELECT g.code, g.name, t.code, t.name, p.first_visit, p.last_visit,
                   COALESCE(p.visits, 0), COALESCE(p.seconds_inside, 0)
                   {", ST_AsGeoJSON(g.geom, 7)" if params.get("with_geometry") else ", NULL"}
            FROM {GRID} g JOIN {TOWNSHIP} t ON t.id = g.township_id
            LEFT JOIN per_grid p ON p.grid_id = g.id
            WHERE {grid_filter}
            ORDER BY g.code
        """, {**params, "join_s": VISIT_JOIN_SECONDS})
        return [{"code": code, "name": name, "township": township, "township_name": township_name,
                 "patrolled": first is not None, "first_visit": first, "last_visit": last,
                 "visits": int(visits), "seconds_inside": round(float(seconds), 1), "geometry": geometry}
                for code, name, township, township_name, first, last, visits, seconds, geometry
                in cursor.fetchall()]


def _team_rows(team_filter: str, params: dict) -> list[dict]:
    """Per team: tracks, metres walked and seconds on patrol in the period, grids patrolled."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH walked AS MATERIALIZED (
                SELECT team_id, count(DISTINCT track_id) AS tracks,
                       sum(length_m) AS metres,
                       sum(extract(epoch FROM t1 - t0)) AS seconds
                FROM patrol_lines GROUP BY team_id
            ), grids AS MATERIALIZED (
                SELECT team_id, count(DISTINCT grid_id) AS grids, sum(seconds) AS seconds_in_grids
                FROM patrol_pieces GROUP BY team_id
            )
            SELECT tm.code, tm.name, COALESCE(w.tracks, 0), COALESCE(w.metres, 0),
                   COALESCE(w.seconds, 0), COALESCE(gr.grids, 0)
            FROM {TEAM} tm
            LEFT JOIN walked w ON w.team_id = tm.id
            LEFT JOIN grids gr ON gr.team_id = tm.id
            WHERE {team_filter}
            ORDER BY tm.code
        """, params)
        return [{"code": code, "name": name, "tracks": int(tracks), "length_m": round(float(metres), 1),
                 "seconds_on_patrol": round(float(seconds), 1), "grids_patrolled": int(grids)}
                for code, name, tracks, metres, seconds, grids in cursor.fetchall()]


def _township_rows(grids: list[dict]) -> list[dict]:
    """Per township: grids, patrolled, share, seconds inside (sums of the grid rows)."""
    out: dict[str, dict] = {}
    for g in grids:
        row = out.setdefault(g["township"], {"code": g["township"], "name": g["township_name"],
                                             "grids": 0, "patrolled": 0, "unpatrolled": 0,
                                             "seconds_inside": 0.0})
        row["grids"] += 1
        row["patrolled" if g["patrolled"] else "unpatrolled"] += 1
        row["seconds_inside"] += g["seconds_inside"]
    for row in out.values():
        row["share_patrolled"] = round(row["patrolled"] / row["grids"], 4) if row["grids"] else 0.0
        row["seconds_inside"] = round(row["seconds_inside"], 1)
    return [out[k] for k in sorted(out)]


def compute_coverage(county: County, start: datetime, end: datetime, *, team: Team | None = None,
                     township: Township | None = None, with_geometry: bool = False,
                     gap_seconds: float | None = None, gap_metres: float | None = None) -> Coverage:
    """Coverage of the county's grids (or one township's) by its teams' tracks (or one team's)
    in [start, end)."""
    params = {**segments.gap_params(gap_seconds, gap_metres),
              **segments.window_params([(start, end)]),
              "county": county.pk, "team": team.pk if team else None,
              "township": township.pk if township else None, "with_geometry": with_geometry}
    track_filter = ("tr.team_id = %(team)s" if team is not None else
                    f"tr.team_id IN (SELECT id FROM {TEAM} WHERE county_id = %(county)s)")
    grid_filter = "g.county_id = %(county)s" + (" AND g.township_id = %(township)s" if township else "")
    team_filter = "tm.id = %(team)s" if team is not None else "tm.county_id = %(county)s"
    with transaction.atomic():
        segments.create_lines_table(track_filter, params)
        _create_pieces(grid_filter, params)
        grids = _grid_rows(grid_filter, params)
        teams = _team_rows(team_filter, params)
    return Coverage(county=county, period=(start, end), grids=grids, townships=_township_rows(grids),
                    teams=teams, unpatrolled=[g["code"] for g in grids if not g["patrolled"]])
