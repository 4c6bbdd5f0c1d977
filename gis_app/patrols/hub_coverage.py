"""1+X hub reach: can the hub township's team get to every grid it covers in time?

For each HubArea of a county, from the base of the hub township's team (Team.base) to each
grid of the covered townships (and of the hub township itself), measured to the grid's
ST_PointOnSurface (a point inside it, the centre for a square grid):
- straight line: geodesic metres, as minutes = metres x detour factor / speed;
- through the county's road/ferry network (boundaries.NetworkEdge) with pgRouting
  (pgr_drivingDistance, cost = seconds at each edge's speed, one-way edges respected): the
  network time from the vertex nearest the base to the vertex nearest the grid, plus both
  access legs (base to its vertex, vertex to grid) at the straight-line model. A grid or base
  farther than PATROL_HUB_SNAP_METRES from any vertex, or a vertex the network cannot reach,
  has no network time (islands without a ferry in the network stay unreachable).
A grid is beyond the response time when its time (network when the county has a network,
else straight line) exceeds `max_minutes`, or when the network cannot reach it. A database
without pgRouting (the official PostGIS image has none) gets straight-line times and a note.

Raw SQL because pgRouting's functions take their edge query as text and return sets that are
joined back to the grids; every value is a parameter except the county id, an integer
formatted into the edge query pgRouting runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from boundaries.models import County, Grid, HubArea, NetworkEdge, Township
from boundaries.network import build_topology
from gis_app.enforcement.models import Team

GRID = Grid._meta.db_table
TOWNSHIP = Township._meta.db_table
EDGE = NetworkEdge._meta.db_table
# pgr_drivingDistance explores up to this cost; beyond a day nobody counts minutes.
MAX_NETWORK_SECONDS = 86_400.0


@dataclass(frozen=True)
class ReachModel:
    """How time is estimated: response limit, detour factor and speed of the straight-line
    model, and the farthest a point may be from the network to use it."""

    max_minutes: float
    detour: float
    speed_kmh: float
    snap_m: float

    @classmethod
    def from_settings(cls, max_minutes=None, detour=None, speed_kmh=None, snap_m=None) -> "ReachModel":
        return cls(max_minutes=float(settings.PATROL_HUB_MAX_MINUTES if max_minutes is None else max_minutes),
                   detour=float(settings.PATROL_HUB_DETOUR if detour is None else detour),
                   speed_kmh=float(settings.PATROL_HUB_SPEED_KMH if speed_kmh is None else speed_kmh),
                   snap_m=float(settings.PATROL_HUB_SNAP_METRES if snap_m is None else snap_m))

    def straight_minutes(self, metres: float) -> float:
        return metres * self.detour / (self.speed_kmh * 1000 / 60)

    def as_dict(self) -> dict:
        return {"max_minutes": self.max_minutes, "detour": self.detour, "speed_kmh": self.speed_kmh,
                "snap_m": self.snap_m}


def hub_team(hub: HubArea) -> Team | None:
    """The hub township's own team (the first by code if it has several)."""
    return (Team.objects.filter(township_id=hub.hub_id, kind=Team.Kind.TOWNSHIP_TEAM)
            .order_by("code").first())


def _grid_distances(base, township_ids: list[int], with_geometry: bool) -> list[dict]:
    """Each grid of the townships with its inside point and geodesic metres from `base`."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT g.id, g.code, g.name, t.code, ST_X(p.pt), ST_Y(p.pt),
                   ST_Distance(p.pt::geography, ST_GeomFromEWKT(%(base)s)::geography)
                   {", ST_AsGeoJSON(g.geom, 7)" if with_geometry else ", NULL"}
            FROM {GRID} g JOIN {TOWNSHIP} t ON t.id = g.township_id
            CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
            WHERE g.township_id = ANY(%(townships)s)
            ORDER BY g.code
        """, {"base": base.ewkt, "townships": township_ids})
        return [{"id": gid, "code": code, "name": name, "township": township, "point": [x, y],
                 "distance_m": float(d), "geometry": geometry}
                for gid, code, name, township, x, y, d, geometry in cursor.fetchall()]


