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

Reload safety: every level comes from one SQL statement, i.e. one snapshot, so a concurrent
`import_bundle --replace` commit can never give a county from before and a township from
after. `consistent_snapshot()` extends that guarantee to the rule tables read afterwards.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction


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


# Raw SQL because the ORM cannot express it: one statement walks all levels for a whole array
# of points (unnest ... WITH ORDINALITY keeps their order), each level a LATERAL
# "covering units ORDER BY code LIMIT 1" subquery on the GiST index, with a window count of
# the covering units for the trace. One statement = one snapshot (reload safety) and one
# round trip, whether for 1 point or 10,000.
_LOCATE_SQL = """
WITH pts AS (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
    FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
)
SELECT pts.ord,
       c.id, c.code, c.name,
       t.id, t.code, t.name, t.kind, t.n,
       v.id, v.code, v.name, v.kind, v.n,
       gr.id, gr.code, gr.name, gr.n,
       z.ids
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
    SELECT gr.id, gr.code, gr.name, count(*) OVER () AS n
    FROM boundaries_grid gr
    WHERE gr.village_id = v.id AND ST_Covers(gr.geom, pts.g)
    ORDER BY gr.code LIMIT 1
) gr ON true
LEFT JOIN LATERAL (
    SELECT array_agg(pa.id ORDER BY pa.code, pa.zone) AS ids
    FROM boundaries_protectedarea pa
    WHERE pa.county_id = c.id AND ST_Covers(pa.geom, pts.g)
) z ON true
ORDER BY pts.ord
"""


def locate_points(lons, lats) -> list[Location]:
    """Locate WGS84 points (sequences of equal length); one Location per point, in order."""
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    if not lons:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_LOCATE_SQL, [lons, lats])
        rows = cursor.fetchall()
    out = []
    for row in rows:
        i = row[0] - 1
        county = Unit(row[1], row[2], row[3]) if row[1] is not None else None
        township = Unit(row[4], row[5], row[6], row[7]) if row[4] is not None else None
        village = Unit(row[9], row[10], row[11], row[12]) if row[9] is not None else None
        grid = Unit(row[14], row[15], row[16]) if row[14] is not None else None
        out.append(Location(lons[i], lats[i], county, township, village, grid,
                            row[8] or 0, row[13] or 0, row[17] or 0, tuple(row[18] or ())))
    return out


def locate_point(lon: float, lat: float) -> Location:
    """Locate one WGS84 point (the same statement as for many)."""
    return locate_points([lon], [lat])[0]


# Raw SQL because the nearest-by-distance search needs the KNN operator: `<->` walks the GiST
# index in planar (degree) order to a small candidate set, and only those candidates get the
# exact geodesic distance in metres (geography), which decides. Degrees are never reported.
_NEAREST_SQL = """
WITH pts AS (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
    FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
)
SELECT pts.ord, c.id, c.code, c.name, c.d, t.id, t.code, t.name, t.kind, t.d
FROM pts
LEFT JOIN LATERAL (
    SELECT k.id, k.code, k.name, ST_Distance(k.geom::geography, pts.g::geography) AS d
    FROM (SELECT cp.geom, c.id, c.code, c.name
          FROM boundaries_countypart cp JOIN boundaries_county c ON c.id = cp.county_id
          ORDER BY cp.geom <-> pts.g LIMIT %s) k
    ORDER BY d, k.code LIMIT 1
) c ON true
LEFT JOIN LATERAL (
    SELECT k.id, k.code, k.name, k.kind, ST_Distance(k.geom::geography, pts.g::geography) AS d
    FROM (SELECT t.geom, t.id, t.code, t.name, t.kind
          FROM boundaries_township t
          ORDER BY t.geom <-> pts.g LIMIT %s) k
    ORDER BY d, k.code LIMIT 1
) t ON true
ORDER BY pts.ord
"""

#: Candidates taken in planar order before the geodesic distance decides; planar and
#: geodesic order only disagree between candidates at nearly equal distance.
_KNN_CANDIDATES = 16

#: A township this close (metres) to being as near as its county is named instead of the
#: county: "12 m from 第3镇" says more than "12 m from 测试县".
_TOWNSHIP_PREFERENCE_M = 0.01


def nearest_units(lons, lats) -> list[Nearest | None]:
    """For points outside every county: the nearest county, or the nearest township when it
    is as near (the point lies off that township's land border); None if no county exists."""
    lons = [float(x) for x in lons]
    lats = [float(y) for y in lats]
    if not lons:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_NEAREST_SQL, [lons, lats, _KNN_CANDIDATES, _KNN_CANDIDATES])
        rows = cursor.fetchall()
    out = []
    for row in rows:
        if row[1] is None:
            out.append(None)
        elif row[5] is not None and row[9] <= row[4] + _TOWNSHIP_PREFERENCE_M:
            out.append(Nearest(Unit(row[5], row[6], row[7], row[8]), "township", row[9]))
        else:
            out.append(Nearest(Unit(row[1], row[2], row[3]), "county", row[4]))
    return out


@contextmanager
def consistent_snapshot():
    """Read the location and the rule tables from one database snapshot.

    Outside a transaction this opens a READ ONLY REPEATABLE READ one, so an
    `import_bundle --replace` committing between the locate statement and the rule queries
    cannot mix an old township with new authority rows. Inside a caller's transaction
    (tests, ATOMIC_REQUESTS) the caller's transaction decides and nothing is changed.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
