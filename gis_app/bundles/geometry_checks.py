"""A bundle layer's geometries checked before anything touches the database: present, of the
layer's type, not empty, plausible in the layer's CRS (inside its area of use, not lon/lat
swapped), valid (or repaired with `--repair`), then in WGS84. Each problem is added to the
Report with the feature it is about (checks.py runs these for every layer and table).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely

from boundaries.crs import GCJ02, transform_geometries
from gis_app.bundles.problems import Report, feature_label
from gis_app.bundles.reader import Layer

CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
AREA_MARGIN_DEG = 1.0


def feature_labeller(i, frame):
    return feature_label(i, frame.at[i, "code"] if "code" in frame.columns else None)


@lru_cache(maxsize=None)
def area_of_use(crs_name: str) -> tuple[float, float, float, float]:
    """Where coordinates of `crs_name` can lie, in WGS84 (west, south, east, north)."""
    if crs_name == GCJ02:
        return CHINA_BOUNDS
    from pyproj import CRS as ProjCRS
    area = ProjCRS.from_user_input(crs_name).area_of_use
    return (area.west, area.south, area.east, area.north) if area else (-180.0, -90.0, 180.0, 90.0)


AREAS = ((3, 6), "an area (Polygon or MultiPolygon)")
LINES = ((1, 5), "a line (LineString or MultiLineString)")


def layer_geometries(layer: Layer, report: Report, *, repair: bool) -> np.ndarray:
    """Shapely MultiPolygons in WGS84, None where the feature must be refused."""
    out = wgs84_geometries(layer, report, AREAS)
    return _valid_multipolygons(out, layer, report, layer_where(layer), repair=repair)


def layer_where(layer: Layer):
    frame = layer.frame
    return (lambda i: feature_labeller(i, frame)) if "code" in frame.columns else feature_label


def wgs84_geometries(layer: Layer, report: Report, allowed) -> np.ndarray:
    """The layer's geometries of the `allowed` (type ids, description) in WGS84; None where
    missing, of another type, empty, or impossible in the layer's CRS (each reported)."""
    geoms, file = layer.geoms.copy(), layer.file
    type_ids, wanted = allowed
    where = layer_where(layer)
    missing = np.array([g is None for g in geoms], dtype=bool)
    said = f" (GDAL: {'; '.join(layer.gdal_notes[:3])})" if layer.gdal_notes else ""
    for i in np.flatnonzero(missing):
        report.problem(file, where(i), "geometry", f"missing or unparseable geometry{said}")
    present = ~missing
    types = np.full(len(geoms), -1)
    types[present] = shapely.get_type_id(geoms[present])
    not_polygon = present & ~np.isin(types, type_ids)
    for i in np.flatnonzero(not_polygon):
        report.problem(file, where(i), "geometry", f"a {geoms[i].geom_type} where {wanted} is needed")
    empty = present & ~not_polygon & shapely.is_empty(np.where(present, geoms, None))
    for i in np.flatnonzero(empty):
        report.problem(file, where(i), "geometry", "empty geometry")
    usable = present & ~not_polygon & ~empty
    if not usable.any():
        return np.full(len(geoms), None, dtype=object)

    bounds = shapely.bounds(geoms[usable])
    finite = np.isfinite(bounds).all(axis=1)
    plausible = finite.copy()
    if layer.crs.is_geographic:
        swapped = finite & ((np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)
                            | (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1))
        for i, b in zip(np.flatnonzero(usable)[swapped], bounds[swapped]):
            report.problem(file, where(i), "geometry",
                           f"coordinates ({b[0]:g}, {b[1]:g}) cannot be in {layer.crs}: longitude must lie "
                           "within ±180 and latitude within ±90 (longitude and latitude swapped, or "
                           "projected metres?)")
        plausible &= ~swapped
    out = np.full(len(geoms), None, dtype=object)
    idx = np.flatnonzero(usable)[plausible]
    if len(idx):
        wgs = transform_geometries(geoms[idx], layer.crs)
        wb = shapely.bounds(wgs)
        w, s, e, n = area_of_use(layer.crs.name)
        m = AREA_MARGIN_DEG
        inside = (np.isfinite(wb).all(axis=1) & (wb[:, 0] >= w - m) & (wb[:, 2] <= e + m)
                  & (wb[:, 1] >= s - m) & (wb[:, 3] <= n + m))
        for i, b in zip(idx[~inside], shapely.bounds(geoms[idx[~inside]])):
            report.problem(file, where(i), "geometry",
                           f"coordinates ({b[0]:g}, {b[1]:g}) cannot be in {layer.crs}, whose area of "
                           f"use is lon {w:g}..{e:g}, lat {s:g}..{n:g} (wrong CRS in the manifest, or "
                           "axes swapped?)")
        out[idx[inside]] = wgs[inside]
    for i in np.flatnonzero(~finite):
        report.problem(file, where(np.flatnonzero(usable)[i]), "geometry", "coordinates are not finite numbers")
    return out


def _valid_multipolygons(geoms, layer, report, where, *, repair) -> np.ndarray:
    have = np.array([g is not None for g in geoms], dtype=bool)
    valid = np.ones(len(geoms), dtype=bool)
    valid[have] = shapely.is_valid(geoms[have])
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(geoms[i])
        if not repair:
            report.problem(layer.file, where(i), "geometry",
                           f"invalid polygon: {reason} (run with --repair to apply make_valid)")
            geoms[i] = None
            continue
        fixed = _polygonal(shapely.make_valid(geoms[i]))
        if fixed is None or fixed.is_empty:
            report.problem(layer.file, where(i), "geometry", f"invalid polygon: {reason}; make_valid "
                           "left no area")
            geoms[i] = None
            continue
        before, after = _area_m2(geoms[i]), _area_m2(fixed)
        report.warning(layer.file, where(i), "geometry",
                       f"repaired ({reason}): area {before:,.0f} m² -> {after:,.0f} m²")
        geoms[i] = fixed
    return np.array([_as_multi(g) for g in geoms], dtype=object)


def _polygonal(geom):
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def _as_multi(geom):
    if geom is None or geom.geom_type == "MultiPolygon":
        return geom
    return shapely.MultiPolygon([geom])


def _area_m2(geom) -> float:
    from pyproj import Geod
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0])
