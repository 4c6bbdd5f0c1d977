"""Where a point is: county, township, village, grid, protected zones; the nearest unit outside.

All spatial work happens in PostGIS, in one statement per call whatever the number of points
(DESIGN §4 step 1):
- boundaries are included (`ST_Covers`), and where several units of one level cover a point
  (a shared edge or vertex) the one with the smallest code wins, at every level;
- each level is looked up inside the unit chosen one level up (the village among the chosen
  township's villages, the grid among the chosen village's grids), so an answer is always one
  consistent branch of the hierarchy;
- the county is found through `CountyPart` (small ST_Subdivide pieces of the jurisdiction, see
  `boundaries.subdivide`), never by testing the whole county polygon with its sea;
- a point in a county but on no township's land is at sea.

Most points need one spatial lookup, not five: a point strictly inside the only grid that
covers it, where that grid has a `GridBranch` row (built at import by `boundaries.branches.refresh_grid_branches`,
below), gets the row's county, township, village and zones, which are provably what the
level-by-level search would find. On real bundles, where village and township borders cut a
little into their grids, the row holds the grid's settled `region` instead (the grid minus
what other units reach into), and the point must lie strictly inside that. Every other
point (sea, borders, slivers, grids without a row) walks the levels.

Reload safety: every level, and every rule row the router then needs, comes from one SQL
statement, i.e. one snapshot (or, for a large batch read in pieces, one REPEATABLE READ
transaction), so a concurrent `import_bundle --replace` commit can never give a county from
before and a township or an authority row from after.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import orjson
from django.db import connection, transaction
from django.db.backends.signals import connection_created

from gis_app.enforcement import sessions


class built_once:
    """A computed attribute stored on first access, like functools.cached_property but
    without the lock Python 3.11 takes on every first access (~3 us: these objects are built
    per request, their few answer dicts accessed a handful of times each)."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)    # shadows this descriptor from now on
        return value


@dataclass(frozen=True)
class Unit:
    """One administrative unit as the router reports it."""

    id: int
    code: str
    name: str
    kind: str | None = None

    def ref(self) -> dict:
        return {"code": self.code, "name": self.name}

    @built_once
    def ref_plain(self) -> dict:
        """{code, name}, built once: answers share it (and must not change it)."""
        return {"code": self.code, "name": self.name}

    @built_once
    def ref_with_kind(self) -> dict:
        """{code, name, kind} (kind only when known), built once and shared like `ref_plain`."""
        return {"code": self.code, "name": self.name, "kind": self.kind} if self.kind \
            else self.ref_plain


@dataclass(frozen=True)
class Location:
    """The units covering one WGS84 point; `covering_*` counts how many units of that level
    covered it before the smallest code was taken (more than 1 = on a shared border)."""

    lon: float
    lat: float
    county: Unit | None
    township: Unit | None = None
    village: Unit | None = None
    grid: Unit | None = None
    covering_townships: int = 0
    covering_villages: int = 0
    covering_grids: int = 0
    zone_ids: tuple[int, ...] = ()
    nearest: "Nearest | None" = None      # outside every county only

    @property
    def inside(self) -> bool:
        return self.county is not None

    @property
    def at_sea(self) -> bool:
        """In the county's jurisdiction but on no township's land (sea, lake)."""
        return self.county is not None and self.township is None


@dataclass(frozen=True)
class Nearest:
    """The unit nearest to a point outside every county, and the geodesic distance to it."""

    unit: Unit
    level: str
    distance_m: float

    def as_dict(self) -> dict:
        return {"nearest": {"code": self.unit.code, "name": self.unit.name, "level": self.level},
                "distance_m": round(self.distance_m, 2)}


