"""Points received in any accepted CRS -> checked `PointQuery`s with their stored WGS84 twin.

Used by every endpoint that takes a place (route, locate, case intake and steps, joint
inspections, Open311). Range checks are made before conversion where they can be, so the
error names the value the client sent; batches are converted in one vectorised pass.
"""
from __future__ import annotations

import math

import numpy as np

from boundaries.crs import CRS, CRSError, WGS84, check_lonlat, to_wgs84
from gis_app.enforcement.routing import PointQuery
from gis_app.web.errors import BadParameter
from gis_app.web.params import crs_value, number_value

# CRSs whose coordinates are stored unchanged (CGCS2000 is WGS84 within centimetres; see
# boundaries.crs.to_wgs84).
_STORED_AS_IS = (WGS84, "EPSG:4490")
# Web Mercator's valid square (metres): beyond it the inverse projection has no latitude.
_MERCATOR_LIMIT = 20037508.3428


def _check_received(x: float, y: float, crs: CRS, names: tuple[str, str]) -> None:
    """Range checks that can be made before conversion, so the error names the value."""
    if crs.is_geographic:
        if not -180 <= x <= 180:
            raise BadParameter(names[0], f"longitude {x:g} is outside -180..180 ({crs})")
        if not -90 <= y <= 90:
            raise BadParameter(names[1], f"latitude {y:g} is outside -90..90 ({crs})")
    elif crs.name == "EPSG:3857":
        if abs(x) > _MERCATOR_LIMIT:
            raise BadParameter(names[0], f"x {x:g} m is outside Web Mercator's range ({crs})")
        if abs(y) > _MERCATOR_LIMIT:
            raise BadParameter(names[1], f"y {y:g} m is outside Web Mercator's range ({crs})")


def _check_converted(lon: float, lat: float, x: float, y: float, crs: CRS,
                     names: tuple[str, str]) -> None:
    try:
        check_lonlat(lon, lat)
    except CRSError:
        bad = names[0] if not (math.isfinite(lon) and abs(lon) <= 180) else names[1]
        raise BadParameter(bad, f"({x:g}, {y:g}) in {crs} is not a place on Earth "
                                f"(converted to WGS84: {lon:g}, {lat:g})") from None


def make_point(x: float, y: float, crs: CRS, names=("lon", "lat")) -> PointQuery:
    """One checked point in `crs` -> PointQuery with its stored WGS84 twin."""
    _check_received(x, y, crs, names)
    if crs.name in _STORED_AS_IS:
        # Finite (number_value) and in range (_check_received): nothing to convert or check.
        return PointQuery(float(x), float(y), x, y, crs.name)
    lon, lat = to_wgs84(x, y, crs)
    lon, lat = float(lon), float(lat)
    _check_converted(lon, lat, x, y, crs, names)
    return PointQuery(lon, lat, x, y, crs.name)


def make_points(xs: list[float], ys: list[float], crs: CRS,
                names=("lon", "lat")) -> list[PointQuery | BadParameter]:
    """Many numbers in `crs` -> PointQuery or BadParameter each, converted in one pass."""
    if crs.name in _STORED_AS_IS:
        return _stored_as_is(xs, ys, crs, names)
    results: list[PointQuery | BadParameter | None] = [None] * len(xs)
    ok = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        try:
            _check_received(x, y, crs, names)
            ok.append(i)
        except BadParameter as exc:
            results[i] = exc
    if ok:
        lons, lats = to_wgs84(np.array([xs[i] for i in ok]), np.array([ys[i] for i in ok]), crs)
        lons, lats = np.atleast_1d(lons), np.atleast_1d(lats)
        # One vectorised check for all points; only the bad ones get a per-point message.
        good = (np.isfinite(lons) & np.isfinite(lats) & (np.abs(lons) <= 180)
                & (np.abs(lats) <= 90)).tolist()
        for i, lon, lat, fine in zip(ok, lons.tolist(), lats.tolist(), good):
            if fine:
                results[i] = PointQuery(lon, lat, xs[i], ys[i], crs.name)
                continue
            try:
                _check_converted(lon, lat, xs[i], ys[i], crs, names)
            except BadParameter as exc:
                results[i] = exc
    return results


def _stored_as_is(xs: list[float], ys: list[float], crs: CRS, names) -> list[PointQuery | BadParameter]:
    """`make_points` for a CRS stored unchanged (geographic: WGS84, CGCS2000): each point is
    range-checked and kept as it came, no array built. Why: a batch's 10,000 points went
    through numpy and back for no conversion (14 ms of a batch's 25 ms of parsing)."""
    name = crs.name
    results: list[PointQuery | BadParameter] = []
    append = results.append
    for x, y in zip(xs, ys):
        if -180 <= x <= 180 and -90 <= y <= 90:     # the common case, checked inline
            append(PointQuery(float(x), float(y), x, y, name))
            continue
        try:
            _check_received(x, y, crs, names)
        except BadParameter as exc:
            append(exc)
            continue
        append(PointQuery(float(x), float(y), x, y, name))
    return results


def body_point(data, required: bool) -> PointQuery | None:
    """lon/lat[/crs] from a request body (JSON or form) -> PointQuery, None when both absent."""
    if data.get("lon") in (None, "") and data.get("lat") in (None, ""):
        if required:
            raise BadParameter("lon", "required")
        return None
    crs = crs_value(data.get("crs"))
    return make_point(number_value(data.get("lon"), "lon"), number_value(data.get("lat"), "lat"), crs)
