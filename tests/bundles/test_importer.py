"""Importing a bundle the code has never seen: any OGR format, any accepted CRS, all of it."""
import shutil
import zipfile

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from boundaries.crs import wgs84_to_gcj02
from boundaries.models import County, CountyPart, Grid, HubArea, ProtectedArea, Township, Village
from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected
from gis_app.enforcement.models import Authority, CatalogItem, Department, Team
from tests.bundle_writer import lattice, tables, write_bundle

pytestmark = pytest.mark.django_db

EXPECTED = {"county": 1, "townships": 4, "villages": 16, "grids": 64, "protected_areas": 2,
            "departments": 5, "teams": 9, "hubs": 1, "catalogue": 4, "authority": 16, "network": 4}


def test_import_reports_counts_per_layer(tmp_path):
    result = import_bundle(write_bundle(tmp_path / "b"))
    assert result.counts == EXPECTED
    assert (result.county_code, result.county_name) == ("990201", "样例县")


@pytest.mark.parametrize("fmt,crs", [("geojson", "EPSG:4326"), ("gpkg", "GCJ02"),
                                     ("shp", "EPSG:4527"), ("gpkg", "EPSG:3857"),
                                     ("geojson", "EPSG:4490")])
def test_any_format_and_crs_lands_in_the_same_place(tmp_path, fmt, crs):
    import_bundle(write_bundle(tmp_path / "b", fmt=fmt, crs=crs))
    grid = Grid.objects.get(code="990201001001001")
    # The first grid of the lattice is the box 118.0..118.01 x 31.0..31.01 in WGS84.
    assert grid.geom.extent == pytest.approx((118.0, 31.0, 118.01, 31.01), abs=1e-7)


def test_gcj02_bundle_is_stored_in_wgs84(tmp_path):
    import_bundle(write_bundle(tmp_path / "b", crs="GCJ02"))
    township = Township.objects.get(code="990201001")
    gx, gy = wgs84_to_gcj02(118.0, 31.0)
    assert (float(gx), float(gy)) != pytest.approx((118.0, 31.0), abs=1e-4)  # the offset is real
    assert township.geom.extent[:2] == pytest.approx((118.0, 31.0), abs=1e-8)


def test_parents_come_from_code_prefixes(tmp_path):
    import_bundle(write_bundle(tmp_path / "b"))
    grid = Grid.objects.select_related("village", "township", "county").get(code="990201004003002")
    assert (grid.village.code, grid.township.code, grid.county.code) == \
        ("990201004003", "990201004", "990201")


def test_parent_code_attribute_overrides_the_prefix(tmp_path):
    layers = lattice()
    for village in layers["villages"]:
        if village["code"] == "990201001001":
            village["parent_code"] = "990201001"
    import_bundle(write_bundle(tmp_path / "b", layers=layers))
    assert Village.objects.get(code="990201001001").township.code == "990201001"


def test_kind_is_taken_from_the_name_when_absent(tmp_path):
    import_bundle(write_bundle(tmp_path / "b"))
    kinds = dict(Township.objects.values_list("name", "kind"))
    assert kinds["第1镇"] == "town" and kinds["第3乡"] == "township"


def test_zip_bundle_imports_like_a_folder(tmp_path):
    folder = write_bundle(tmp_path / "b")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"territory/{f.name}")
    assert import_bundle(archive).counts == EXPECTED


def test_xlsx_table_is_accepted(tmp_path):
    import pandas as pd
    folder = write_bundle(tmp_path / "b")
    pd.read_csv(folder / "catalogue.csv", dtype=str, keep_default_na=False).to_excel(
        folder / "catalogue.xlsx", index=False)
    manifest = (folder / "manifest.json").read_text(encoding="utf-8").replace("catalogue.csv", "catalogue.xlsx")
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    (folder / "catalogue.csv").unlink()
    assert import_bundle(folder).counts["catalogue"] == 4


def test_county_jurisdiction_is_subdivided_for_lookups(tmp_path):
    import_bundle(write_bundle(tmp_path / "b"))
    county = County.objects.get(code="990201")
    assert CountyPart.objects.filter(county=county).exists()
    sea_point = Point(118.1, 31.04, srid=4326)  # east of the land, inside the jurisdiction
    assert CountyPart.objects.filter(geom__covers=sea_point, county=county).exists()
    assert not Township.objects.filter(geom__covers=sea_point).exists()


def test_enforcement_tables_are_written_with_their_links(tmp_path):
    import_bundle(write_bundle(tmp_path / "b"))
    item = CatalogItem.objects.get(code="I003", county__code="990201")
    assert item.department.code == "STHJ"
    assert sorted(item.supporting_departments.values_list("code", flat=True)) == ["SCJG", "ZYGH"]
    hub = HubArea.objects.get(hub__code="990201001")
    assert sorted(hub.covered.values_list("code", flat=True)) == ["990201002", "990201003"]
    entrusted = Authority.objects.filter(authority="entrusted").first()
    assert entrusted.entrusting_department.code == "SCJG"
    assert ProtectedArea.objects.get(zone="core").authority_code == "ZYGH"