# Raw SQL because the ORM cannot express it, and because it must be ONE statement:
# - `pts` unnests the arrays of points (WITH ORDINALITY keeps their order), each array sent as
#   ONE text literal: 20,000 floats as an ARRAY[...] expression cost ~0.1 s to parse (and a
#   WKB MultiPoint, ~60 ms to ST_Dump);
# - `settled`: a point strictly inside the one grid that covers it, a grid with a GridBranch
#   row, has its county, township, village and grid (and, mostly, its zones) in that row: one
#   spatial lookup instead of five (see `boundaries.branches.refresh_grid_branches` for why the answers are the same);
# - `walked`: every other point (sea, borders, land without grids, grids without a branch)
#   walks the levels, each a LATERAL "covering units ORDER BY code LIMIT 1" subquery on the
#   box index, with a window count of the covering units (trace);
# - for points outside every county only, the nearest county and township: `<->` walks the
#   GiST index in planar order to a few candidates, the geodesic distance in metres
#   (geography) decides among them;
# - `dims`: the units found (but grids, which come with their points: 6,000 grids read again
#   by id cost ~20 ms) and every rule row those points may need (departments, the teams that
#   may act there, the items asked for and their supporting departments, authority rows,
#   hubs, zones), as one JSON document.
# One statement reads one snapshot, so a concurrent `import_bundle --replace` commit can never
# mix old and new rows in an answer (no REPEATABLE READ transaction, no extra round trips);
# and it is one round trip whether for 1 point or 3,400 (larger batches are read in pieces,
# from one REPEATABLE READ snapshot: `read_territory_pieces`).
_TERRITORY_SQL = """
WITH pts AS MATERIALIZED (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g,
           box(point(u.lon, u.lat), point(u.lon, u.lat)) AS b
    FROM unnest(%(lons)s::text::float8[], %(lats)s::text::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
),
settled AS MATERIALIZED (
    SELECT pts.ord, pts.g, b.county_id, b.township_id, b.village_id, b.grid_id,
           one.code AS grid_code, one.name AS grid_name,
           CASE WHEN b.zone_ids IS NOT NULL THEN b.zone_ids ELSE
               (SELECT array_agg(pa.id ORDER BY pa.code, pa.zone)
                FROM boundaries_protectedarea pa
                WHERE pa.geom::box @> pts.b AND pa.county_id = b.county_id
                  AND _ST_Covers(pa.geom, pts.g)) END AS zone_ids
    FROM pts
    JOIN LATERAL (
        -- Every grid covering the point: one, strictly inside it. (Grids cut from one another
        -- in floating point overlap by slivers, so "no other grid reaches in" is no rule to
        -- build branches on; only the points in the slivers are walked.) Each lookup in this
        -- statement goes through a GiST index of boxes as the plain `box` type (migrations
        -- boundaries 0003-0004): 2-5 us a point where the PostGIS geometry index costs 6-23 us
        -- for the same candidates. `_ST_Covers` is ST_Covers without the index condition.
        SELECT min(gr.id) AS id, min(gr.code) AS code, min(gr.name) AS name, count(*) AS n,
               bool_and(ST_Contains(gr.geom, pts.g)) AS inside
        FROM boundaries_grid gr
        WHERE gr.geom::box @> pts.b AND _ST_Covers(gr.geom, pts.g)
    ) one ON one.n = 1 AND one.inside
    JOIN boundaries_gridbranch b ON b.grid_id = one.id
        AND (b.region IS NULL OR _ST_Contains(b.region, pts.g))
),
walked AS MATERIALIZED (
    SELECT pts.ord, pts.g, c.id AS county_id, t.id AS township_id, t.n AS townships,
           v.id AS village_id, v.n AS villages, gr.id AS grid_id, gr.code AS grid_code,
           gr.name AS grid_name, gr.n AS grids, z.ids AS zone_ids
    FROM pts
    LEFT JOIN LATERAL (
        SELECT c.id, c.code
        FROM boundaries_countypart cp JOIN boundaries_county c ON c.id = cp.county_id
        WHERE cp.geom::box @> pts.b AND _ST_Covers(cp.geom, pts.g)
        ORDER BY c.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT t.id, count(*) OVER () AS n
        FROM boundaries_township t
        WHERE c.id IS NOT NULL AND t.geom::box @> pts.b AND t.county_id = c.id
          AND _ST_Covers(t.geom, pts.g)
        ORDER BY t.code LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
        SELECT v.id, count(*) OVER () AS n
        FROM boundaries_village v
        WHERE t.id IS NOT NULL AND v.geom::box @> pts.b AND v.township_id = t.id
          AND _ST_Covers(v.geom, pts.g)
        ORDER BY v.code LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        -- `+ 0` keeps the planner on the spatial index alone: combining it with the
        -- village_id index builds a bitmap per point, about 8 percent slower.
        SELECT gr.id, gr.code, gr.name, count(*) OVER () AS n
        FROM boundaries_grid gr
        WHERE v.id IS NOT NULL AND gr.geom::box @> pts.b AND gr.village_id + 0 = v.id
          AND _ST_Covers(gr.geom, pts.g)
        ORDER BY gr.code LIMIT 1
    ) gr ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(pa.id ORDER BY pa.code, pa.zone) AS ids
        FROM boundaries_protectedarea pa
        WHERE c.id IS NOT NULL AND pa.geom::box @> pts.b AND pa.county_id = c.id
          AND _ST_Covers(pa.geom, pts.g)
    ) z ON true
    WHERE NOT EXISTS (SELECT 1 FROM settled s WHERE s.ord = pts.ord)
),
loc AS MATERIALIZED (
    SELECT ord, g, county_id, township_id, 1 AS townships, village_id, 1 AS villages,
           grid_id, grid_code, grid_name, 1 AS grids, zone_ids
    FROM settled
    UNION ALL
    SELECT ord, g, county_id, township_id, townships, village_id, villages, grid_id, grid_code,
           grid_name, grids, zone_ids
    FROM walked
),
-- The units found, each once; the rule rows below are read for these, by `= ANY(ARRAY(...))`
-- so that the one generic plan probes indexes for a single point (a hash join with a full
-- scan of every table cost 0.6 ms there) and still scales to a batch.
counties AS MATERIALIZED (SELECT DISTINCT county_id AS id FROM loc WHERE county_id IS NOT NULL),
townships AS MATERIALIZED (SELECT DISTINCT township_id AS id FROM loc WHERE township_id IS NOT NULL),
items AS MATERIALIZED (
    SELECT i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id, i.domain, i.action_type
    FROM enforcement_catalogitem i
    WHERE i.code = ANY(%(codes)s::text[]) AND i.county_id = ANY(ARRAY(SELECT id FROM counties))
),
hubs AS MATERIALIZED (
    SELECT hc.township_id, h.hub_id, ht.code, ht.name, ht.kind
    FROM boundaries_hubarea_covered hc
    JOIN boundaries_hubarea h ON h.id = hc.hubarea_id
    JOIN boundaries_township ht ON ht.id = h.hub_id
    WHERE hc.township_id = ANY(ARRAY(SELECT id FROM townships))
),
dims AS (
    SELECT json_build_object(
        'counties', (SELECT json_agg(json_build_array(c.id, c.code, c.name))
                     FROM boundaries_county c WHERE c.id = ANY(ARRAY(SELECT id FROM counties))),
        'townships', (SELECT json_agg(json_build_array(t.id, t.code, t.name, t.kind))
                      FROM boundaries_township t WHERE t.id = ANY(ARRAY(SELECT id FROM townships))),
        'villages', (SELECT json_agg(json_build_array(v.id, v.code, v.name, v.kind))
                     FROM boundaries_village v
                     WHERE v.id = ANY(ARRAY(SELECT DISTINCT village_id FROM loc
                                            WHERE village_id IS NOT NULL))),
        'departments', (SELECT json_agg(json_build_array(d.id, d.county_id, d.code, d.name, d.kind))
                        FROM enforcement_department d
                        WHERE d.county_id = ANY(ARRAY(SELECT id FROM counties))),
        -- Only the teams that may act at these points: the townships' own and their hubs',
        -- the items' departments', the marine teams (each with every rival for its role, so
        -- that the smallest code still wins).
        'teams', (SELECT json_agg(json_build_array(tm.county_id, tm.id, tm.code, tm.name, tm.kind,
                                                   tm.township_id, tm.department_id) ORDER BY tm.code)
                  FROM enforcement_team tm
                  WHERE tm.county_id = ANY(ARRAY(SELECT id FROM counties))
                    AND tm.id IN (
                        SELECT id FROM enforcement_team WHERE township_id = ANY(ARRAY(
                            SELECT id FROM townships UNION SELECT hub_id FROM hubs))
                        UNION SELECT id FROM enforcement_team
                        WHERE department_id = ANY(ARRAY(SELECT department_id FROM items))
                        UNION SELECT id FROM enforcement_team
                        WHERE kind = 'marine' AND county_id = ANY(ARRAY(SELECT id FROM counties)))),
        'items', (SELECT json_agg(json_build_array(
                            i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id,
                            ARRAY(SELECT s.department_id
                                  FROM enforcement_catalogitem_supporting_departments s
                                  WHERE s.catalogitem_id = i.id), i.domain, i.action_type))
                  FROM items i),
        -- The counties' own rule tables (small; optional): severity, deadlines, calendar.
        'severity', (SELECT json_agg(json_build_array(s.county_id, s.row, s.severity, s.kind, s.zone,
                                                      s.domain) ORDER BY s.row)
                     FROM enforcement_severityrule s
                     WHERE s.county_id = ANY(ARRAY(SELECT id FROM counties))),
        'deadlines', (SELECT json_agg(json_build_array(d.county_id, d.row, d."limit", d.unit,
                                                       d.item_code, d.domain, d.action_type,
                                                       d.whistle_kind, d.severity) ORDER BY d.row)
                      FROM enforcement_deadlinerule d
                      WHERE d.county_id = ANY(ARRAY(SELECT id FROM counties))
                        AND EXISTS (SELECT 1 FROM items)),
        'calendar', (SELECT json_agg(json_build_array(cd.county_id, cd.day, cd.workday))
                     FROM enforcement_calendarday cd
                     WHERE cd.county_id = ANY(ARRAY(SELECT id FROM counties))
                       AND EXISTS (SELECT 1 FROM items)),
        'authorities', (SELECT json_agg(json_build_array(a.township_id, a.item_id, a.authority,
                                                         a.entrusting_department_id))
                        FROM enforcement_authority a
                        WHERE a.item_id = ANY(ARRAY(SELECT id FROM items))
                          AND a.township_id = ANY(ARRAY(SELECT id FROM townships))),
        'hubs', (SELECT json_agg(json_build_array(h.township_id, h.hub_id, h.code, h.name, h.kind)
                                 ORDER BY h.code)
                 FROM hubs h),
        'zones', (SELECT json_agg(json_build_array(pa.id, pa.code, pa.name, pa.kind, pa.level,
                                                   pa.zone, pa.authority_code))
                  FROM boundaries_protectedarea pa
                  WHERE pa.id = ANY(ARRAY(SELECT DISTINCT unnest(zone_ids) FROM loc)))
    ) AS doc
)
-- Two text values, parsed by orjson: the points' rows as one JSON array (10,000 rows of a dozen
-- columns cost ~25 ms more as result rows through psycopg2), and the dimension document.
SELECT (SELECT json_agg(json_build_array(
            loc.ord, loc.county_id, loc.township_id, loc.townships, loc.village_id, loc.villages,
            loc.grid_id, loc.grid_code, loc.grid_name, loc.grids, loc.zone_ids,
            -- CASE, not a WHERE in a lateral: the planner may evaluate a lateral's SELECT list
            -- before its filter; CASE runs the nearest-unit search only for points outside.
            CASE WHEN loc.county_id IS NULL THEN
             (SELECT json_build_array(k.id, k.code, k.name, NULL, k.d)
              FROM (SELECT c.id, c.code, c.name, ST_Distance(cp.geom::geography, loc.g::geography) AS d
                    FROM (SELECT cp.*, min(cp.p) OVER () AS best
                          FROM (SELECT cp.geom, cp.county_id, cp.geom <-> loc.g AS p
                                FROM boundaries_countypart cp
                                ORDER BY cp.geom <-> loc.g LIMIT %(knn)s) cp) cp
                    JOIN boundaries_county c ON c.id = cp.county_id
                    WHERE cp.p <= cp.best * (1.01 / cos(radians(least(abs(ST_Y(loc.g)) + 2, 89))))) k
              ORDER BY k.d, k.code LIMIT 1) END,
            CASE WHEN loc.county_id IS NULL THEN
             (SELECT json_build_array(k.id, k.code, k.name, k.kind, k.d)
              FROM (SELECT t.id, t.code, t.name, t.kind,
                           ST_Distance(t.geom::geography, loc.g::geography) AS d
                    FROM (SELECT t.*, min(t.p) OVER () AS best
                          FROM (SELECT t.id, t.code, t.name, t.kind, t.geom, t.geom <-> loc.g AS p
                                FROM boundaries_township t
                                ORDER BY t.geom <-> loc.g LIMIT %(knn)s) t) t
                    WHERE t.p <= t.best * (1.01 / cos(radians(least(abs(ST_Y(loc.g)) + 2, 89))))) k
              ORDER BY k.d, k.code LIMIT 1) END))
        FROM loc)::text,
       (SELECT doc FROM dims)::text
"""

