"""Coordinate reference systems the server accepts, and conversion to stored WGS84.

Accepted: EPSG:4326 (WGS84), EPSG:4490 (CGCS2000, within centimetres of WGS84),
EPSG:3857 (Web Mercator), EPSG:4491-4554 (CGCS2000 Gauss-Kruger zones) and GCJ-02, the
offset system of Amap/Tencent phone apps and Amap-sourced boundaries. GCJ-02 has no EPSG
code: it is the public obfuscation formula below, inverted iteratively to well under 1 cm.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

WGS84 = "EPSG:4326"
GCJ02 = "GCJ02"

_A = 6378245.0
_EE = 0.00669342162296594323


class CRSError(ValueError):
    """A CRS name or a coordinate that cannot be used."""


@dataclass(frozen=True)
class CRS:
    """A parsed CRS: `name` is the canonical spelling used in every API response."""

    name: str

    @property
    def is_gcj02(self) -> bool:
        return self.name == GCJ02

    @property
    def is_geographic(self) -> bool:
        return self.name in (WGS84, "EPSG:4490", GCJ02)

    @property
    def epsg(self) -> int | None:
        return None if self.is_gcj02 else int(self.name.split(":")[1])

    def __str__(self) -> str:
        return self.name


ACCEPTED = "EPSG:4326 (default), GCJ02, EPSG:4490, EPSG:3857, EPSG:4491-EPSG:4554"


def parse_crs(value: str | None) -> CRS:
    """Parse a CRS name as users write it; raise CRSError naming what is accepted."""
    if value is None or str(value).strip() == "":
        return CRS(WGS84)
    text = str(value).strip().upper().replace(" ", "")
    if text in ("GCJ02", "GCJ-02", "GCJ_02", "MARS"):
        return CRS(GCJ02)
    if text in ("WGS84", "WGS-84", "CRS84", "OGC:CRS84"):
        return CRS(WGS84)
    if text in ("CGCS2000",):
        return CRS("EPSG:4490")
    match = re.fullmatch(r"(?:EPSG:+|URN:OGC:DEF:CRS:EPSG::|HTTP://WWW\.OPENGIS\.NET/DEF/CRS/EPSG/0/)?(\d+)", text)
    if match:
        code = int(match.group(1))
        if code in (4326, 4490, 3857, 900913) or 4491 <= code <= 4554:
            return CRS(f"EPSG:{3857 if code == 900913 else code}")
    if text.endswith("CRS84"):
        return CRS(WGS84)
    raise CRSError(f"unknown CRS {value!r}; accepted: {ACCEPTED}")


# --- GCJ-02 -------------------------------------------------------------------------------

def _out_of_china(lon, lat):
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    x = lon - 105.0
    y = lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon, lat):
    """Forward GCJ-02 offset; arrays or scalars."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tolerance_deg: float = 1e-10):
    """Inverse GCJ-02 by fixed-point iteration (converges to ~1e-10 deg, about 0.01 mm)."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < tolerance_deg) and np.all(np.abs(elat) < tolerance_deg):
            break
    return wlon, wlat


# --- any accepted CRS -> WGS84 ----------------------------------------------------------------

@lru_cache(maxsize=None)
def _transformer(src: str, dst: str):
    from pyproj import Transformer
    return Transformer.from_crs(src, dst, always_xy=True)


def to_wgs84(x, y, crs: CRS | str):
    """Convert coordinate arrays (or scalars) from `crs` to WGS84 lon/lat."""
    crs = parse_crs(crs) if isinstance(crs, str) else crs
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if crs.name in (WGS84, "EPSG:4490"):
        # CGCS2000 and WGS84 agree within centimetres; no datum shift is applied.
        return x, y
    if crs.is_gcj02:
        return gcj02_to_wgs84(x, y)
    return _transformer(crs.name, WGS84).transform(x, y)


def from_wgs84(lon, lat, crs: CRS | str):
    """Convert WGS84 lon/lat arrays to `crs` (for outputs that ask for GCJ-02 etc.)."""
    crs = parse_crs(crs) if isinstance(crs, str) else crs
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if crs.name in (WGS84, "EPSG:4490"):
        return lon, lat
    if crs.is_gcj02:
        return wgs84_to_gcj02(lon, lat)
    return _transformer(WGS84, crs.name).transform(lon, lat)


def check_lonlat(lon, lat) -> None:
    """Raise CRSError if WGS84 values cannot be longitude/latitude (e.g. swapped or projected)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise CRSError("coordinates are not finite numbers")
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise CRSError("coordinates are outside longitude -180..180 / latitude -90..90 "
                       "(projected metres given as degrees?)")


def transform_geometry(geom, crs: CRS | str):
    """A shapely geometry in `crs` -> the same geometry in WGS84."""
    import shapely
    crs = parse_crs(crs) if isinstance(crs, str) else crs
    if crs.name in (WGS84, "EPSG:4490"):
        return geom

    def _xform(coords):
        x, y = to_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([x, y])

    return shapely.transform(geom, _xform)


def transform_geometries(geoms, crs: CRS | str):
    """Vectorised transform of a shapely geometry array (all coordinates in one pass)."""
    import shapely
    crs = parse_crs(crs) if isinstance(crs, str) else crs
    if crs.name in (WGS84, "EPSG:4490"):
        return np.asarray(geoms)

    def _xform(coords):
        x, y = to_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms), _xform)
