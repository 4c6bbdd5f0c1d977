"""Territory read API: counties, townships, villages, grids, protected areas and 1+X hubs."""
import math

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from boundaries.crs import wgs84_to_gcj02
from boundaries.models import County
from tests.api.conftest import client_for

CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"


def _bounds(geometry):
    """(minx, miny, maxx, maxy) of a GeoJSON geometry."""
    points = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            points.append(c)
        else:
            for part in c:
                walk(part)
    walk(geometry["coordinates"])
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _codes(body):
    return [f["properties"]["code"] for f in body["features"]]


def _vertex_count(geometry):
    return sum(len(ring) for polygon in geometry["coordinates"] for ring in polygon)


# --- shape and count ------------------------------------------------------------------------

def test_counties_list_is_a_feature_collection_stating_wgs84(get, member):
    response = get(member, "/api/counties/")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["crs"] == {"type": "name", "properties": {"name": CRS84}}
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert body["count"] == 1
    feature = body["features"][0]
    assert feature["id"] == "990101"
    assert feature["properties"]["code"] == "990101"
    assert feature["properties"]["name"] == "本县"


def test_county_detail_has_full_geometry_including_sea(get, member, home):
    feature = get(member, "/api/counties/990101/").json()
    assert feature["type"] == "Feature"
    assert feature["crs"]["properties"]["name"] == CRS84
    assert _bounds(feature["geometry"]) == pytest.approx((120.0, 30.0, 120.12, 30.08))


def test_counties_list_geometry_none_ships_no_geometry(get, member):
    body = get(member, "/api/counties/", geometry="none").json()
    assert body["features"][0]["geometry"] is None


def test_townships_list_carries_kind_and_county(get, member):
    body = get(member, "/api/townships/").json()
    assert body["count"] == 4
    assert _codes(body) == ["990101001", "990101002", "990101003", "990101004"]
    props = body["features"][0]["properties"]
    assert props == {"code": "990101001", "name": "第1镇", "kind": "town",
                     "county_code": "990101", "county_name": "本县"}
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_township_detail_by_code(get, member):
    feature = get(member, "/api/townships/990101004/").json()
    assert feature["id"] == "990101004"
    assert _bounds(feature["geometry"]) == pytest.approx((120.04, 30.04, 120.08, 30.08))


def test_villages_list_carries_township_and_county(get, member):
    body = get(member, "/api/villages/").json()
    assert body["count"] == 16
    props = body["features"][0]["properties"]
    assert props["kind"] == "village"
    assert (props["township_code"], props["township_name"]) == ("990101001", "第1镇")
    assert props["county_code"] == "990101"


def test_grid_detail_carries_village_township_and_county(get, member):
    props = get(member, "/api/grids/990101002003004/").json()["properties"]
    assert props["code"] == "990101002003004"
    assert (props["village_code"], props["township_code"], props["county_code"]) == \
        ("990101002003", "990101002", "990101")
    assert props["village_name"] == "第2镇3村"
    assert props["township_name"] == "第2镇" and props["county_name"] == "本县"


def test_grids_list_counts_every_grid_of_the_county(get, member):
    assert get(member, "/api/grids/").json()["count"] == 64


def test_protected_area_zones_name_their_authority_department(get, member):
    body = get(member, "/api/protected-areas/").json()
    assert body["count"] == 2
    zones = {f["properties"]["zone"]: f["properties"] for f in body["features"]}
    assert set(zones) == {"core", "buffer"}
    assert zones["core"]["authority_code"] == "ZYGH"
    assert zones["core"]["authority_name"] == "县资源规划局"
    assert zones["core"]["kind"] == "nature_reserve" and zones["core"]["level"] == "provincial"


def test_protected_area_detail_is_all_its_zones(get, member):
    body = get(member, "/api/protected-areas/PA01/").json()
    assert body["type"] == "FeatureCollection"
    assert body["crs"]["properties"]["name"] == CRS84
    assert sorted(f["properties"]["zone"] for f in body["features"]) == ["buffer", "core"]


def test_protected_area_detail_of_unknown_code_is_404(get, member):
    assert get(member, "/api/protected-areas/NOPE/").status_code == 404


def test_protected_area_code_in_two_counties_needs_county_for_a_superuser(get, superuser):
    response = get(superuser, "/api/protected-areas/PA01/")
    assert response.status_code == 400
    assert response.json()["parameter"] == "county"
    body = get(superuser, "/api/protected-areas/PA01/", county="990202").json()
    assert [f["properties"]["name"] for f in body["features"]] == ["邻县保护区"]


