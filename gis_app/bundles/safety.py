"""What a bundle may make the server read: nothing outside itself, nothing unbounded.

A bundle comes from outside (a county's GIS office, a mail attachment), so it is treated as
hostile until read: a zip is unpacked only after its directory passes the limits (entries,
total size, compression ratio; settings BUNDLE_ZIP_*) and is counted again while unpacking,
because a zip's directory may lie about sizes; no member may land outside the bundle
(`../`, absolute names, links); a manifest path must stay inside the bundle's folder; and
a layer is opened only by an allow-listed GDAL driver, so a VRT (which makes GDAL open any
file it names) or any other format that reaches beyond its own bytes is never opened.
Every refusal is a named Problem, never a traceback.
"""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings

from gis_app.bundles.problems import Report

# File suffix -> the GDAL drivers that may open it (pyogrio reports which one did).
LAYER_DRIVERS = {
    ".gpkg": ("GPKG",), ".shp": ("ESRI Shapefile",), ".geojson": ("GeoJSON",),
    ".json": ("GeoJSON",), ".fgb": ("FlatGeobuf",), ".kml": ("KML", "LIBKML"), ".csv": ("CSV",),
    ".xlsx": ("XLSX",),
}
TABLE_SUFFIXES = (".csv", ".xlsx")
# What a file must not start with, whatever its name: XML that GDAL reads as a virtual
# dataset pointing at other files (VRT), or GDAL's virtual-file-system prefixes.
_FORBIDDEN_HEADS = (b"<OGRVRTDataSource", b"<VRTDataset", b"<GDAL_WMS", b"<WFS_GetCapabilities")
_CHUNK = 1 << 16


class Unsafe(Exception):
    """The bundle asks for something the server will not do; the message names it."""


def limits() -> tuple[int, int, float]:
    return (settings.BUNDLE_ZIP_MAX_ENTRIES, settings.BUNDLE_ZIP_MAX_BYTES,
            settings.BUNDLE_ZIP_MAX_RATIO)


def check_members(archive: zipfile.ZipFile) -> None:
    """Refuse by the zip's own directory: too many entries, too large, too compressed,
    names outside the bundle, links."""
    max_entries, max_bytes, max_ratio = limits()
    infos = archive.infolist()
    if len(infos) > max_entries:
        raise Unsafe(f"zip has {len(infos)} entries; at most {max_entries} are accepted "
                     "(setting BUNDLE_ZIP_MAX_ENTRIES)")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise Unsafe(f"zip expands to {total:,} bytes; at most {max_bytes:,} are accepted "
                     "(setting BUNDLE_ZIP_MAX_BYTES)")
    for info in infos:
        member_name(info)
        if info.file_size > _CHUNK and info.file_size > max_ratio * max(info.compress_size, 1):
            raise Unsafe(f"zip member {info.filename!r} is compressed {info.file_size / max(info.compress_size, 1):,.0f} "
                         f"to 1; at most {max_ratio:g} to 1 is accepted (setting BUNDLE_ZIP_MAX_RATIO; "
                         "a zip bomb?)")


def member_name(info: zipfile.ZipInfo) -> PurePosixPath:
    """The member's relative path; `../`, absolute names, drive letters and links refused."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts:
        raise Unsafe(f"zip member {info.filename!r} points outside the bundle (zip slip)")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise Unsafe(f"zip member {info.filename!r} is a symbolic link; links are not accepted")
    return path


def extract(archive: zipfile.ZipFile, dest: Path) -> None:
    """Unpack member by member, counting real bytes against the limits as they are written
    (a forged directory cannot get past them)."""
    check_members(archive)
    _, max_bytes, max_ratio = limits()
    dest = dest.resolve()
    written = 0
    for info in archive.infolist():
        target = dest.joinpath(*member_name(info).parts)
        if dest != target and dest not in target.parents:
            raise Unsafe(f"zip member {info.filename!r} points outside the bundle (zip slip)")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        member_limit = max(max_ratio * max(info.compress_size, 1), _CHUNK)
        size = 0
        with archive.open(info) as src, open(target, "wb") as out:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                written += len(chunk)
                if written > max_bytes:
                    raise Unsafe(f"zip expands beyond {max_bytes:,} bytes (setting "
                                 "BUNDLE_ZIP_MAX_BYTES); its directory understated the sizes")
                if size > member_limit:
                    raise Unsafe(f"zip member {info.filename!r} expands beyond {max_ratio:g} to 1 "
                                 "(setting BUNDLE_ZIP_MAX_RATIO; a zip bomb?)")
                out.write(chunk)


def inside(root: Path, file: str) -> Path:
    """The manifest's `file` resolved inside the bundle's folder; anything else refused
    (absolute paths, `../`, links pointing out, GDAL's /vsi prefixes)."""
    if file.startswith(("/", "\\")) or "/vsi" in file.lower() or (len(file) > 1 and file[1] == ":"):
        raise Unsafe("must be a path inside the bundle (absolute paths are not accepted)")
    base = root.resolve()
    path = (base / file).resolve()
    if base not in path.parents:
        raise Unsafe("must be a path inside the bundle; it points outside")
    return path


def check_layer_file(path: Path) -> tuple[str, ...]:
    """The GDAL drivers that may open this layer file; refuses other kinds of file."""
    drivers = LAYER_DRIVERS.get(path.suffix.lower())
    if drivers is None:
        raise Unsafe(f"{path.suffix or 'a file without suffix'} is not an accepted layer format; "
                     "accepted: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, KML, CSV, XLSX")
    _check_head(path)
    return drivers


def check_table_file(path: Path) -> None:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise Unsafe(f"{path.suffix or 'a file without suffix'} is not an accepted table format; "
                     "accepted: CSV, XLSX")
    _check_head(path)


def _check_head(path: Path) -> None:
    if path.is_dir():
        raise Unsafe("is a folder, not a file")
    with open(path, "rb") as fh:
        head = fh.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml"):
        head = head.split(b"?>", 1)[-1].lstrip()
    if head.startswith(_FORBIDDEN_HEADS):
        raise Unsafe("is a GDAL virtual dataset (VRT and similar), which could read other files; "
                     "not accepted")