#: Candidates taken in planar order before the geodesic distance decides; planar and
#: geodesic order only disagree between candidates at nearly equal distance. Of those, only
#: the ones whose planar distance (degrees) is within the most a degree's length can vary
#: with direction at that latitude (north-south 111.7 km at most, east-west 111.3 km x
#: cos(latitude)) of the nearest's can be nearer on the ground: the geodesic distance, the
#: dear part of the outside-point search, is computed for those alone (mostly one).
_KNN_CANDIDATES = 16

#: A township this close (metres) to being as near as its county is named instead of the
#: county: "12 m from 第3镇" says more than "12 m from 测试县".
_TOWNSHIP_PREFERENCE_M = 0.01


@dataclass(frozen=True)
class TerritoryRead:
    """What one statement read for a set of points: their locations and the rule rows
    (`dims`: lists of plain rows keyed departments, teams, items, authorities, hubs, zones)."""

    locations: list[Location]
    dims: dict


def _nearest(county_row, township_row) -> Nearest | None:
    if county_row is None:
        return None
    if township_row is not None and township_row[4] <= county_row[4] + _TOWNSHIP_PREFERENCE_M:
        return Nearest(Unit(*township_row[:4]), "township", township_row[4])
    return Nearest(Unit(*county_row[:3]), "county", county_row[4])


