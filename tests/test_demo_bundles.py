"""The demo bundles in boundaries/demo, checked on the files (no database needed).

They are what `make demo` loads and what other tests route against, so their geometry must
be exact (children tile parents, siblings do not overlap), every reference must resolve,
and the committed files must be what boundaries/demo/build.py produces.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from gis_app.bundles.checks import TABLE_COLUMNS

DEMO = Path(__file__).resolve().parent.parent / "boundaries" / "demo"
BUNDLES = ["shengsi", "yangcheng"]
LAYERS = ["county", "townships", "villages", "grids", "protected_areas"]
UNIT_LAYERS = ["county", "townships", "villages", "grids"]
CODE_LENGTH = {"county": 6, "townships": 9, "villages": 12, "grids": 15}
PARENT = {"townships": "county", "villages": "townships", "grids": "villages"}
# Relative tolerances: the partitions are exact, these only absorb floating-point area sums.
AREA_MATCH = 0.005      # children's total area vs the parent's, as the task allows
OVERLAP = 1e-9          # sibling overlap as a share of the smaller sibling's area


class Bundle:
    """One demo bundle read once: manifest, layers (GeoDataFrames) and tables (strings)."""

    def __init__(self, key: str):
        self.key = key
        self.root = DEMO / key
        self.manifest = json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))
        self.layers = {name: pyogrio.read_dataframe(self.root / file)
                       for name, file in self.manifest["layers"].items()}
        self.tables = {name: _read_table(self.root / file) for name, file in self.manifest["tables"].items()}

    def geoms(self, layer: str) -> dict[str, object]:
        frame = self.layers[layer]
        return dict(zip(frame["code"], frame.geometry))


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module", params=BUNDLES)
def bundle(request) -> Bundle:
    return Bundle(request.param)


@pytest.fixture(scope="module")
def shengsi() -> Bundle:
    return Bundle("shengsi")


@pytest.fixture(scope="module")
def yangcheng() -> Bundle:
    return Bundle("yangcheng")


def _split(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


# --- manifest and files ---------------------------------------------------------------------

@pytest.mark.parametrize("key", BUNDLES)
def test_manifest_has_exactly_the_contract_keys(key):
    manifest = json.loads((DEMO / key / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"name", "version", "crs", "layers", "tables"}
    assert set(manifest["layers"]) == set(LAYERS) | {"network"}
    assert set(manifest["tables"]) == set(TABLE_COLUMNS)
    assert manifest["crs"] == "GCJ02"


@pytest.mark.parametrize("key", BUNDLES)
def test_every_file_the_manifest_names_exists(key):
    manifest = json.loads((DEMO / key / "manifest.json").read_text(encoding="utf-8"))
    files = list(manifest["layers"].values()) + list(manifest["tables"].values())
    assert [f for f in files if not (DEMO / key / f).is_file()] == []


@pytest.mark.parametrize("key", BUNDLES)
@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_reads_with_pyogrio_as_multipolygons(key, layer):
    manifest = json.loads((DEMO / key / "manifest.json").read_text(encoding="utf-8"))
    info = pyogrio.read_info(DEMO / key / manifest["layers"][layer])
    assert info["features"] > 0
    assert info["geometry_type"] == "MultiPolygon"


def test_shengsi_layers_are_geojson_and_yangcheng_layers_are_geopackages(shengsi, yangcheng):
    assert {Path(f).suffix for f in shengsi.manifest["layers"].values()} == {".geojson"}
    assert {Path(f).suffix for f in yangcheng.manifest["layers"].values()} == {".gpkg"}
    assert yangcheng.manifest["tables"]["catalogue"].endswith(".xlsx")


def test_layer_files_state_no_crs_so_the_manifest_gcj02_applies(shengsi, yangcheng):
    for file in shengsi.manifest["layers"].values():
        assert '"crs"' not in (shengsi.root / file).read_text(encoding="utf-8")[:4096]
    for file in yangcheng.manifest["layers"].values():
        assert pyogrio.read_info(yangcheng.root / file)["crs"] is None


def test_tables_have_exactly_the_contract_columns(bundle):
    assert {name: tuple(frame.columns) for name, frame in bundle.tables.items()} == TABLE_COLUMNS


# --- codes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("layer", UNIT_LAYERS)
def test_codes_are_unique_per_layer(bundle, layer):
    codes = bundle.layers[layer]["code"]
    assert codes.is_unique


@pytest.mark.parametrize("layer", UNIT_LAYERS)
def test_codes_have_the_length_of_their_level(bundle, layer):
    codes = bundle.layers[layer]["code"]
    assert all(len(c) == CODE_LENGTH[layer] and c.isdigit() for c in codes)


@pytest.mark.parametrize("layer", ["townships", "villages", "grids"])
def test_codes_are_prefixed_by_their_parent_code(bundle, layer):
    frame = bundle.layers[layer]
    parents = set(bundle.layers[PARENT[layer]]["code"])
    assert all(code.startswith(parent) for code, parent in zip(frame["code"], frame["parent_code"]))
    assert set(frame["parent_code"]) <= parents


def test_every_township_and_village_has_children(bundle):
    assert set(bundle.layers["townships"]["code"]) == set(bundle.layers["villages"]["parent_code"])
    assert set(bundle.layers["villages"]["code"]) == set(bundle.layers["grids"]["parent_code"])


def test_kinds_follow_the_names(bundle):
    expected = {"镇": "town", "乡": "township", "道": "subdistrict"}
    townships = bundle.layers["townships"]
    assert all(expected[n[-1]] == k for n, k in zip(townships["name"], townships["kind"]))
    villages = bundle.layers["villages"]
    assert all((k == "community") == n.endswith("社区") for n, k in zip(villages["name"], villages["kind"]))


# --- geometry ---------------------------------------------------------------------------------

@pytest.mark.parametrize("layer", LAYERS)
def test_every_geometry_is_valid_and_not_empty(bundle, layer):
    geoms = bundle.layers[layer].geometry.values
    assert shapely.is_valid(geoms).all(), [shapely.is_valid_reason(g) for g in geoms if not g.is_valid][:3]
    assert not shapely.is_empty(geoms).any()


@pytest.mark.parametrize("layer", LAYERS)
def test_coordinates_have_at_most_seven_decimals(bundle, layer):
    coords = shapely.get_coordinates(bundle.layers[layer].geometry.values)
    assert (abs(coords * 1e7 - (coords * 1e7).round()) < 1e-3).all()


@pytest.mark.parametrize("layer", ["villages", "grids"])
def test_children_cover_their_parent_within_half_a_percent(bundle, layer):
    parents = bundle.geoms(PARENT[layer])
    frame = bundle.layers[layer]
    for parent_code, group in frame.groupby("parent_code"):
        children = shapely.union_all(group.geometry.values)
        parent = parents[parent_code]
        assert abs(children.area - parent.area) <= AREA_MATCH * parent.area, parent_code
        assert shapely.difference(parent, children).area <= AREA_MATCH * parent.area, parent_code


@pytest.mark.parametrize("layer", ["townships", "villages", "grids"])
def test_children_lie_inside_their_parent(bundle, layer):
    parents = bundle.geoms(PARENT[layer])
    frame = bundle.layers[layer]
    outside = [code for code, parent, geom in zip(frame["code"], frame["parent_code"], frame.geometry)
               if not shapely.covered_by(geom, parents[parent])]
    assert outside == []


@pytest.mark.parametrize("layer", ["townships", "villages", "grids"])
def test_siblings_do_not_overlap(bundle, layer):
    geoms = bundle.layers[layer].geometry.values
    codes = list(bundle.layers[layer]["code"])
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left, right) if i < j]
    overlapping = [(codes[i], codes[j]) for i, j in pairs
                   if shapely.intersection(geoms[i], geoms[j]).area
                   > OVERLAP * min(geoms[i].area, geoms[j].area)]
    assert overlapping == []


def test_yangcheng_townships_tile_the_county_outline(yangcheng):
    county = yangcheng.layers["county"].geometry[0]
    land = shapely.union_all(yangcheng.layers["townships"].geometry.values)
    assert abs(land.area - county.area) <= 1e-6 * county.area


def test_shengsi_county_includes_sea_beyond_the_townships(shengsi):
    county = shengsi.layers["county"].geometry[0]
    land = shapely.union_all(shengsi.layers["townships"].geometry.values)
    assert county.area > 5 * land.area


def test_a_point_on_the_donghai_bridge_corridor_is_sea(shengsi):
    """The outline's band along the 东海大桥 is jurisdiction but no township's land."""
    corridor = Point(121.98, 30.69)
    assert shengsi.layers["county"].geometry[0].contains(corridor)
    assert not shengsi.layers["townships"].geometry.intersects(corridor).any()


def test_shengsi_land_is_the_outline_islands(shengsi):
    outline = shapely.from_geojson((DEMO / "source" / "county-330922-shengsi.gcj02.geojson").read_text())
    islands = [p for p in outline.geoms if not p.contains(Point(121.98, 30.69))]
    land = shapely.union_all(shengsi.layers["townships"].geometry.values)
    assert len(islands) == len(outline.geoms) - 1
    assert abs(land.area - sum(p.area for p in islands)) <= 1e-6 * land.area


def test_sijiao_island_is_shared_by_caiyuan_and_wulong(shengsi):
    townships = shengsi.geoms("townships")
    caiyuan, wulong = townships["330922100"], townships["330922200"]
    assert caiyuan.intersection(wulong).length > 0  # a land border, not just a point


def test_every_township_team_is_based_on_its_township(bundle):
    townships = bundle.geoms("townships")
    teams = bundle.tables["teams"]
    seats = teams[teams["kind"] == "township_team"]
    off = [row.township_code for row in seats.itertuples()
           if not townships[row.township_code].covers(Point(float(row.lon), float(row.lat)))]
    assert off == []


def test_grid_counts_stay_light_for_tests(shengsi, yangcheng):
    assert 100 <= len(shengsi.layers["grids"]) <= 200
    assert 400 <= len(yangcheng.layers["grids"]) <= 700


# --- protected areas --------------------------------------------------------------------------

def test_protected_area_attributes_use_the_contract_values(bundle):
    frame = bundle.layers["protected_areas"]
    assert set(frame["kind"]) <= {"nature_reserve", "forest_park", "water_source", "ecological_redline"}
    assert set(frame["level"]) <= {"national", "provincial", "city", "county"}
    assert set(frame["zone"]) <= {"core", "buffer", "experimental", "general"}
    assert set(frame["authority"]) <= set(bundle.tables["departments"]["code"])


def test_one_feature_per_zone_of_each_area(bundle):
    frame = bundle.layers["protected_areas"]
    assert not frame.duplicated(["code", "zone"]).any()


def test_protected_zones_lie_inside_the_county(bundle):
    county = bundle.layers["county"].geometry[0]
    assert shapely.covered_by(bundle.layers["protected_areas"].geometry.values, county).all()


def test_zones_of_one_area_are_disjoint(bundle):
    for code, group in bundle.layers["protected_areas"].groupby("code"):
        geoms = list(group.geometry)
        for i in range(len(geoms)):
            for j in range(i + 1, len(geoms)):
                assert shapely.intersection(geoms[i], geoms[j]).area <= OVERLAP * geoms[i].area, code


def test_yangcheng_reserve_zones_are_rings_core_buffer_experimental(yangcheng):
    """The buffer zone separates core from experimental and borders both."""
    frame = yangcheng.layers["protected_areas"]
    for code in ("140522-ZR-YS", "140522-ZR-MH"):
        area = frame[frame["code"] == code]
        zones = dict(zip(area["zone"], area.geometry))
        assert set(zones) == {"core", "buffer", "experimental"}
        assert zones["core"].distance(zones["experimental"]) > 0, code
        assert zones["core"].intersection(zones["buffer"]).length > 0, code
        assert zones["buffer"].intersection(zones["experimental"]).length > 0, code


def test_anshang_village_of_sitou_lies_in_the_yanshan_reserve(yangcheng):
    villages = yangcheng.layers["villages"]
    anshang = villages[villages["name"] == "安上村"]
    assert list(anshang["parent_code"]) == ["140522200"]  # 寺头乡
    frame = yangcheng.layers["protected_areas"]
    yanshan = shapely.union_all(frame[frame["code"] == "140522-ZR-YS"].geometry.values)
    assert anshang.geometry.iloc[0].intersection(yanshan).area > 0


# --- tables -----------------------------------------------------------------------------------

def test_catalogue_has_at_least_forty_items_of_all_three_action_types(bundle):
    catalogue = bundle.tables["catalogue"]
    assert len(catalogue) >= 40
    assert catalogue["code"].is_unique
    assert set(catalogue["action_type"]) == {"inspection", "penalty", "coercive"}


def test_catalogue_mirrors_the_pingshun_spread(bundle):
    counts = bundle.tables["catalogue"]["action_type"].value_counts().to_dict()
    assert counts == {"inspection": 27, "penalty": 7, "coercive": 8}


def test_catalogue_uses_all_three_whistle_kinds_and_names_a_law(bundle):
    catalogue = bundle.tables["catalogue"]
    assert set(catalogue["whistle_kind"]) == {"quick", "tough", "emergency"}
    assert catalogue["legal_basis"].str.contains("《").all()


def test_catalogue_department_references_resolve(bundle):
    departments = set(bundle.tables["departments"]["code"])
    catalogue = bundle.tables["catalogue"]
    assert set(catalogue["department_code"]) <= departments
    supporting = {code for cell in catalogue["supporting_department_codes"] for code in _split(cell)}
    assert supporting and supporting <= departments


def test_departments_are_one_bureau_and_eight_professional(bundle):
    kinds = bundle.tables["departments"]["kind"].value_counts().to_dict()
    assert kinds["bureau"] == 1 and kinds["department"] == 8
    assert bundle.tables["departments"]["code"].is_unique


def test_only_shengsi_has_a_marine_department_and_team(shengsi, yangcheng):
    assert list(shengsi.tables["departments"]["kind"]).count("marine") == 1
    assert list(shengsi.tables["teams"]["kind"]).count("marine") == 1
    assert "marine" not in set(yangcheng.tables["departments"]["kind"])


def test_every_township_and_every_department_has_one_team(bundle):
    teams = bundle.tables["teams"]
    assert teams["code"].is_unique
    township_teams = teams[teams["kind"] == "township_team"]
    assert sorted(township_teams["township_code"]) == sorted(bundle.layers["townships"]["code"])
    department_teams = teams[teams["kind"] != "township_team"]
    assert sorted(department_teams["department_code"]) == sorted(bundle.tables["departments"]["code"])


def test_team_bases_are_lon_lat_inside_the_county(bundle):
    county = bundle.layers["county"].geometry[0]
    teams = bundle.tables["teams"]
    outside = [row.code for row in teams.itertuples()
               if not county.contains(Point(float(row.lon), float(row.lat)))]
    assert outside == []


def test_hub_references_resolve(bundle):
    townships = set(bundle.layers["townships"]["code"])
    for row in bundle.tables["hubs"].itertuples():
        assert row.hub_township_code in townships
        assert set(_split(row.covered_township_codes)) <= townships - {row.hub_township_code}


def test_shengsi_hub_is_shengshan_covering_gouqi_and_huaniao(shengsi):
    hubs = shengsi.tables["hubs"]
    assert [(r.hub_township_code, sorted(_split(r.covered_township_codes))) for r in hubs.itertuples()] == \
        [("330922101", ["330922202", "330922203"])]


def test_authority_references_resolve(bundle):
    authority = bundle.tables["authority"]
    assert set(authority["township_code"]) <= set(bundle.layers["townships"]["code"])
    assert set(authority["item_code"]) <= set(bundle.tables["catalogue"]["code"])
    entrusting = set(authority["entrusting_department_code"]) - {""}
    assert entrusting <= set(bundle.tables["departments"]["code"])


def test_authority_has_one_row_per_township_and_item(bundle):
    authority = bundle.tables["authority"]
    assert not authority.duplicated(["township_code", "item_code"]).any()
    assert len(authority) == len(bundle.layers["townships"]) * len(bundle.tables["catalogue"])


def test_authority_values_spread_over_every_kind(bundle):
    assert set(bundle.tables["authority"]["authority"]) == {"statutory", "granted", "entrusted", "county", "none"}


def test_only_entrusted_rows_name_an_entrusting_department(bundle):
    authority = bundle.tables["authority"]
    entrusted = authority["authority"] == "entrusted"
    assert (authority.loc[entrusted, "entrusting_department_code"] != "").all()
    assert (authority.loc[~entrusted, "entrusting_department_code"] == "").all()


def test_two_items_are_entrusted_as_in_pingshun(bundle):
    authority = bundle.tables["authority"]
    assert authority.loc[authority["authority"] == "entrusted", "item_code"].nunique() == 2


def test_in_shengsi_only_yangshan_holds_granted_items(shengsi):
    authority = shengsi.tables["authority"]
    assert set(authority.loc[authority["authority"] == "granted", "township_code"]) == {"330922102"}


def test_shengsi_squadrons_act_for_the_bureau_on_comprehensive_items(shengsi):
    """Dispatched squadrons act in the county bureau's name: `county` rows on ZHZF items."""
    authority = shengsi.tables["authority"].merge(
        shengsi.tables["catalogue"], left_on="item_code", right_on="code")
    caiyuan_zhzf = authority[(authority["township_code"] == "330922100") & (authority["department_code"] == "ZHZF")]
    assert set(caiyuan_zhzf["authority"]) == {"county"}


