"""OGC API - Features: the spec's rules (links, numberMatched/numberReturned, bbox, limit and
offset, datetime), the GCJ-02 option, HTML, and who sees what."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from shapely.geometry import box, shape

from boundaries.crs import wgs84_to_gcj02
from layers.catalogue import layers
from tests.layers.conftest import PATROLLED, add_area_case

pytestmark = pytest.mark.django_db

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"


def rels(doc) -> dict:
    out = {}
    for link in doc["links"]:
        out.setdefault(link["rel"], []).append(link)
    return out


def test_landing_page_links_api_conformance_and_data(get):
    doc = get("command", "/ogc/").json()
    found = rels(doc)
    for rel in ("self", "alternate", "service-desc", "conformance", "data"):
        assert rel in found, rel
    assert found["data"][0]["href"] == "http://testserver/ogc/collections"


def test_conformance_declares_core_and_geojson(get):
    doc = get("command", "/ogc/conformance").json()
    assert CORE in doc["conformsTo"] and GEOJSON_CONF in doc["conformsTo"]


def test_api_definition_is_openapi_with_an_items_path_per_collection(get):
    response = get("command", "/ogc/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for layer in layers():
        assert f"/collections/{layer.id}/items" in paths


def test_collections_list_every_layer_the_role_may_see(get):
    ids = [c["id"] for c in get("command", "/ogc/collections").json()["collections"]]
    assert ids == layers().ids()
    grid_ids = [c["id"] for c in get("grid", "/ogc/collections").json()["collections"]]
    assert "tracks" not in grid_ids and "coverage" not in grid_ids and "cases" in grid_ids


def test_collection_has_items_link_extent_and_crs(get):
    doc = get("command", "/ogc/collections/grids").json()
    items = [l for l in doc["links"] if l["rel"] == "items"]
    assert {l["type"] for l in items} == {"application/geo+json", "text/html"}
    assert doc["extent"]["spatial"]["bbox"][0] == pytest.approx([120.0, 30.0, 120.12, 30.08])
    assert doc["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert doc["itemType"] == "feature"


def test_temporal_collection_states_its_interval(get, world):
    doc = get("command", "/ogc/collections/tracks").json()
    start, end = doc["extent"]["temporal"]["interval"][0]
    assert start == "2026-05-04T08:00:00+08:00" and end > start  # the first fix (00:00 UTC) in +08:00


def test_items_count_matched_and_returned(get, world):
    doc = get("command", "/ogc/collections/grids/items", limit=10).json()
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == 64 and doc["numberReturned"] == 10 == len(doc["features"])
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"


def test_items_pages_follow_next_links_to_every_feature(get, world):
    seen, path, params = [], "/ogc/collections/grids/items", {"limit": 25}
    while True:
        doc = get("command", path, **params).json()
        seen += [f["id"] for f in doc["features"]]
        nxt = [l["href"] for l in doc["links"] if l["rel"] == "next"]
        if not nxt:
            break
        url = urlparse(nxt[0])
        path, params = url.path, {k: v[0] for k, v in parse_qs(url.query).items()}
    assert len(seen) == 64 == len(set(seen))
    assert seen == sorted(seen)


def test_items_prev_link_goes_back_one_page(get):
    doc = get("command", "/ogc/collections/grids/items", limit=10, offset=20).json()
    prev = [l["href"] for l in doc["links"] if l["rel"] == "prev"][0]
    assert parse_qs(urlparse(prev).query)["offset"] == ["10"]
    first = get("command", "/ogc/collections/grids/items", limit=10).json()
    assert not [l for l in first["links"] if l["rel"] == "prev"]


def test_limit_above_the_maximum_is_capped(get):
    doc = get("command", "/ogc/collections/grids/items", limit=50000).json()
    assert doc["numberReturned"] == 64


@pytest.mark.parametrize("params, parameter", [({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
                                               ({"offset": "-1"}, "offset"), ({"bbox": "1,2,3"}, "bbox"),
                                               ({"crs": "EPSG:9999"}, "crs"), ({"f": "xml"}, "f"),
                                               ({"datetime": "soon"}, "datetime"), ({"colour": "red"}, "colour")])
def test_bad_item_parameters_are_400_naming_them(get, params, parameter):
    response = get("command", "/ogc/collections/cases/items", **params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_bbox_keeps_features_that_intersect_it(get):
    doc = get("command", "/ogc/collections/grids/items", bbox="120.001,30.001,120.009,30.019").json()
    assert sorted(f["id"] for f in doc["features"]) == ["990101001001001", "990101001001003"]
    assert doc["numberMatched"] == 2
    query = box(120.001, 30.001, 120.009, 30.019)
    assert all(shape(f["geometry"]).intersects(query) for f in doc["features"])


def test_bbox_in_gcj02_with_bbox_crs(get):
    x0, y0 = wgs84_to_gcj02(120.001, 30.001)
    x1, y1 = wgs84_to_gcj02(120.009, 30.009)
    doc = get("command", "/ogc/collections/grids/items", bbox=f"{x0},{y0},{x1},{y1}", **{"bbox-crs": "GCJ02"}).json()
    assert [f["id"] for f in doc["features"]] == ["990101001001001"]


def test_datetime_interval_filters_cases(get, world):
    cutoff = (world.cases["in_core"].created_at - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    doc = get("command", "/ogc/collections/cases/items", datetime=f"{cutoff}/..").json()
    assert [f["id"] for f in doc["features"]] == [world.cases["in_core"].number]
    before = get("command", "/ogc/collections/cases/items", datetime=f"../{cutoff}").json()
    assert sorted(f["id"] for f in before["features"]) == sorted(
        [world.cases["overdue"].number, world.cases["far"].number])


def test_datetime_instant_matches_a_case_created_then(get, world):
    case = world.cases["far"]
    doc = get("command", "/ogc/collections/cases/items", datetime=case.created_at.isoformat()).json()
    assert [f["id"] for f in doc["features"]] == [case.number]


def test_datetime_selects_tracks_whose_span_meets_the_interval(get, world):
    track = world.track
    during = (track.started_at + (track.ended_at - track.started_at) / 2).isoformat()
    assert get("team", "/ogc/collections/tracks/items", datetime=during).json()["numberMatched"] == 1
    after = (track.ended_at + timedelta(minutes=1)).isoformat()
    assert get("team", "/ogc/collections/tracks/items", datetime=f"{after}/..").json()["numberMatched"] == 0


def test_datetime_on_a_collection_without_time_is_400(get):
    response = get("command", "/ogc/collections/grids/items", datetime="2026-01-01T00:00:00Z")
    assert response.status_code == 400 and response.json()["parameter"] == "datetime"


def test_item_by_id_with_links(get):
    doc = get("command", "/ogc/collections/grids/items/990101001001001").json()
    assert doc["type"] == "Feature" and doc["id"] == "990101001001001"
    assert doc["properties"]["name"] == "第1镇1村1网格"
    assert {"self", "alternate", "collection"} <= set(rels(doc))


def test_item_of_another_county_is_404(get, world):
    assert get("command", f"/ogc/collections/cases/items/{world.cases['other'].number}").status_code == 404
    assert get("command", "/ogc/collections/grids/items/990102001001001").status_code == 404


def test_gcj02_output_shifts_coordinates_and_says_so(get, world):
    path = f"/ogc/collections/teams/items/{world.t.teams['990101001'].pk}"
    plain = get("command", path)
    shifted = get("command", path, crs="GCJ02")
    assert shifted.json()["crs"]["properties"]["name"] == "GCJ02"
    assert shifted["Content-Crs"] == "GCJ02"
    assert plain["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    lon, lat = plain.json()["geometry"]["coordinates"]
    expected = wgs84_to_gcj02(lon, lat)
    assert shifted.json()["geometry"]["coordinates"] == pytest.approx([float(expected[0]), float(expected[1])], abs=1e-6)


def test_planner_case_items_carry_the_summary_only(get, world):
    doc = get("planner", "/ogc/collections/cases/items").json()
    assert doc["numberMatched"] == 3
    assert not {"description", "reporter", "team"} & set(doc["features"][0]["properties"])


def test_grid_member_case_items_are_own_reports(get, world):
    doc = get("grid", "/ogc/collections/cases/items").json()
    assert [f["id"] for f in doc["features"]] == [world.cases["in_core"].number]


def test_department_sees_the_cases_it_acts_on(get, world):
    doc = get("department", "/ogc/collections/cases/items").json()
    assert [f["id"] for f in doc["features"]] == [world.cases["far"].number]  # I002 is SCJG's item


def test_cases_inside_protected_areas(get, world):
    doc = get("command", "/ogc/collections/cases/items", **{"protected-area": "any"}).json()
    assert [f["id"] for f in doc["features"]] == [world.cases["in_core"].number]


def test_coverage_items_default_to_today_and_take_a_period(get, world):
    today = get("planner", "/ogc/collections/coverage/items", limit=100).json()
    assert today["numberMatched"] == 64 and not any(f["properties"]["patrolled"] for f in today["features"])
    day = get("planner", "/ogc/collections/coverage/items", limit=100, **{"from": "2026-05-04"}).json()
    assert sorted(f["id"] for f in day["features"] if f["properties"]["patrolled"]) == PATROLLED


def test_live_positions_are_the_latest_fix_of_each_team(get, world):
    doc = get("command", "/ogc/collections/live-positions/items").json()
    assert [f["properties"]["code"] for f in doc["features"]] == [world.track.team.code]
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx([120.028, 30.005], abs=1e-6)
    assert doc["features"][0]["properties"]["stale"] is True  # fixed in May 2026


def test_items_as_html_on_request(get):
    response = get("command", "/ogc/collections/townships/items", f="html")
    assert response["Content-Type"].startswith("text/html")
    assert "第1镇" in response.content.decode()


def test_browser_accept_header_gets_html(world, client):
    client.force_login(world.users["command"])
    response = client.get("/ogc/collections", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response["Content-Type"].startswith("text/html") and "网格" in response.content.decode()


def test_anonymous_json_is_401_and_html_redirects_to_login(world, client):
    assert client.get("/ogc/collections").status_code == 401
    response = client.get("/ogc/collections", {"f": "html"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_account_without_county_is_403(get):
    assert get("nobody", "/ogc/collections").status_code == 403


def test_grid_member_may_not_read_tracks(get):
    assert get("grid", "/ogc/collections/tracks/items").status_code == 403


def test_query_token_is_refused_naming_the_header_instead(world, client):
    from tests.users import token_for

    token = token_for(world.users["command"])
    response = client.get("/ogc/collections/grids/items", {"limit": 10, "token": token})
    assert response.status_code == 400 and response.json()["parameter"] == "token"
    assert "Authorization" in response.json()["detail"] and token not in response.content.decode()


def test_links_carry_no_credential(world, client):
    from tests.users import auth_header

    doc = client.get("/ogc/collections/grids/items", {"limit": 10}, **auth_header(world.users["command"])).json()
    nxt = [l["href"] for l in doc["links"] if l["rel"] == "next"][0]
    assert set(parse_qs(urlparse(nxt).query)) == {"limit", "cursor"}


def test_desktop_gis_may_use_http_basic_like_qgis(world, client):
    import base64
    world.users["command"].set_password("a-long-passphrase-1")
    world.users["command"].save()
    basic = base64.b64encode(f"{world.users['command'].username}:a-long-passphrase-1".encode()).decode()
    response = client.get("/ogc/collections/grids/items", {"limit": 1}, HTTP_AUTHORIZATION=f"Basic {basic}",
                          REMOTE_ADDR="192.0.2.10", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 200


def test_http_basic_over_plain_http_from_elsewhere_is_refused(world, client):
    import base64
    basic = base64.b64encode(f"{world.users['command'].username}:pw".encode()).decode()
    response = client.get("/ogc/collections/grids/items", HTTP_AUTHORIZATION=f"Basic {basic}",
                          REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 401 and "HTTPS" in response.json()["detail"]


def test_every_collection_items_have_code_and_name(get, world):
    add_area_case(world)
    for layer in layers():
        doc = get("admin", f"/ogc/collections/{layer.id}/items", limit=5).json()
        assert doc["features"], layer.id
        for f in doc["features"]:
            assert {"code", "name"} <= set(f["properties"]), layer.id
