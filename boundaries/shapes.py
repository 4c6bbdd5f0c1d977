"""Geometries received from clients: a GeoJSON geometry in any accepted CRS -> stored WGS84.

One home for the checks every geometry input makes (patrol plans, footprints): the GeoJSON
type is one of those allowed, the coordinates convert from the stated CRS and then read as
longitude/latitude (projected metres sent without their CRS fail here, not later), the shape
is valid and not empty. Polygons come back as a MultiPolygon, lines as a MultiLineString,
since the columns that store them are multi-part.
"""
from __future__ import annotations

import shapely
import shapely.geometry
from django.contrib.gis.geos import GEOSGeometry

from boundaries.crs import CRS, CRSError, check_lonlat, transform_geometry

AREAS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")


class ShapeError(ValueError):
    """A geometry that cannot be used; the message says why."""


def read_geojson(value, crs: CRS, allowed: tuple[str, ...]) -> shapely.Geometry:
    """A GeoJSON geometry object (dict) in `crs` -> a valid shapely geometry in WGS84."""
    if not isinstance(value, dict) or value.get("type") not in allowed:
        raise ShapeError(f"must be a GeoJSON {' or '.join(allowed)} geometry")
    try:
        shape = shapely.geometry.shape(value)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            shapely.errors.GEOSException) as exc:
        raise ShapeError(f"not a valid GeoJSON geometry ({exc})") from None
    return to_wgs84(shape, crs)


def to_wgs84(shape: shapely.Geometry, crs: CRS) -> shapely.Geometry:
    """A shapely geometry in `crs` -> WGS84, checked (valid, not empty, lon/lat)."""
    if shape.is_empty:
        raise ShapeError("the geometry is empty")
    try:
        shape = transform_geometry(shape, crs)
        coords = shapely.get_coordinates(shape)
        check_lonlat(coords[:, 0], coords[:, 1])
    except CRSError as exc:
        raise ShapeError(f"{exc} (crs {crs})") from None
    if not shape.is_valid:
        raise ShapeError(f"invalid geometry: {shapely.is_valid_reason(shape)}")
    return shape


def as_multi(shape: shapely.Geometry) -> GEOSGeometry:
    """A shapely Polygon/LineString (or their Multi form) as a GEOS Multi* in EPSG:4326."""
    if shape.geom_type == "Polygon":
        shape = shapely.MultiPolygon([shape])
    elif shape.geom_type == "LineString":
        shape = shapely.MultiLineString([shape])
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=4326)
