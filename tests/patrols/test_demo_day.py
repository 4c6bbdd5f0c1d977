"""The issue's "done when" on the demo county 嵊泗县: a planner uploads a day of tracks for the
demo teams, sees patrolled and unpatrolled grids, compares with a plan, and sees which grids
of the 1+X hub area (嵊山镇 covering 枸杞乡 and 花鸟乡) lie beyond the response time."""
import math
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from boundaries.models import Grid
from gis_app.bundles.demo import DEMO_DIR
from gis_app.bundles.importer import import_bundle
from gis_app.enforcement.models import Team
from tests.patrols.helpers import T0, csv_file, to_gcj02, walk
from tests.users import auth_header, make_user

DAY = {"county": "330922", "from": "2026-05-04", "to": "2026-05-04"}
SIDE_M = 400


def square_around(lon, lat, side_m=SIDE_M):
    dx = side_m / 2 / (111_320 * math.cos(math.radians(lat)))
    dy = side_m / 2 / 110_574
    return [(lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx, lat + dy), (lon - dx, lat + dy),
            (lon - dx, lat - dy)]


@pytest.fixture
def shengsi(db):
    import_bundle(DEMO_DIR / "shengsi")
    teams = list(Team.objects.filter(county__code="330922", kind="township_team").order_by("code"))
    planner = make_user("planner", "planner", teams[0].county)
    return teams, APIClient(**auth_header(planner))


def upload_day(api, teams):
    """Each township team walks three laps of a square around its base; odd teams' phones log
    GCJ-02."""
    for n, team in enumerate(teams):
        fixes = walk(square_around(team.base.x, team.base.y) * 3, start=T0 + timedelta(minutes=n),
                     speed_kmh=4, step_s=30)
        crs = "GCJ02" if n % 2 else "EPSG:4326"
        upload = csv_file(to_gcj02(fixes) if n % 2 else fixes)
        upload.name = f"{team.code}.csv"
        response = api.post("/api/tracks/", {"file": upload, "team": team.code, "crs": crs}, format="multipart")
        assert response.status_code == 201, response.content


def test_planner_sees_the_grids_the_demo_teams_patrolled(shengsi):
    teams, api = shengsi
    upload_day(api, teams)
    body = api.get("/api/coverage", DAY).json()
    patrolled = {g["code"] for g in body["grids"] if g["patrolled"]}
    for team in teams:
        home = Grid.objects.filter(geom__covers=team.base).values_list("code", flat=True).first()
        if home is not None:
            assert home in patrolled, team.code
    assert len(body["grids"]) == 168 and body["counts"]["unpatrolled"] == 168 - len(patrolled)
    assert set(body["unpatrolled"]) == {g["code"] for g in body["grids"]} - patrolled
    assert all(t["tracks"] == 1 for t in body["teams"] if t["code"] in {tm.code for tm in teams})
    layer = api.get("/api/coverage", {**DAY, "format": "geojson"}).json()
    assert sum(f["properties"]["patrolled"] for f in layer["features"]) == len(patrolled)


def test_planner_compares_a_demo_teams_walk_with_its_plan(shengsi):
    teams, api = shengsi
    upload_day(api, teams)
    team = next(t for t in teams if t.code == "T330922101")
    route = {"type": "LineString", "coordinates": [list(p) for p in square_around(team.base.x, team.base.y)]}
    plan = api.post("/api/patrol-plans/", {"team": team.code, "name": "嵊山环线", "route": route,
                                           "weekdays": [1, 2, 3, 4, 5]}, format="json").json()
    result = api.get(f"/api/patrol-plans/{plan['id']}/comparison", {"from": DAY["from"], "to": DAY["to"]}).json()
    assert result["route"]["share_walked"] == pytest.approx(1.0, abs=0.01)
    assert result["grids"]["missed"] == []


def test_planner_sees_hub_grids_beyond_the_response_time(shengsi):
    _, api = shengsi
    body = api.get("/api/hub-coverage", {"county": "330922", "max_minutes": "30"}).json()
    (hub,) = body["hubs"]
    assert hub["hub"]["name"] == "嵊山镇"
    assert {t["name"] for t in hub["covered_townships"]} == {"枸杞乡", "花鸟乡"}
    by_township = {}
    for grid in hub["grids"]:
        by_township.setdefault(grid["township"], []).append(grid["beyond"])
    assert all(by_township["330922203"])  # 花鸟乡, some 20 km across the sea from 嵊山
    assert not all(by_township["330922101"])  # the hub's own island is within reach
    assert set(hub["beyond"]) >= {g["code"] for g in hub["grids"] if g["township"] == "330922203"}
