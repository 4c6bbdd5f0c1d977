"""Near-border candidates drawn on the map (issue 17): the 一口受理 preview of a point 5 m from
a township border shows both townships with their team and distance; the case waits in the
to-confirm queue, and on its case page the command centre picks the other township from the
map's list, and the case moves there. In a real browser, as the command centre."""
import pytest
from django.contrib.gis.geos import Point
from pyproj import Geod

from boundaries.models import PlaceName
from gis_app.incidents.models import Case
from tests.territory import grant, make_territory
from tests.users import make_user

GEOD = Geod(ellps="WGS84")


def _near_border_world():
    """Townships 1 and 2 share the border x = 120.04; a landmark 5 m west of it, in township 1."""
    t = make_territory()
    for township in t.townships[:2]:
        grant(township, t.items["I001"], "statutory")
    x, y, _ = GEOD.fwd(120.04, 30.005, 270, 5)
    PlaceName.objects.create(county=t.county, level="place", code="P-JQ", name="界桥", kind="landmark",
                             initials="jq", pinyin="jieqiao", point=Point(x, y, srid=4326))
    make_user("command", "command_centre", t.county)
    return t


@pytest.fixture
def world(transactional_db):
    return _near_border_world()


def _report_at_the_bridge(page, shot):
    page.fill("#place-q", "界桥")
    page.locator("#place-results button", has_text="界桥").click()
    page.select_option("#intake-item", "I001")
    page.locator("#route-candidates li").nth(1).wait_for()


def _taken_in_at_the_bridge(page, shot) -> Case:
    """The hotline's call about the bridge taken in: the case, waiting for its township to be confirmed."""
    _report_at_the_bridge(page, shot)
    page.fill("#intake-description", "来电：界桥边有人占道经营")
    page.click("#intake-submit")
    page.locator("#intake-done").wait_for()
    return Case.objects.get()


def test_the_intake_preview_draws_both_townships_with_team_and_distance(world, open_page, login, shot):
    t = world
    page = open_page("desktop")
    login(page, "command", next="/intake/")
    _report_at_the_bridge(page, shot)
    items = page.locator("#route-candidates li")
    assert items.count() == 2
    west, east = t.townships[0], t.townships[1]
    assert items.nth(0).inner_text().startswith(f"{west.name} · {t.teams[west.code].name} · ")
    assert "（当前派往）" in items.nth(0).inner_text()
    assert items.nth(1).inner_text().startswith(f"{east.name} · {t.teams[east.code].name} · 5.")
    labels = page.locator(".leaflet-tooltip.candidate-label")
    assert labels.count() == 2 and east.name in labels.nth(1).inner_text()
    assert page.locator("#intake-map path.leaflet-interactive").count() == 2   # the two points
    shot(page, "intake-candidates")


def test_the_command_centre_picks_the_other_township_on_the_case_page(world, open_page, login, shot):
    t = world
    page = open_page("desktop")
    login(page, "command", next="/intake/")
    case = _taken_in_at_the_bridge(page, shot)
    assert case.to_confirm and case.township_id == t.townships[0].pk
    with page.expect_navigation():
        page.locator("#intake-result a").click()
    page.locator("#candidates-map .leaflet-tooltip.candidate-label").nth(1).wait_for()
    east = t.townships[1]
    assert page.locator("#candidate-list li").count() == 2
    shot(page, "case-to-confirm")
    with page.expect_navigation():
        page.locator(f"#candidate-list button.choose[data-code='{east.code}']").click()
    case.refresh_from_db()
    assert (case.to_confirm, case.township_id, case.team_id) == (False, east.pk, t.teams[east.code].pk)
    assert case.events.filter(kind="pick_candidate").exists()
    assert page.locator("#case-candidates").count() == 0
    shot(page, "case-after-pick")


def test_confirming_the_acting_township_takes_the_case_out_of_the_queue(world, open_page, login, shot):
    t = world
    page = open_page("phone")
    login(page, "command", next="/intake/")
    case = _taken_in_at_the_bridge(page, shot)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#candidates-map .leaflet-tooltip.candidate-label").nth(1).wait_for()
    shot(page, "case-to-confirm-phone")
    with page.expect_navigation():
        page.locator(f"#candidate-list button.choose[data-code='{t.townships[0].code}']").click()
    case.refresh_from_db()
    assert (case.to_confirm, case.township_id) == (False, t.townships[0].pk)
    assert case.events.filter(kind="confirm_place").exists()
    shot(page, "case-confirmed-phone")
