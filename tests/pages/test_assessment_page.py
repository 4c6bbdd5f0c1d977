"""考核 page, its XLSX and /api/assessment/: same figures, who may read them, bad periods."""
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.pages.world import build_pages_world
from tests.users import auth_header


@pytest.fixture
def world(db):
    return build_pages_world()


def _client(world, role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ["command", "department", "planner"])
def test_readers_open_the_month_with_tables_and_charts(world, role):
    html = _client(world, role).get("/assessment/").content.decode()
    month = timezone.localdate()
    assert f"{month.year}年{month.month}月" in html and 'id="table-township"' in html
    assert 'id="chart-township"' in html and "/static/vendor/echarts/echarts.min.js" in html


@pytest.mark.parametrize("role", ["grid", "team"])
def test_field_roles_do_not_open_the_assessment(world, role):
    assert _client(world, role).get("/assessment/").status_code == 403


@pytest.mark.parametrize("params, parameter", [({"month": "2026-13"}, "month"), ({"from": "2026-12-01"}, "to"),
                                               ({"month": "0000-01"}, "month"),
                                               ({"from": "2026-12-01", "to": "9999-12-31"}, "to"),
                                               ({"from": "2026-12-05", "to": "2026-12-01"}, "from")])
def test_bad_period_is_a_400_naming_it(world, params, parameter):
    response = _client(world, "command").get("/assessment/", params)
    assert response.status_code == 400 and f'data-parameter="{parameter}"' in response.content.decode()


def test_xlsx_holds_a_sheet_per_grouping_with_the_page_figures(world):
    client = _client(world, "command")
    response = client.get("/assessment/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["乡镇", "队伍", "部门", "人员"]
    api = Client().get("/api/assessment/", **auth_header(world.users["command"])).json()
    rows = list(book["乡镇"].values)[2:]
    assert [(r[0], r[1]) for r in rows] == [(t["name"], t["reported"]) for t in api["township"]]


def test_api_answers_the_tables_and_weights(world):
    data = Client().get("/api/assessment/", {"month": timezone.localdate().strftime("%Y-%m")},
                        **auth_header(world.users["command"])).json()
    assert set(data) >= {"period", "township", "team", "department", "person", "weights"}
    assert data["weights"] == {"township": 0.7, "department": 0.3}
    assert sum(r["reported"] for r in data["township"]) >= 1


def test_api_bad_month_is_a_400_naming_it(world):
    response = Client().get("/api/assessment/", {"month": "12/2026"}, **auth_header(world.users["command"]))
    assert response.status_code == 400 and response.json()["parameter"] == "month"


def test_api_unknown_parameter_is_a_400(world):
    response = Client().get("/api/assessment/", {"year": "2026"}, **auth_header(world.users["command"]))
    assert response.status_code == 400 and response.json()["parameter"] == "year"
