"""Vector tiles: decoded with mapbox-vector-tile, checked at known places, per role."""
from datetime import timedelta

import mapbox_vector_tile
import pytest

from gis_app.patrols.coverage import compute_coverage
from layers.catalogue import layers
from tests.layers.conftest import PATROLLED, add_area_case, decode, lonlat_in_tile, tile_of, tile_path

pytestmark = pytest.mark.django_db


def test_grid_tile_holds_the_grid_at_a_known_point_with_code_and_name(get):
    features = decode(get("command", tile_path("grids", 120.005, 30.005, 14)), "grids")
    codes = {f["properties"]["code"]: f["properties"] for f in features}
    assert "990101001001001" in codes
    props = codes["990101001001001"]
    assert props["name"] == "第1镇1村1网格"
    assert props["village"] == "990101001001" and props["township"] == "990101001"
    assert props["county"] == "990101"


def test_every_layer_tile_features_carry_code_and_name(get, world):
    add_area_case(world)
    with_features = set()
    for layer in layers():
        for lon, lat in [(120.01, 30.01), (120.028, 30.005), (120.02, 30.02)]:
            response = get("admin", tile_path(layer.id, lon, lat, 14))
            for feature in decode(response, layer.id):
                assert {"code", "name"} <= set(feature["properties"]), (layer.id, feature["properties"])
                with_features.add(layer.id)
    assert with_features == set(layers().ids())


def test_township_tile_names_its_townships_in_chinese(get):
    features = decode(get("command", tile_path("townships", 120.02, 30.02, 12)), "townships")
    assert {"第1镇"} <= {f["properties"]["name"] for f in features}


def test_protected_area_tile_has_one_feature_per_zone(get):
    features = decode(get("command", tile_path("protected-areas", 120.015, 30.01, 13)), "protected-areas")
    zones = sorted((f["properties"]["code"], f["properties"]["zone"]) for f in features)
    assert zones == [("PA01", "buffer"), ("PA01", "core")]
    assert {f["properties"]["authority"] for f in features} == {"ZYGH"}


def test_hub_tile_is_the_union_of_hub_and_covered_townships(get):
    features = decode(get("command", tile_path("hubs", 120.04, 30.02, 11)), "hubs")
    assert len(features) == 1
    props = features[0]["properties"]
    assert props["code"] == "990101001" and props["covered"] == "990101002"
    assert props["name"] == "第1镇片区"


def test_case_tile_at_street_zoom_places_each_case_at_its_point(get, world):
    z = 15
    _, x, y = tile_of(120.008, 30.008, z)
    features = decode(get("command", f"/tiles/cases/{z}/{x}/{y}.pbf"), "cases")
    found = {f["properties"]["code"]: f for f in features}
    case = world.cases["in_core"]
    assert case.number in found
    lon, lat = lonlat_in_tile(found[case.number], z, x, y)
    assert lon == pytest.approx(120.008, abs=1e-4) and lat == pytest.approx(30.008, abs=1e-4)
    props = found[case.number]["properties"]
    assert props["name"] == "占道经营" and props["state"] == "assigned" and props["overdue"] is False
    assert props["description"].startswith("占道经营")


def test_case_tile_marks_overdue_and_escalated(get, world):
    features = decode(get("command", tile_path("cases", 120.025, 30.025, 15)), "cases")
    props = {f["properties"]["code"]: f["properties"] for f in features}[world.cases["overdue"].number]
    assert props["overdue"] is True and props["escalated"] is True


def test_planner_case_tile_has_no_details(get, world):
    features = decode(get("planner", tile_path("cases", 120.008, 30.008, 15)), "cases")
    props = {f["properties"]["code"]: f["properties"] for f in features}[world.cases["in_core"].number]
    assert {"state", "overdue", "item"} <= set(props)
    assert not {"description", "reporter", "team", "team_name", "mode"} & set(props)


def test_grid_member_case_tile_shows_only_own_reports(get, world):
    mine = decode(get("grid", tile_path("cases", 120.008, 30.008, 15)), "cases")
    others = decode(get("grid", tile_path("cases", 120.025, 30.025, 15)), "cases")
    assert [f["properties"]["code"] for f in mine] == [world.cases["in_core"].number]
    assert others == []


def test_low_zoom_case_tile_clusters_with_counts(get, world):
    features = decode(get("command", tile_path("cases", 120.03, 30.03, 8)), "cases")
    assert features and all(f["properties"]["cluster"] is True for f in features)
    assert sum(f["properties"]["count"] for f in features) == 3  # the home county's three
    assert sum(f["properties"]["overdue"] for f in features) == 1
    assert sum(f["properties"]["escalated"] for f in features) == 1


def test_other_county_features_never_reach_a_tile(get, world):
    assert decode(get("command", tile_path("grids", 121.005, 30.005, 14)), "grids") == []
    assert decode(get("command", tile_path("cases", 121.005, 30.005, 15)), "cases") == []
    assert decode(get("other_command", tile_path("cases", 121.005, 30.005, 15)), "cases")


def test_track_tile_draws_the_patrol_line(get, world):
    features = decode(get("team", tile_path("tracks", 120.01, 30.005, 14)), "tracks")
    assert [f["properties"]["code"] for f in features] == [str(world.track.pk)]
    assert features[0]["properties"]["name"] == world.track.team.name
    assert features[0]["geometry"]["type"] in ("LineString", "MultiLineString")


