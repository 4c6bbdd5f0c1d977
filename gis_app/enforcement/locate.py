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

Reload safety: every level, and every rule row the router then needs, comes from one SQL
statement, i.e. one snapshot, so a concurrent `import_bundle --replace` commit can never give a
county from before and a township or an authority row from after.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.backends.signals import connection_created


@dataclass(frozen=True)
class Unit:
    """One administrative unit as the router reports it."""

    id: int
    code: str
    name: str
    kind: str | None = None

    def ref(self) -> dict:
        return {"code": self.code, "name": self.name}


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
#   ONE text literal: 20,000 floats as an ARRAY[...] expression cost ~0.1 s to parse;
# - `loc` walks the levels for every point, each a LATERAL "covering units ORDER BY code
#   LIMIT 1" subquery on the GiST index, with a window count of the covering units (trace);
# - for points outside every county only, the nearest county and township: `<->` walks the
#   GiST index in planar order to a few candidates, the geodesic distance in metres
#   (geography) decides among them;
# - `dims`: every rule row those points may need (departments, teams, the items asked for and
#   their supporting departments, authority rows, hubs, zones), as one JSON document.
# One statement reads one snapshot, so a concurrent `import_bundle --replace` commit can never
# mix old and new rows in an answer (no REPEATABLE READ transaction, no extra round trips);
# and it is one round trip whether for 1 point or 10,000.
_TERRITORY_SQL = """
WITH pts AS MATERIALIZED (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
    FROM unnest(%(lons)s::text::float8[], %(lats)s::text::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
),
loc AS MATERIALIZED (
    SELECT pts.ord, pts.g,
           c.id AS county_id, c.code AS county_code, c.name AS county_name,
           t.id AS township_id, t.code AS township_code, t.name AS township_name,
           t.kind AS township_kind, t.n AS townships,
           v.id AS village_id, v.code AS village_code, v.name AS village_name,
           v.kind AS village_kind, v.n AS villages,
           gr.id AS grid_id, gr.code AS grid_code, gr.name AS grid_name, gr.n AS grids,
           z.ids AS zone_ids
    FROM pts
    LEFT JOIN LATERAL (
        SELECT c.id, c.code, c.name
        FROM boundaries_countypart cp JOIN boundaries_county c ON c.id = cp.county_id
        WHERE ST_Covers(cp.geom, pts.g)
        ORDER BY c.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT t.id, t.code, t.name, t.kind, count(*) OVER () AS n
        FROM boundaries_township t
        WHERE t.county_id = c.id AND ST_Covers(t.geom, pts.g)
        ORDER BY t.code LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
        SELECT v.id, v.code, v.name, v.kind, count(*) OVER () AS n
        FROM boundaries_village v
        WHERE v.township_id = t.id AND ST_Covers(v.geom, pts.g)
        ORDER BY v.code LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        -- `+ 0` keeps the planner on the spatial index alone: combining it with the
        -- village_id index builds a bitmap per point, about 8 percent slower.
        SELECT gr.id, gr.code, gr.name, count(*) OVER () AS n
        FROM boundaries_grid gr
        WHERE gr.village_id + 0 = v.id AND ST_Covers(gr.geom, pts.g)
        ORDER BY gr.code LIMIT 1
    ) gr ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(pa.id ORDER BY pa.code, pa.zone) AS ids
        FROM boundaries_protectedarea pa
        WHERE pa.county_id = c.id AND ST_Covers(pa.geom, pts.g)
    ) z ON true
),
items AS MATERIALIZED (
    SELECT i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id
    FROM enforcement_catalogitem i
    WHERE i.code = ANY(%(codes)s::text[]) AND i.county_id IN (SELECT county_id FROM loc)
),
dims AS (
    SELECT json_build_object(
        'departments', (SELECT json_agg(json_build_array(d.id, d.county_id, d.code, d.name, d.kind))
                        FROM enforcement_department d
                        WHERE d.county_id IN (SELECT county_id FROM loc)),
        'teams', (SELECT json_agg(json_build_array(tm.county_id, tm.id, tm.code, tm.name, tm.kind,
                                                   tm.township_id, tm.department_id) ORDER BY tm.code)
                  FROM enforcement_team tm
                  WHERE tm.county_id IN (SELECT county_id FROM loc)),
        'items', (SELECT json_agg(json_build_array(
                            i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id,
                            ARRAY(SELECT s.department_id
                                  FROM enforcement_catalogitem_supporting_departments s
                                  WHERE s.catalogitem_id = i.id)))
                  FROM items i),
        'authorities', (SELECT json_agg(json_build_array(a.township_id, a.item_id, a.authority,
                                                         a.entrusting_department_id))
                        FROM enforcement_authority a
                        WHERE a.item_id IN (SELECT id FROM items)
                          AND a.township_id IN (SELECT township_id FROM loc)),
        'hubs', (SELECT json_agg(json_build_array(hc.township_id, h.hub_id, ht.code, ht.name,
                                                  ht.kind) ORDER BY ht.code)
                 FROM boundaries_hubarea_covered hc
                 JOIN boundaries_hubarea h ON h.id = hc.hubarea_id
                 JOIN boundaries_township ht ON ht.id = h.hub_id
                 WHERE hc.township_id IN (SELECT township_id FROM loc)),
        'zones', (SELECT json_agg(json_build_array(pa.id, pa.code, pa.name, pa.kind, pa.level,
                                                   pa.zone, pa.authority_code))
                  FROM boundaries_protectedarea pa
                  WHERE pa.id IN (SELECT unnest(zone_ids) FROM loc))
    ) AS doc
)
SELECT loc.ord, loc.county_id, loc.county_code, loc.county_name,
       loc.township_id, loc.township_code, loc.township_name, loc.township_kind, loc.townships,
       loc.village_id, loc.village_code, loc.village_name, loc.village_kind, loc.villages,
       loc.grid_id, loc.grid_code, loc.grid_name, loc.grids, loc.zone_ids,
       -- CASE, not a WHERE in a lateral: the planner may evaluate a lateral's SELECT list
       -- before its filter; CASE runs the nearest-unit search only for points outside.
       CASE WHEN loc.county_id IS NULL THEN
        (SELECT json_build_array(k.id, k.code, k.name, NULL, k.d)
         FROM (SELECT c.id, c.code, c.name, ST_Distance(cp.geom::geography, loc.g::geography) AS d
               FROM (SELECT cp.geom, cp.county_id FROM boundaries_countypart cp
                     ORDER BY cp.geom <-> loc.g LIMIT %(knn)s) cp
               JOIN boundaries_county c ON c.id = cp.county_id) k
         ORDER BY k.d, k.code LIMIT 1) END,
       CASE WHEN loc.county_id IS NULL THEN
        (SELECT json_build_array(k.id, k.code, k.name, k.kind, k.d)
         FROM (SELECT t.id, t.code, t.name, t.kind,
                      ST_Distance(t.geom::geography, loc.g::geography) AS d
               FROM (SELECT t.* FROM boundaries_township t
                     ORDER BY t.geom <-> loc.g LIMIT %(knn)s) t) k
         ORDER BY k.d, k.code LIMIT 1) END,
       CASE WHEN loc.ord = 1 THEN (SELECT doc FROM dims) END
FROM loc
"""

