"""`POST /api/footprint` and area cases over REST: the body, the upload formats, the errors,
who may ask, and a case that keeps its footprint (API detail, tiles, OGC)."""
import io
import json
import zipfile

import pyogrio
import pytest
import shapely
import geopandas as gpd

from boundaries.crs import wgs84_to_gcj02
from tests.api.conftest import client_for
from tests.enforcement.footprint_reference import rectangle
from tests.users import make_user

FARM = rectangle(120.0145, 30.01, 400, 300, 10)  # across the home reserve: core to x 120.015, then buffer


def geojson(shape):
    return shapely.geometry.mapping(shape)


def post(user, body, fmt="json"):
    return client_for(user).post("/api/footprint", body, format=fmt)


def test_footprint_answers_area_units_zones_and_crs(member):
    response = post(member, {"geometry": geojson(FARM)})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["area_m2"] == pytest.approx(120_000, rel=0.01)
    assert data["crs"] == "EPSG:4326" and data["received_crs"] == "EPSG:4326"
    assert [t["code"] for t in data["townships"]] == ["990101001"]
    assert {z["zone"] for z in data["protected_areas"]} == {"core", "buffer"}
    assert data["severity"] == "high"
    assert data["decision"] is None
    assert data["geometry"]["type"] == "MultiPolygon"


def test_footprint_with_an_item_carries_the_routing_decision(member):
    data = post(member, {"geometry": geojson(FARM), "item": "I004"}).json()
    assert data["decision"]["township"]["code"] == "990101001"
    assert data["decision"]["severity"] == "high"
    assert "ZYGH" in [d["code"] for d in data["decision"]["departments"]]


def test_footprint_in_gcj02_is_converted_before_the_check(member):
    lon, lat = wgs84_to_gcj02(*shapely.get_coordinates(FARM).T)
    gcj = shapely.Polygon(list(zip(lon, lat)))
    wgs = post(member, {"geometry": geojson(FARM)}).json()
    data = post(member, {"geometry": geojson(gcj), "crs": "GCJ02"}).json()
    assert data["received_crs"] == "GCJ02"
    assert data["area_m2"] == pytest.approx(wgs["area_m2"], rel=0.005)


@pytest.mark.parametrize("body, parameter", [
    ({}, "geometry"),
    ({"geometry": {"type": "Point", "coordinates": [120.01, 30.01]}}, "geometry"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}, "geometry"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[13358000, 3503000], [13358500, 3503000],
                                                       [13358500, 3503500], [13358000, 3503000]]]}},
     "geometry"),
    ({"geometry": geojson(FARM), "crs": "EPSG:9999"}, "crs"),
    ({"geometry": geojson(FARM), "item": "NOPE"}, "item"),
    ({"geometry": geojson(FARM), "colour": "red"}, "colour"),
])
def test_bad_footprint_input_is_a_400_naming_the_field(member, body, parameter):
    response = post(member, body)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_footprint_outside_every_county_is_422(member):
    response = post(member, {"geometry": geojson(rectangle(100.0, 20.0, 100, 100))})
    assert response.status_code == 422
    assert response.json()["error"] == "outside_jurisdiction"


def test_footprint_in_another_county_is_403(member, other):
    response = post(member, {"geometry": geojson(rectangle(121.007, 31.007, 100, 100))})
    assert response.status_code == 403


def test_anonymous_is_401(home):
    from rest_framework.test import APIClient
    assert APIClient().post("/api/footprint", {"geometry": geojson(FARM)}, format="json").status_code == 401


def _upload(member, name, data, **fields):
    return client_for(member).post("/api/footprint", {"file": _named(name, data), **fields},
                                   format="multipart")


def _named(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


def _write(tmp_path, driver, name):
    frame = gpd.GeoDataFrame({"name": ["farm"]}, geometry=[FARM], crs="EPSG:4326")
    path = tmp_path / name
    pyogrio.write_dataframe(frame, path, driver=driver)
    return path


@pytest.mark.parametrize("driver, name", [("GeoJSON", "farm.geojson"), ("KML", "farm.kml"),
                                          ("GPKG", "farm.gpkg")])
def test_uploaded_files_read_as_the_same_footprint(member, tmp_path, driver, name):
    data = _write(tmp_path, driver, name).read_bytes()
    response = _upload(member, name, data)
    assert response.status_code == 200, response.json()
    assert response.json()["area_m2"] == pytest.approx(120_000, rel=0.01)


def test_a_zipped_shapefile_in_a_gauss_kruger_zone_is_read_in_its_own_crs(member, tmp_path):
    frame = gpd.GeoDataFrame({"name": ["farm"]}, geometry=[FARM], crs="EPSG:4326").to_crs("EPSG:4549")
    pyogrio.write_dataframe(frame, tmp_path / "farm.shp", driver="ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.iterdir():
            archive.write(part, part.name)
    response = _upload(member, "farm.zip", buffer.getvalue())
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["received_crs"] == "EPSG:4549"
    assert data["area_m2"] == pytest.approx(120_000, rel=0.01)


def test_an_upload_of_another_kind_is_a_400_naming_file(member):
    response = _upload(member, "farm.txt", b"hello")
    assert response.status_code == 400 and response.json()["parameter"] == "file"


def test_a_file_without_polygons_is_a_400_naming_file(member, tmp_path):
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(120.01, 30.01)], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, tmp_path / "p.geojson", driver="GeoJSON")
    response = _upload(member, "p.geojson", (tmp_path / "p.geojson").read_bytes())
    assert response.status_code == 400 and response.json()["parameter"] == "file"


# --- area cases --------------------------------------------------------------------------------

def _create_area_case(user, **extra):
    return client_for(user).post("/api/cases/", {"footprint": geojson(FARM), "item": "I004",
                                                 "description": "未批先建养殖场", **extra}, format="json")


def test_a_case_created_from_a_footprint_keeps_it(member):
    response = _create_area_case(member)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["properties"]["footprint"]["geometry"]["type"] == "MultiPolygon"
    assert data["properties"]["footprint"]["area_m2"] == pytest.approx(120_000, rel=0.01)
    assert data["properties"]["severity"] == "high"
    assert data["properties"]["township"]["code"] == "990101001"
    point = shapely.Point(data["geometry"]["coordinates"])
    assert FARM.contains(point)


def test_a_grid_member_may_not_report_an_area_case(home):
    grid = make_user("g1", "grid_member", home.county, grids=home.grids[:1])
    assert _create_area_case(grid).status_code == 403


def test_an_area_case_shows_its_footprint_in_ogc_and_tiles(member):
    number = _create_area_case(member).json()["properties"]["number"]
    client = client_for(member)
    items = client.get("/ogc/collections/case-footprints/items").json()
    assert [f["id"] for f in items["features"]] == [number]
    assert items["features"][0]["geometry"]["type"] == "MultiPolygon"
    tile = client.get("/tiles/case-footprints/14/13653/6759.pbf")
    assert tile.status_code == 200