# --- the build ----------------------------------------------------------------------------------

def test_rebuilding_reproduces_the_committed_files_byte_for_byte(tmp_path):
    from boundaries.demo.build import build

    build(tmp_path)
    for key in BUNDLES:
        committed = sorted(p.name for p in (DEMO / key).iterdir())
        rebuilt = sorted(p.name for p in (tmp_path / key).iterdir())
        assert rebuilt == committed
        changed = [name for name in committed
                   if (DEMO / key / name).read_bytes() != (tmp_path / key / name).read_bytes()]
        assert changed == [], f"{key}: rerun `python -m boundaries.demo.build` and commit"


# --- the importer -------------------------------------------------------------------------------
# The only tests here that need the database: the shipped bundles must load as they are.

@pytest.mark.django_db
@pytest.mark.parametrize("key", BUNDLES)
def test_demo_bundle_imports_without_problems_or_warnings(key):
    from gis_app.bundles.importer import import_bundle

    result = import_bundle(DEMO / key)
    bundle = Bundle(key)
    assert result.warnings == []
    assert result.counts["grids"] == len(bundle.layers["grids"])
    assert result.counts["authority"] == len(bundle.tables["authority"])


@pytest.mark.django_db
def test_imported_coordinates_are_the_gcj02_files_converted_to_wgs84():
    """The manifest's GCJ02 is honoured for layers and team bases alike: stored values sit
    where the GCJ-02 inverse puts them, hundreds of metres from the raw file coordinates."""
    from django.contrib.gis.db.models.functions import Centroid, Distance
    from django.contrib.gis.geos import Point as GeosPoint

    from boundaries.crs import gcj02_to_wgs84
    from boundaries.models import Grid
    from gis_app.bundles.importer import import_bundle
    from gis_app.enforcement.models import Team

    import_bundle(DEMO / "shengsi")
    # A grid is small enough (< 1 km) for the GCJ-02 offset to be near-affine across it, so
    # converting its centroid and taking the converted polygon's centroid agree within 1 m.
    code = "330922100001001"
    raw = Bundle("shengsi").geoms("grids")[code].centroid
    lon, lat = gcj02_to_wgs84(raw.x, raw.y)
    converted = GeosPoint(float(lon), float(lat), srid=4326)
    unconverted = GeosPoint(raw.x, raw.y, srid=4326)
    grid = Grid.objects.filter(code=code).annotate(
        to_converted=Distance(Centroid("geom"), converted),
        to_raw=Distance(Centroid("geom"), unconverted)).get()
    assert grid.to_converted.m < 1.0
    assert grid.to_raw.m > 100.0
    lon, lat = gcj02_to_wgs84(122.445, 30.725)  # 菜园镇's seat as given, GCJ-02
    team = Team.objects.filter(code="T330922100").annotate(
        off=Distance("base", GeosPoint(float(lon), float(lat), srid=4326))).get()
    assert team.off.m < 1.0


# --- network ----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", BUNDLES)
def test_network_is_one_connected_graph_reaching_every_village(key):
    """Hub reach needs a path from every team base to every village: one component."""
    manifest = json.loads((DEMO / key / "manifest.json").read_text(encoding="utf-8"))
    lines = pyogrio.read_dataframe(DEMO / key / manifest["layers"]["network"])
    assert set(lines["kind"]) <= {"road", "ferry"} and (lines["speed_kmh"].astype(float) > 0).all()
    parent = {}

    def find(v):
        while parent.setdefault(v, v) != v:
            v = parent[v]
        return v

    for line in lines.geometry.values:
        a, b = (tuple(round(c, 7) for c in line.coords[i]) for i in (0, -1))
        parent[find(a)] = find(b)
    assert len({find(v) for v in list(parent)}) == 1
    villages = pyogrio.read_dataframe(DEMO / key / manifest["layers"]["villages"])
    assert len(lines) >= len(villages)
