"""The demo's road and ferry network (generated, GCJ-02), for hub reach through pgRouting.

Each township gets a road from its seat (where its team is based) to every village on the
same land; a village on another island of the township is reached by a ferry from the
seat. Townships are joined seat to seat: in 嵊泗 by the ferry lines between the islands
(菜园 on 泗礁山 is the county's port; 嵊山 serves the 马鞍列岛, its 1+X area), in 阳城
by roads along the Delaunay edges between neighbouring seats. All lines meet at their
ends (seats and village points), as pgRouting wants. Nothing here is surveyed.
"""
from __future__ import annotations

import shapely
from shapely.geometry import LineString, Point

ROAD_KMH = {"village": 30.0, "trunk": 50.0}
FERRY_KMH = 22.0  # about 12 knots

# 嵊泗's ferry lines between township seats (generated: the real timetable differs).
SHENGSI_FERRIES = [("330922100", "330922101"), ("330922100", "330922201"), ("330922100", "330922203"),
                   ("330922100", "330922102"), ("330922101", "330922202"), ("330922101", "330922203")]


def network(t) -> list[tuple[LineString, str, float]]:
    """(line, kind, speed_kmh) for territory `t` (hierarchy.Territory), in GCJ-02."""
    seats = {s.code: Point(s.seat) for s in t.townships_spec}
    land = {u.code: u.geom for u in t.townships}
    edges = []
    for village in t.villages:
        township = village.code[:9]
        seat, target = seats[township], village.geom.representative_point()
        line = LineString([seat, target])
        on_land = land[township].buffer(1e-5).covers(line)
        edges.append((line, "road" if on_land else "ferry", ROAD_KMH["village"] if on_land else FERRY_KMH))
    if t.code == "330922":
        caiyuan, wulong = seats["330922100"], seats["330922200"]
        edges.append((LineString([caiyuan, wulong]), "road", ROAD_KMH["trunk"]))  # both on 泗礁山
        edges += [(LineString([seats[a], seats[b]]), "ferry", FERRY_KMH) for a, b in SHENGSI_FERRIES]
    else:
        edges += [(LineString([seats[a], seats[b]]), "road", ROAD_KMH["trunk"])
                  for a, b in _delaunay_pairs(seats)]
    return edges


def _delaunay_pairs(seats: dict) -> list[tuple[str, str]]:
    """Neighbouring seats: the edges of their Delaunay triangulation, in code order."""
    by_xy = {(round(p.x, 7), round(p.y, 7)): code for code, p in seats.items()}
    edges = shapely.delaunay_triangles(shapely.MultiPoint(list(seats.values())), only_edges=True)
    pairs = set()
    for edge in shapely.get_parts(edges):
        a, b = ((round(x, 7), round(y, 7)) for x, y in edge.coords)
        pairs.add(tuple(sorted((by_xy[a], by_xy[b]))))
    return sorted(pairs)
