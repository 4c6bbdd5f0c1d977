"""Reading a territory bundle (DESIGN §5) from a folder or a zip into data frames.

Reading never judges content beyond "can this be read at all"; everything it cannot read
becomes a Problem so the whole bundle is reported at once. Layers go through pyogrio, so
any OGR format works (GeoPackage, Shapefile, GeoJSON, ...); tables are CSV or XLSX.
"""
from __future__ import annotations

import json
import re
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from boundaries.crs import CRS, CRSError, GCJ02, WGS84, parse_crs
from gis_app.bundles import safety
from gis_app.bundles.problems import Report

MANIFEST = "manifest.json"
LAYERS = ("county", "townships", "villages", "grids", "protected_areas", "network", "places")
TABLES = ("departments", "teams", "hubs", "catalogue", "authority",
          "deadlines", "calendar", "severity")  # the last three: the county's rule tables (optional)
REQUIRED_LAYERS = ("county", "townships")


@dataclass
class Layer:
    """One layer as read: attributes as strings, geometries as shapely objects in `crs`."""

    name: str
    file: str
    frame: pd.DataFrame  # string columns, lower-cased names, no geometry column
    geoms: np.ndarray  # shapely geometries or None, one per row of `frame`
    crs: CRS
    gdal_notes: tuple[str, ...] = ()  # what GDAL warned while reading (e.g. why a geometry is null)


@dataclass
class Bundle:
    root: Path
    manifest: dict
    crs: CRS
    table_crs: CRS

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", ""))

    def layer_file(self, name: str) -> str | None:
        return (self.manifest.get("layers") or {}).get(name)

    def table_file(self, name: str) -> str | None:
        return (self.manifest.get("tables") or {}).get(name)


@contextmanager
def opened(path: str | Path, report: Report):
    """Yield the bundle's folder; a zip is unpacked into a temporary folder first, within the
    limits of `safety` (a refused zip yields None, its problem in `report`)."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
            try:
                with zipfile.ZipFile(path) as archive:
                    safety.extract(archive, Path(tmp))
            except safety.Unsafe as exc:
                report.problem(path.name, "", "", str(exc))
                yield None
                return
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                report.problem(path.name, "", "", f"cannot be unpacked as a zip: {exc}")
                yield None
                return
            root = Path(tmp)
            manifests = sorted(root.rglob(MANIFEST), key=lambda p: len(p.parts))
            yield manifests[0].parent if manifests else root
    else:
        yield path


def read_manifest(root: Path, report: Report) -> Bundle | None:
    if not root.exists():
        report.problem(str(root), "", "", "no such file or folder")
        return None
    if not root.is_dir():
        report.problem(str(root), "", "", "not a folder or a zip file")
        return None
    path = root / MANIFEST
    if not path.exists():
        report.problem(MANIFEST, "", "", "missing: a bundle needs manifest.json at its top")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.problem(MANIFEST, "", "", f"not valid UTF-8 JSON: {exc}")
        return None
    if not isinstance(manifest, dict):
        report.problem(MANIFEST, "", "", "must be a JSON object")
        return None
    ok = True
    for key in ("name", "version", "crs", "layers", "tables"):
        if key not in manifest:
            report.problem(MANIFEST, "", key, "missing")
            ok = False
    for key, known in (("layers", LAYERS), ("tables", TABLES)):
        section = manifest.get(key)
        if key in manifest and not isinstance(section, dict):
            report.problem(MANIFEST, "", key, "must be an object mapping names to files")
            ok = False
            continue
        for name in (section or {}):
            if name not in known:
                report.problem(MANIFEST, key, name, f"unknown {key[:-1]}; expected one of {', '.join(known)}")
            elif not isinstance(section[name], str) or not section[name]:
                report.problem(MANIFEST, key, name, "must name a file")
            elif not _inside(root, section[name], key, name, report):
                ok = False
            elif not (root / section[name]).exists():
                report.problem(section[name], "", "", f"missing: the manifest names it as {key[:-1]} {name!r}")
    for name in REQUIRED_LAYERS:
        if isinstance(manifest.get("layers"), dict) and name not in manifest["layers"]:
            report.problem(MANIFEST, "layers", name, "missing: every bundle has a county and its townships")
    crs = table_crs = None
    try:
        crs = parse_crs(manifest.get("crs")) if "crs" in manifest else None
    except CRSError as exc:
        report.problem(MANIFEST, "", "crs", str(exc))
        ok = False
    try:
        if manifest.get("table_crs"):
            table_crs = parse_crs(manifest["table_crs"])
    except CRSError as exc:
        report.problem(MANIFEST, "", "table_crs", str(exc))
        ok = False
    if not ok or crs is None:
        return None
    if table_crs is None:
        # Team bases are lon/lat: in the manifest CRS when it is geographic, else WGS84.
        table_crs = crs if crs.is_geographic else CRS(WGS84)
    return Bundle(root=root, manifest=manifest, crs=crs, table_crs=table_crs)


def _inside(root: Path, file: str, key: str, name: str, report: Report) -> bool:
    try:
        safety.inside(root, file)
    except safety.Unsafe as exc:
        report.problem(MANIFEST, key, name, f"{file!r} {exc}")
        return False
    return True


def _stated_crs(path: Path, info_crs: str | None) -> str | None:
    """The CRS a layer file itself states, or None.

    GDAL reports EPSG:4326 for every GeoJSON without a `crs` member (RFC 7946 default), so
    for GeoJSON only an explicit member counts as stated.
    """
    if not info_crs:
        return None
    if path.suffix.lower() in (".geojson", ".json"):
        with open(path, "rb") as fh:
            head = fh.read(65536).decode("utf-8", "ignore")
        if not re.search(r'"crs"\s*:', head):
            return None
    return info_crs


def layer_crs(bundle: Bundle, stated: str | None) -> CRS:
    """A file's own CRS wins over the manifest, except that GCJ-02 has no EPSG code: a
    GCJ-02 bundle's files can only be labelled WGS84/CGCS2000, so the manifest wins there."""
    if stated is None:
        return bundle.crs
    try:
        crs = parse_crs(stated)
    except CRSError:
        return bundle.crs
    if bundle.crs.name == GCJ02 and crs.name in (WGS84, "EPSG:4490"):
        return bundle.crs
    return crs


