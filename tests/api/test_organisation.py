"""Organisation read API: departments, teams, the catalogue and per-township authority."""
import pytest

from boundaries.crs import wgs84_to_gcj02
from tests.territory import grant
from tests.api.conftest import client_for


def _codes(body):
    if body.get("type") == "FeatureCollection":
        return [f["properties"]["code"] for f in body["features"]]
    return [row["code"] for row in body["results"]]


# --- departments ----------------------------------------------------------------------------

def test_departments_list(get, member):
    body = get(member, "/api/departments/").json()
    assert body["count"] == 5
    assert _codes(body) == ["HYZF", "SCJG", "STHJ", "ZHZF", "ZYGH"]
    assert body["results"][1] == {"code": "SCJG", "name": "县市场监管局", "kind": "department",
                                  "county_code": "990101"}


def test_departments_filtered_by_kind(get, member):
    assert _codes(get(member, "/api/departments/", kind="marine").json()) == ["HYZF"]


def test_department_detail_by_code(get, member):
    body = get(member, "/api/departments/ZHZF/").json()
    assert body == {"code": "ZHZF", "name": "县综合行政执法局", "kind": "bureau", "county_code": "990101"}


def test_department_code_in_two_counties_needs_county_for_a_superuser(get, superuser):
    response = get(superuser, "/api/departments/SCJG/")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "county"
    assert "990101" in body["detail"] and "990202" in body["detail"]
    assert get(superuser, "/api/departments/SCJG/", county="990202").json()["county_code"] == "990202"


def test_unknown_department_is_404(get, member):
    assert get(member, "/api/departments/NOPE/").status_code == 404


@pytest.mark.parametrize("path, english, chinese", [
    ("/api/departments/NOPE/", "no department 'NOPE'", "部门"), ("/api/teams/NOPE/", "no team 'NOPE'", "队伍"),
    ("/api/catalogue/NOPE/", "no catalog item 'NOPE'", "事项")])
def test_an_unknown_code_is_named_with_its_kind_in_either_language(get, member, path, english, chinese):
    """The kind comes from the model's English name (its verbose_name is the admin's Chinese)."""
    assert get(member, path, _language="en").json()["detail"] == f"{english} in the counties you may see"
    assert chinese in get(member, path).json()["detail"]


# --- teams ----------------------------------------------------------------------------------

def test_teams_list_is_geojson_with_base_points(get, member):
    response = get(member, "/api/teams/")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert body["count"] == 9  # 4 township teams + 5 department teams
    teams = {f["properties"]["code"]: f for f in body["features"]}
    township_team = teams["T990101001"]
    assert township_team["geometry"] == {"type": "Point", "coordinates": [120.02, 30.02]}
    assert township_team["properties"]["township_code"] == "990101001"
    assert township_team["properties"]["township_name"] == "第1镇"
    assert township_team["properties"]["kind"] == "township_team"
    department_team = teams["TSCJG"]
    assert department_team["geometry"] is None
    assert (department_team["properties"]["department_code"],
            department_team["properties"]["department_name"]) == ("SCJG", "县市场监管局")


def test_teams_filtered_by_township_department_and_kind(get, member):
    assert _codes(get(member, "/api/teams/", township="990101003").json()) == ["T990101003"]
    assert _codes(get(member, "/api/teams/", department="STHJ").json()) == ["TSTHJ"]
    assert _codes(get(member, "/api/teams/", kind="marine").json()) == ["THYZF"]


def test_teams_filtered_by_bbox_around_their_base(get, member):
    assert _codes(get(member, "/api/teams/", bbox="120.05,30.05,120.07,30.07").json()) == ["T990101004"]


def test_unknown_department_filter_is_400(get, member):
    response = get(member, "/api/teams/", department="NOPE")
    assert response.status_code == 400
    assert response.json()["parameter"] == "department"


def test_team_base_in_gcj02(get, member):
    feature = get(member, "/api/teams/T990101001/", crs="GCJ02").json()
    x, y = wgs84_to_gcj02(120.02, 30.02)
    assert feature["geometry"]["coordinates"] == pytest.approx([float(x), float(y)], abs=1e-7)
    assert feature["crs"]["properties"]["name"] == "GCJ02"


