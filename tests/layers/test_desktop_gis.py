"""Desktop GIS reads every collection: OGC API - Features Part 2 CRSs (advertised, `crs` and
`bbox-crs` honoured in each CRS's axis order) and the schema of a collection even when it is
empty (`describedby` JSON Schema, `/queryables`), checked with real GDAL programs."""
import shutil
import subprocess

import pyogrio
import pytest

from layers.catalogue import layers
from tests.layers.conftest import build_world
from tests.layers import gdal_info
from tests.users import token_for

OGR2OGR, OGRINFO = shutil.which("ogr2ogr"), shutil.which("ogrinfo")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
ZONE_40 = EPSG + "4528"   # CGCS2000 3-degree Gauss-Kruger zone 40 (CM 120E): the test county's


def test_collections_advertise_crs84_4326_4490_the_countys_gauss_kruger_zone_and_3857(get):
    doc = get("command", "/ogc/collections/grids").json()
    assert doc["crs"] == [CRS84, EPSG + "4326", EPSG + "4490", ZONE_40, EPSG + "3857"]
    assert doc["storageCrs"] == CRS84


def test_conformance_declares_part_2(get):
    assert ("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
            in get("command", "/ogc/conformance").json()["conformsTo"])


def _first_position(doc):
    coords = doc["features"][0]["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords


def test_epsg_4326_output_is_latitude_first_and_crs84_longitude_first(get):
    path = "/ogc/collections/grids/items"
    lon_first = _first_position(get("command", path, limit=1).json())
    response = get("command", path, limit=1, crs=EPSG + "4326")
    lat_first = _first_position(response.json())
    assert lat_first == pytest.approx([lon_first[1], lon_first[0]])
    assert response["Content-Crs"] == f"<{EPSG}4326>"


def test_gauss_kruger_output_is_northing_first_in_metres(get):
    response = get("command", "/ogc/collections/grids/items", limit=1, crs=ZONE_40)
    north, east = _first_position(response.json())
    assert 3_300_000 < north < 3_400_000 and 40_400_000 < east < 40_600_000
    assert response["Content-Crs"] == f"<{ZONE_40}>"


def test_bbox_crs_in_epsg_4326_is_read_latitude_first(get):
    path = "/ogc/collections/grids/items"
    lonlat = get("command", path, bbox="120.001,30.001,120.002,30.002").json()
    latlon = get("command", path, bbox="30.001,120.001,30.002,120.002", **{"bbox-crs": EPSG + "4326"}).json()
    assert lonlat["numberMatched"] == latlon["numberMatched"] == 1
    assert latlon["features"][0]["id"] == lonlat["features"][0]["id"]


def test_every_collection_describes_its_features_in_json_schema(get):
    for layer in layers():
        collection = get("command", f"/ogc/collections/{layer.id}").json()
        described = [l for l in collection["links"] if l["rel"].lower() == "describedby"]
        assert described and {l["type"] for l in described} == {"application/schema+json"}, layer.id
        response = get("command", f"/ogc/collections/{layer.id}/schema")
        assert response["Content-Type"] == "application/schema+json"
        props = response.json()["properties"]["properties"]["properties"]
        assert list(props) == [a.name for a in layer.attributes], layer.id


def test_schema_types_follow_the_attribute_types(get):
    props = get("command", "/ogc/collections/cases/schema").json()["properties"]["properties"]["properties"]
    assert props["created_at"] == {"type": "string", "format": "date-time", "title": "上报时间"}
    assert props["overdue"]["type"] == "boolean"


def test_schema_and_queryables_title_each_property_with_its_label(get):
    """The registry's one declaration: the popups' Chinese label is the schema's `title`."""
    for layer in layers():
        props = get("command", f"/ogc/collections/{layer.id}/schema").json()["properties"]["properties"]["properties"]
        assert {n: p["title"] for n, p in props.items()} == {a.name: a.label for a in layer.attributes}, layer.id
    tracks = get("command", "/ogc/collections/tracks/queryables").json()["properties"]
    assert (tracks["started_at"]["title"], tracks["ended_at"]["title"]) == ("开始时间", "结束时间")


def test_queryables_name_the_geometry_and_the_time(get):
    doc = get("command", "/ogc/collections/cases/queryables").json()
    assert doc["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
    assert doc["properties"]["created_at"]["x-ogc-role"] == "primary-instant"
    assert doc["additionalProperties"] is False


def test_a_planners_schema_lists_only_the_summary_attributes(get):
    props = get("planner", "/ogc/collections/cases/schema").json()["properties"]["properties"]["properties"]
    assert "description" not in props and "state" in props


# --- real GDAL -------------------------------------------------------------------------------

@pytest.fixture
def served(transactional_db, live_server):
    world = build_world()
    return world, live_server.url, token_for(world.users["command"])


@pytest.mark.skipif(OGR2OGR is None, reason="ogr2ogr (Debian gdal-bin) is not installed")
def test_ogr2ogr_of_an_empty_collection_keeps_its_fields(served, tmp_path):
    world, url, token = served
    out = tmp_path / "empty.gpkg"
    result = subprocess.run([OGR2OGR, "--config", "GDAL_HTTP_HEADERS", f"Authorization: Token {token}",
                             "-f", "GPKG", str(out), f"OAPIF:{url}/ogc/", "case-footprints"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    info = pyogrio.read_info(out, layer="case-footprints")
    assert info["features"] == 0
    expected = [a.name for a in layers().get("case-footprints").attributes]
    assert [f for f in info["fields"] if f != "id"] == expected
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["overdue"] == "bool" and types["created_at"].startswith("datetime")


@pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_debian_ogrinfo_lists_the_fields_of_an_empty_collection(served):
    world, url, token = served
    result = subprocess.run([OGRINFO, "--config", "GDAL_HTTP_HEADERS", f"Authorization: Token {token}",
                             "-ro", "-so", f"OAPIF:{url}/ogc/", "case-footprints"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Feature Count: 0" in result.stdout
    assert "code: String" in result.stdout and "created_at: DateTime" in result.stdout


def test_ogrinfo_lists_the_advertised_crss(served):
    from django.test import Client

    world, url, token = served
    browser = Client()
    browser.force_login(world.users["command"])
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    text = gdal_info.ogrinfo(f"OAPIF:{url}/ogc/", ["-ro", "-so", "grids"],
                             config={"GDAL_HTTP_COOKIE": cookie})
    assert "Supported SRS:" in text, text
    line = next(l for l in text.splitlines() if l.startswith("Supported SRS:"))
    for code in ("OGC:CRS84", "EPSG:4326", "EPSG:4490", "EPSG:4528", "EPSG:3857"):
        assert code in line, line
