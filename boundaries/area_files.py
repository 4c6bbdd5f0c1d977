"""An area uploaded as a GIS file (GeoJSON, KML, a zipped Shapefile, a GeoPackage) -> one
shape in WGS84: what an officer has when the footprint was surveyed, not drawn.

GDAL reads the file (pyogrio, any OGR format); every polygon of the file's first layer is
unioned into the footprint. The CRS: the file's own when it states one (a Shapefile's .prj,
a GeoPackage's SRS), except that a file claiming WGS84 while the client says GCJ-02 is read as
GCJ-02 (Amap exports are GCJ-02 labelled WGS84; GeoJSON states WGS84 by default); a file that
states none is in the client's `crs`.
"""
from __future__ import annotations

import tempfile
import warnings
import zipfile
from pathlib import Path

import shapely

from boundaries.crs import CRS, CRSError, GCJ02, WGS84, parse_crs
from boundaries.shapes import AREAS, ShapeError, to_wgs84

SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".zip": "Shapefile (zip)",
            ".gpkg": "GeoPackage"}


def _layer_path(folder: Path, name: str) -> str:
    path = folder / name
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            shps = [n for n in archive.namelist() if n.lower().endswith(".shp") and ".." not in n]
    except zipfile.BadZipFile:
        raise ShapeError("the .zip file is not a readable zip archive") from None
    if not shps:
        raise ShapeError("the .zip file holds no .shp (a zipped Shapefile needs .shp, .shx, .dbf)")
    return f"/vsizip/{path}/{sorted(shps)[0]}"


def _file_crs(stated: str | None, client: CRS | None) -> CRS:
    if not stated:
        return client or CRS(WGS84)
    try:
        crs = parse_crs(stated)
    except CRSError:
        raise ShapeError(f"the file is in {stated}, which this server does not accept") from None
    if client is not None and client.name == GCJ02 and crs.name in (WGS84, "EPSG:4490"):
        return client
    return crs


def read_area_file(filename: str, data: bytes, client_crs: CRS | None) -> tuple[shapely.Geometry, CRS]:
    """(the union of the file's polygons in WGS84, the CRS it was read in); ShapeError if the
    file is not an area GDAL can read."""
    import pyogrio

    name = Path(filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ShapeError(f"unknown file type {suffix or '(none)'}; accepted: "
                         + ", ".join(f"{s} ({k})" for s, k in SUFFIXES.items()))
    with tempfile.TemporaryDirectory(prefix="footprint-") as tmp:
        (Path(tmp) / name).write_bytes(data)
        path = _layer_path(Path(tmp), name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                info = pyogrio.read_info(path)
                _, _, geometries, _ = pyogrio.raw.read(path, read_geometry=True, columns=[])
        except Exception as exc:  # GDAL's errors have no common base class worth naming
            raise ShapeError(f"GDAL cannot read the file as {SUFFIXES[suffix]}: {exc}") from None
    shapes = [g for g in shapely.from_wkb([g for g in geometries if g is not None])
              if g is not None and not g.is_empty]
    polygons = [p for g in shapes for p in shapely.get_parts(g) if p.geom_type in AREAS]
    if not polygons:
        raise ShapeError("the file holds no polygon (a footprint is an area)")
    crs = _file_crs(info.get("crs"), client_crs)
    return to_wgs84(shapely.union_all(polygons), crs), crs