def test_team_base_is_converted_from_the_table_crs(tmp_path):
    import_bundle(write_bundle(tmp_path / "b", crs="GCJ02"))
    team = Team.objects.get(code="T990201001")
    township = Township.objects.get(code="990201001")
    # The writer put the base at the township centroid, in GCJ-02 like the layers.
    gx, gy = wgs84_to_gcj02(township.geom.centroid.x, township.geom.centroid.y)
    assert (team.base.x, team.base.y) == pytest.approx((township.geom.centroid.x, township.geom.centroid.y),
                                                         abs=2e-6)
    assert (float(gx), float(gy)) != pytest.approx((team.base.x, team.base.y), abs=1e-4)
    assert Team.objects.get(code="TSCJG").base is None


def test_dry_run_checks_and_writes_nothing(tmp_path):
    result = import_bundle(write_bundle(tmp_path / "b"), dry_run=True)
    assert result.dry_run and result.counts == EXPECTED
    assert not County.objects.exists() and not Department.objects.exists()


def test_counties_live_side_by_side(tmp_path):
    import_bundle(write_bundle(tmp_path / "a"))
    import_bundle(write_bundle(tmp_path / "b", code="990202", name="邻县", origin=(118.2, 31.0)))
    assert County.objects.count() == 2
    assert Department.objects.filter(code="SCJG").count() == 2
    assert Grid.objects.filter(county__code="990202").count() == 64


def test_loaded_county_is_not_replaced_without_replace(tmp_path):
    folder = write_bundle(tmp_path / "b")
    import_bundle(folder)
    with pytest.raises(BundleRejected, match="already loaded.*--replace"):
        import_bundle(folder)


def test_replace_updates_in_place_and_keeps_ids(tmp_path):
    import_bundle(write_bundle(tmp_path / "a"))
    kept = Grid.objects.get(code="990201001001001").pk
    team = Team.objects.get(code="T990201001").pk
    layers = lattice()
    layers["townships"][0]["name"] = "新名镇"
    layers["grids"] = [g for g in layers["grids"] if g["code"] != "990201004004004"]
    result = import_bundle(write_bundle(tmp_path / "b", layers=layers), replace=True)
    assert result.replaced
    assert Township.objects.get(code="990201001").name == "新名镇"
    assert Grid.objects.get(code="990201001001001").pk == kept
    assert Team.objects.get(code="T990201001").pk == team
    assert not Grid.objects.filter(code="990201004004004").exists()
    assert Grid.objects.count() == 63


def test_replace_removes_rows_the_new_bundle_no_longer_has(tmp_path):
    import_bundle(write_bundle(tmp_path / "a"))
    layers = lattice()
    rows = tables(layers)
    rows["catalogue"] = [r for r in rows["catalogue"] if r["code"] != "I004"]
    rows["authority"] = [r for r in rows["authority"] if r["item_code"] != "I004"]
    rows["hubs"] = []
    layers["protected_areas"] = layers["protected_areas"][:1]
    import_bundle(write_bundle(tmp_path / "b", layers=layers, table_rows=rows), replace=True)
    assert not CatalogItem.objects.filter(code="I004").exists()
    assert not HubArea.objects.exists()
    assert list(ProtectedArea.objects.values_list("zone", flat=True)) == ["core"]


def test_command_prints_counts(tmp_path, capsys):
    call_command("import_bundle", str(write_bundle(tmp_path / "b")))
    out = capsys.readouterr().out
    assert "imported county 990201 样例县" in out
    assert "grids" in out and "64" in out


def test_command_exits_non_zero_listing_problems(tmp_path):
    from django.core.management.base import CommandError
    folder = write_bundle(tmp_path / "b")
    (folder / "teams.csv").unlink()
    with pytest.raises(CommandError, match="teams.csv: missing"):
        call_command("import_bundle", str(folder))


def test_bundle_in_a_copied_folder_is_independent_of_its_path(tmp_path):
    folder = write_bundle(tmp_path / "b")
    shutil.copytree(folder, tmp_path / "c")
    assert import_bundle(tmp_path / "c").counts == EXPECTED
    assert np.isclose(County.objects.get().geom.area, 0.12 * 0.08)  # 2x2 land cells + a sea column


def test_network_layer_is_loaded_with_its_topology(tmp_path):
    from boundaries.models import NetworkEdge
    import_bundle(write_bundle(tmp_path / "b", crs="GCJ02"))
    edges = NetworkEdge.objects.filter(county__code="990201").order_by("pk")
    assert [e.kind for e in edges] == ["road", "road", "road", "ferry"]
    assert edges[0].target == edges[1].source  # the chain shares its ends
    assert edges[0].length_m == pytest.approx(3835, rel=0.01)  # 0.04° of longitude at 31°N


def test_replace_without_a_network_layer_removes_the_network(tmp_path):
    from boundaries.models import NetworkEdge
    import_bundle(write_bundle(tmp_path / "a"))
    layers = lattice()
    del layers["network"]
    import_bundle(write_bundle(tmp_path / "b", layers=layers), replace=True)
    assert not NetworkEdge.objects.exists()
