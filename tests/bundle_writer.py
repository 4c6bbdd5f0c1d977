"""Write territory bundles (DESIGN §5) for tests and benchmarks: a lattice county on disk.

The county is `cols x rows` square townships plus a strip of sea on the east; each township
is split into `villages x villages` villages and each village into `grids x grids` grids.
Codes follow the contract (6/9/12/15 digits). Layers can be written in any OGR format and
any accepted CRS, so the importer is tested on files it has never seen.
"""
from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, box

from boundaries.crs import from_wgs84, parse_crs
from gis_app.bundles.checks import TABLE_COLUMNS
from gis_app.bundles.rule_tables import RULE_TABLE_COLUMNS

EXTENSIONS = {"geojson": ".geojson", "gpkg": ".gpkg", "shp": ".shp"}
DRIVERS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}
DEPARTMENTS = [("ZHZF", "县综合行政执法局", "bureau"), ("SCJG", "县市场监管局", "department"),
               ("STHJ", "县生态环境局", "department"), ("ZYGH", "县资源规划局", "department"),
               ("HYZF", "县海洋综合执法大队", "marine")]
ITEMS = [("I001", "占道经营", "市容环卫", "penalty", "ZHZF", "", "quick"),
         ("I002", "无证经营", "市场监管", "inspection", "SCJG", "ZHZF", "tough"),
         ("I003", "非法排污", "生态环境", "coercive", "STHJ", "ZYGH;SCJG", "emergency"),
         ("I004", "非法占用林地", "自然资源", "penalty", "ZYGH", "", "tough")]


