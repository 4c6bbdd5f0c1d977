"""Build the two demo territory bundles from the real county outlines in `source/`.

    python -m boundaries.demo.build [--out DIR]

writes DIR/shengsi (嵊泗县 330922, GeoJSON layers, CSV tables) and DIR/yangcheng (阳城县
140522, one GeoPackage per layer, catalogue as .xlsx) in the bundle contract of DESIGN §5;
DIR defaults to this folder. Real: county outlines, township names and approximate seats,
1+X, the authority facts of the seeds. Generated: everything below township level, the
township partition, reserve zones and 嵊泗's sea. Output is deterministic (fixed seeds,
fixed timestamps), so a rebuild reproduces the committed files byte for byte.

All geometry is made in GCJ-02, the CRS of the outlines and the seats, and the manifests
say `"crs": "GCJ02"`: the importer converts to WGS84, the bundle stays what a county
working from Amap-sourced data would hand over.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, shape

from boundaries.demo import tables
from boundaries.demo.geometry import (LocalFrame, as_multipolygon, blob, consolidate, finalize,
                                      partition, snap, union, voronoi_cells)
from boundaries.demo.network import network
from boundaries.demo.tables import Township

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
DECIMALS = 7
VERSION = "1.1.0"  # 1.1: the road and ferry network
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

SHENGSI = [
    Township("330922100", "菜园镇", (122.445, 30.725)),
    Township("330922101", "嵊山镇", (122.824, 30.718)),
    Township("330922102", "洋山镇", (122.074, 30.587)),
    Township("330922200", "五龙乡", (122.510, 30.710)),
    Township("330922201", "黄龙乡", (122.565, 30.661)),
    Township("330922202", "枸杞乡", (122.779, 30.713)),
    Township("330922203", "花鸟乡", (122.685, 30.848)),
]
YANGCHENG = [
    Township("140522100", "凤城镇", (112.420, 35.485)),
    Township("140522101", "北留镇", (112.520, 35.530)),
    Township("140522102", "润城镇", (112.530, 35.470)),
    Township("140522103", "町店镇", (112.330, 35.460)),
    Township("140522104", "芹池镇", (112.280, 35.560)),
    Township("140522105", "次营镇", (112.560, 35.400)),
    Township("140522106", "横河镇", (112.180, 35.270)),
    Township("140522107", "河北镇", (112.370, 35.320)),
    Township("140522108", "蟒河镇", (112.420, 35.260)),
    Township("140522109", "东冶镇", (112.550, 35.300)),
    Township("140522110", "白桑镇", (112.470, 35.420)),
    Township("140522200", "寺头乡", (112.300, 35.380)),
    Township("140522201", "西河乡", (112.220, 35.470)),
    Township("140522202", "演礼乡", (112.380, 35.580)),
    Township("140522203", "固隆乡", (112.450, 35.570)),
    Township("140522204", "董封乡", (112.250, 35.320)),
    Township("140522205", "驾岭乡", (112.600, 35.460)),
]

# A point on the 东海大桥 corridor: the outline's largest part is a 67-vertex band along the
# bridge to 洋山港, ~76 km² of mostly water (without it the islands total ~85 km², the
# county's published land area is 86 km²). It stays in the jurisdiction but is no
# township's land, so points on it route as sea.
DONGHAI_BRIDGE_CORRIDOR = (121.98, 30.69)
YANSHAN_CENTRE = (112.268, 35.392)  # generated site of 崦山 reserve, in 寺头乡 (seed 004)
MANGHE_CENTRE = (112.445, 35.250)   # generated site of 蟒河 reserve, south of the county


@dataclass
class Unit:
    code: str
    name: str
    geom: MultiPolygon
    kind: str = ""
    parent_code: str = ""


@dataclass
class Zone:
    code: str
    name: str
    kind: str
    level: str
    zone: str
    authority: str
    geom: MultiPolygon


@dataclass
class Territory:
    code: str
    name: str
    county_seat: Township
    townships_spec: list[Township]
    county: Unit
    townships: list[Unit]
    villages: list[Unit]
    grids: list[Unit]
    zones: list[Zone] = field(default_factory=list)
    hubs: list[tuple[str, list[str]]] = field(default_factory=list)


def read_outline(name: str):
    return shape(json.loads((SOURCE / name).read_text(encoding="utf-8")))


# --- the hierarchy ----------------------------------------------------------------------------

def hierarchy(frame: LocalFrame, county_code: str, specs: list[Township], rough_townships: dict,
              village_area: float, grid_area: float, named: dict[str, tuple[tuple, str]] | None = None):
    """Villages and grids under rough township land (metre frame), then one exact noding.

    Villages are numbered from the township seat outwards: in a town (镇) the village at
    the seat is a community (社区, codes 001..), others are villages (村, codes 201..);
    `named` gives a real name (e.g. 安上村) to the village of a township at a point.
    """
    named = named or {}
    plan = []  # (township spec, [(kind, name, [rough grid geoms])])
    rough_grids = []
    for spec in specs:
        rng = np.random.default_rng(int(spec.code))
        seat = frame.point_m(*spec.seat)
        cells = partition(rough_townships[spec.code], village_area, rng)
        cells.sort(key=lambda c: (round(c.distance(seat), 3), c.centroid.distance(seat)))
        communities = 3 if spec.code == f"{county_code}100" else (1 if spec.kind == "town" else 0)
        special = None
        if spec.code in named:
            (lon, lat), special_name = named[spec.code]
            point = frame.point_m(lon, lat)
            special = min(range(len(cells)), key=lambda i: (cells[i].distance(point), i))
        villages = []
        n_comm = n_vill = 0
        for i, cell in enumerate(cells):
            if i == special:
                kind, name = "village", special_name
            elif i < communities:
                n_comm += 1
                kind, name = "community", f"{spec.name}第{n_comm}社区"
            else:
                n_vill += 1
                kind, name = "village", f"{spec.name}第{n_vill}村"
            grid_rng = np.random.default_rng(int(spec.code) * 1000 + i)
            grids = partition(cell, grid_area, grid_rng)
            grids.sort(key=lambda g: (-round(g.representative_point().y, -2), g.representative_point().x))
            index = []
            for g in grids:
                index.append(len(rough_grids))
                rough_grids.append(frame.to_deg(g))
            villages.append((kind, name, index))
        plan.append((spec, villages))

    exact = finalize(rough_grids)

    townships, villages_out, grids_out = [], [], []
    for spec, villages in plan:
        town_villages = []
        next_code = {"community": 1, "village": 201}
        for kind, name, index in villages:
            cells = [exact[i] for i in index if not exact[i].is_empty]
            if not cells:
                continue
            code = f"{spec.code}{next_code[kind]:03d}"
            next_code[kind] += 1
            vgrids = [Unit(f"{code}{n:03d}", f"{name}第{n}网格", g, parent_code=code)
                      for n, g in enumerate(cells, start=1)]
            village = Unit(code, name, union(g.geom for g in vgrids), kind=kind, parent_code=spec.code)
            town_villages.append(village)
            grids_out.extend(vgrids)
        villages_out.extend(town_villages)
        townships.append(Unit(spec.code, spec.name, union(v.geom for v in town_villages),
                              kind=spec.kind, parent_code=county_code))
    return townships, sorted(villages_out, key=lambda u: u.code), sorted(grids_out, key=lambda u: u.code)


def ringed_zones(frame: LocalFrame, clip, centre: tuple, radii: tuple, seed: int) -> list[MultiPolygon]:
    """Nested irregular blobs as disjoint rings (core, buffer, experimental), inside `clip`
    (degrees) by 2 m so no zone strays over the county line when coordinates are rounded."""
    inner = frame.to_m(clip).buffer(-2.0)
    c = frame.point_m(*centre)
    blobs = [blob(c, r, seed) for r in radii]
    rings = [blobs[0]] + [outer.difference(inner_b) for inner_b, outer in zip(blobs, blobs[1:])]
    return finalize([frame.to_deg(shapely.intersection(r, inner)) for r in rings])


# --- 嵊泗县 -----------------------------------------------------------------------------------

def shengsi() -> Territory:
    outline = read_outline("county-330922-shengsi.gcj02.geojson")
    frame = LocalFrame(122.2, 30.7)
    parts_m = [frame.to_m(p) for p in outline.geoms]
    corridor = frame.point_m(*DONGHAI_BRIDGE_CORRIDOR)
    islands = [p for p in parts_m if not p.contains(corridor)]
    assert len(islands) == len(parts_m) - 1, "the 东海大桥 corridor part was not found"

    seats = {s.code: frame.point_m(*s.seat) for s in SHENGSI}
    caiyuan, wulong = "330922100", "330922200"
    sijiao = [p for p in islands if p.contains(seats[caiyuan])]
    assert len(sijiao) == 1 and sijiao[0].contains(seats[wulong]), "泗礁山 must hold both seats"
    sijiao = sijiao[0]

    land: dict[str, list] = {s.code: [] for s in SHENGSI}
    # 泗礁山 is shared by 菜园镇 and 五龙乡: split it on the Voronoi line of their seats.
    pair = np.array([[seats[caiyuan].x, seats[caiyuan].y], [seats[wulong].x, seats[wulong].y]])
    halves = [shapely.intersection(cell, sijiao) for cell in voronoi_cells(pair, sijiao.envelope)]
    for code, half in zip((caiyuan, wulong), consolidate(halves, pair)):
        land[code].append(half)
    # Every other island goes to the township with the nearest seat.
    for island in islands:
        if island is sijiao:
            continue
        nearest = min(SHENGSI, key=lambda s: (island.distance(seats[s.code]), s.code))
        land[nearest.code].append(island)
    rough = {code: shapely.union_all(parts) for code, parts in land.items()}

    townships, villages, grids = hierarchy(frame, "330922", SHENGSI, rough,
                                           village_area=2.0e6, grid_area=0.5e6)
    # The jurisdiction: the islands' convex hull widened by 5 km of sea.
    sea = shapely.convex_hull(shapely.union_all(parts_m)).buffer(5000.0, quad_segs=8)
    county = Unit("330922", "嵊泗县", snap(frame.to_deg(sea)))

    # 马鞍列岛 (嵊山, 枸杞, 花鸟): a marine special protected area, mapped as an ecological
    # red line with a core (重点保护区) and a general zone; generated shapes, HYZF notified.
    maan = shapely.union_all([frame.to_m(t.geom) for t in townships
                              if t.code in ("330922101", "330922202", "330922203")])
    general = shapely.convex_hull(maan).buffer(2000.0, quad_segs=8)
    core = blob(frame.point_m(122.715, 30.792), 2500.0, seed=330922)
    inner = frame.to_m(county.geom).buffer(-2.0)
    core_m, general_m = shapely.intersection(core, inner), shapely.intersection(general.difference(core), inner)
    zone_geoms = finalize([frame.to_deg(core_m), frame.to_deg(general_m)])
    zones = [Zone("330922-HT-MA", "马鞍列岛海洋特别保护区", "ecological_redline", "national", zone,
                  "HYZF", geom) for zone, geom in zip(("core", "general"), zone_geoms)]

    return Territory("330922", "嵊泗县", SHENGSI[0], SHENGSI, county, townships, villages, grids,
                     zones, hubs=[("330922101", ["330922202", "330922203"])])


# --- 阳城县 -----------------------------------------------------------------------------------

def yangcheng() -> Territory:
    outline = read_outline("county-140522-yangcheng.gcj02.geojson")
    frame = LocalFrame(112.33, 35.45)
    outline_m = frame.to_m(outline)
    seats = np.array([[frame.point_m(*s.seat).x, frame.point_m(*s.seat).y] for s in YANGCHENG])
    cells = [shapely.intersection(c, outline_m) for c in voronoi_cells(seats, outline_m.envelope)]
    rough = {s.code: cell for s, cell in zip(YANGCHENG, consolidate(cells, seats))}

    townships, villages, grids = hierarchy(
        frame, "140522", YANGCHENG, rough, village_area=15.0e6, grid_area=3.5e6,
        named={"140522200": (YANSHAN_CENTRE, "安上村")})
    county = Unit("140522", "阳城县", union(t.geom for t in townships))

    zones = []
    reserves = [
        ("140522-ZR-YS", "崦山省级自然保护区", "provincial", YANSHAN_CENTRE, (1400.0, 2200.0, 3000.0), 1405221),
        ("140522-ZR-MH", "蟒河猕猴国家级自然保护区", "national", MANGHE_CENTRE, (2000.0, 3000.0, 4200.0), 1405222),
    ]
    for code, name, level, centre, radii, seed in reserves:
        for zone, geom in zip(("core", "buffer", "experimental"),
                              ringed_zones(frame, county.geom, centre, radii, seed)):
            zones.append(Zone(code, name, "nature_reserve", level, zone, "ZYGH", geom))
    # A drinking-water source area at 董封水库 (a real reservoir; the outline is generated).
    water = ringed_zones(frame, county.geom, (112.232, 35.338), (1200.0,), 1405223)[0]
    zones.append(Zone("140522-SY-DF", "董封水库饮用水水源保护区", "water_source", "county", "general",
                      "STHJ", water))
    return Territory("140522", "阳城县", YANGCHENG[0], YANGCHENG, county, townships, villages, grids, zones)


# --- writing ----------------------------------------------------------------------------------

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


def build(out: Path = HERE) -> dict[str, Territory]:
    out = Path(out)
    result = {"shengsi": shengsi(), "yangcheng": yangcheng()}
    write_bundle(result["shengsi"], out / "shengsi", "geojson", "csv")
    write_bundle(result["yangcheng"], out / "yangcheng", "gpkg", "xlsx")
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the two bundles into")
    args = parser.parse_args(argv)
    for key, t in build(args.out).items():
        land = sum(u.geom.area for u in t.townships)
        print(f"{key}: {len(t.townships)} townships, {len(t.villages)} villages, {len(t.grids)} grids, "
              f"{len(t.zones)} zones; county/land area ratio {t.county.geom.area / land:.2f}")


if __name__ == "__main__":
    main()