def test_teams_list_does_not_accept_geometry_simplification(get, member):
    response = get(member, "/api/teams/", simplify="100")
    assert response.status_code == 400
    assert response.json()["parameter"] == "simplify"


# --- catalogue ------------------------------------------------------------------------------

def test_catalogue_items_carry_departments_whistle_kind_and_deadline(get, member, settings):
    body = get(member, "/api/catalogue/").json()
    assert body["count"] == 4
    item = {row["code"]: row for row in body["results"]}["I003"]
    assert item["name"] == "非法排污"
    assert item["department"] == {"code": "STHJ", "name": "县生态环境局", "kind": "department"}
    assert item["supporting_departments"] == [{"code": "ZYGH", "name": "县资源规划局", "kind": "department"}]
    assert item["whistle_kind"] == "emergency"
    assert item["deadline_hours"] == settings.WHISTLE_DEADLINE_HOURS["emergency"]
    assert item["action_type"] == "penalty" and item["county_code"] == "990101"


def test_catalogue_filters(get, member):
    assert _codes(get(member, "/api/catalogue/", department="SCJG").json()) == ["I002"]
    assert _codes(get(member, "/api/catalogue/", whistle_kind="tough").json()) == ["I002", "I004"]
    assert _codes(get(member, "/api/catalogue/", q="排污").json()) == ["I003"]
    assert get(member, "/api/catalogue/", action_type="inspection").json()["count"] == 0


def test_bad_catalogue_filter_is_400_naming_it(get, member):
    response = get(member, "/api/catalogue/", whistle_kind="loud")
    assert response.status_code == 400
    assert response.json()["parameter"] == "whistle_kind"


def test_catalogue_item_detail(get, member):
    assert get(member, "/api/catalogue/I001/").json()["department"]["code"] == "ZHZF"


def test_catalogue_list_does_not_query_per_row(get, member, django_assert_max_num_queries):
    client = client_for(member)
    with django_assert_max_num_queries(5):
        assert client.get("/api/catalogue/").json()["count"] == 4


# --- per-township authority -----------------------------------------------------------------

@pytest.fixture
def granted(home):
    item = home.items["I001"]
    grant(home.townships[0], item, "statutory")
    grant(home.townships[1], item, "entrusted", home.departments["SCJG"])
    grant(home.townships[2], item, "none")
    return item


def test_authority_lists_every_township_with_none_where_no_row(get, member, granted):
    body = get(member, "/api/catalogue/I001/authority/").json()
    assert body["item"] == {"code": "I001", "name": "占道经营", "county_code": "990101"}
    assert body["count"] == 4
    rows = {row["township"]["code"]: row for row in body["results"]}
    assert rows["990101001"] == {"township": {"code": "990101001", "name": "第1镇"},
                                 "authority": "statutory", "explicit": True, "entrusting_department": None}
    assert rows["990101002"]["authority"] == "entrusted"
    assert rows["990101002"]["entrusting_department"] == {"code": "SCJG", "name": "县市场监管局"}
    assert (rows["990101003"]["authority"], rows["990101003"]["explicit"]) == ("none", True)
    assert (rows["990101004"]["authority"], rows["990101004"]["explicit"]) == ("none", False)


def test_authority_filtered_by_kind_and_township(get, member, granted):
    body = get(member, "/api/catalogue/I001/authority/", authority="none").json()
    assert [row["township"]["code"] for row in body["results"]] == ["990101003", "990101004"]
    body = get(member, "/api/catalogue/I001/authority/", township="990101002").json()
    assert [row["authority"] for row in body["results"]] == ["entrusted"]


def test_authority_of_another_countys_item_is_not_shown(get, member, other, granted):
    # I001 exists in both counties: the member gets the home county's rows only.
    body = get(member, "/api/catalogue/I001/authority/").json()
    assert {row["township"]["code"][:6] for row in body["results"]} == {"990101"}


def test_bad_authority_filter_is_400(get, member, granted):
    response = get(member, "/api/catalogue/I001/authority/", authority="maybe")
    assert response.status_code == 400
    assert response.json()["parameter"] == "authority"


def test_authority_does_not_query_per_township(get, member, granted, django_assert_max_num_queries):
    client = client_for(member)
    with django_assert_max_num_queries(6):
        assert client.get("/api/catalogue/I001/authority/").json()["count"] == 4