# Planning the statement above costs ~1.5 ms, twice its execution for one point: it is
# prepared once per database session and executed by name. Django's connection_created
# signal marks a new session as unprepared. (A pooler in transaction mode, e.g. PgBouncer,
# does not keep prepared statements; point DATABASE_URL past it for the app.)
# Each execution runs with, for its transaction only:
# - plan_cache_mode = force_generic_plan: left to itself PostgreSQL re-plans every call,
#   because a custom plan that sees a 1-point array always looks cheaper than the generic
#   one (measured: 2.4 ms -> 0.9 ms per point lookup);
# - jit = off: for big batches the cost estimate triggers JIT compilation, which costs more
#   than it saves here (10,000 points: 3.7 s with JIT, 1.0 s without).
_STATEMENT = "router_read_territory"
_PREPARE = (f"PREPARE {_STATEMENT} (text, text, text[], int) AS "
            + _TERRITORY_SQL.replace("%(lons)s", "$1").replace("%(lats)s", "$2")
            .replace("%(codes)s", "$3").replace("%(knn)s", "$4"))
_EXECUTE = f"EXECUTE {_STATEMENT} (%s, %s, %s, %s)"
_SETTINGS = "set_config('plan_cache_mode', {0}, true), set_config('jit', {1}, true)"
# Outside a transaction, one round trip: a multi-statement string is one implicit transaction,
# so the transaction-local settings end with it.
_EXECUTE_TUNED = f"SELECT {_SETTINGS.format(repr('force_generic_plan'), repr('off'))}; {_EXECUTE}"


