"""Writing a demo territory as a bundle (DESIGN §5): layer files, CSV/XLSX tables, manifest.

Why a module of its own: the bundle format is one job (the contract the importer reads),
separate from how the territory is generated (build.py, hierarchy.py). Output is
byte-for-byte reproducible: coordinates rounded to 1e-7 degree, fixed document and zip
times, no CRS in the layer files (the manifest's GCJ02 applies).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point

from boundaries.demo import tables
from boundaries.demo.geometry import LocalFrame, as_multipolygon
from boundaries.demo.hierarchy import Territory
from boundaries.demo.network import network

DECIMALS = 7
VERSION = "1.1.0"  # 1.1: the road and ferry network
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


def rounded(geom):
    """Coordinates on the 1e-7 degree grid exactly as decimals, and (areas) still valid."""
    if geom.geom_type == "LineString":
        return shapely.transform(geom, lambda c: np.round(c, DECIMALS))
    out = as_multipolygon(shapely.orient_polygons(
        shapely.transform(geom, lambda c: np.round(c, DECIMALS))))
    if not out.is_valid or out.is_empty:
        raise ValueError(f"geometry invalid or empty after rounding: {shapely.is_valid_reason(out)}")
    return out


def _records(t: Territory, layer: str) -> tuple[list[str], list[tuple[dict, MultiPolygon]]]:
    if layer == "network":
        fields = ["kind", "speed_kmh", "oneway"]
        return fields, [({"kind": kind, "speed_kmh": speed, "oneway": "no"}, line)
                        for line, kind, speed in network(t)]
    if layer == "protected_areas":
        fields = ["code", "name", "kind", "level", "zone", "authority"]
        return fields, [({f: getattr(z, f) for f in fields}, z.geom) for z in t.zones]
    units = {"county": [t.county], "townships": t.townships, "villages": t.villages, "grids": t.grids}[layer]
    fields = ["code", "name"] if layer == "county" else (
        ["code", "name", "parent_code"] if layer == "grids" else ["code", "name", "kind", "parent_code"])
    return fields, [({f: getattr(u, f) for f in fields}, u.geom) for u in units]


def write_geojson(path: Path, layer: str, fields, records) -> None:
    """One feature per line, no `crs` member: the manifest's GCJ02 applies."""
    lines = []
    for props, geom in records:
        feature = {"type": "Feature", "properties": props,
                   "geometry": json.loads(shapely.to_geojson(rounded(geom)))}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","name":%s,"features":[\n%s\n]}\n' % (
        json.dumps(layer), ",\n".join(lines))
    path.write_text(text, encoding="utf-8")


def write_gpkg(path: Path, layer: str, fields, records) -> None:
    """A GeoPackage with no SRS stated (GCJ-02 has no EPSG code): the manifest's applies."""
    import geopandas as gpd
    import pyogrio

    frame = gpd.GeoDataFrame([props for props, _ in records], columns=fields,
                             geometry=[rounded(g) for _, g in records], crs=None)
    if path.exists():
        path.unlink()
    # GDAL stamps gpkg_contents with the current time unless told otherwise.
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": deliberate
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG",
                                    geometry_type="LineString" if layer == "network" else "MultiPolygon")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list]) -> None:
    """An .xlsx with every cell text, fixed document times and zip entry times."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append([str(v) for v in row])
    wb.properties.creator = "boundaries.demo.build"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + stamp.encode() + rb"\2", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)


def team_rows(t: Territory) -> list[list]:
    """One team per township at its seat; one per department at the county seat town, set
    out on a 300 m ring around the seat (on land) so their map markers do not coincide."""
    rows = []
    for spec in t.townships_spec:
        if t.code == "330922" and spec.name != "洋山镇":
            name = f"嵊泗县综合行政执法局{spec.short}中队"  # dispatched squadron (派驻)
        else:
            name = f"{spec.name}综合行政执法队"
        rows.append([f"T{spec.code}", name, "township_team", spec.code, "", *_lonlat(spec.seat)])
    seat_land = next(u.geom for u in t.townships if u.code == t.county_seat.code)
    frame = LocalFrame(*t.county_seat.seat)
    for i, dept in enumerate(tables.departments(t.code)):
        angle = 2 * math.pi * i / 10
        base = frame.to_deg(Point(300 * math.cos(angle), 300 * math.sin(angle)))
        lonlat = (base.x, base.y) if seat_land.contains(base) else t.county_seat.seat
        kind = "marine" if dept.kind == "marine" else "department"
        rows.append([f"T{dept.code}", dept.team_name, kind, "", dept.code, *_lonlat(lonlat)])
    return rows


def _lonlat(p) -> list[str]:
    return [f"{p[0]:.6f}", f"{p[1]:.6f}"]


def write_bundle(t: Territory, folder: Path, layer_ext: str, catalogue_ext: str) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    layers = {}
    for layer in ("county", "townships", "villages", "grids", "protected_areas", "network"):
        fields, records = _records(t, layer)
        file = f"{layer}.{layer_ext}"
        (write_geojson if layer_ext == "geojson" else write_gpkg)(folder / file, layer, fields, records)
        layers[layer] = file

    depts = tables.departments(t.code)
    items = tables.catalogue(t.code)
    write_csv(folder / "departments.csv", ["code", "name", "kind"], [[d.code, d.name, d.kind] for d in depts])
    write_csv(folder / "teams.csv", ["code", "name", "kind", "township_code", "department_code", "lon", "lat"],
              team_rows(t))
    write_csv(folder / "hubs.csv", ["hub_township_code", "covered_township_codes"],
              [[hub, ";".join(covered)] for hub, covered in t.hubs])
    header = ["code", "name", "domain", "action_type", "legal_basis", "department_code",
              "supporting_department_codes", "whistle_kind"]
    rows = [[i.code, i.name, i.domain, i.action_type, i.legal_basis, i.department_code,
             ";".join(i.supporting), i.whistle_kind] for i in items]
    catalogue_file = f"catalogue.{catalogue_ext}"
    if catalogue_ext == "xlsx":
        write_xlsx(folder / catalogue_file, "catalogue", header, rows)
    else:
        write_csv(folder / catalogue_file, header, rows)
    auth_rows = []
    for spec in t.townships_spec:
        for item in items:
            kind, entrusting = tables.authority(t.code, spec, item)
            auth_rows.append([spec.code, item.code, kind, entrusting])
    write_csv(folder / "authority.csv", ["township_code", "item_code", "authority", "entrusting_department_code"],
              auth_rows)

    manifest = {
        "name": f"{t.name}演示辖区 (demo territory, generated below township level)",
        "version": VERSION,
        "crs": "GCJ02",
        "layers": layers,
        "tables": {"departments": "departments.csv", "teams": "teams.csv", "hubs": "hubs.csv",
                   "catalogue": catalogue_file, "authority": "authority.csv"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
