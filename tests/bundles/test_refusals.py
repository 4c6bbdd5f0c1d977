"""A bundle with any mistake is refused whole, every mistake named, nothing stored changed."""
import hashlib
import json

import pytest
from django.db import connection
from shapely.geometry import Polygon, box

from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected
from tests.bundle_writer import lattice, tables, write_bundle, write_table

pytestmark = pytest.mark.django_db


def refusal(folder, **kwargs) -> list[str]:
    with pytest.raises(BundleRejected) as caught:
        import_bundle(folder, **kwargs)
    return [str(p) for p in caught.value.report.problems]


def one_problem_about(problems, *words):
    hits = [p for p in problems if all(w in p for w in words)]
    assert hits, f"no problem mentions {words}: {problems}"
    return hits


def database_snapshot() -> str:
    """A digest of every territory and organisation row: equal digests, nothing changed."""
    digest = hashlib.sha256()
    with connection.cursor() as cur:
        for table in ("boundaries_county", "boundaries_township", "boundaries_village", "boundaries_grid",
                      "boundaries_protectedarea", "boundaries_hubarea", "boundaries_hubarea_covered",
                      "boundaries_countypart", "boundaries_townshippart",
                      "enforcement_department", "enforcement_team",
                      "enforcement_catalogitem", "enforcement_catalogitem_supporting_departments",
                      "enforcement_authority"):
            cur.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            digest.update(cur.fetchone()[0].encode())
    return digest.hexdigest()


# --- the bundle as a whole ----------------------------------------------------------------

def test_missing_manifest_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "manifest.json").unlink()
    one_problem_about(refusal(folder), "manifest.json", "missing")


def test_unknown_manifest_crs_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["crs"] = "EPSG:27700"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    one_problem_about(refusal(folder), "manifest.json", "crs", "unknown CRS 'EPSG:27700'")


def test_missing_file_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "villages.geojson").unlink()
    one_problem_about(refusal(folder), "villages.geojson", "missing", "layer 'villages'")


# --- layers -------------------------------------------------------------------------------

def test_missing_layer_column_is_refused(tmp_path):
    layers = lattice()
    rows = tables(layers)
    for feature in layers["townships"]:
        del feature["name"]
    one_problem_about(refusal(write_bundle(tmp_path / "b", layers=layers, table_rows=rows)),
                      "townships.geojson", "name",
                      "missing column")


def test_unparseable_geometry_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    data = json.loads((folder / "grids.geojson").read_text())
    data["features"][5]["geometry"]["coordinates"] = "not coordinates"
    (folder / "grids.geojson").write_text(json.dumps(data))
    one_problem_about(refusal(folder), "grids.geojson", "feature 6 (code 990201001002002)",
                      "missing or unparseable geometry", "GDAL:", "Expected array")