def read_layer(bundle: Bundle, name: str, report: Report) -> Layer | None:
    import pyogrio
    import shapely

    file = bundle.layer_file(name)
    if not file:
        return None
    path = bundle.root / file
    if not path.exists():
        return None  # reported with the manifest
    try:
        drivers = safety.check_layer_file(path)
    except safety.Unsafe as exc:
        report.problem(file, "", "", str(exc))
        return None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            info = pyogrio.read_info(path)
            if info.get("driver") not in drivers:
                report.problem(file, "", "", f"opened as {info.get('driver')}, not {drivers[0]} as "
                               "its suffix says; not accepted")
                return None
            frame = pyogrio.read_dataframe(path, on_invalid="ignore", use_arrow=False)
    except Exception as exc:  # GDAL says why in its message; any failure is the file's
        report.problem(file, "", "", f"cannot be read as a map layer: {exc}")
        return None
    notes = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)))
    stated = _stated_crs(path, info.get("crs"))
    if stated:
        try:
            parse_crs(stated)
        except CRSError as exc:
            report.problem(file, "", "crs", f"the file states {exc}")
            return None
    geoms = np.asarray(frame.geometry.values, dtype=object) if "geometry" in frame else \
        np.full(len(frame), None, dtype=object)
    geoms = np.where(shapely.is_missing(geoms), None, geoms)
    attrs = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    return Layer(name=name, file=file, frame=_as_strings(attrs), geoms=geoms,
                 crs=layer_crs(bundle, stated), gdal_notes=notes)


def read_table(bundle: Bundle, name: str, report: Report) -> tuple[str, pd.DataFrame] | None:
    file = bundle.table_file(name)
    if not file:
        return None
    path = bundle.root / file
    if not path.exists():
        return None
    frame = read_table_file(path, file, report)
    return None if frame is None else (file, frame)


def read_table_file(path: Path, file: str, report: Report) -> pd.DataFrame | None:
    """A CSV (UTF-8) or XLSX table as strings; what cannot be read becomes a problem of `file`."""
    try:
        safety.check_table_file(path)
    except safety.Unsafe as exc:
        report.problem(file, "", "", str(exc))
        return None
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                skipinitialspace=True)
    except UnicodeDecodeError:
        report.problem(file, "", "", "not UTF-8 text (save the CSV as UTF-8)")
        return None
    except Exception as exc:
        report.problem(file, "", "", f"cannot be read as a table: {exc}")
        return None
    return _as_strings(frame)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case, trimmed column names; every value a trimmed string ('' for empty)."""
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for col in frame.columns:
        values = frame[col]
        frame[col] = values.where(values.notna(), "").map(_text)
    return frame.reset_index(drop=True)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes that a spreadsheet or DBF stored as numbers
    return str(value).strip()