def lattice(code="990201", name="样例县", origin=(118.0, 31.0), cols=2, rows=2, villages=2,
            grids=2, size=0.04, sea=True) -> dict[str, list[dict]]:
    """Features (WGS84 shapely geometry + attributes) per layer name."""
    x0, y0 = origin
    land_x1, land_y1 = x0 + cols * size, y0 + rows * size
    county_geom = box(x0, y0, land_x1 + (size if sea else 0), land_y1)
    layers = {"county": [{"code": code, "name": name, "geometry": county_geom}],
              "townships": [], "villages": [], "grids": []}
    n = 0
    for r in range(rows):
        for c in range(cols):
            n += 1
            tx, ty = x0 + c * size, y0 + r * size
            tcode = f"{code}{n:03d}"
            tname = f"第{n}{'乡' if n % 3 == 0 else '镇'}"
            layers["townships"].append({"code": tcode, "name": tname, "geometry": box(tx, ty, tx + size, ty + size)})
            vs = size / villages
            for vi in range(villages * villages):
                vx, vy = tx + (vi % villages) * vs, ty + (vi // villages) * vs
                vcode = f"{tcode}{vi + 1:03d}"
                layers["villages"].append({"code": vcode, "name": f"{tname}{vi + 1}村",
                                           "geometry": box(vx, vy, vx + vs, vy + vs)})
                gs = vs / grids
                for gi in range(grids * grids):
                    gx, gy = vx + (gi % grids) * gs, vy + (gi // grids) * gs
                    layers["grids"].append({"code": f"{vcode}{gi + 1:03d}", "name": f"{tname}{vi + 1}村{gi + 1}网格",
                                            "geometry": box(gx, gy, gx + gs, gy + gs)})
    t0 = layers["townships"][0]["geometry"]
    cx, cy = t0.centroid.x, t0.centroid.y
    q = size / 8
    layers["protected_areas"] = [
        {"code": f"PA{code}01", "name": "样例自然保护区", "kind": "nature_reserve", "level": "provincial",
         "zone": "core", "authority": "ZYGH", "geometry": box(cx - q, cy - q, cx + q, cy + q)},
        {"code": f"PA{code}01", "name": "样例自然保护区", "kind": "nature_reserve", "level": "provincial",
         "zone": "buffer", "authority": "ZYGH",
         "geometry": box(cx - 2 * q, cy - 2 * q, cx + 2 * q, cy + 2 * q).difference(box(cx - q, cy - q, cx + q, cy + q))},
    ]
    layers["network"] = network(layers["townships"], sea_x=land_x1 + size / 2 if sea else None)
    return layers


def network(townships: list[dict], sea_x=None) -> list[dict]:
    """Roads joining neighbouring township centres in a chain, and a ferry out to sea."""
    from shapely.geometry import LineString
    centres = [t["geometry"].centroid for t in townships]
    edges = [{"kind": "road", "speed_kmh": 40, "oneway": "no",
              "geometry": LineString([(a.x, a.y), (b.x, b.y)])} for a, b in zip(centres, centres[1:])]
    if sea_x is not None:
        last = centres[-1]
        edges.append({"kind": "ferry", "speed_kmh": 20, "oneway": "no",
                      "geometry": LineString([(last.x, last.y), (sea_x, last.y)])})
    return edges


def tables(layers: dict) -> dict[str, list[dict]]:
    townships = layers["townships"]
    teams = [{"code": f"T{t['code']}", "name": f"{t['name']}综合行政执法队", "kind": "township_team",
              "township_code": t["code"], "department_code": "",
              "lon": f"{t['geometry'].centroid.x:.6f}", "lat": f"{t['geometry'].centroid.y:.6f}"}
             for t in townships]
    teams += [{"code": f"T{c}", "name": f"{n}执法队", "kind": "marine" if k == "marine" else "department",
               "township_code": "", "department_code": c, "lon": "", "lat": ""} for c, n, k in DEPARTMENTS]
    kinds = ["statutory", "granted", "entrusted", "county", "none"]
    authority = []
    for i, t in enumerate(townships):
        for j, item in enumerate(ITEMS):
            kind = kinds[(i + j) % len(kinds)]
            authority.append({"township_code": t["code"], "item_code": item[0], "authority": kind,
                              "entrusting_department_code": "SCJG" if kind == "entrusted" else ""})
    hubs = []
    if len(townships) >= 3:
        hubs.append({"hub_township_code": townships[0]["code"],
                     "covered_township_codes": f"{townships[1]['code']};{townships[2]['code']}"})
    return {
        "departments": [{"code": c, "name": n, "kind": k} for c, n, k in DEPARTMENTS],
        "teams": teams,
        "hubs": hubs,
        "catalogue": [{"code": c, "name": n, "domain": d, "action_type": a, "legal_basis": "《行政处罚法》",
                       "department_code": dep, "supporting_department_codes": sup, "whistle_kind": w}
                      for c, n, d, a, dep, sup, w in ITEMS],
        "authority": authority,
    }


def write_bundle(folder, *, fmt="geojson", crs="EPSG:4326", layers=None, table_rows=None,
                 **lattice_args) -> Path:
    """Write a complete bundle into `folder`; returns the folder.

    Team lon/lat in `table_rows` are WGS84; they are written in the table CRS the contract
    implies (the bundle's CRS when it is geographic, else WGS84).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layers = layers or lattice(**lattice_args)
    table_rows = table_rows or tables(layers)
    target = parse_crs(crs)
    manifest = {"name": f"bundle {layers['county'][0]['name']}", "version": "1", "crs": target.name,
                "layers": {}, "tables": {}}
    for name, features in layers.items():
        file = name + EXTENSIONS[fmt]
        write_layer(folder / file, features, target, fmt)
        manifest["layers"][name] = file
    for name, rows in table_rows.items():
        if name == "teams" and target.is_geographic:
            rows = [team_in_crs(row, target) for row in rows]
        file = f"{name}.csv"
        write_table(folder / file, rows, None if rows else list({**TABLE_COLUMNS, **RULE_TABLE_COLUMNS}[name]))
        manifest["tables"][name] = file
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def write_layer(path: Path, features: list[dict], crs, fmt: str) -> None:
    """Geometries go out in `crs`; files that can state a CRS state it, GCJ-02 files state none."""
    frame = gpd.GeoDataFrame([{k: v for k, v in f.items() if k != "geometry"} for f in features],
                             geometry=[as_multi(to_crs(f["geometry"], crs)) for f in features])
    if not crs.is_gcj02:
        frame = frame.set_crs(crs.name, allow_override=True)
    path.unlink(missing_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided")  # GCJ-02 has no CRS to state
        frame.to_file(path, driver=DRIVERS[fmt], engine="pyogrio")


def write_table(path: Path, rows: list[dict], columns=None) -> None:
    columns = columns or (list(rows[0]) if rows else [])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def team_in_crs(row: dict, crs) -> dict:
    if not row.get("lon"):
        return row
    x, y = from_wgs84(float(row["lon"]), float(row["lat"]), crs)
    return {**row, "lon": f"{float(x):.7f}", "lat": f"{float(y):.7f}"}


def to_crs(geom, crs):
    if geom is None:
        return None

    def xform(coords):
        x, y = from_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([x, y])

    return shapely.transform(geom, xform)


def as_multi(geom):
    if geom is None or geom.geom_type == "MultiPolygon":
        return geom
    return MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom
