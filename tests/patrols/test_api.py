"""The patrol API: uploads, tracks, coverage, plans, hub reach, live positions; who may do what.

`home` (990101, 2x2 townships) has a 1+X hub: township 1's team also covers township 2.
`other` (990202) shares team codes' pattern but not the county: its objects are never seen.
"""
import io
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from gis_app.enforcement.models import Member
from gis_app.patrols.models import Fix, PatrolPlan, Track
from gis_app.patrols.services import create_plan, upload_track
from tests.patrols.helpers import T0, csv_file, geojson_file, gpx_file, to_gcj02, walk
from tests.territory import box, make_hub, make_territory
from tests.users import auth_header, make_user

ROLES = [role for role, _ in Member.Role.choices]
READERS = ["township_team", "department", "command_centre", "planner"]
DAY = {"from": "2026-05-04", "to": "2026-05-04"}
FIXES = walk([(120.002, 30.005), (120.018, 30.005)], speed_kmh=10, step_s=30)


@pytest.fixture
def home(db):
    t = make_territory(code="990101", origin=(120.0, 30.0))
    make_hub(t.townships[0], [t.townships[1]])
    return t


@pytest.fixture
def other(db):
    return make_territory(code="990202", origin=(121.0, 31.0), cols=1, rows=1)


def team_of(t, n):
    return t.teams[t.townships[n].code]


def user(role, t, n=0, **kw):
    """A user of `role` in territory `t`; township teams belong to township n's team,
    departments to SCJG."""
    extra = {}
    if role == "township_team":
        extra["team"] = team_of(t, n)
    if role == "department":
        extra["department"] = t.departments["SCJG"]
    return make_user(kw.pop("name", f"{role}-{t.county.code}-{n}"), role, t.county, **extra, **kw)


def client(u=None):
    return APIClient(**(auth_header(u) if u is not None else {}))


def post_track(u, team_code, data=None, name="t.csv", **fields):
    upload = data if data is not None else csv_file(FIXES)
    upload.name = name
    return client(u).post("/api/tracks/", {"file": upload, "team": team_code, **fields}, format="multipart")


def seed_track(t, n=0, fixes=FIXES):
    return upload_track(csv_file(fixes), team=team_of(t, n), filename="seed.csv")


# --- upload ------------------------------------------------------------------------------------

def test_upload_answers_201_with_track_summary_and_cleaning_report(home):
    fixes = list(FIXES)
    fixes.insert(3, fixes[2])
    response = post_track(user("command_centre", home), team_of(home, 0).code, csv_file(fixes))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "Feature" and body["geometry"]["type"] == "MultiLineString"
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    props = body["properties"]
    assert props["team"] == team_of(home, 0).code
    assert (props["fixes_received"], props["fixes_kept"], props["fixes_dropped"]) == (len(fixes), len(FIXES), 1)
    assert props["report"]["dropped_fixes"][0]["index"] == 3
    assert props["report"]["dropped_fixes"][0]["reason"] == "duplicate"
    assert props["report"]["crs_stored"] == "EPSG:4326"
    assert Fix.objects.filter(track_id=body["id"]).count() == len(FIXES)


def test_upload_answer_summarises_the_line_instead_of_echoing_every_fix(home):
    fixes = walk([(120.002, 30.005), (120.038, 30.005), (120.038, 30.035)], speed_kmh=20, step_s=2)
    command = user("command_centre", home)
    response = post_track(command, team_of(home, 0).code, csv_file(fixes))
    assert response.status_code == 201, response.content
    body = response.json()
    answered = sum(len(part) for part in body["geometry"]["coordinates"])
    assert answered < len(fixes) / 50                        # a straight walk: its corners
    assert f"/api/tracks/{body['id']}/" in body["properties"]["geometry_detail"]
    full = client(command).get(f"/api/tracks/{body['id']}/").json()
    assert sum(len(part) for part in full["geometry"]["coordinates"]) == len(fixes)


@pytest.mark.parametrize("writer,name", [(gpx_file, "t.gpx"), (geojson_file, "t.geojson")])
def test_upload_accepts_gpx_and_geojson(home, writer, name):
    response = post_track(user("command_centre", home), team_of(home, 0).code, writer(FIXES), name=name)
    assert response.status_code == 201, response.content
    assert response.json()["properties"]["source_format"] == name.split(".")[1]


def test_upload_in_gcj02_is_stored_in_wgs84(home):
    response = post_track(user("command_centre", home), team_of(home, 0).code, csv_file(to_gcj02(FIXES)),
                          crs="GCJ02")
    assert response.status_code == 201
    props = response.json()["properties"]
    assert props["crs_received"] == "GCJ02"
    first = Track.objects.get(pk=response.json()["id"]).fixes.order_by("time").first()
    assert first.geom.x == pytest.approx(FIXES[0][1], abs=1e-8)


@pytest.mark.parametrize("data,name,field", [
    (b"time,lon,lat\n2026-05-04T08:00:00Z,120,30\nnot-a-time,120.1,30\n", "t.csv", "time"),
    (b"time,lon,lat\n2026-05-04T08:00:00Z,120,30\n1e308,120.1,30\n", "t.csv", "time"),   # was a 500
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"time": 1e308}, '
     b'"geometry": {"type": "Point", "coordinates": [120, 30]}}]}', "t.geojson", "time"),
    (b"<gpx><trk><trkseg><trkpt lat='30' lon='120'><time>2026", "t.gpx", "file"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"time": "x"}, '
     b'"geometry": {"type": "Point", "coordinates": [120, 30]}}]}', "t.geojson", "time"),
])
def test_malformed_upload_is_400_with_a_report_and_nothing_stored(home, data, name, field):
    response = post_track(user("command_centre", home), team_of(home, 0).code, io.BytesIO(data), name=name)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed_upload" and body["stored"] is False
    assert body["problems"][0]["field"] == field
    assert Track.objects.count() == 0 and Fix.objects.count() == 0


def test_upload_without_file_is_400_naming_file(home):
    response = client(user("command_centre", home)).post("/api/tracks/", {"team": team_of(home, 0).code},
                                                         format="multipart")
    assert response.status_code == 400 and response.json()["parameter"] == "file"


@pytest.mark.parametrize("fields,parameter", [
    ({"team": ""}, "team"),
    ({"team": "NOPE"}, "team"),
    ({"crs": "EPSG:9999"}, "crs"),
    ({"patrol": "abc"}, "patrol"),
    ({"patrol": "999999"}, "patrol"),
])
def test_bad_upload_field_is_400_naming_it(home, fields, parameter):
    fields = {"team": team_of(home, 0).code, **fields}
    team = fields.pop("team")
    response = post_track(user("command_centre", home), team, **fields)
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter
    assert Track.objects.count() == 0


def test_upload_may_name_a_plan_of_its_team(home):
    plan = create_plan(team=team_of(home, 0), name="p", area=box(120.0, 30.0, 120.02, 30.02))
    other_plan = create_plan(team=team_of(home, 1), name="q", area=box(120.0, 30.0, 120.02, 30.02))
    u = user("command_centre", home)
    assert post_track(u, team_of(home, 0).code, patrol=str(plan.pk)).json()["properties"]["plan"] == plan.pk
    assert post_track(u, team_of(home, 0).code, patrol=str(other_plan.pk)).status_code == 400


def test_another_countys_team_cannot_be_uploaded_to(home, other):
    response = post_track(user("command_centre", home), team_of(other, 0).code)
    assert response.status_code == 400 and response.json()["parameter"] == "team"


# --- upload permissions, per role ------------------------------------------------------------------

def test_township_team_member_uploads_for_own_team(home):
    assert post_track(user("township_team", home, 2), team_of(home, 2).code).status_code == 201