def bowtie_layers():
    layers = lattice()
    x0, y0, x1, y1 = layers["grids"][0]["geometry"].bounds
    layers["grids"][0]["geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    return layers


def test_self_intersecting_polygon_is_refused(tmp_path):
    problems = refusal(write_bundle(tmp_path / "b", layers=bowtie_layers()))
    one_problem_about(problems, "grids.geojson", "990201001001001", "invalid polygon", "Self-intersection",
                      "--repair")


def test_repair_makes_the_polygon_valid_and_says_what_changed(tmp_path):
    result = import_bundle(write_bundle(tmp_path / "b", layers=bowtie_layers()), repair=True)
    assert result.counts["grids"] == 64
    warnings = [str(w) for w in result.warnings]
    one_problem_about(warnings, "990201001001001", "repaired", "Self-intersection", "m²")


def test_duplicate_code_in_a_layer_is_refused(tmp_path):
    layers = lattice()
    layers["villages"][1]["code"] = layers["villages"][0]["code"]
    problems = refusal(write_bundle(tmp_path / "b", layers=layers))
    hits = one_problem_about(problems, "villages.geojson", "duplicate code 990201001001")
    assert len(hits) == 2  # both occurrences are named


def test_wrong_code_length_is_refused(tmp_path):
    layers = lattice()
    layers["townships"][0]["code"] = "99020101"
    one_problem_about(refusal(write_bundle(tmp_path / "b", layers=layers)), "townships.geojson",
                      "a township code has 9 digits, got '99020101'")


def test_parent_code_that_does_not_exist_is_refused(tmp_path):
    layers = lattice()
    layers["villages"][0]["parent_code"] = "990201009"
    for v in layers["villages"][1:]:
        v["parent_code"] = ""
    one_problem_about(refusal(write_bundle(tmp_path / "b", layers=layers)), "villages.geojson",
                      "990201001001", "parent township '990201009' does not exist")


def test_child_mostly_outside_its_parent_is_refused(tmp_path):
    layers = lattice()
    # Move village 1 of township 1 into the sea strip east of the land.
    layers["villages"][0]["geometry"] = box(118.09, 31.0, 118.11, 31.02)
    problems = refusal(write_bundle(tmp_path / "b", layers=layers))
    one_problem_about(problems, "villages.geojson", "990201001001", "mostly outside its parent",
                      "township 990201001")


def test_overlapping_siblings_are_refused(tmp_path):
    layers = lattice()
    x0, y0, x1, y1 = layers["townships"][0]["geometry"].bounds
    layers["townships"][0]["geometry"] = box(x0, y0, x1 + (x1 - x0) / 2, y1)
    problems = refusal(write_bundle(tmp_path / "b", layers=layers))
    one_problem_about(problems, "townships.geojson", "990201001", "overlaps township 990201002")


def test_overlap_within_tolerance_is_accepted(tmp_path):
    layers = lattice()
    x0, y0, x1, y1 = layers["townships"][0]["geometry"].bounds
    layers["townships"][0]["geometry"] = box(x0, y0, x1 + (x1 - x0) / 400, y1)  # 0.25%
    assert import_bundle(write_bundle(tmp_path / "b", layers=layers)).counts["townships"] == 4


def test_unknown_enum_value_in_a_layer_is_refused(tmp_path):
    layers = lattice()
    layers["protected_areas"][0]["zone"] = "centre"
    one_problem_about(refusal(write_bundle(tmp_path / "b", layers=layers)), "protected_areas.geojson",
                      "zone", "unknown value 'centre'", "core, buffer, experimental, general")


def test_swapped_latitude_and_longitude_are_refused(tmp_path):
    import shapely
    layers = lattice()
    layers["townships"] = [{**t, "geometry": shapely.transform(t["geometry"], lambda c: c[:, ::-1])}
                           for t in layers["townships"]]
    problems = refusal(write_bundle(tmp_path / "b", layers=layers))
    one_problem_about(problems, "townships.geojson", "cannot be in EPSG:4326", "swapped")


def test_metres_declared_as_degrees_are_refused(tmp_path):
    folder = write_bundle(tmp_path / "b", crs="EPSG:4527", fmt="gpkg")
    for file in folder.glob("*.gpkg"):  # strip the files' own CRS so the manifest decides
        import pyogrio
        frame = pyogrio.read_dataframe(file)
        frame = frame.set_crs(None, allow_override=True)
        file.unlink()
        pyogrio.write_dataframe(frame, file)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["crs"] = "EPSG:4326"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    one_problem_about(refusal(folder), "grids.gpkg", "cannot be in EPSG:4326")


def test_coordinates_outside_the_stated_gauss_kruger_zone_are_refused(tmp_path):
    # EPSG:4527 is zone 39 (117°E); the same metres read as zone 45 (135°E, EPSG:4533) land far east.
    folder = write_bundle(tmp_path / "b", crs="EPSG:4527", fmt="shp")
    for prj in folder.glob("*.prj"):
        prj.unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["crs"] = "EPSG:4533"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    one_problem_about(refusal(folder), "townships.shp", "cannot be in EPSG:4533", "area of use")


# --- tables -------------------------------------------------------------------------------

def test_missing_table_column_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    rows = [{k: v for k, v in r.items() if k != "kind"} for r in tables(lattice())["teams"]]
    write_table(folder / "teams.csv", rows)
    one_problem_about(refusal(folder), "teams.csv", "kind", "missing column")


def test_table_row_naming_an_unknown_township_is_refused(tmp_path):
    rows = tables(lattice())
    rows["teams"][2]["township_code"] = "990201099"
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "teams.csv", "row 4",
                      "township_code", "unknown township '990201099'")


