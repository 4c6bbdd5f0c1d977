"""The three map pages in headless Chromium: they draw our features, refresh live layers,
answer a click with the router, and load nothing from outside 127.0.0.1.

Screenshots go to pytest's tmp_path, or to $LAYERS_SCREENSHOT_DIR when set (to look at them).
"""
import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from tests.layers.browser import CHROMIUM, Browser
from tests.layers.conftest import build_world

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (the Makefile installs it)")


@pytest.fixture
def site(transactional_db, live_server, settings):
    settings.MAP_REFRESH_SECONDS = 2
    world = build_world()
    return world, live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def browser(tmp_path):
    b = Browser(str(tmp_path / "profile"))
    yield b
    b.close()


def _login(browser, base, user):
    client = Client()
    client.force_login(user)
    browser.set_cookie(base, "sessionid", client.cookies["sessionid"].value)


def _shot(browser, tmp_path, name):
    path = tmp_path / f"{name}.png"
    browser.screenshot(path)
    target = os.environ.get("LAYERS_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    assert path.stat().st_size > 10_000  # a drawn map, not a blank page


def _drawn(browser, *layer_ids):
    condition = " && ".join(f"(LayersPage.drawn[{l!r}] || 0) > 0" for l in layer_ids)
    return browser.wait_for(f"window.LayersPage && LayersPage.ready && {condition} && LayersPage.drawn")


def test_command_centre_map_draws_cases_and_teams_locally_and_refreshes(site, browser, tmp_path):
    world, base = site
    _login(browser, base, world.users["command"])
    browser.open(f"{base}/map/")
    drawn = _drawn(browser, "townships", "cases", "teams", "townships:labels")
    assert drawn["cases"] >= 1
    assert browser.evaluate("document.getElementById('open-count').textContent") == "3"
    assert "第1镇" in browser.evaluate("document.body.innerText")
    # MAP_REFRESH_SECONDS = 2 here: the cases layer is fetched again and swapped in
    browser.pump(0.5)
    before = sum("/tiles/cases/" in u for u in browser.requests)
    for _ in range(30):
        browser.pump(0.5)
        if sum("/tiles/cases/" in u for u in browser.requests) > before:
            break
    assert sum("/tiles/cases/" in u for u in browser.requests) > before
    browser.wait_for("LayersPage.drawn['cases:refreshed'] >= 1")
    assert browser.evaluate("document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-tile path').length") > 0
    _shot(browser, tmp_path, "command")
    assert browser.outside_requests() == []


def test_protected_area_map_draws_zones_and_answers_a_click_with_the_router(site, browser, tmp_path):
    world, base = site
    _login(browser, base, world.users["command"])
    browser.open(f"{base}/map/protected-areas/")
    _drawn(browser, "protected-areas", "cases")
    browser.evaluate("LayersPage.map.fire('click', {latlng: L.latLng(30.008, 120.008)}); true")
    answer = browser.wait_for("LayersPage.lastAnswer && LayersPage.lastAnswer.body")
    assert answer["grid"]["code"] == "990101001001001"
    assert [(z["code"], z["zone"]) for z in answer["protected_areas"]] == [("PA01", "core")]
    browser.wait_for("document.querySelector('.leaflet-popup-content table') !== null")
    _shot(browser, tmp_path, "protected-areas")
    assert browser.outside_requests() == []


def test_coverage_map_draws_grids_and_tracks_for_a_period(site, browser, tmp_path):
    world, base = site
    _login(browser, base, world.users["planner"])
    browser.open(f"{base}/map/coverage/?from=2026-05-04")
    _drawn(browser, "coverage", "tracks")
    assert browser.evaluate("document.getElementById('patrolled-count').textContent") == "3"
    _shot(browser, tmp_path, "coverage")
    assert browser.outside_requests() == []
