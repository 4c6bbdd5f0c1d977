"""The case loop over REST: intake, lists, details, steps, attachments, statistics, by role."""
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from boundaries.crs import wgs84_to_gcj02
from gis_app.incidents.models import Case
from tests.incidents.conftest import report, world  # noqa: F401  (the fixture)
from tests.users import auth_header

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def client(world, user):
    c = APIClient()
    if user:
        c.credentials(**auth_header(world.users[user]))
    return c


def post_case(world, user="grid", township=0, item="I001", **extra):
    p = world.point(township)
    body = {"lon": p.lon, "lat": p.lat, "item": item, "description": "摊位占道", **extra}
    return client(world, user).post("/api/cases/", body, format="json")


def test_grid_member_reports_through_the_api(world):
    r = post_case(world)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["type"] == "Feature" and body["crs"]["properties"]["name"].endswith("CRS84")
    props = body["properties"]
    assert (props["state"], props["team"]["code"], props["mode"]) == ("assigned", "T990101001", "township")
    assert [e["kind"] for e in props["events"]] == ["reported", "routed"]
    assert props["allowed_steps"] == []  # the reporter takes no steps


def test_report_in_gcj02_is_stored_in_wgs84_and_says_so(world):
    p = world.point(0)
    gx, gy = wgs84_to_gcj02(p.lon, p.lat)
    r = client(world, "grid").post("/api/cases/", {"lon": float(gx), "lat": float(gy), "crs": "GCJ02",
                                                  "item": "I001", "description": "x"}, format="json")
    assert r.status_code == 201
    props = r.json()["properties"]
    assert props["received"]["crs"] == "GCJ02"
    assert r.json()["geometry"]["coordinates"] == pytest.approx([p.lon, p.lat], abs=1e-7)


def test_report_outside_the_jurisdiction_gets_the_routers_422(world):
    r = client(world, "command").post("/api/cases/", {"lon": 100.0, "lat": 30.0, "item": "I001",
                                                     "description": "x"}, format="json")
    assert r.status_code == 422 and r.json()["error"] == "outside_jurisdiction"
    assert r.json()["distance_m"] > 0
    assert not Case.objects.exists()


@pytest.mark.parametrize("body,parameter", [
    ({"lat": 30.0, "item": "I001", "description": "x"}, "lon"),
    ({"lon": "east", "lat": 30.0, "item": "I001", "description": "x"}, "lon"),
    ({"lon": 120.005, "lat": 30.005, "description": "x"}, "item"),
    ({"lon": 120.005, "lat": 30.005, "item": "NOPE", "description": "x"}, "item"),
    ({"lon": 120.005, "lat": 30.005, "item": "I001", "description": ""}, "description"),
    ({"lon": 120.005, "lat": 30.005, "item": "I001", "description": "x", "crs": "EPSG:1"}, "crs"),
])
def test_bad_intake_is_a_400_naming_the_parameter(world, body, parameter):
    r = client(world, "command").post("/api/cases/", body, format="json")
    assert r.status_code == 400 and r.json()["parameter"] == parameter


def test_walk_the_loop_over_the_api(world):
    case_id = post_case(world).json()["id"]
    version = 1
    for step, user in [("accept", "team1"), ("arrive", "team1"), ("handle", "team1"),
                       ("review", "command"), ("close", "command"), ("archive", "command")]:
        r = client(world, user).post(f"/api/cases/{case_id}/{step}/", {"version": version, "note": "ok"},
                                     format="json")
        assert r.status_code == 200, (step, r.content)
        version = r.json()["properties"]["version"]
    assert r.json()["properties"]["state"] == "archived"


def test_two_officers_with_the_same_version_get_one_409(world):
    case_id = post_case(world).json()["id"]
    first = client(world, "team1").post(f"/api/cases/{case_id}/accept/", {"version": 1}, format="json")
    second = client(world, "team1").post(f"/api/cases/{case_id}/return/", {"version": 1, "note": "x"},
                                         format="json")
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["error"] == "conflict"


def test_step_without_version_is_a_400(world):
    case_id = post_case(world).json()["id"]
    r = client(world, "team1").post(f"/api/cases/{case_id}/accept/", {}, format="json")
    assert r.status_code == 400 and r.json()["parameter"] == "version"


@pytest.mark.parametrize("note", [5, ["马上出发"], {"text": "x"}])
def test_a_step_note_of_another_type_is_a_400_naming_it(world, note):
    case_id = post_case(world).json()["id"]
    r = client(world, "team1").post(f"/api/cases/{case_id}/accept/", {"version": 1, "note": note}, format="json")
    assert r.status_code == 400 and r.json()["parameter"] == "note", r.content
    assert Case.objects.get(pk=case_id).state == "assigned"


def test_step_records_where_the_officer_was(world):
    case_id = post_case(world).json()["id"]
    r = client(world, "team1").post(f"/api/cases/{case_id}/accept/",
                                    {"version": 1, "lon": 120.001, "lat": 30.001}, format="json")
    assert r.json()["properties"]["events"][-1]["where"] == {"lon": 120.001, "lat": 30.001, "crs": "EPSG:4326"}


@pytest.mark.parametrize("user,status", [("grid", 403), ("team3", 404), ("scjg", 404), ("planner", 404),
                                         ("other_command", 404), ("command", 403), ("nobody", 403)])
def test_accept_by_anyone_but_the_acting_team_is_refused(world, user, status):
    case_id = post_case(world).json()["id"]
    r = client(world, user).post(f"/api/cases/{case_id}/accept/", {"version": 1}, format="json")
    assert r.status_code == status
    assert Case.objects.get(pk=case_id).state == "assigned"