def test_township_team_member_may_not_upload_for_another_township(home):
    response = post_track(user("township_team", home, 2), team_of(home, 3).code)
    assert response.status_code == 403 and Track.objects.count() == 0


def test_township_team_member_of_a_covered_township_uploads_for_the_hub_team(home):
    assert post_track(user("township_team", home, 1), team_of(home, 0).code).status_code == 201


def test_department_member_uploads_for_the_departments_team_only(home):
    u = user("department", home)
    assert post_track(u, "TSCJG").status_code == 201
    assert post_track(u, "TSTHJ").status_code == 403
    assert post_track(u, team_of(home, 0).code).status_code == 403


@pytest.mark.parametrize("role", ["command_centre", "planner"])
def test_command_centre_and_planner_upload_for_any_team_of_their_county(home, role):
    u = user(role, home)
    assert post_track(u, team_of(home, 3).code).status_code == 201
    assert post_track(u, "THYZF").status_code == 201


def test_grid_member_may_not_upload(home):
    assert post_track(user("grid_member", home), team_of(home, 0).code).status_code == 403


def test_superuser_uploads_for_any_team(home, other):
    assert post_track(make_user("root", superuser=True), team_of(other, 0).code).status_code == 201


def test_account_without_membership_is_403_and_anonymous_401(home):
    assert post_track(make_user("nobody"), team_of(home, 0).code).status_code == 403
    assert post_track(None, team_of(home, 0).code).status_code == 401


# --- reading, per role -----------------------------------------------------------------------------

GETS = ["/api/tracks/", "/api/coverage", "/api/patrol-plans/", "/api/hub-coverage", "/api/live-positions"]


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize("role", READERS)
def test_readers_get_their_countys_data(home, other, role, path):
    seed_track(home)
    seed_track(other)
    response = client(user(role, home)).get(path)
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert "990202" not in text and "T990202001" not in text


@pytest.mark.parametrize("path", GETS)
def test_grid_member_reads_nothing_here(home, path):
    response = client(user("grid_member", home)).get(path)
    assert response.status_code == 403
    assert response.json()["error"] == "role_forbidden"


@pytest.mark.parametrize("path", GETS)
def test_account_without_membership_is_told_why(home, path):
    response = client(make_user("nobody")).get(path)
    assert response.status_code == 403 and response.json()["error"] == "no_membership"


@pytest.mark.parametrize("path", GETS)
def test_anonymous_is_401(home, path):
    assert client().get(path).status_code == 401


def test_superuser_must_say_which_county(home, other):
    response = client(make_user("root", superuser=True)).get("/api/coverage")
    assert response.status_code == 400 and response.json()["parameter"] == "county"


# --- tracks ----------------------------------------------------------------------------------------

def test_track_list_is_geojson_with_its_crs_and_filters(home):
    seed_track(home, 0)
    seed_track(home, 1, walk([(120.042, 30.005), (120.048, 30.005)], start=T0 + timedelta(days=2)))
    u = user("command_centre", home)
    body = client(u).get("/api/tracks/").json()
    assert body["type"] == "FeatureCollection" and body["count"] == 2
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert "report" not in body["features"][0]["properties"]
    by_team = client(u).get("/api/tracks/", {"team": team_of(home, 1).code}).json()
    assert [f["properties"]["team"] for f in by_team["features"]] == [team_of(home, 1).code]
    by_day = client(u).get("/api/tracks/", DAY).json()
    assert [f["properties"]["team"] for f in by_day["features"]] == [team_of(home, 0).code]
    by_box = client(u).get("/api/tracks/", {"bbox": "120.04,30.0,120.05,30.01"}).json()
    assert by_box["count"] == 1


@pytest.mark.parametrize("params,parameter", [({"team": "NOPE"}, "team"), ({"from": "yesterday"}, "from"),
                                              ({"bbox": "1,2,3"}, "bbox"), ({"colour": "red"}, "colour")])
