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
- a point in a county but on no township's land is at sea;
- a point outside every county is told the nearest county or township, found among their
  subdivided pieces (`CountyPart`, `TownshipPart`), with the geodesic distance in metres.

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
from typing import NamedTuple

import orjson
from django.db import connection, transaction
from django.db.backends.signals import connection_created

from gis_app.enforcement import sessions
# The statement itself (raw SQL: see there why); `_TERRITORY_SQL` is its name here.
from gis_app.enforcement.territory_sql import TERRITORY_SQL as _TERRITORY_SQL


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


class Location(NamedTuple):
    """The units covering one WGS84 point; `covering_*` counts how many units of that level
    covered it before the smallest code was taken (more than 1 = on a shared border).
    Immutable; a named tuple, not a frozen dataclass: made once per point (10,000 a batch),
    and a frozen dataclass sets its 13 fields one call each (4 us a point; this 1 us, measured)."""

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
    # Read only when a tolerance was asked for (None otherwise): (township code or None for
    # the sea, name, distance_m, lon, lat of a point of it within reach), nearest first.
    reach: tuple[tuple, ...] | None = None
    reach_m: float = 0.0                  # the tolerance `reach` was read with

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
_PREPARE = (f"PREPARE {_STATEMENT} (text, text, text[], float8, float8) AS "
            + _TERRITORY_SQL.replace("%(lons)s", "$1").replace("%(lats)s", "$2")
            .replace("%(codes)s", "$3").replace("%(tol)s", "$4").replace("%(sea_min)s", "$5"))
_EXECUTE = f"EXECUTE {_STATEMENT} (%s, %s, %s, %s, %s)"
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


#: Water within reach smaller than this (m²) is a sliver of the overlay, not sea.
SEA_MIN_AREA_M2 = 0.5


def statement_params(lons, lats, item_codes=(), tolerance_m: float = 0.0) -> dict:
    """The statement's parameters, by name (`_TERRITORY_SQL`); in order for `_EXECUTE`.
    Coordinates: finite floats (the API checked them). `tolerance_m` > 0 also reads what
    lies within that many metres of each point (`Location.reach`)."""
    return {"lons": _float_array([float(x) for x in lons]),
            "lats": _float_array([float(y) for y in lats]),
            "codes": sorted({c for c in item_codes if c}),
            "tol": float(tolerance_m), "sea_min": SEA_MIN_AREA_M2}


def read_territory(lons, lats, item_codes=(), tolerance_m: float = 0.0) -> TerritoryRead:
    """Locate WGS84 points (sequences of equal length) and read the rule rows for them and
    for `item_codes`, in one statement. Locations come back in the order of the points;
    with `tolerance_m` > 0, each says what else lies within reach (`Location.reach`)."""
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    if not lons:
        return TerritoryRead([], {})
    params = list(statement_params(lons, lats, item_codes, tolerance_m).values())
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
    return _territory_read(lons, lats, rows_text, dims_text, tolerance_m)


#: Batches of more points than this are read in pieces of about this many points, so that
#: Python works on one piece while the database reads the next (see `read_territory_pieces`).
#: Each piece has its own fixed cost (its townships' rule rows, a round trip), and the last
#: piece's answers are worked out after the database is done. Measured over HTTP on the
#: bench county (bench/route_bench.py, 2 cores), pieces in `spatial_order`, best 3 of 8
#: batches in two alternations: pieces of 800 0.53-0.59 s, 950 0.41-0.55 s, 1,100
#: 0.48-0.65 s, 1,300 0.47-0.63 s, 1,700 0.50-0.58 s: flat from 950 to 1,300 (the machine's
#: own swings are as large), worse on either side. (Before the spatial order, pieces of
#: random points each read nearly every township's rule rows: 1,700 was best then.)
PIECE_POINTS = 1000

#: Points are read in pieces in this order: bands of latitude (this many across the points),
#: west to east within a band (`spatial_order`).
ORDER_BANDS = 32


def spatial_order(lons, lats) -> list[int]:
    """The points' indices ordered by band of latitude, then longitude: consecutive points lie
    near each other, so each piece of a large batch covers a band of the county. Why: a piece
    of random points reads nearly every township's rule rows (10,000 real-shaped points in
    pieces of 1,700: every piece read all 100 townships' authority rows), and its lookups
    jump across the indexes. Measured on the bench county (bench/route_bench.py), the six
    pieces' statements: 0.66-0.71 s in the points' order against 0.48-0.58 s in this one,
    five alternations. One float key a point (its band, plus its longitude's place across the
    points' width scaled into [0, 0.5]): 10,000 points sort in ~4.7 ms (~7.7 with tuple keys)."""
    if not lats:
        return []
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    per_band = ORDER_BANDS / (north - south) if north > south else 0.0
    per_lon = 0.5 / (east - west) if east > west else 0.0
    keys = [int((lat - south) * per_band) + (lon - west) * per_lon for lon, lat in zip(lons, lats)]
    return sorted(range(len(keys)), key=keys.__getitem__)


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
        bounds = [(a, min(a + piece, len(lons))) for a in range(0, len(lons), piece)]
        # The helper threads must not open connections of their own: they use these.
        raws = [connection.connection] + ([second] if second is not None else [])

        def execute(raw, a, b):
            # Each piece's parameters written here, by its helper thread: the first piece's
            # statement starts without waiting for the others' (~8 ms for 10,000 points).
            with raw.cursor() as raw_cursor:
                raw_cursor.execute(_EXECUTE, list(statement_params(
                    lons[a:b], lats[a:b], item_codes[a:b]).values()))
                return raw_cursor.fetchone()

        # One thread per session, each reading its pieces in order (piece k on session k % n).
        helpers = [ThreadPoolExecutor(max_workers=1) for _ in raws]
        try:
            pending = [helpers[k % len(raws)].submit(execute, raws[k % len(raws)], a, b)
                       for k, (a, b) in enumerate(bounds)]
            for k, (a, b) in enumerate(bounds):
                with connection.wrap_database_errors:
                    rows_text, dims_text = pending[k].result()
                yield a, _territory_read(lons[a:b], lats[a:b], rows_text, dims_text)
        finally:
            for helper in helpers:
                helper.shutdown(wait=True, cancel_futures=True)
            if second is not None:
                sessions.end(second)


def _territory_read(lons, lats, rows_text: str, dims_text: str,
                    tolerance_m: float = 0.0) -> TerritoryRead:
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
         grid_name, n_grids, zone_ids, near_county, near_township, reach) in orjson.loads(rows_text):
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
            n_townships or 0, n_villages or 0, n_grids or 0, zones,
            reach=None if reach is None else tuple(map(tuple, reach)), reach_m=tolerance_m)
    return TerritoryRead(locations, dims)


def locate_points(lons, lats) -> list[Location]:
    """Locate WGS84 points; one Location per point, in order (see `read_territory`)."""
    return read_territory(lons, lats).locations


def locate_point(lon: float, lat: float) -> Location:
    """Locate one WGS84 point (the same statement as for many)."""
    return locate_points([lon], [lat])[0]