def _forget_prepared(sender, connection, **kwargs):
    connection._router_prepared = set()


connection_created.connect(_forget_prepared, dispatch_uid="router_read_territory")


def prepare_once(cursor, name: str, prepare_sql: str) -> None:
    """PREPARE `name` (the statement `prepare_sql`) unless this database session already has
    it: prepared statements live as long as the session, and survive a rollback."""
    prepared = getattr(connection, "_router_prepared", None)
    if prepared is None:
        prepared = connection._router_prepared = set()
    if name not in prepared:
        cursor.execute(prepare_sql)
        prepared.add(name)


def _prepare(cursor) -> None:
    prepare_once(cursor, _STATEMENT, _PREPARE)


def _float_array(values) -> str:
    """A float8[] literal. orjson writes the shortest text that reads back as the same double
    (exact, like repr()) ~20 times faster than repr() (10,000 floats: 0.3 ms, 6 ms)."""
    return "{" + orjson.dumps(values)[1:-1].decode() + "}"


def statement_params(lons, lats, item_codes=()) -> dict:
    """The statement's parameters, by name (`_TERRITORY_SQL`); in order for `_EXECUTE`.
    Coordinates: finite floats (the API checked them)."""
    return {"lons": _float_array([float(x) for x in lons]),
            "lats": _float_array([float(y) for y in lats]),
            "codes": sorted({c for c in item_codes if c}), "knn": _KNN_CANDIDATES}


