"""The field pages by role, the report page's data, the service worker script."""
import json

import pytest
from django.test import Client

from gis_app.pages.field_data import initials
from tests.incidents.conftest import report, world  # noqa: F401  (the fixture)


def as_user(world, name):
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.mark.parametrize("path", ["/field/report/", "/field/reports/", "/field/data/report.json"])
def test_grid_member_pages_are_for_grid_members(world, path):
    assert as_user(world, "grid").get(path).status_code == 200
    assert as_user(world, "team1").get(path).status_code == 403
    assert as_user(world, "command").get(path).status_code == 403


@pytest.mark.parametrize("path", ["/field/inbox/"])
def test_the_inbox_is_for_team_and_department_members(world, path):
    assert as_user(world, "team1").get(path).status_code == 200
    assert as_user(world, "scjg").get(path).status_code == 200
    assert as_user(world, "grid").get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world):
    r = Client().get("/field/report/")
    assert r.status_code == 302 and "next=/field/report/" in r["Location"]


def test_a_case_page_opens_only_for_cases_within_reach(world):
    case = report(world)
    assert as_user(world, "team1").get(f"/field/cases/{case.pk}/").status_code == 200
    assert as_user(world, "team3").get(f"/field/cases/{case.pk}/").status_code == 404


def test_report_data_lists_the_catalogue_with_initials_and_recent_items_first(world):
    report(world, item="I003")
    data = as_user(world, "grid").get("/field/data/report.json").json()
    assert data["crs"] == "EPSG:4326"
    assert [i["code"] for i in data["items"]] == ["I001", "I002", "I003", "I004"]
    assert data["items"][0]["initials"] == "zdjy" and data["recent"] == ["I003"]


def test_report_data_holds_the_members_own_grids_only(world):
    data = as_user(world, "grid").get("/field/data/report.json").json()
    codes = {f["properties"]["code"] for f in data["grids"]["features"]}
    assert codes == {g.code for g in world.users["grid"].member.grids.all()}
    assert data["grids"]["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_initials_keep_letters_and_digits():
    assert initials("占道经营") == "zdjy" and initials("A级景区") == "ajjq"


def test_the_service_worker_is_scoped_to_the_field_pages_and_precaches_the_roles_pages(world):
    r = as_user(world, "grid").get("/field/sw.js")
    assert r["Content-Type"].startswith("application/javascript")
    assert r["Service-Worker-Allowed"] == "/field/" and r["Cache-Control"] == "no-cache"
    body = r.content.decode()
    precache = json.loads(body.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert "/field/report/" in precache and "/field/data/report.json" in precache
    assert "/static/field/report.js" in precache


def test_a_team_members_service_worker_keeps_the_inbox(world):
    body = as_user(world, "team1").get("/field/sw.js").content.decode()
    assert '"/field/inbox/"' in body and "/field/report/" not in body


def test_a_fresh_csrf_token_for_pages_served_from_the_cache(world):
    assert len(as_user(world, "grid").get("/field/csrf/").json()["token"]) >= 32
