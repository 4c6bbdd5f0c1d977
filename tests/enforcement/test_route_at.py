"""GET /api/route?...&at=DATE: the answer as of a day, from the generation and rule version in
force at its end (the archive), and today's router for today or without `at`."""
from datetime import timedelta

import pytest
from django.utils import timezone
from shapely.geometry import box

from boundaries.models import County, TerritoryGeneration
from gis_app.bundles.importer import import_bundle
from gis_app.bundles.pruning import plan_pruning, prune
from gis_app.enforcement.models import RuleVersion
from tests.bundle_writer import lattice, tables, write_bundle
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db
POINT = {"lon": 118.035, "lat": 31.01, "item": "I001"}  # township 1 until the border moves


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def backdate(number, days):
    moment = timezone.now() - timedelta(days=days)
    TerritoryGeneration.objects.filter(number=number).update(imported_at=moment)
    RuleVersion.objects.filter(number=number).update(created_at=moment)


@pytest.fixture
def reimported(tmp_path):
    """Generation 1 imported 30 days ago; generation 2 (the border of townships 1 and 2 moved
    west of the point, and I001 no longer held by township 1: rule version 2) 5 days ago."""
    import_bundle(write_bundle(tmp_path / "v1"))
    backdate(1, 30)
    layers = lattice()
    layers["townships"][0]["geometry"] = box(118.0, 31.0, 118.032, 31.04)
    layers["townships"][1]["geometry"] = box(118.032, 31.0, 118.08, 31.04)
    rows = tables(layers)
    for row in rows["authority"]:
        if row["township_code"] == "990201002" and row["item_code"] == "I001":
            row["authority"], row["entrusting_department_code"] = "none", ""
    import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=rows), replace=True)
    backdate(2, 5)
    return County.objects.get(code="990201")


@pytest.fixture
def user(reimported):
    return make_user("cmd", "command_centre", reimported)


def get(client, user, **params):
    return client.get("/api/route", {**POINT, **params}, **auth_header(user))


def test_a_day_before_the_reimport_answers_with_the_old_generation(client, user):
    body = get(client, user, at=days_ago(10).isoformat()).json()
    assert body["township"]["code"] == "990201001"
    assert body["as_of"] == {"at": days_ago(10).isoformat(), "territory_generation": 1, "rule_version": 1}


def test_a_day_after_the_reimport_answers_with_the_new_generation_and_rules(client, user):
    body = get(client, user, at=days_ago(2).isoformat()).json()
    assert body["township"]["code"] == "990201002"
    assert body["mode"] == "whistle"
    assert body["as_of"]["territory_generation"] == 2 and body["as_of"]["rule_version"] == 2


def test_the_archived_answer_of_the_current_generation_is_todays(client, user):
    archived = get(client, user, at=days_ago(1).isoformat()).json()
    today = get(client, user).json()
    for key in ("county", "township", "village", "grid", "hub", "team", "subject", "mode",
                "severity", "protected_areas", "departments", "item"):
        assert archived[key] == today[key], key


def test_today_or_no_at_is_todays_router(client, user):
    for params in ({}, {"at": timezone.localdate().isoformat()}):
        body = get(client, user, **params).json()
        assert body["township"]["code"] == "990201002" and "as_of" not in body
        assert "ambiguous" in body      # today's question: near-border candidates too


def test_a_day_before_the_first_generation_is_a_400_naming_at(client, user):
    res = get(client, user, at=days_ago(40).isoformat())
    assert res.status_code == 400
    assert res.json()["parameter"] == "at"


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2026-05-04T08:00"])
def test_an_unreadable_at_is_a_400_naming_it(client, user, value):
    res = get(client, user, at=value)
    assert (res.status_code, res.json()["parameter"]) == (400, "at")


def test_a_day_after_today_is_a_400_naming_at(client, user):
    res = get(client, user, at=(timezone.localdate() + timedelta(days=1)).isoformat())
    assert (res.status_code, res.json()["parameter"]) == (400, "at")


def test_a_pruned_day_is_a_410_naming_at(client, user, reimported):
    prune(plan_pruning(reimported, keep=1))
    res = get(client, user, at=days_ago(10).isoformat())
    assert res.status_code == 410
    assert (res.json()["error"], res.json()["parameter"]) == ("not_archived", "at")


def test_at_keeps_the_county_permission(client, reimported):
    other = County.objects.create(code="990299", name="别县", geom=reimported.geom)
    stranger = make_user("far", "command_centre", other)
    res = get(client, stranger, at=days_ago(10).isoformat())
    assert res.status_code == 403


def test_at_is_typed_in_openapi(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    params = {p["name"]: p for p in schema["paths"]["/api/route"]["get"]["parameters"]}
    assert params["at"]["schema"] == {"type": "string", "format": "date"}
    assert "as_of" in schema["components"]["schemas"]["RouteAnswer"]["properties"]
    assert "410" in schema["paths"]["/api/route"]["get"]["responses"]


def test_a_day_before_the_points_county_was_first_imported_is_a_400_naming_it(client, user, tmp_path):
    import_bundle(write_bundle(tmp_path / "east", code="990202", name="东样例县", origin=(119.0, 31.0)))
    res = client.get("/api/route", {"lon": 119.035, "lat": 31.01, "item": "I001",
                                    "at": days_ago(10).isoformat()}, **auth_header(make_user(
                                        "east", "command_centre", County.objects.get(code="990202"))))
    assert (res.status_code, res.json()["parameter"]) == (400, "at")
    assert "990202" in res.json()["detail"]