def test_coverage_tile_agrees_with_the_patrols_coverage(get, world):
    start, end = world.track.started_at - timedelta(hours=1), world.track.ended_at + timedelta(hours=1)
    response = get("planner", tile_path("coverage", 120.02, 30.02, 12),
                   **{"from": start.isoformat(), "to": end.isoformat()})
    features = decode(response, "coverage")
    patrolled = sorted(f["properties"]["code"] for f in features if f["properties"]["patrolled"])
    assert patrolled == PATROLLED
    assert patrolled == sorted(compute_coverage(world.t.county, start, end).patrolled)


def test_coverage_tile_of_a_day_without_patrols_has_none_patrolled(get, world):
    response = get("planner", tile_path("coverage", 120.02, 30.02, 12), **{"from": "2020-01-01"})
    features = decode(response, "coverage")
    assert features and not any(f["properties"]["patrolled"] for f in features)


def test_empty_tile_is_204(get):
    response = get("command", tile_path("grids", 10.0, 50.0, 14))
    assert response.status_code == 204 and response.content == b""


def test_tile_has_etag_and_cache_control_and_answers_304(get, world):
    path = tile_path("grids", 120.005, 30.005, 14)
    response = get("command", path)
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"] == "private, max-age=300"
    client = __import__("tests.layers.conftest", fromlist=["client_for"]).client_for(world.users["command"])
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_live_layer_tiles_must_revalidate(get):
    assert get("command", tile_path("cases", 120.008, 30.008, 15))["Cache-Control"] == "private, no-cache"


def test_grid_member_may_not_open_patrol_layers(get):
    for layer in ("tracks", "coverage", "live-positions"):
        response = get("grid", tile_path(layer, 120.01, 30.005, 14))
        assert response.status_code == 403, layer


@pytest.mark.parametrize("role", ["team", "department", "command", "planner"])
def test_patrol_readers_get_track_tiles(get, role):
    assert decode(get(role, tile_path("tracks", 120.01, 30.005, 14)), "tracks")


def test_anonymous_tile_is_401(get):
    response = get(None, tile_path("grids", 120.005, 30.005, 14))
    assert response.status_code == 401


def test_account_without_county_is_403(get):
    response = get("nobody", tile_path("grids", 120.005, 30.005, 14))
    assert response.status_code == 403 and "未加入任何组织" in response.json()["detail"]


def test_token_in_query_string_is_refused(world, client):
    from tests.users import token_for

    path = tile_path("grids", 120.005, 30.005, 14)
    response = client.get(path, {"token": token_for(world.users["command"])})
    assert response.status_code == 400 and response.json()["parameter"] == "token"


def test_token_header_authenticates_tiles(world, client):
    from tests.users import auth_header

    path = tile_path("grids", 120.005, 30.005, 14)
    assert client.get(path, **auth_header(world.users["command"])).status_code == 200
    assert client.get(path, HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_unknown_layer_is_404_naming_the_layers(get):
    response = get("command", "/tiles/roads/1/0/0.pbf")
    assert response.status_code == 404 and "grids" in response.json()["detail"]


@pytest.mark.parametrize("path, parameter", [("/tiles/grids/23/0/0.pbf", "z"), ("/tiles/grids/2/4/0.pbf", "x"),
                                             ("/tiles/grids/2/0/4.pbf", "y")])
def test_tile_address_out_of_range_is_400(get, path, parameter):
    response = get("command", path)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_unknown_tile_parameter_is_400(get):
    response = get("command", tile_path("grids", 120.005, 30.005, 14), colour="red")
    assert response.status_code == 400 and response.json()["parameter"] == "colour"


def test_bad_coverage_period_is_400(get):
    response = get("planner", tile_path("coverage", 120.005, 30.005, 14), **{"from": "yesterday"})
    assert response.status_code == 400 and response.json()["parameter"] == "from"


def test_tilejson_describes_the_layer(get):
    doc = get("command", "/tiles/cases.json").json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == ["http://testserver/tiles/cases/{z}/{x}/{y}.pbf"]
    layer = doc["vector_layers"][0]
    assert layer["id"] == "cases" and layer["fields"]["overdue"] == "Boolean"
    assert doc["bounds"] == pytest.approx([120.0, 30.0, 120.12, 30.08])


def test_tilejson_for_planner_lists_no_detail_fields(get):
    fields = get("planner", "/tiles/cases.json").json()["vector_layers"][0]["fields"]
    assert "description" not in fields and "state" in fields


def test_tilejson_keeps_layer_parameters_and_no_credential(world, client):
    from tests.users import auth_header

    doc = client.get("/tiles/coverage.json", {"from": "2026-05-04"}, **auth_header(world.users["planner"])).json()
    assert doc["tiles"][0] == "http://testserver/tiles/coverage/{z}/{x}/{y}.pbf?from=2026-05-04"


def test_mvt_is_web_mercator_extent_4096(get):
    response = get("command", tile_path("counties", 120.05, 30.04, 10))
    layer = mapbox_vector_tile.decode(response.content)["counties"]
    assert layer["extent"] == 4096