def _network_seconds(county_id: int, base, grid_ids: list[int], snap_m: float) -> dict[int, dict]:
    """{grid id: {"network_s", "access_m"}} for grids the network reaches from `base`; the
    access metres are both legs to and from the network, to be timed by the caller."""
    edges_sql = (f"SELECT id, source, target, length_m / (speed_kmh / 3.6) AS cost, "
                 f"CASE WHEN oneway THEN -1 ELSE length_m / (speed_kmh / 3.6) END AS reverse_cost "
                 f"FROM {EDGE} WHERE county_id = {int(county_id)} AND source IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH vertices AS (
                SELECT DISTINCT ON (id) id, pt::geography AS pt FROM (
                    SELECT source AS id, ST_StartPoint(geom) AS pt FROM {EDGE} WHERE county_id = %(county)s
                    UNION ALL
                    SELECT target, ST_EndPoint(geom) FROM {EDGE} WHERE county_id = %(county)s
                ) v ORDER BY id
            ), start AS (
                SELECT id, ST_Distance(pt, ST_GeomFromEWKT(%(base)s)::geography) AS access_m
                FROM vertices ORDER BY pt <-> ST_GeomFromEWKT(%(base)s)::geography LIMIT 1
            ), reach AS (
                SELECT node, agg_cost FROM pgr_drivingDistance(%(edges)s, (SELECT id FROM start),
                                                               %(limit)s, directed => true)
            ), grids AS (
                SELECT g.id, v.id AS vertex, v.access_m
                FROM {GRID} g
                CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom)::geography AS pt) p
                CROSS JOIN LATERAL (
                    SELECT id, ST_Distance(vertices.pt, p.pt) AS access_m FROM vertices
                    ORDER BY vertices.pt <-> p.pt LIMIT 1
                ) v
                WHERE g.id = ANY(%(grids)s)
            )
            SELECT grids.id, reach.agg_cost, start.access_m + grids.access_m
            FROM grids CROSS JOIN start JOIN reach ON reach.node = grids.vertex
            WHERE start.access_m <= %(snap)s AND grids.access_m <= %(snap)s
        """, {"county": county_id, "base": base.ewkt, "edges": edges_sql, "limit": MAX_NETWORK_SECONDS,
              "grids": grid_ids, "snap": snap_m})
        return {gid: {"network_s": float(cost), "access_m": float(access)}
                for gid, cost, access in cursor.fetchall()}


def routing_available() -> bool:
    """True when the database has pgRouting (the migration installs it where the server can)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgrouting')")
        return cursor.fetchone()[0]


def _ensure_topology(county: County) -> bool:
    """True when the county has a network; numbers its vertices if nobody has yet."""
    edges = NetworkEdge.objects.filter(county=county)
    if not edges.exists():
        return False
    if edges.filter(source__isnull=True).exists():
        build_topology(county)
    return True


def hub_reach(hub: HubArea, model: ReachModel, network: bool, with_geometry: bool = False) -> dict:
    """One hub area's report: every grid's distance and times, and the grids beyond."""
    covered = list(hub.covered.order_by("code"))
    team = hub_team(hub)
    out = {"hub": {"code": hub.hub.code, "name": hub.hub.name},
           "covered_townships": [{"code": t.code, "name": t.name} for t in covered],
           "team": {"code": team.code, "name": team.name} if team else None,
           "base": None, "network": network, "problem": None, "grids": [], "beyond": []}
    if team is None or team.base is None:
        out["problem"] = (f"hub township {hub.hub.code} has no team with a base: "
                          "times cannot be computed" if team is None else
                          f"team {team.code} has no base (lon, lat in teams.csv)")
        return out
    out["base"] = {"lon": team.base.x, "lat": team.base.y}
    grids = _grid_distances(team.base, [hub.hub_id, *(t.pk for t in covered)], with_geometry)
    routed = _network_seconds(hub.county_id, team.base, [g["id"] for g in grids], model.snap_m) if network else {}
    for grid in grids:
        straight = model.straight_minutes(grid["distance_m"])
        via = routed.get(grid.pop("id"))
        network_minutes = (via["network_s"] / 60 + model.straight_minutes(via["access_m"])) if via else None
        minutes = network_minutes if network else straight
        beyond = minutes is None or minutes > model.max_minutes
        grid.update({"role": "hub" if grid["township"] == hub.hub.code else "covered",
                     "distance_m": round(grid["distance_m"], 1),
                     "straight_minutes": round(straight, 2),
                     "network_minutes": None if network_minutes is None else round(network_minutes, 2),
                     "reachable": (network_minutes is not None) if network else True,
                     "beyond": beyond})
        out["grids"].append(grid)
        if beyond:
            out["beyond"].append(grid["code"])
    return out


def hub_coverage(county: County, model: ReachModel | None = None, with_geometry: bool = False) -> dict:
    """The report for every hub area of the county."""
    model = model or ReachModel.from_settings()
    has_edges = _ensure_topology(county)
    problem = None
    network = has_edges and routing_available()
    if has_edges and not network:
        problem = ("the county has a road/ferry network but the database lacks pgRouting: "
                   "times are straight-line estimates")
    hubs = HubArea.objects.filter(county=county).select_related("hub").order_by("hub__code")
    return {"county": {"code": county.code, "name": county.name}, "parameters": model.as_dict(),
            "network": network, "problem": problem,
            "hubs": [hub_reach(h, model, network, with_geometry) for h in hubs]}