def test_track_list_bad_parameter_is_400_naming_it(home, params, parameter):
    response = client(user("command_centre", home)).get("/api/tracks/", params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_track_detail_has_the_report(home):
    track = seed_track(home)
    body = client(user("planner", home)).get(f"/api/tracks/{track.pk}/").json()
    assert body["properties"]["report"]["kept"] == len(FIXES)


def test_another_countys_track_is_404(home, other):
    track = seed_track(other)
    assert client(user("command_centre", home)).get(f"/api/tracks/{track.pk}/").status_code == 404


def test_track_in_gcj02_output_is_shifted(home):
    track = seed_track(home)
    body = client(user("planner", home)).get(f"/api/tracks/{track.pk}/", {"crs": "GCJ02"}).json()
    x, y = body["geometry"]["coordinates"][0][0]
    gx, gy = to_gcj02([FIXES[0]])[0][1:]
    assert (x, y) == pytest.approx((gx, gy), abs=1e-6)
    assert body["crs"]["properties"]["name"] == "GCJ02"


# --- coverage --------------------------------------------------------------------------------------

def test_coverage_answers_grids_summaries_and_unpatrolled(home):
    seed_track(home)
    body = client(user("command_centre", home)).get("/api/coverage", {"county": "990101", **DAY}).json()
    assert body["crs"] == "EPSG:4326" and body["county"]["code"] == "990101"
    patrolled = [g for g in body["grids"] if g["patrolled"]]
    assert [g["code"] for g in patrolled] == ["990101001001001", "990101001001002"]
    assert set(patrolled[0]) == {"code", "name", "township", "patrolled", "first_visit", "last_visit",
                                 "visits", "seconds_inside"}
    assert patrolled[0]["first_visit"] == "2026-05-04T08:00:00+08:00"  # T0 (00:00 UTC), in +08:00
    assert len(body["unpatrolled"]) == 62 and body["counts"]["patrolled"] == 2
    assert body["townships"][0]["patrolled"] == 2 and body["period"]["from"].startswith("2026-05-04T00:00:00+08")
    assert any(t["code"] == team_of(home, 0).code and t["grids_patrolled"] == 2 for t in body["teams"])


def test_coverage_as_csv(home):
    seed_track(home)
    response = client(user("planner", home)).get("/api/coverage", {**DAY, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())      # BOM: Excel reads the Chinese right
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "code,name,township,patrolled,first_visit,last_visit,visits,seconds_inside"
    assert len(lines) == 65 and lines[1].startswith("990101001001001,") and ",True," in lines[1]


def test_coverage_as_a_geojson_map_layer(home):
    seed_track(home)
    response = client(user("planner", home)).get("/api/coverage", {**DAY, "format": "geojson"})
    body = response.json()
    assert response["Content-Type"].startswith("application/geo+json")
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 64
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert body["features"][0]["properties"]["patrolled"] is True


def test_coverage_filters_team_and_township(home):
    seed_track(home)
    u = user("planner", home)
    by_team = client(u).get("/api/coverage", {**DAY, "team": team_of(home, 1).code}).json()
    assert by_team["counts"]["patrolled"] == 0
    by_township = client(u).get("/api/coverage", {**DAY, "township": home.townships[1].code}).json()
    assert len(by_township["grids"]) == 16


@pytest.mark.parametrize("params,parameter", [
    ({"county": "990202"}, "county"), ({"county": "12"}, "county"), ({"team": "NOPE"}, "team"),
    ({"township": "990202001"}, "township"), ({"from": "2026-13-01"}, "from"),
    ({"from": "2026-05-05", "to": "2026-05-04"}, "to"), ({"from": "2026-01-01", "to": "2027-06-01"}, "to"),
    ({"format": "xml"}, "format"), ({"grid": "x"}, "grid"),
])
def test_coverage_bad_parameter_is_400_naming_it(home, other, params, parameter):
    response = client(user("planner", home)).get("/api/coverage", params)
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter


# --- patrol plans ----------------------------------------------------------------------------------

PLAN = {"name": "主街巡查", "route": {"type": "LineString", "coordinates": [[120.002, 30.005], [120.018, 30.005]]},
        "weekdays": [1, 2, 3, 4, 5], "start_time": "08:00", "end_time": "12:00"}


def post_plan(u, **body):
    return client(u).post("/api/patrol-plans/", {"team": "T990101001", **PLAN, **body}, format="json")


def test_planner_creates_a_plan(home):
    response = post_plan(user("planner", home))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["crs"] == "EPSG:4326" and body["route"]["type"] == "MultiLineString"
    assert body["weekdays"] == [1, 2, 3, 4, 5] and body["start_time"] == "08:00:00"


def test_plan_in_gcj02_is_stored_in_wgs84(home):
    route = {"type": "LineString", "coordinates": [list(p[1:]) for p in to_gcj02(
        [(T0, 120.002, 30.005), (T0, 120.018, 30.005)])]}
    body = post_plan(user("planner", home), route=route, crs="GCJ02").json()
    assert body["route"]["coordinates"][0][0] == pytest.approx([120.002, 30.005], abs=1e-7)


@pytest.mark.parametrize("role", ["township_team", "department", "command_centre", "grid_member"])
def test_only_planners_create_plans(home, role):
    assert post_plan(user(role, home)).status_code == 403
    assert PatrolPlan.objects.count() == 0


@pytest.mark.parametrize("body,parameter", [
    ({"route": {"type": "Point", "coordinates": [120, 30]}}, "route"),
    ({"route": {"type": "LineString", "coordinates": [[121.5, 31.5], [121.6, 31.5]]}}, "route"),
    ({"route": {"type": "LineString", "coordinates": [[500000, 3300000], [500100, 3300000]]}}, "route"),
    ({"route": None}, "route"),
    ({"area": {"type": "Polygon", "coordinates": [[[120, 30], [120.01, 30.01], [120.01, 30], [120, 30.01],
                                                   [120, 30]]]}}, "area"),
    ({"weekdays": [0, 8]}, "weekdays"), ({"start_time": "25:00"}, "start_time"),
    ({"end_time": None}, "end_time"), ({"name": ""}, "name"), ({"team": "NOPE"}, "team"),
    ({"crs": "EPSG:1"}, "crs"), ({"valid_from": "2026-05-10", "valid_to": "2026-05-01"}, "valid_to"),
])
def test_bad_plan_is_400_naming_the_field(home, body, parameter):
    response = post_plan(user("planner", home), **body)
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter
    assert PatrolPlan.objects.count() == 0


def test_plan_comparison(home):
    plan_id = post_plan(user("planner", home)).json()["id"]
    seed_track(home)  # Monday 08:00-08:10 local, along the route
    response = client(user("command_centre", home)).get(f"/api/patrol-plans/{plan_id}/comparison", DAY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["route"]["share_walked"] == pytest.approx(1.0, abs=1e-3)
    assert body["grids"]["missed"] == [] and body["crs"] == "EPSG:4326"
    assert body["scheduled_seconds"] == 4 * 3600


def test_another_countys_plan_is_404(home, other):
    plan = create_plan(team=team_of(other, 0), name="p", area=box(121.0, 31.0, 121.01, 31.01))
    u = user("planner", home)
    assert client(u).get(f"/api/patrol-plans/{plan.pk}/").status_code == 404
    assert client(u).get(f"/api/patrol-plans/{plan.pk}/comparison").status_code == 404
    assert client(u).delete(f"/api/patrol-plans/{plan.pk}/").status_code == 404


def test_planner_deletes_a_plan_and_others_may_not(home):
    plan_id = post_plan(user("planner", home)).json()["id"]
    assert client(user("command_centre", home)).delete(f"/api/patrol-plans/{plan_id}/").status_code == 403
    assert client(user("planner", home, name="p2")).delete(f"/api/patrol-plans/{plan_id}/").status_code == 204
    assert PatrolPlan.objects.count() == 0


# --- hub coverage and live positions ------------------------------------------------------------------

def test_hub_coverage_reports_each_hub_with_its_grids(home):
    body = client(user("command_centre", home)).get("/api/hub-coverage", {"max_minutes": "10"}).json()
    assert body["crs"] == "EPSG:4326" and body["parameters"]["max_minutes"] == 10
    hub = body["hubs"][0]
    assert hub["hub"]["code"] == home.townships[0].code and len(hub["grids"]) == 32
    grid = hub["grids"][0]
    assert {"code", "distance_m", "straight_minutes", "network_minutes", "beyond"} <= set(grid)
    assert hub["beyond"] == [g["code"] for g in hub["grids"] if g["beyond"]]


def test_hub_coverage_as_a_geojson_map_layer(home):
    body = client(user("planner", home)).get("/api/hub-coverage", {"format": "geojson"}).json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 32
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert {"hub", "beyond", "straight_minutes"} <= set(body["features"][0]["properties"])


@pytest.mark.parametrize("params,parameter", [({"max_minutes": "-1"}, "max_minutes"),
                                              ({"detour": "0.5"}, "detour"), ({"speed_kmh": "fast"}, "speed_kmh")])
def test_hub_coverage_bad_parameter_is_400(home, params, parameter):
    response = client(user("planner", home)).get("/api/hub-coverage", params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_live_positions_layer(home):
    seed_track(home)
    body = client(user("command_centre", home)).get("/api/live-positions").json()
    assert body["type"] == "FeatureCollection" and body["crs"]["properties"]["name"].endswith("CRS84")
    feature = body["features"][0]
    assert feature["geometry"]["coordinates"] == pytest.approx(list(FIXES[-1][1:]))
    assert feature["properties"]["team"] == team_of(home, 0).code
    assert feature["properties"]["stale"] is True  # the seeded walk is in the past
    assert body["stale_after_minutes"] == 15


def test_planner_replaces_a_plan_with_put_keeping_its_id(home):
    planner = user("planner", home)
    body = {"team": team_of(home, 0).code, "name": "早班", "weekdays": [1],
            "route": {"type": "LineString", "coordinates": [[120.002, 30.005], [120.018, 30.005]]}}
    created = client(planner).post("/api/patrol-plans/", body, format="json").json()
    changed = {**body, "name": "早班（改）", "weekdays": [2, 4], "start_time": "08:00", "end_time": "11:00"}
    response = client(planner).put(f"/api/patrol-plans/{created['id']}/", changed, format="json")
    assert response.status_code == 200, response.json()
    plan = PatrolPlan.objects.get(pk=created["id"])
    assert (plan.name, plan.weekdays, str(plan.start_time)) == ("早班（改）", [2, 4], "08:00:00")


def test_a_plan_put_with_a_bad_field_is_400_and_changes_nothing(home):
    planner = user("planner", home)
    plan = create_plan(team=team_of(home, 0), name="原计划", area=box(120.0, 30.0, 120.01, 30.01))
    area = {"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.0]]]}
    response = client(planner).put(f"/api/patrol-plans/{plan.pk}/", {"team": team_of(home, 0).code,
                                   "name": "新", "area": area, "weekdays": [9]}, format="json")
    assert response.status_code == 400 and response.json()["parameter"] == "weekdays"
    assert PatrolPlan.objects.get(pk=plan.pk).name == "原计划"


def test_only_planners_replace_plans(home):
    plan = create_plan(team=team_of(home, 0), name="原计划", area=box(120.0, 30.0, 120.01, 30.01))
    response = client(user("command_centre", home)).put(f"/api/patrol-plans/{plan.pk}/", {}, format="json")
    assert response.status_code == 403
