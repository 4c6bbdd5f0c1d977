"""The planner page in a browser: draw a route, give it a team, weekdays and a time window and
save it; upload a track and read its cleaning report; compare the plan with the tracks; see the
1+X hub's grids with the response time set on the page."""
import pytest
from django.test import Client

from gis_app.patrols.models import PatrolPlan
from tests.pages.world import build_pages_world, map_pixel
from tests.patrols.helpers import T0, csv_file, walk

SHOTS = "/tmp/shots/14"
ROUTE = [(120.004, 30.004), (120.016, 30.004), (120.016, 30.012)]


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


def test_planner_draws_a_plan_uploads_a_track_and_compares(world, open_page, login, shot, tmp_path):
    page = open_page("desktop")
    login(page, "planner", next="/planner/")
    page.wait_for_function("window.pageMap && window.pageMap.getZoom() > 10")
    page.evaluate("window.pageMap.setView([30.008, 120.01], 15)")
    page.click(".leaflet-pm-icon-polyline")
    for lon, lat in ROUTE:
        page.mouse.click(*map_pixel(page, lon, lat))
    page.mouse.click(*map_pixel(page, *ROUTE[-1]))
    page.wait_for_function("document.getElementById('plan-drawn').textContent.includes('路线 1 段')")
    team = world.t.teams[world.t.townships[0].code]
    page.fill("#plan-name", "明日沿河巡查")
    page.select_option("#plan-team", team.code)
    page.check("input[name=weekday][value='1']")
    page.check("input[name=weekday][value='3']")
    page.fill("#plan-start", "08:00")
    page.fill("#plan-end", "12:00")
    page.click("#plan-save")
    page.wait_for_selector("#plan-table tbody tr")
    plan = PatrolPlan.objects.get(name="明日沿河巡查")
    assert plan.weekdays == [1, 3] and plan.route is not None and plan.team == team
    shot(page, "planner-plan-saved")

    path = tmp_path / "today.csv"
    path.write_bytes(csv_file(walk(ROUTE[:2], start=T0)).getvalue())
    page.click("button[data-tab=upload]")
    page.select_option("#track-team", team.code)
    page.set_input_files("#track-file", str(path))
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#track-report-table")
    assert "保留" in page.inner_text("#track-report-table")
    shot(page, "planner-track-uploaded")

    page.click("button[data-tab=compare]")
    page.fill("#compare-from", "2026-05-04")
    page.fill("#compare-to", "2026-05-04")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-table")
    assert "未巡网格" in page.inner_text("#compare-table")
    shot(page, "planner-compare")

    page.click("button[data-tab=reach]")
    page.fill("#reach-minutes", "3")
    page.click("#reach-form button[type=submit]")
    page.wait_for_selector("#reach-table")
    assert "超出 3 分钟" in page.inner_text("#reach-result")
    assert "第2镇" in page.inner_text("#reach-table")  # township names, not codes
    shot(page, "planner-reach")


def test_planner_page_is_for_planners(world):
    for role, status in (("planner", 200), ("command", 403), ("grid", 403)):
        client = Client()
        client.force_login(world.users[role])
        assert client.get("/planner/").status_code == status, role
