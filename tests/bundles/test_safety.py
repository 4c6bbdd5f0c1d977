"""A bundle makes the server read nothing outside itself and nothing unbounded."""
import json
import zipfile

import pytest

from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected
from tests.bundle_writer import write_bundle

pytestmark = pytest.mark.django_db


def refused(path, **kwargs) -> str:
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path, **kwargs)
    return str(caught.value)


def zipped(folder, target, extra=()):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for name, data in extra:
            archive.writestr(name, data)
    return target


def edit_manifest(folder, change):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_zip_slip_member_is_refused_by_name(tmp_path):
    archive = zipped(write_bundle(tmp_path / "b"), tmp_path / "b.zip", [("../evil.txt", "x")])
    assert "'../evil.txt' points outside the bundle (zip slip)" in refused(archive)
    assert not (tmp_path / "evil.txt").exists()


def test_zip_member_with_an_absolute_path_is_refused_by_name(tmp_path):
    archive = zipped(write_bundle(tmp_path / "b"), tmp_path / "b.zip", [("/tmp/evil.txt", "x")])
    assert "points outside the bundle" in refused(archive)


def test_zip_bomb_is_refused_by_its_ratio_before_unpacking(tmp_path):
    archive = zipped(write_bundle(tmp_path / "b"), tmp_path / "b.zip",
                     [("padding.bin", b"\0" * (50 * 1024 * 1024))])
    assert archive.stat().st_size < 1024 * 1024
    assert "BUNDLE_ZIP_MAX_RATIO" in refused(archive)


def test_zip_total_size_is_capped_by_a_setting(tmp_path, settings):
    settings.BUNDLE_ZIP_MAX_BYTES = 10_000
    archive = zipped(write_bundle(tmp_path / "b"), tmp_path / "b.zip")
    assert "BUNDLE_ZIP_MAX_BYTES" in refused(archive)


def test_zip_entries_are_capped_by_a_setting(tmp_path, settings):
    settings.BUNDLE_ZIP_MAX_ENTRIES = 5
    archive = zipped(write_bundle(tmp_path / "b"), tmp_path / "b.zip")
    assert "BUNDLE_ZIP_MAX_ENTRIES" in refused(archive)


def test_manifest_path_outside_the_bundle_is_refused(tmp_path):
    folder = edit_manifest(write_bundle(tmp_path / "b"),
                           lambda m: m["tables"].update(departments="/etc/passwd"))
    assert "absolute paths are not accepted" in refused(folder)


def test_manifest_path_climbing_out_of_the_bundle_is_refused(tmp_path):
    (tmp_path / "outside.csv").write_text("code,name,kind\n", encoding="utf-8")
    folder = edit_manifest(write_bundle(tmp_path / "b"),
                           lambda m: m["tables"].update(departments="../outside.csv"))
    assert "it points outside" in refused(folder)


def test_symbolic_link_out_of_the_bundle_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "link.csv").symlink_to("/etc/passwd")
    edit_manifest(folder, lambda m: m["tables"].update(departments="link.csv"))
    assert "it points outside" in refused(folder)


def test_vrt_layer_is_never_opened(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "grids.vrt").write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    edit_manifest(folder, lambda m: m["layers"].update(grids="grids.vrt"))
    assert ".vrt is not an accepted layer format" in refused(folder)


def test_vrt_disguised_as_geojson_is_never_opened(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "grids.geojson").write_text(
        '<?xml version="1.0"?>\n<OGRVRTDataSource><OGRVRTLayer name="x">'
        "<SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    assert "GDAL virtual dataset" in refused(folder)


def test_team_base_far_outside_its_county_is_refused(tmp_path):
    from tests.bundle_writer import lattice, tables
    layers = lattice()
    rows = tables(layers)
    rows["teams"][0]["lon"], rows["teams"][0]["lat"] = "103.0", "31.0"   # ~1,500 km west
    problems = refused(write_bundle(tmp_path / "b", layers=layers, table_rows=rows))
    assert "row 2 (code T990201001): lon/lat: the team's base lies" in problems
    assert "km outside the county" in problems