def test_hub_area_lists_hub_and_covered_townships(get, member):
    body = get(member, "/api/hubs/").json()
    assert body["count"] == 1
    feature = body["features"][0]
    assert feature["id"] == "990101001"
    props = feature["properties"]
    assert (props["hub_code"], props["hub_name"]) == ("990101001", "第1镇")
    assert props["covered"] == [{"code": "990101002", "name": "第2镇"}]
    assert props["county_code"] == "990101"


def test_hub_area_geometry_is_the_union_of_its_townships(get, member):
    geometry = get(member, "/api/hubs/990101001/").json()["geometry"]
    assert geometry["type"] == "MultiPolygon"
    # Townships 1 and 2 side by side dissolve into one rectangle without the shared border.
    assert len(geometry["coordinates"]) == 1
    polygon = MultiPolygon(*[Polygon(*rings) for rings in geometry["coordinates"]])
    assert polygon.area == pytest.approx(0.08 * 0.04)
    assert _bounds(geometry) == pytest.approx((120.0, 30.0, 120.08, 30.04))


def test_hubs_filtered_by_a_covered_township(get, member):
    assert get(member, "/api/hubs/", township="990101002").json()["count"] == 1
    assert get(member, "/api/hubs/", township="990101003").json()["count"] == 0


def test_hubs_filtered_by_bbox_over_a_covered_township_only(get, member):
    body = get(member, "/api/hubs/", bbox="120.05,30.01,120.06,30.02").json()
    assert body["count"] == 1
    assert get(member, "/api/hubs/", bbox="120.05,30.05,120.06,30.06").json()["count"] == 0


# --- filters --------------------------------------------------------------------------------

def test_county_filter_keeps_that_county(get, superuser):
    body = get(superuser, "/api/townships/", county="990202").json()
    assert _codes(body) == ["990202001"]


def test_township_filter_on_villages(get, member):
    body = get(member, "/api/villages/", township="990101003").json()
    assert body["count"] == 4
    assert {f["properties"]["township_code"] for f in body["features"]} == {"990101003"}


def test_township_and_village_filters_on_grids(get, member):
    assert get(member, "/api/grids/", township="990101003").json()["count"] == 16
    assert get(member, "/api/grids/", village="990101003002").json()["count"] == 4


def test_unknown_township_filter_is_400_not_an_empty_list(get, member):
    response = get(member, "/api/grids/", township="990101009")
    assert response.status_code == 400
    assert response.json()["parameter"] == "township"


def test_malformed_township_code_is_400(get, member):
    response = get(member, "/api/villages/", township="99010100")
    assert response.status_code == 400
    assert response.json()["detail"] == "township：'99010100' 不是 9 位代码"
    assert "9-digit" in get(member, "/api/villages/", _language="en", township="99010100").json()["detail"]


def test_kind_filter(get, member):
    assert get(member, "/api/townships/", kind="town").json()["count"] == 4
    assert get(member, "/api/townships/", kind="subdistrict").json()["count"] == 0


def test_bad_kind_is_400_naming_kind(get, member):
    response = get(member, "/api/townships/", _language="en", kind="city")
    assert response.status_code == 400
    body = response.json()
    assert body == {"error": "bad_parameter", "parameter": "kind",
                    "detail": "kind: 'city' is not one of: town, township, subdistrict"}


def test_zone_filter_on_protected_areas(get, member):
    body = get(member, "/api/protected-areas/", zone="core").json()
    assert [f["properties"]["zone"] for f in body["features"]] == ["core"]
    assert get(member, "/api/protected-areas/", zone="middle").status_code == 400


def test_name_search(get, member):
    assert _codes(get(member, "/api/townships/", q="第2").json()) == ["990101002"]


def test_unknown_parameter_is_400_naming_it(get, member):
    response = get(member, "/api/townships/", knd="town")
    assert response.status_code == 400
    assert response.json()["parameter"] == "knd"


def test_repeated_parameter_is_400(get, member):
    response = get(member, "/api/townships/", kind=["town", "township"])
    assert response.status_code == 400
    assert response.json()["parameter"] == "kind"


# --- bbox -----------------------------------------------------------------------------------

def test_bbox_keeps_features_intersecting_it(get, member):
    # Inside township 4 (north-east), away from its borders.
    assert _codes(get(member, "/api/townships/", bbox="120.05,30.05,120.07,30.07").json()) == ["990101004"]
    # Touching counts as intersecting: a box whose edges sit on grid borders would take the
    # neighbours too, so this one stays 1/10 of a grid inside them: 2 x 2 grids.
    assert get(member, "/api/grids/", bbox="120.051,30.051,120.069,30.069").json()["count"] == 4


