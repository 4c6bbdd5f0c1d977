"""An independent footprint computation for the tests: shapely intersections and pyproj's
geodesic areas on the WGS84 ellipsoid (Karney's algorithm), no PostGIS involved; and
generated reserve zones (irregular nested rings) to check against."""
from __future__ import annotations

import math

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from pyproj import Geod, Transformer

from boundaries.models import ProtectedArea

GEOD = Geod(ellps="WGS84")


def geodesic_area_m2(shape) -> float:
    """Square metres on the ellipsoid (pyproj.Geod)."""
    return abs(GEOD.geometry_area_perimeter(shape)[0])


def as_shapely(geom: GEOSGeometry):
    return shapely.from_wkb(bytes(geom.wkb))


def expected_overlaps(footprint, units) -> dict[str, float]:
    """code -> overlap in m² for each unit (model instances with `geom`) the footprint overlaps."""
    out = {}
    for unit in units:
        part = shapely.intersection(footprint, as_shapely(unit.geom))
        area = geodesic_area_m2(part) if not part.is_empty else 0.0
        if area > 0.01:
            out[unit.code] = out.get(unit.code, 0.0) + area
    return out


def _local(lon0, lat0):
    proj = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m"
    return (Transformer.from_crs(proj, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", proj, always_xy=True))


def ring(lon0, lat0, radius_m: float, seed: int, n: int = 48):
    """An irregular closed ring of roughly `radius_m` around (lon0, lat0), in WGS84."""
    rng = np.random.default_rng(seed)
    to_wgs, _ = _local(lon0, lat0)
    angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
    radii = radius_m * (1 + 0.15 * np.sin(3 * angles + rng.uniform(0, 6)) + rng.uniform(-0.05, 0.05, n))
    lon, lat = to_wgs.transform(radii * np.cos(angles), radii * np.sin(angles))
    return shapely.Polygon(np.column_stack([lon, lat]))


def make_reserve(county, code: str, centre, radii=(800.0, 1500.0), seed=1, authority="ZYGH"):
    """A reserve with a core (inner ring) and a buffer (the ring around it minus the core)."""
    core = ring(*centre, radii[0], seed)
    outer = ring(*centre, radii[1], seed + 1)
    buffer = shapely.difference(outer, core)
    zones = []
    for zone, shape in (("core", core), ("buffer", buffer)):
        geom = GEOSGeometry(memoryview(shapely.to_wkb(shapely.MultiPolygon(
            list(shapely.get_parts(shape))))), srid=4326)
        zones.append(ProtectedArea.objects.create(
            county=county, code=code, name=f"保护区{code}", kind="nature_reserve", level="provincial",
            zone=zone, authority_code=authority, geom=geom))
    return zones


def rectangle(lon0, lat0, width_m: float, height_m: float, angle_deg: float = 0.0):
    """A rotated rectangle centred at (lon0, lat0), in WGS84 (vertices only; straight edges in
    lon/lat between them, as any GeoJSON polygon has)."""
    to_wgs, _ = _local(lon0, lat0)
    a = math.radians(angle_deg)
    corners = [(-width_m / 2, -height_m / 2), (width_m / 2, -height_m / 2),
               (width_m / 2, height_m / 2), (-width_m / 2, height_m / 2)]
    xy = [(x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)) for x, y in corners]
    lon, lat = to_wgs.transform([p[0] for p in xy], [p[1] for p in xy])
    return shapely.Polygon(list(zip(lon, lat)))
