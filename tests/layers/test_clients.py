"""Real clients against a live test server: GDAL's OAPIF driver (ogrinfo) and OWSLib read every
collection with the counts the database holds; both authenticate with an API token."""
import shutil
import subprocess

import pytest
from owslib.ogcapi.features import Features

from layers.catalogue import layers
from tests.layers.conftest import build_world
from tests.users import token_for

OGRINFO = shutil.which("ogrinfo")


@pytest.fixture
def served(transactional_db, live_server):
    world = build_world()
    return world, live_server.url, token_for(world.users["command"])


def expected_counts(world) -> dict:
    """What the command centre of the home county sees, counted in the database."""
    from layers.ogc import _default_options

    user = world.users["command"]
    return {layer.id: layer.queryset_for(user, _default_options(layer)).count() for layer in layers()}


def _ogrinfo(url, token, *args, layer=None) -> str:
    result = subprocess.run([OGRINFO, "--config", "GDAL_HTTP_HEADERS", f"Authorization: Token {token}",
                             "-ro", *args, f"OAPIF:{url}/ogc/", *([layer] if layer else [])],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_follows_the_cursor_next_links_page_by_page_to_every_feature(served):
    world, url, token = served
    features = _ogrinfo(url, token, "-geom=NO", "-oo", "PAGE_SIZE=10", layer="grids")
    codes = [line.split("=", 1)[1].strip() for line in features.splitlines()
             if line.strip().startswith("code (String) = ")]
    assert len(codes) == 64 == len(set(codes))


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_lists_every_collection(served):
    world, url, token = served
    listing = _ogrinfo(url, token, "-q")
    for layer_id in layers().ids():
        assert f": {layer_id} (title: " in listing, layer_id


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_reads_every_feature_of_every_collection(served):
    world, url, token = served
    expected = expected_counts(world)
    assert expected["grids"] == 64 and expected["cases"] == 3
    for layer_id, count in expected.items():
        summary = _ogrinfo(url, token, "-so", layer=layer_id)
        assert f"Feature Count: {count}" in summary, (layer_id, summary)
        features = _ogrinfo(url, token, "-geom=NO", layer=layer_id)
        assert features.count("OGRFeature(") == count, layer_id
        if count:
            assert "code (String) = " in features and "name (String) = " in features, layer_id


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_reads_chinese_names(served):
    world, url, token = served
    assert "name (String) = 第1镇" in _ogrinfo(url, token, "-geom=NO", layer="townships")


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_without_token_is_refused(served):
    world, url, token = served
    result = subprocess.run([OGRINFO, "-ro", "-q", f"OAPIF:{url}/ogc/"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "401" in result.stderr


def test_owslib_reads_collections_and_items(served):
    world, url, token = served
    client = Features(f"{url}/ogc/", headers={"Authorization": f"Token {token}"})
    assert [c["id"] for c in client.collections()["collections"]] == layers().ids()
    assert client.conformance()["conformsTo"]
    expected = expected_counts(world)
    for layer_id, count in expected.items():
        page = client.collection_items(layer_id, limit=1000)
        assert page["numberMatched"] == count == page["numberReturned"], layer_id
    grids = client.collection_items("grids", bbox=[120.001, 30.001, 120.009, 30.009])
    assert [f["id"] for f in grids["features"]] == ["990101001001001"]
    one = client.collection_item("townships", "990101001")
    assert one["properties"]["name"] == "第1镇"