#: Candidates taken in planar order before the geodesic distance decides; planar and
#: geodesic order only disagree between candidates at nearly equal distance.
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
    connection._router_prepared = False


connection_created.connect(_forget_prepared, dispatch_uid="router_read_territory")


def _prepare(cursor) -> None:
    if not getattr(connection, "_router_prepared", False):
        cursor.execute(_PREPARE)
        connection._router_prepared = True


def _float_array(values) -> str:
    """A float8[] literal; repr() round-trips every double exactly."""
    return "{" + ",".join(map(repr, values)) + "}"


def read_territory(lons, lats, item_codes=()) -> TerritoryRead:
    """Locate WGS84 points (sequences of equal length) and read the rule rows for them and
    for `item_codes`, in one statement. Locations come back in the order of the points."""
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    if not lons:
        return TerritoryRead([], {})
    codes = sorted({c for c in item_codes if c})
    params = [_float_array(lons), _float_array(lats), codes, _KNN_CANDIDATES]
    with connection.cursor() as cursor:
        _prepare(cursor)
        if not connection.in_atomic_block:
            cursor.execute(_EXECUTE_TUNED, params)
            rows = cursor.fetchall()
        else:
            # Inside a caller's transaction the settings would last until its end: restore.
            cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('jit'), "
                           + _SETTINGS.format("'force_generic_plan'", "'off'"))
            previous = cursor.fetchone()[:2]
            cursor.execute(_EXECUTE, params)
            rows = cursor.fetchall()
            cursor.execute("SELECT " + _SETTINGS.format("%s", "%s"), list(previous))
    # Rows come in no guaranteed order (no ORDER BY: sorting wide rows costs more than
    # placing them by their ordinal here).
    locations: list[Location | None] = [None] * len(lons)
    dims_doc = None
    units: dict[tuple, Unit] = {}     # one Unit object per unit, shared by its points

    def unit(level, *fields):
        key = (level, fields[0])
        found = units.get(key)
        if found is None:
            found = units[key] = Unit(*fields)
        return found

    for row in rows:
        i = row[0] - 1
        if row[21] is not None:
            dims_doc = row[21]
        if row[1] is None:
            locations[i] = Location(lons[i], lats[i], None, nearest=_nearest(row[19], row[20]))
            continue
        locations[i] = Location(
            lons[i], lats[i], unit("c", row[1], row[2], row[3]),
            unit("t", row[4], row[5], row[6], row[7]) if row[4] is not None else None,
            unit("v", row[9], row[10], row[11], row[12]) if row[9] is not None else None,
            unit("g", row[14], row[15], row[16]) if row[14] is not None else None,
            row[8] or 0, row[13] or 0, row[17] or 0, tuple(row[18]) if row[18] else ())
    dims = {key: value or [] for key, value in (dims_doc or {}).items()}
    return TerritoryRead(locations, dims)


def locate_points(lons, lats) -> list[Location]:
    """Locate WGS84 points; one Location per point, in order (see `read_territory`)."""
    return read_territory(lons, lats).locations


def locate_point(lon: float, lat: float) -> Location:
    """Locate one WGS84 point (the same statement as for many)."""
    return locate_points([lon], [lat])[0]
