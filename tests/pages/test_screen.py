"""大屏: who opens it, its counters from the incidents rules, and in chromium at 1920x1080 its
charts drawn, no scrolling, nothing from outside."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gis_app.incidents.selectors import with_overdue, statistics_cases
from tests.pages.world import build_pages_world


@pytest.fixture
def world(db):
    return build_pages_world()


def _client(world, role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ["grid", "team", "department", "planner"])
def test_only_the_command_centre_opens_the_screen(world, role):
    assert _client(world, role).get("/screen/").status_code == 403
    assert _client(world, role).get("/screen/data.json").status_code == 403


def test_counters_follow_the_case_rules(world):
    data = _client(world, "command").get("/screen/data.json").json()
    cases = with_overdue(statistics_cases(world.users["command"]))
    assert data["counters"]["overdue"] == cases.filter(overdue=True).count() == 1
    assert data["counters"]["escalated"] == 1
    assert data["counters"]["open"] == cases.count()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert data["counters"]["reported_today"] == cases.filter(created_at__gte=today).count()
    assert [c["number"] for c in data["overdue"]] == [world.cases["overdue"].number]
    assert data["overdue"][0]["escalated"] is True


def test_map_markers_are_the_open_cases_of_the_county(world):
    data = _client(world, "command").get("/screen/data.json").json()
    numbers = {m["number"] for m in data["markers"]}
    assert world.cases["other"].number not in numbers and world.cases["far"].number in numbers


@pytest.fixture
def live_world(transactional_db):
    return build_pages_world()


def test_big_screen_draws_its_charts_at_1920_without_scrolling(live_world, open_page, login, shot, settings):
    page = open_page("screen")
    login(page, "command", next="/screen/")
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '1'")
    for chart in ("chart-township", "chart-item", "chart-month", "chart-rate-township", "chart-rate-team"):
        assert page.locator(f"#{chart} canvas").count() == 1, chart
    assert page.locator("#c-overdue").inner_text() == "1"
    assert page.locator("#overdue-list li a").inner_text() == live_world.cases["overdue"].number
    assert page.locator("#screen-map .leaflet-interactive").count() >= 3
    scroll = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
    assert scroll[0] <= 1080 and scroll[1] <= 1920
    shot(page, "screen-1920", full_page=False)


def _no_longer_overdue(case):
    type(case).objects.filter(pk=case.pk).update(deadline=timezone.now() + timedelta(days=3))


def test_screens_of_one_county_share_the_counts_for_a_while(world, settings):
    """Two command-centre screens within PAGES_SCREEN_CACHE_SECONDS: the second read costs no
    count over the cases, and sees what the first computed."""
    from django.core.cache import cache
    cache.clear()
    settings.PAGES_SCREEN_CACHE_SECONDS = 60
    first = _client(world, "command").get("/screen/data.json").json()
    _no_longer_overdue(world.cases["overdue"])
    second = _client(world, "command").get("/screen/data.json").json()
    assert second["counters"] == first["counters"]
    cache.clear()
    third = _client(world, "command").get("/screen/data.json").json()
    assert third["counters"]["overdue"] == first["counters"]["overdue"] - 1


def test_without_the_cache_every_read_counts_afresh(world, settings):
    settings.PAGES_SCREEN_CACHE_SECONDS = 0
    first = _client(world, "command").get("/screen/data.json").json()
    _no_longer_overdue(world.cases["overdue"])
    second = _client(world, "command").get("/screen/data.json").json()
    assert second["counters"]["overdue"] == first["counters"]["overdue"] - 1
