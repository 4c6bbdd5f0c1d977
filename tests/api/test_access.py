"""Who may read the territory and organisation API: the specification of gis_app/api/access.py."""
import pytest

from boundaries.models import Township
from gis_app.api.access import NoMembership, restrict, visible_counties
from gis_app.enforcement.models import Department
from tests.api.conftest import ROLES
from tests.users import make_user

LISTS = ["/api/counties/", "/api/townships/", "/api/villages/", "/api/grids/",
         "/api/protected-areas/", "/api/hubs/", "/api/teams/", "/api/departments/", "/api/catalogue/"]


def _county_codes(body):
    """County codes of every row of a list answer (GeoJSON or plain)."""
    if body.get("type") == "FeatureCollection":
        rows = [f["properties"] for f in body["features"]]
        return {p.get("county_code") or p.get("code") for p in rows}
    return {row["county_code"] for row in body["results"]}


# --- the helpers ---------------------------------------------------------------------------

def test_visible_counties_of_a_member_is_their_county_only(home, other):
    user = make_user("u", "planner", home.county)
    assert list(visible_counties(user)) == [home.county]


def test_visible_counties_of_a_superuser_is_every_county(home, other):
    user = make_user("root", superuser=True)
    assert set(visible_counties(user)) == {home.county, other.county}


def test_visible_counties_refuses_a_user_without_membership(home):
    user = make_user("nobody")
    with pytest.raises(NoMembership):
        visible_counties(user)


def test_restrict_keeps_only_rows_of_visible_counties(home, other):
    user = make_user("u", "grid_member", other.county)
    assert list(restrict(Township.objects.all(), user)) == other.townships


def test_restrict_compares_the_county_as_bigint(home):
    user = make_user("u", "grid_member", home.county)
    sql, params = restrict(Township.objects.all(), user).query.sql_with_params()
    assert '"boundaries_township"."county_id" = (%s)::bigint' in sql and params == (home.county.pk,)


# --- authentication and membership -----------------------------------------------------------

@pytest.mark.parametrize("path", LISTS)
def test_anonymous_request_is_401(get, home, path):
    response = get(None, path)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("path", LISTS)
def test_user_without_member_row_is_403_with_reason(get, home, path):
    response = get(make_user("nobody"), path)
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "no_membership"
    assert "Member" in body["detail"]


def test_session_authentication_is_accepted(client, member):
    client.force_login(member)
    response = client.get("/api/townships/")
    assert response.status_code == 200


# --- county isolation, per role --------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", LISTS)
def test_every_role_lists_its_own_county_only(get, home, other, role, path):
    user = make_user(f"u-{role}", role, home.county)
    response = get(user, path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] > 0
    assert _county_codes(body) == {"990101"}


@pytest.mark.parametrize("path", LISTS)
def test_superuser_lists_every_county(get, superuser, path):
    body = get(superuser, path).json()
    assert _county_codes(body) == {"990101", "990202"}


@pytest.mark.parametrize("path", [
    "/api/counties/990202/", "/api/townships/990202001/", "/api/villages/990202001001/",
    "/api/grids/990202001001001/", "/api/hubs/990202001/", "/api/teams/T990202001/",
])
def test_detail_of_another_countys_unit_is_404(get, member, path):
    response = get(member, path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_detail_of_another_countys_department_is_404(get, member, other):
    Department.objects.create(county=other.county, code="QTBM", name="邻县其他部门", kind="department")
    assert get(member, "/api/departments/QTBM/").status_code == 404


def test_protected_area_code_shared_with_another_county_shows_own_zones_only(get, member):
    body = get(member, "/api/protected-areas/PA01/").json()
    assert {f["properties"]["county_code"] for f in body["features"]} == {"990101"}


def test_shared_department_code_resolves_to_own_county(get, member):
    body = get(member, "/api/departments/SCJG/").json()
    assert body["county_code"] == "990101"


def test_county_filter_for_a_county_not_visible_is_400(get, member):
    response = get(member, "/api/townships/", county="990202")
    assert response.status_code == 400
    assert response.json()["parameter"] == "county"


# --- read-only ------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("post", "/api/townships/"), ("put", "/api/townships/990101001/"),
    ("patch", "/api/grids/990101001001001/"), ("delete", "/api/counties/990101/"),
    ("post", "/api/catalogue/"), ("delete", "/api/departments/SCJG/"), ("put", "/api/teams/TSCJG/"),
    ("post", "/api/catalogue/I001/authority/"), ("post", "/api/hubs/"),
    ("delete", "/api/protected-areas/PA01/"),
])
def test_writes_are_405(member, method, path):
    from rest_framework.test import APIClient

    from tests.users import auth_header
    response = getattr(APIClient(), method)(path, {}, format="json", **auth_header(member))
    assert response.status_code == 405
