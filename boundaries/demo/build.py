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

This module says what each county is (its real outline, seats, hubs and zones); the
levels generated under a county are hierarchy.py's, the writing of a bundle is
bundle_files.py's.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from boundaries.demo.bundle_files import write_bundle
from boundaries.demo.geometry import LocalFrame, blob, consolidate, finalize, snap, union, voronoi_cells
from boundaries.demo.hierarchy import Territory, Unit, Zone, hierarchy, ringed_zones
from boundaries.demo.tables import Township

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"

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


def read_outline(name: str):
    return shape(json.loads((SOURCE / name).read_text(encoding="utf-8")))


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
