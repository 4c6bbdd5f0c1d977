"""OGC API - Features Part 2 (CRS by reference) for the collections: which CRSs they advertise,
and the axis order of each.

Every collection advertises CRS84 (its storage CRS), EPSG:4326, EPSG:4490 (CGCS2000), the
CGCS2000 3-degree Gauss-Kruger zone of each county the user sees (the zone whose central
meridian is nearest the county's centroid, EPSG:4513-4533, as county surveys use) and
EPSG:3857. `crs` and `bbox-crs` take any of these URIs (and whatever else the router
accepts, GCJ-02 included).

Axis order: Part 2 wants coordinates in the CRS's own axis order. CRS84, GCJ-02 and EPSG:3857
are x/longitude first; EPSG:4326, EPSG:4490 and the Gauss-Kruger zones are, as EPSG defines
them, latitude (northing) first, so their coordinates leave (and a `bbox` in them arrives)
with y first. The REST API elsewhere stays x first (GeoJSON's order) whatever `crs` says.
"""
from __future__ import annotations

from functools import lru_cache

from django.contrib.gis.db.models.functions import Centroid
from django.http import QueryDict

from boundaries.crs import CRS
from gis_app.api.access import visible_counties
from gis_app.web.params import get_one, parse_bbox, parse_crs_param

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LONLAT_SPELLINGS = ("CRS84", "OGC:CRS84", "WGS84", "WGS-84")


def epsg_uri(code: int) -> str:
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


def gauss_kruger_zone(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Kruger zone (with zone prefix) for a longitude:
    zone n has central meridian 3n degrees; zones 25..45 are EPSG:4513..4533."""
    zone = min(45, max(25, int(round(lon / 3.0))))
    return 4513 + zone - 25


def advertised(user) -> list[str]:
    """The CRS URIs every collection lists for `user` (storage CRS first)."""
    zones = sorted({gauss_kruger_zone(c.x) for c in visible_counties(user)
                    .annotate(c=Centroid("geom")).values_list("c", flat=True) if c is not None})
    return [CRS84, epsg_uri(4326), epsg_uri(4490), *[epsg_uri(z) for z in zones], epsg_uri(3857)]


@lru_cache(maxsize=None)
def _north_first(epsg: int) -> bool:
    from pyproj import CRS as ProjCRS
    return ProjCRS.from_epsg(epsg).axis_info[0].direction in ("north", "south")


def y_first(raw: str | None, crs: CRS) -> bool:
    """Whether coordinates in `crs`, as the client spelled it (`raw`), put y first."""
    if raw is None or crs.is_gcj02 or crs.epsg is None:
        return False
    if raw.strip().upper().replace(" ", "").endswith(LONLAT_SPELLINGS):
        return False
    return _north_first(crs.epsg)


def output_crs(request) -> tuple[CRS, bool]:
    """(the `crs` of the response, whether its coordinates go y first)."""
    crs = parse_crs_param(request, "crs")
    return crs, y_first(get_one(request, "crs"), crs)


class _Swapped:
    """The request with its `bbox` values in x-first order, for parse_bbox."""

    def __init__(self, request, bbox: str):
        self.query_params = QueryDict(mutable=True)
        self.query_params.update(request.query_params)
        self.query_params["bbox"] = bbox


def bbox_polygon(request):
    """The `bbox` filter as a WGS84 polygon (or None); in `bbox-crs` (default CRS84), in that
    CRS's axis order."""
    from gis_app.web.errors import BadParameter

    crs = parse_crs_param(request, "bbox-crs", default=CRS("EPSG:4326"))
    value = get_one(request, "bbox")
    if value is None:
        if "bbox-crs" in request.query_params:
            raise BadParameter("bbox-crs", "given without bbox")
        return None
    parts = value.split(",")
    if len(parts) == 4 and y_first(get_one(request, "bbox-crs"), crs):
        request = _Swapped(request, ",".join([parts[1], parts[0], parts[3], parts[2]]))
    return parse_bbox(request, crs)


def content_crs(crs: CRS, flip: bool) -> str:
    """The `Content-Crs` header: CRS84 for x-first WGS84, else the CRS asked for."""
    if flip and crs.epsg is not None:
        return f"<{epsg_uri(crs.epsg)}>"
    from gis_app.api.geometry import content_crs as plain
    return plain(crs)
