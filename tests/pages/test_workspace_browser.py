"""The queue in chromium: list and map in step (a marker click selects its row, a row click
its marker), and the automatic refresh keeps the page, the selection and the filters while
new cases come in."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.layers.conftest import _report
from tests.pages.world import build_pages_world


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


def test_marker_click_selects_the_row_and_row_click_the_marker(world, open_page, login, shot):
    page = open_page("desktop")
    login(page, "command")
    page.wait_for_selector("#queue-rows tr[data-case]")
    case = world.cases["far"]
    page.wait_for_selector(".queue-map path.leaflet-interactive")
    markers = page.locator(".queue-map path.leaflet-interactive")
    assert markers.count() == page.locator("#queue-rows tr[data-case]").count()
    page.locator(f'#queue-rows tr[data-number="{case.number}"] td:nth-child(2)').click()
    assert page.locator("#queue-rows tr.selected").get_attribute("data-number") == case.number
    assert page.locator(".leaflet-tooltip").inner_text().startswith(case.number)
    other = world.cases["team_case"]
    # the marker of another case: click it on the map
    page.click(f'.queue-map path[data-case="{other.pk}"]')
    assert page.locator("#queue-rows tr.selected").get_attribute("data-number") == other.number
    shot(page, "workspace-in-step")


def test_refresh_keeps_page_selection_and_filters(world, open_page, login, settings):
    settings.PAGES_QUEUE_PAGE_SIZE = 2
    settings.PAGES_QUEUE_REFRESH_SECONDS = 5
    page = open_page("desktop")
    login(page, "command")
    page.wait_for_selector("#queue-rows tr[data-case]")
    with page.expect_response(lambda r: "/workspace/rows/" in r.url):
        page.click(".pager a[data-page='2']")
    page.wait_for_function("document.getElementById('queue-page').textContent.trim() === '2'")
    chosen = page.locator("#queue-rows tr[data-case]").first.get_attribute("data-number")
    page.locator("#queue-rows tr[data-case] td:nth-child(2)").first.click()
    total = int(page.locator("#queue-total").inner_text())
    _report(world.users["command"], 120.07, 30.07, item="I002", now=timezone.now() - timedelta(minutes=1))
    page.wait_for_function(f"document.getElementById('queue-total').textContent.trim() === '{total + 1}'",
                           timeout=15_000)
    assert page.locator("#queue-page").inner_text() == "2"
    assert page.locator("#queue-rows tr.selected").count() in (0, 1)
    if page.locator(f'#queue-rows tr[data-number="{chosen}"]').count():
        assert page.locator("#queue-rows tr.selected").get_attribute("data-number") == chosen
    assert "page=2" in page.url


def test_typing_a_search_lists_only_the_matching_cases(world, open_page, login, shot):
    """The command centre types what a caller said into the search box and submits."""
    page = open_page("desktop")
    login(page, "command")
    page.wait_for_selector("#queue-rows tr[data-case]")
    assert page.locator("#queue-rows tr[data-case]").count() > 1
    page.fill("#queue-filters input[name=q]", "行人无法")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**/workspace/?*q=*")
    page.wait_for_selector("#queue-rows tr[data-case]")
    rows = page.locator("#queue-rows tr[data-case]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-number") == world.cases["team_case"].number
    shot(page, "workspace-search")