@pytest.fixture
def cases(world):
    """Reported just now, so overdue and date filters read against the real clock."""
    now = timezone.now()
    return {"t1": report(world, now=now), "t3": report(world, user="command", township=2, item="I002", now=now),
            "t4": report(world, user="command", township=3, item="I003", now=now)}


def listed(world, user, query=""):
    r = client(world, user).get(f"/api/cases/{query}")
    return r.status_code, (sorted(f["properties"]["number"] for f in r.json()["features"])
                           if r.status_code == 200 else r.json())


@pytest.mark.parametrize("user,expected", [
    ("grid", {"t1"}), ("team1", {"t1"}), ("team3", {"t3"}), ("scjg", {"t3"}), ("zygh", {"t4"}),
    ("sthj", {"t4"}), ("command", {"t1", "t3", "t4"}), ("other_command", set()), ("admin", {"t1", "t3", "t4"}),
])
def test_lists_hold_only_the_cases_within_reach(world, cases, user, expected):
    status, numbers = listed(world, user)
    assert status == 200
    assert numbers == sorted(cases[k].number for k in expected)


@pytest.mark.parametrize("user", ["planner", "nobody"])
def test_planners_and_non_members_get_no_case_list(world, cases, user):
    assert listed(world, user)[0] == 403


def test_anonymous_gets_401(world):
    assert client(world, None).get("/api/cases/").status_code == 401


def test_details_outside_reach_are_404(world, cases):
    assert client(world, "team3").get(f"/api/cases/{cases['t1'].pk}/").status_code == 404
    assert client(world, "team1").get(f"/api/cases/{cases['t1'].pk}/").status_code == 200


def test_list_filters(world, cases):
    assert listed(world, "command", "?state=assigned")[1] == sorted(c.number for c in cases.values())
    assert listed(world, "command", "?item=I002")[1] == [cases["t3"].number]
    assert listed(world, "command", "?team=TSTHJ")[1] == [cases["t4"].number]
    assert listed(world, "command", "?township=990101001")[1] == [cases["t1"].number]
    assert listed(world, "command", "?bbox=120.0,30.0,120.04,30.04")[1] == [cases["t1"].number]
    assert listed(world, "command", "?overdue=true")[1] == []
    assert listed(world, "command", "?overdue=false")[1] == sorted(c.number for c in cases.values())
    today = timezone.localdate()
    assert listed(world, "command", f"?from={today}&to={today}")[1] == sorted(c.number for c in cases.values())
    assert listed(world, "command", f"?from={today + timedelta(days=1)}")[1] == []


def test_overdue_filter_finds_cases_past_their_deadline(world):
    late = report(world, item="I003", now=timezone.now() - timedelta(hours=3))  # emergency: 2 h
    report(world, now=timezone.now())
    assert listed(world, "command", "?overdue=true")[1] == [late.number]


@pytest.mark.parametrize("query,parameter", [("?state=lost", "state"), ("?overdue=maybe", "overdue"),
                                             ("?from=yesterday", "from"), ("?bbox=1,2,3", "bbox"),
                                             ("?colour=red", "colour")])
def test_bad_list_filters_are_400s(world, cases, query, parameter):
    status, body = listed(world, "command", query)
    assert status == 400 and body["parameter"] == parameter


def test_attachments_upload_list_and_download_within_reach(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case_id = post_case(world).json()["id"]
    up = client(world, "grid").post(f"/api/cases/{case_id}/attachments/",
                                    {"file": io.BytesIO(JPEG)}, format="multipart")
    assert up.status_code == 201, up.content
    n = up.json()["n"]
    assert client(world, "team1").get(f"/api/cases/{case_id}/attachments/").json()[0]["sha256"] == up.json()["sha256"]
    download = client(world, "team1").get(f"/api/cases/{case_id}/attachments/{n}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == JPEG
    assert client(world, "team3").get(f"/api/cases/{case_id}/attachments/{n}/").status_code == 404


def test_attachment_of_the_wrong_type_is_a_400(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case_id = post_case(world).json()["id"]
    r = client(world, "grid").post(f"/api/cases/{case_id}/attachments/",
                                   {"file": io.BytesIO(b"#!/bin/sh\nrm -rf /")}, format="multipart")
    assert r.status_code == 400 and r.json()["parameter"] == "file"


def test_statistics_as_json_and_csv(world, cases):
    r = client(world, "planner").get("/api/cases/statistics/?group_by=township")
    assert r.status_code == 200
    assert sum(row["total"] for row in r.json()["rows"]) == 3
    r = client(world, "planner").get("/api/cases/statistics/?group_by=item&format=csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["item"]: row["total"] for row in rows} == {"I001": "1", "I002": "1", "I003": "1"}


def test_statistics_refuse_an_unknown_grouping(world):
    r = client(world, "command").get("/api/cases/statistics/?group_by=colour")
    assert r.status_code == 400 and r.json()["parameter"] == "group_by"


def test_joint_inspection_over_the_api(world):
    p = world.point(3)
    r = client(world, "command").post("/api/joint-inspections/", {
        "lon": p.lon, "lat": p.lat, "items": ["I001", "I003"], "name": "综合查一次",
        "description": "联合检查"}, format="json")
    assert r.status_code == 201, r.content
    assert [c["item"] for c in r.json()["cases"]] == ["I001", "I003"]
    assert client(world, "team1").post("/api/joint-inspections/", {
        "lon": p.lon, "lat": p.lat, "items": ["I001", "I003"], "name": "x", "description": "y"},
        format="json").status_code == 403
