"""Near a border: is another township's land (or the sea) within reach of the point?

A phone's fix is good to some metres; a point 3 m from a township border is as likely on
the other side (FixMyStreet's most common complaint). `near_border` answers, for a point
already routed, every township whose land lies within `tolerance_m` metres (geodesic, on
the ellipsoid) and the sea when the county's water lies within it, each a candidate with
the team and subject the router gives there and its distance in metres. The acting one
(where the point is) is among them at its distance (0 inside); the answer is `ambiguous`
when there is more than one.

A candidate's team and subject come from the router itself, at a point of that township
inside the tolerance circle, so one rule decides them (no second copy of the authority
table here).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from gis_app.enforcement.routing import PointQuery, RoutingDecision, route

SEA_MIN_AREA_M2 = 0.5  # difference slivers below this are noise of the overlay, not water

# Raw SQL (why): geodesic ST_DWithin/ST_Distance on geography casts with a planar bbox
# prefilter on the 4326 index, and the sea as the circle minus the union of townships, in one
# statement; the ORM cannot express D() in metres on a geographic geometry column.
_NEAR_SQL = """
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g),
-- Fast path: a point farther than the tolerance from its grid's outline has its whole circle
-- inside that grid (so in its township, on land): nothing else is within reach, and the rest
-- of the statement runs on no circle at all. Grids are small; most points settle here.
go AS (SELECT %(grid)s::bigint IS NULL OR EXISTS (
           SELECT 1 FROM boundaries_grid gr
           WHERE gr.id = %(grid)s::bigint
             AND ST_DWithin(ST_Boundary(gr.geom)::geography, p.g::geography, %(tol)s)) AS near
       FROM p),
circle AS (SELECT ST_Buffer(p.g::geography, %(tol)s, 'quad_segs=32')::geometry AS g
           FROM p, go WHERE go.near),
near AS (
    SELECT t.id, t.code, t.name, t.geom, ST_Distance(t.geom::geography, p.g::geography) AS d
    FROM boundaries_township t, p, circle
    WHERE t.county_id = %(county)s AND t.geom && circle.g
      AND ST_DWithin(t.geom::geography, p.g::geography, %(tol)s)
),
-- The county's water within reach: the circle on the county's subdivided parts (a few
-- hundred vertices each, not a whole coastline) minus the townships' land.
sea AS (
    SELECT ST_Difference(ST_Union(ST_Intersection(cp.geom, circle.g)),
                         COALESCE((SELECT ST_Union(n.geom) FROM near n),
                                  ST_SetSRID('GEOMETRYCOLLECTION EMPTY'::geometry, 4326))) AS g
    FROM boundaries_countypart cp, circle WHERE cp.county_id = %(county)s AND cp.geom && circle.g
)
SELECT n.code, n.name, n.d,
       ST_X(inside.g), ST_Y(inside.g)
FROM near n, circle, LATERAL (SELECT COALESCE(ST_PointOnSurface(ST_Intersection(n.geom, circle.g)),
                                               ST_ClosestPoint(n.geom, (SELECT g FROM p))) AS g) inside
UNION ALL
SELECT NULL, NULL, ST_Distance(sea.g::geography, p.g::geography), ST_X(ST_PointOnSurface(sea.g)),
       ST_Y(ST_PointOnSurface(sea.g))
FROM sea, p
WHERE sea.g IS NOT NULL AND NOT ST_IsEmpty(sea.g) AND ST_Area(sea.g::geography) > %(sea_min)s
ORDER BY 3, 1
"""


@dataclass(frozen=True)
class NearBorder:
    tolerance_m: float
    candidates: list[dict]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def as_dict(self) -> dict:
        return {"ambiguous": self.ambiguous, "tolerance_m": self.tolerance_m, "candidates": self.candidates}


def tolerance(value: float | None = None, accuracy: float | None = None) -> float:
    """The tolerance asked for, else the phone's reported accuracy, else the setting."""
    if value is not None:
        return float(value)
    if accuracy is not None:
        return float(accuracy)
    return float(settings.ROUTE_TOLERANCE_M)


def within_reach(lon: float, lat: float, county_id: int, tolerance_m: float,
                 grid_id: int | None = None) -> list[tuple]:
    """(code or None for the sea, name, distance_m, lon, lat of a point of it within reach);
    nothing when the point is deep inside its grid `grid_id` (one round trip either way)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEAR_SQL, {"lon": lon, "lat": lat, "county": county_id, "tol": tolerance_m,
                                   "sea_min": SEA_MIN_AREA_M2, "grid": grid_id})
        return cursor.fetchall()


def near_border(decision: RoutingDecision, item_code: str, tolerance_m: float, now=None,
                county_ids=None) -> NearBorder:
    """The candidates within `tolerance_m` of the routed point (the acting one included)."""
    loc = decision.placement.location
    query = decision.placement.query
    acting_code = loc.township.code if loc.township else None
    out = []
    reach = []
    if tolerance_m > 0:
        reach = within_reach(query.lon, query.lat, loc.county.id, tolerance_m,
                             loc.grid.id if loc.grid is not None else None)
    for code, name, distance, x, y in reach:
        acting = code == acting_code
        there = decision if acting else route(PointQuery(lon=x, lat=y), item_code, now=now,
                                              county_ids=county_ids)
        out.append({"code": code, "name": name if code else "海域", "at_sea": code is None,
                    "team": there.team, "subject": there.subject, "mode": there.mode,
                    "distance_m": round(distance, 2), "acting": acting,
                    "lon": round(x, 7), "lat": round(y, 7), "crs": "EPSG:4326"})
    if not any(c["acting"] for c in out):  # the point is exactly where the overlay found nothing
        out.insert(0, {"code": acting_code, "name": loc.township.name if loc.township else "海域",
                       "at_sea": loc.at_sea, "team": decision.team, "subject": decision.subject,
                       "mode": decision.mode, "distance_m": 0.0, "acting": True,
                       "lon": query.lon, "lat": query.lat, "crs": "EPSG:4326"})
    return NearBorder(tolerance_m, out)