def test_bbox_on_the_sea_finds_no_township(get, member):
    assert get(member, "/api/townships/", bbox="120.09,30.01,120.11,30.02").json()["count"] == 0


@pytest.mark.parametrize("value,reason", [
    ("120,30,121", "4 comma-separated numbers"),
    ("a,b,c,d", "is not 4 numbers"),
    ("121,30,120,31", "minx must be less than maxx"),
    ("120,30,121,nan", "finite"),
    ("30,120,31,121", "latitude"),
])
def test_bad_bbox_is_400_naming_bbox(get, member, value, reason):
    response = get(member, "/api/townships/", _language="en", bbox=value)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "bbox"
    assert reason in body["detail"]


def _gcj_box(minx, miny, maxx, maxy):
    (gx0, gx1), (gy0, gy1) = wgs84_to_gcj02([minx, maxx], [miny, maxy])
    return f"{gx0},{gy0},{gx1},{gy1}"


def test_bbox_in_gcj02_is_converted_before_the_lookup(get, member):
    # A 50 m box just inside township 1's north-east corner, written in GCJ-02: read as
    # WGS84 it would sit some 500 m away, in another township.
    gcj = _gcj_box(120.0394, 30.0394, 120.0399, 30.0399)
    assert _codes(get(member, "/api/townships/", bbox=gcj, **{"bbox-crs": "GCJ02"}).json()) == ["990101001"]
    assert _codes(get(member, "/api/townships/", bbox=gcj).json()) != ["990101001"]


def test_bbox_follows_crs_when_no_bbox_crs_is_given(get, member):
    gcj = _gcj_box(120.0394, 30.0394, 120.0399, 30.0399)
    body = get(member, "/api/townships/", bbox=gcj, crs="GCJ02").json()
    assert _codes(body) == ["990101001"]


def test_bbox_in_web_mercator(get, member):
    from pyproj import Transformer
    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y0 = to_3857.transform(120.05, 30.05)
    x1, y1 = to_3857.transform(120.07, 30.07)
    body = get(member, "/api/townships/", bbox=f"{x0},{y0},{x1},{y1}", **{"bbox-crs": "EPSG:3857"}).json()
    assert _codes(body) == ["990101004"]