def test_table_row_naming_an_unknown_item_is_refused(tmp_path):
    rows = tables(lattice())
    rows["authority"][0]["item_code"] = "I999"
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "authority.csv", "row 2",
                      "unknown catalogue item 'I999'")


def test_table_row_naming_an_unknown_department_is_refused(tmp_path):
    rows = tables(lattice())
    rows["catalogue"][2]["supporting_department_codes"] = "ZYGH;NOPE"
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "catalogue.csv", "row 4",
                      "supporting_department_codes", "unknown department 'NOPE'")


def test_zone_authority_must_be_a_department_of_the_bundle(tmp_path):
    layers = lattice()
    layers["protected_areas"][0]["authority"] = "LYJ"
    one_problem_about(refusal(write_bundle(tmp_path / "b", layers=layers)), "protected_areas.geojson",
                      "authority", "unknown department 'LYJ'")


def test_unknown_enum_value_in_a_table_is_refused(tmp_path):
    rows = tables(lattice())
    rows["catalogue"][0]["action_type"] = "fine"
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "catalogue.csv",
                      "action_type", "unknown value 'fine'")


def test_entrusted_item_without_entrusting_department_is_refused(tmp_path):
    rows = tables(lattice())
    entrusted = next(r for r in rows["authority"] if r["authority"] == "entrusted")
    entrusted["entrusting_department_code"] = ""
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "authority.csv",
                      "entrusting_department_code", "names the department that entrusts it")


def test_township_covered_by_two_hubs_is_refused(tmp_path):
    rows = tables(lattice())
    rows["hubs"].append({"hub_township_code": "990201004", "covered_township_codes": "990201002"})
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "hubs.csv",
                      "990201002 is already covered")


def test_swapped_team_base_is_refused(tmp_path):
    rows = tables(lattice())
    rows["teams"][0]["lon"], rows["teams"][0]["lat"] = rows["teams"][0]["lat"], rows["teams"][0]["lon"]
    one_problem_about(refusal(write_bundle(tmp_path / "b", table_rows=rows)), "teams.csv", "row 2",
                      "lon/lat", "swapped")


# --- all or nothing -------------------------------------------------------------------------

def test_mistakes_in_three_files_are_all_listed_and_nothing_changes(tmp_path):
    import_bundle(write_bundle(tmp_path / "good"))
    before = database_snapshot()
    layers = lattice()
    layers["townships"][0]["name"] = "改名镇"  # a valid change that must not land either
    layers["grids"][3]["code"] = layers["grids"][2]["code"]
    rows = tables(layers)
    rows["teams"][0]["township_code"] = "990201077"
    rows["catalogue"][1]["whistle_kind"] = "loud"
    problems = refusal(write_bundle(tmp_path / "bad", layers=layers, table_rows=rows), replace=True)
    one_problem_about(problems, "grids.geojson", "duplicate code")
    one_problem_about(problems, "teams.csv", "unknown township '990201077'")
    one_problem_about(problems, "catalogue.csv", "whistle_kind", "unknown value 'loud'")
    assert database_snapshot() == before


def test_refused_new_county_leaves_no_trace(tmp_path):
    before = database_snapshot()
    rows = tables(lattice())
    rows["departments"][0]["kind"] = "ministry"
    refusal(write_bundle(tmp_path / "b", table_rows=rows))
    assert database_snapshot() == before


def test_bad_network_features_are_refused(tmp_path):
    layers = lattice()
    layers["network"][0]["kind"] = "railway"
    layers["network"][1]["speed_kmh"] = -5
    layers["network"][2]["geometry"] = box(118.0, 31.0, 118.01, 31.01)
    problems = refusal(write_bundle(tmp_path / "b", layers=layers))
    one_problem_about(problems, "network.geojson", "feature 1", "kind", "'railway' is not one of road, ferry")
    one_problem_about(problems, "network.geojson", "feature 2", "speed_kmh")
    one_problem_about(problems, "network.geojson", "feature 3", "a MultiPolygon where a line")
