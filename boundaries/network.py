"""A county's road and ferry network: loading it and numbering its vertices for pgRouting.

The network is territory (roads and ferry links between islands), so it lives here and a
territory bundle may carry it as its optional `network` layer (attributes `kind` road|ferry,
`speed_kmh`, optional `oneway`). The bundle importer calls `network_problems` while checking
and `replace_network` inside its transaction; both take WGS84 shapely geometries.

Lines must be noded (split where they meet), as pgRouting expects: two edges are connected
only where an end of one coincides with an end of the other (within 1e-7 degrees, about
1 cm). Raw SQL because the insert is set-based (one statement for the whole layer) and the
vertex numbering is a window function over every end point, which the ORM cannot write.
"""
from __future__ import annotations

import math
from typing import Sequence

from django.db import connection, transaction

from boundaries.models import County, NetworkEdge

KINDS = tuple(NetworkEdge.Kind.values)
# End points closer than this (degrees) after rounding are one vertex: about 1 cm.
SNAP_DEGREES = 1e-7


class NetworkError(ValueError):
    """The network layer cannot be loaded; `problems` lists (index, field, reason)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        first = "; ".join(f"feature {i}: {field}: {reason}" for i, field, reason in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"network layer refused: {first}{more}")


def _parts(geom):
    """The LineStrings of a LineString or MultiLineString (None for anything else)."""
    import shapely

    if geom is None:
        return None
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type == "MultiLineString":
        return list(shapely.get_parts(geom))
    return None


def _speed(value) -> float | None:
    try:
        speed = float(value)
    except (TypeError, ValueError):
        return None
    return speed if math.isfinite(speed) and 0 < speed <= 200 else None


def _oneway(value) -> bool | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f"):
        return False
    return None


def network_problems(geoms: Sequence, kinds: Sequence, speeds: Sequence,
                     oneways: Sequence | None = None) -> list[tuple[int, str, str]]:
    """Every problem of a network layer as (feature index, field, reason); empty when loadable."""
    problems = []
    oneways = oneways if oneways is not None else [None] * len(geoms)
    if not (len(geoms) == len(kinds) == len(speeds) == len(oneways)):
        return [(0, "network", "geometries and attributes differ in number")]
    for i, (geom, kind, speed, oneway) in enumerate(zip(geoms, kinds, speeds, oneways)):
        parts = _parts(geom)
        if parts is None:
            problems.append((i, "geometry", f"expected a LineString or MultiLineString, got "
                                            f"{getattr(geom, 'geom_type', 'nothing')}"))
        elif any(p.is_empty or p.length == 0 for p in parts):
            problems.append((i, "geometry", "empty or zero-length line"))
        else:
            xy = [c for p in parts for c in p.coords]
            if any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y, *_ in xy):
                problems.append((i, "geometry", "coordinates are not WGS84 longitude/latitude"))
        if kind not in KINDS:
            problems.append((i, "kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
        if _speed(speed) is None:
            problems.append((i, "speed_kmh", f"{speed!r} is not a speed in km/h (0 < speed <= 200)"))
        if _oneway(oneway) is None:
            problems.append((i, "oneway", f"{oneway!r} is not a yes/no value"))
    return problems


def replace_network(county: County | int, geoms_wgs84: Sequence, kinds: Sequence,
                    speeds: Sequence, oneways: Sequence | None = None) -> int:
    """Replace the county's network with these lines (WGS84 shapely geometries); returns the
    number of edges stored. MultiLineStrings are stored one edge per part. Raises
    NetworkError, storing nothing, when `network_problems` finds anything."""
    import shapely

    problems = network_problems(geoms_wgs84, kinds, speeds, oneways)
    if problems:
        raise NetworkError(problems)
    county_id = county.pk if isinstance(county, County) else int(county)
    oneways = oneways if oneways is not None else [None] * len(geoms_wgs84)
    wkb, edge_kinds, edge_speeds, edge_oneways = [], [], [], []
    for geom, kind, speed, oneway in zip(geoms_wgs84, kinds, speeds, oneways):
        for part in _parts(geom):
            wkb.append(shapely.to_wkb(shapely.force_2d(part), hex=True))
            edge_kinds.append(kind)
            edge_speeds.append(_speed(speed))
            edge_oneways.append(_oneway(oneway))
    table = NetworkEdge._meta.db_table
    with transaction.atomic():
        NetworkEdge.objects.filter(county_id=county_id).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO {table} (county_id, kind, geom, speed_kmh, length_m, oneway)
                SELECT %s, e.kind, g.geom, e.speed, ST_Length(g.geom::geography), e.oneway
                FROM unnest(%s::text[], %s::text[], %s::float8[], %s::boolean[])
                     AS e(wkb, kind, speed, oneway)
                CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(decode(e.wkb, 'hex')), 4326)
                                    AS geom) g
            """, [county_id, wkb, edge_kinds, edge_speeds, edge_oneways])
        build_topology(county_id)
    return len(wkb)


def build_topology(county: County | int) -> int:
    """Number the county's network vertices (coinciding end points share a number) and set
    each edge's `source`/`target`; returns the number of vertices."""
    county_id = county.pk if isinstance(county, County) else int(county)
    table = NetworkEdge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH ends AS (
                SELECT id, true AS is_start, ST_SnapToGrid(ST_StartPoint(geom), %(snap)s) AS pt
                FROM {table} WHERE county_id = %(county)s
                UNION ALL
                SELECT id, false, ST_SnapToGrid(ST_EndPoint(geom), %(snap)s)
                FROM {table} WHERE county_id = %(county)s
            ), numbered AS (
                SELECT id, is_start, dense_rank() OVER (ORDER BY ST_X(pt), ST_Y(pt)) AS vertex
                FROM ends
            )
            UPDATE {table} AS e SET source = s.vertex, target = t.vertex
            FROM numbered s, numbered t
            WHERE s.id = e.id AND s.is_start AND t.id = e.id AND NOT t.is_start
        """, {"snap": SNAP_DEGREES, "county": county_id})
        cursor.execute(f"SELECT count(DISTINCT v) FROM {table}, LATERAL (VALUES (source), (target)) x(v)"
                       f" WHERE county_id = %s", [county_id])
        return cursor.fetchone()[0]


def has_network(county: County | int) -> bool:
    county_id = county.pk if isinstance(county, County) else int(county)
    return NetworkEdge.objects.filter(county_id=county_id).exists()
