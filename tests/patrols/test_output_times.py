"""Every time that leaves the server is in the county's time zone (+08:00) unless the client
asks for UTC (`tz=UTC`): coverage JSON and CSV, cleaning reports, OGC features."""
import csv
import io

import pytest
from rest_framework.test import APIClient

from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, walk
from tests.users import auth_header, make_user

DAY = {"from": "2026-05-04", "to": "2026-05-04"}
FIXES = walk([(120.002, 30.005), (120.018, 30.005)], speed_kmh=10, step_s=30)


@pytest.fixture
def planner(territory):
    upload_track(csv_file(FIXES), team=territory.teams[territory.townships[0].code], filename="t.csv")
    client = APIClient()
    client.credentials(**auth_header(make_user("planner1", "planner", territory.county)))
    return client


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_coverage_csv_times_are_in_plus_0800(planner):
    rows = [r for r in _csv_rows(planner.get("/api/coverage", {**DAY, "format": "csv"})) if r["first_visit"]]
    assert rows and all(r["first_visit"].endswith("+08:00") for r in rows)
    assert rows[0]["first_visit"].startswith("2026-05-04T08:")   # T0 is 00:00 UTC


def test_coverage_csv_times_are_in_utc_when_asked(planner):
    rows = [r for r in _csv_rows(planner.get("/api/coverage", {**DAY, "format": "csv", "tz": "UTC"}))
            if r["first_visit"]]
    assert rows and all(r["first_visit"].endswith("+00:00") for r in rows)
    assert rows[0]["first_visit"].startswith("2026-05-04T00:")


def test_coverage_json_period_is_in_plus_0800(planner):
    body = planner.get("/api/coverage", DAY).json()
    assert body["period"]["from"] == "2026-05-04T00:00:00+08:00"
    assert body["period"]["timezone"] == "Asia/Shanghai"


def test_cleaning_report_times_are_in_plus_0800(territory):
    track = upload_track(csv_file(FIXES), team=territory.teams[territory.townships[1].code], filename="t.csv")
    assert track.report["line"]["started_at"] == "2026-05-04T08:00:00+08:00"


def test_ogc_feature_datetimes_are_in_plus_0800_unless_utc_is_asked(planner):
    local = planner.get("/ogc/collections/tracks/items").json()["features"][0]["properties"]
    utc = planner.get("/ogc/collections/tracks/items", {"tz": "UTC"}).json()["features"][0]["properties"]
    started = [k for k, v in local.items() if isinstance(v, str) and v.startswith("2026-05-04T")]
    assert started, local
    assert all(local[k].endswith("+08:00") for k in started)
    assert all(utc[k].endswith("+00:00") for k in started)


def test_an_unknown_tz_is_a_400_naming_it(planner):
    response = planner.get("/api/coverage", {**DAY, "tz": "Mars/Olympus"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "tz"