def read_territory(lons, lats, item_codes=()) -> TerritoryRead:
    """Locate WGS84 points (sequences of equal length) and read the rule rows for them and
    for `item_codes`, in one statement. Locations come back in the order of the points."""
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    if not lons:
        return TerritoryRead([], {})
    params = list(statement_params(lons, lats, item_codes).values())
    with connection.cursor() as cursor:
        _prepare(cursor)
        if not connection.in_atomic_block:
            cursor.execute(_EXECUTE_TUNED, params)
            rows_text, dims_text = cursor.fetchone()
        else:
            # Inside a caller's transaction the settings would last until its end: restore.
            cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('jit'), "
                           + _SETTINGS.format("'force_generic_plan'", "'off'"))
            previous = cursor.fetchone()[:2]
            cursor.execute(_EXECUTE, params)
            rows_text, dims_text = cursor.fetchone()
            cursor.execute("SELECT " + _SETTINGS.format("%s", "%s"), list(previous))
    return _territory_read(lons, lats, rows_text, dims_text)


#: Batches of more points than this are read in pieces of about this many points, so that
#: Python works on one piece while the database reads the next (see `read_territory_pieces`).
PIECE_POINTS = 3400


def read_territory_pieces(lons, lats, item_codes, piece: int | None = None):
    """Yield (offset, TerritoryRead) for consecutive pieces of the points, in order, the way
    `read_territory` reads them all at once. The pieces are read on two database sessions at
    once (the request's and a second one, sessions.py), alternately, while the caller works on
    the pieces already read; without a second session, one statement ahead on the request's.

    All pieces come from one REPEATABLE READ READ ONLY snapshot, exported to the second
    session, as one statement would: a concurrent `import_bundle --replace` commit can never
    mix old and new rows in the answers. Call it outside any transaction (it opens its own).
    `item_codes` has one code per point (each piece reads the rule rows of its own).
    """
    if connection.in_atomic_block:
        raise RuntimeError("read_territory_pieces needs autocommit: it opens its own transaction")
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    tuned = "SELECT " + _SETTINGS.format("'force_generic_plan'", "'off'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        _prepare(cursor)
        # The snapshot is taken here, by the transaction's first query, and exported.
        cursor.execute(tuned + ", pg_export_snapshot()")
        snapshot = cursor.fetchone()[-1]
        second = sessions.begin(snapshot, (_STATEMENT, _PREPARE), tuned)
        # Two sessions: pieces small enough that each reads two or more.
        piece = piece or (min(PIECE_POINTS, -(-len(lons) // 4)) if second else PIECE_POINTS)
        offsets = range(0, len(lons), piece)
        params = [list(statement_params(lons[o:o + piece], lats[o:o + piece],
                                        item_codes[o:o + piece]).values()) for o in offsets]
        # The helper threads must not open connections of their own: they use these.
        raws = [connection.connection] + ([second] if second is not None else [])

        def execute(raw, statement_params_):
            with raw.cursor() as raw_cursor:
                raw_cursor.execute(_EXECUTE, statement_params_)
                return raw_cursor.fetchone()

        # One thread per session, each reading its pieces in order (piece k on session k % n).
        helpers = [ThreadPoolExecutor(max_workers=1) for _ in raws]
        try:
            pending = [helpers[k % len(raws)].submit(execute, raws[k % len(raws)], p)
                       for k, p in enumerate(params)]
            for k, offset in enumerate(offsets):
                with connection.wrap_database_errors:
                    rows_text, dims_text = pending[k].result()
                yield offset, _territory_read(lons[offset:offset + piece],
                                              lats[offset:offset + piece], rows_text, dims_text)
        finally:
            for helper in helpers:
                helper.shutdown(wait=True, cancel_futures=True)
            if second is not None:
                sessions.end(second)


def _territory_read(lons, lats, rows_text: str, dims_text: str) -> TerritoryRead:
    """The statement's two text values -> Locations (in the order of the points) and dims."""
    dims = {key: value or [] for key, value in orjson.loads(dims_text).items()}
    # One Unit object per unit, shared by its points.
    counties = {row[0]: Unit(*row) for row in dims.pop("counties", ())}
    townships = {row[0]: Unit(*row) for row in dims.pop("townships", ())}
    villages = {row[0]: Unit(*row) for row in dims.pop("villages", ())}
    grids: dict[int, Unit] = {}
    zone_sets: dict[tuple, tuple] = {}     # one tuple per zone set, shared too
    locations: list[Location | None] = [None] * len(lons)
    # Rows come in no guaranteed order (no ORDER BY: sorting costs more than placing them by
    # their ordinal here).
    for (ord_, county_id, township_id, n_townships, village_id, n_villages, grid_id, grid_code,
         grid_name, n_grids, zone_ids, near_county, near_township) in orjson.loads(rows_text):
        i = ord_ - 1
        if county_id is None:
            locations[i] = Location(lons[i], lats[i], None,
                                    nearest=_nearest(near_county, near_township))
            continue
        zones = ()
        if zone_ids:
            zones = tuple(zone_ids)
            zones = zone_sets.setdefault(zones, zones)
        locations[i] = Location(
            lons[i], lats[i], counties[county_id],
            townships[township_id] if township_id is not None else None,
            villages[village_id] if village_id is not None else None,
            (grids.get(grid_id) or grids.setdefault(grid_id, Unit(grid_id, grid_code, grid_name)))
            if grid_id is not None else None,
            n_townships or 0, n_villages or 0, n_grids or 0, zones)
    return TerritoryRead(locations, dims)


def locate_points(lons, lats) -> list[Location]:
    """Locate WGS84 points; one Location per point, in order (see `read_territory`)."""
    return read_territory(lons, lats).locations


def locate_point(lon: float, lat: float) -> Location:
    """Locate one WGS84 point (the same statement as for many)."""
    return locate_points([lon], [lat])[0]