def test_bbox_crs_without_bbox_is_400(get, member):
    response = get(member, "/api/townships/", **{"bbox-crs": "GCJ02"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "bbox-crs"


def test_bbox_lookup_uses_the_spatial_index(member, home):
    from django.db import connection

    from boundaries.models import Grid
    from gis_app.web.params import parse_bbox
    from boundaries.crs import CRS
    from rest_framework.test import APIRequestFactory
    from rest_framework.request import Request

    request = Request(APIRequestFactory().get("/", {"bbox": "120.05,30.05,120.07,30.07"}))
    polygon = parse_bbox(request, CRS("EPSG:4326"))
    sql, params = Grid.objects.filter(geom__intersects=polygon).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "Index" in plan and "geom" in plan


# --- output CRS -----------------------------------------------------------------------------

def test_gcj02_output_is_shifted_by_the_gcj_offset_and_stated(get, member):
    response = get(member, "/api/townships/990101001/", crs="GCJ02")
    feature = response.json()
    assert feature["crs"] == {"type": "name", "properties": {"name": "GCJ02"}}
    assert response["Content-Crs"] == "GCJ02"
    minx, miny, maxx, maxy = _bounds(feature["geometry"])
    (ex0, ex1), (ey0, ey1) = wgs84_to_gcj02([120.0, 120.04], [30.0, 30.04])
    assert (minx, miny, maxx, maxy) == pytest.approx((ex0, ey0, ex1, ey1), abs=1e-6)
    # The offset is hundreds of metres, not a rounding artefact.
    shift_m = math.hypot((minx - 120.0) * 111320 * math.cos(math.radians(30)), (miny - 30.0) * 110574)
    assert 100 < shift_m < 1000


def test_gcj02_output_on_a_list_states_the_crs(get, member):
    response = get(member, "/api/grids/", crs="gcj-02", limit=1)
    assert response.json()["crs"]["properties"]["name"] == "GCJ02"
    assert _bounds(response.json()["features"][0]["geometry"])[0] > 120.001


def test_web_mercator_output_is_in_metres(get, member):
    response = get(member, "/api/townships/990101001/", crs="EPSG:3857")
    feature = response.json()
    assert feature["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::3857"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3857>"
    assert _bounds(feature["geometry"])[0] == pytest.approx(120 * 20037508.342789244 / 180, abs=0.01)


def test_gauss_kruger_output_puts_the_central_meridian_at_500_km(get, member):
    # EPSG:4549: CGCS2000 3-degree Gauss-Kruger, central meridian 120E, no zone prefix.
    feature = get(member, "/api/townships/990101001/", crs="EPSG:4549").json()
    assert _bounds(feature["geometry"])[0] == pytest.approx(500000.0, abs=0.01)


def test_unknown_output_crs_is_400_naming_crs(get, member):
    response = get(member, "/api/townships/", crs="EPSG:2000")
    assert response.status_code == 400
    assert response.json()["parameter"] == "crs"


# --- geometry detail ------------------------------------------------------------------------

@pytest.fixture
def notched_county(db):
    """A 0.1-degree square county whose south edge has a 30 m spike (3 extra vertices)."""
    spike = 30 / 110574  # 30 m of latitude in degrees
    ring = [(120.0, 30.0), (120.049, 30.0), (120.05, 30.0 + spike), (120.051, 30.0), (120.1, 30.0),
            (120.1, 30.1), (120.0, 30.1), (120.0, 30.0)]
    return County.objects.create(code="990303", name="锯齿县", geom=MultiPolygon(Polygon(ring), srid=4326))


def test_simplify_tolerance_is_in_metres(get, superuser, notched_county):
    kept = get(superuser, "/api/counties/990303/", simplify=10).json()["geometry"]
    dropped = get(superuser, "/api/counties/990303/", simplify=100).json()["geometry"]
    assert _vertex_count(kept) == 8
    assert _vertex_count(dropped) == 5


def test_counties_list_is_simplified_by_default_and_full_on_request(get, superuser, notched_county):
    listed = get(superuser, "/api/counties/", q="锯齿").json()["features"][0]["geometry"]
    full = get(superuser, "/api/counties/", q="锯齿", geometry="full").json()["features"][0]["geometry"]
    assert _vertex_count(listed) == 5
    assert _vertex_count(full) == 8


@pytest.mark.parametrize("params,parameter", [
    ({"simplify": "-5"}, "simplify"), ({"simplify": "lots"}, "simplify"),
    ({"simplify": "0"}, "simplify"), ({"simplify": "50", "geometry": "full"}, "simplify"),
    ({"geometry": "some"}, "geometry"),
])
def test_bad_geometry_options_are_400(get, member, params, parameter):
    response = get(member, "/api/counties/", **params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


# --- pagination -----------------------------------------------------------------------------

def test_pagination_counts_all_and_links_the_next_page(get, member):
    body = get(member, "/api/grids/", limit=10).json()
    assert body["count"] == 64
    assert len(body["features"]) == 10
    assert "offset=10" in body["next"] and "limit=10" in body["next"]
    assert body["previous"] is None


def test_last_page_has_no_next(get, member):
    body = get(member, "/api/grids/", limit=10, offset=60).json()
    assert len(body["features"]) == 4
    assert body["next"] is None
    assert _codes(body)[-1] == "990101004004004"


def test_bad_limit_is_400_naming_limit(get, member):
    response = get(member, "/api/grids/", limit="ten")
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"


# --- performance sanity ---------------------------------------------------------------------

def test_grids_list_does_not_query_per_row(get, member, django_assert_max_num_queries):
    client = client_for(member)
    # Authentication, membership, count, page: the same four for 64 rows as for one.
    with django_assert_max_num_queries(4):
        body = client.get("/api/grids/", {"limit": 64}).json()
    assert len(body["features"]) == 64


def test_hubs_list_does_not_query_per_row(get, member, home, django_assert_max_num_queries):
    from tests.territory import make_hub
    make_hub(home.townships[2], [home.townships[3]])
    client = client_for(member)
    with django_assert_max_num_queries(5):
        body = client.get("/api/hubs/").json()
    assert body["count"] == 2


def test_hub_geometry_can_be_simplified(get, member):
    geometry = get(member, "/api/hubs/", simplify=50).json()["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    assert _bounds(geometry) == pytest.approx((120.0, 30.0, 120.08, 30.04))


def test_detail_refuses_list_parameters(get, member):
    response = get(member, "/api/townships/990101001/", limit=5)
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"
