"""一口受理 (/intake/): only the command centre takes phone reports; in a real browser the
operator finds the village by pinyin initials (or clicks the map), picks the item, sees the
router's answer and opens a hotline case at that point."""
import pytest
from django.test import Client

from boundaries.models import Village
from boundaries.places import refresh_place_names
from gis_app.enforcement.answer_text import MODES
from gis_app.incidents.models import Case
from tests.territory import grant, make_territory
from tests.users import make_user


def _people():
    t = make_territory()
    Village.objects.filter(pk=t.villages[0].pk).update(name="安上村")
    refresh_place_names(t.county)
    grant(t.townships[0], t.items["I001"], "statutory")
    users = {"command": make_user("command", "command_centre", t.county),
             "grid": make_user("grid", "grid_member", t.county, grids=t.grids[:2]),
             "team": make_user("team", "township_team", t.county, team=t.teams[t.townships[0].code]),
             "planner": make_user("planner", "planner", t.county),
             "admin": make_user("admin", superuser=True)}
    return t, users


@pytest.fixture
def people(db):
    return _people()


@pytest.fixture
def live_people(transactional_db):
    return _people()


def test_the_command_centre_opens_the_intake_page_with_its_catalogue(people):
    client = Client()
    client.force_login(people[1]["command"])
    html = client.get("/intake/").content.decode()
    assert "一口受理" in html and 'value="I001"' in html and 'href="/intake/"' in html


@pytest.mark.parametrize("role", ["grid", "team", "planner", "admin"])
def test_other_roles_are_refused_in_chinese(people, role):
    client = Client()
    client.force_login(people[1][role])
    response = client.get("/intake/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()


def test_anonymous_is_sent_to_login(people):
    response = Client().get("/intake/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_phone_report_found_by_pinyin_initials_becomes_a_hotline_case(live_people, open_page, login, shot):
    t, _ = live_people
    page = open_page("desktop")
    login(page, "command", next="/intake/")
    page.fill("#place-q", "asc")
    page.locator("#place-results button", has_text="安上村").click()
    page.select_option("#intake-item", "I001")
    page.fill("#intake-description", "来电：安上村养猪场旁占道经营，电话 13800000000")
    page.locator("#route-preview dl").wait_for()
    assert t.teams[t.townships[0].code].name in page.locator("#route-preview").inner_text()
    shot(page, "intake-before-submit")
    page.click("#intake-submit")
    page.locator("#intake-done").wait_for()
    shot(page, "intake-done")
    case = Case.objects.get()
    assert (case.source, case.village.name, case.item.code) == ("hotline", "安上村", "I001")
    assert case.number in page.locator("#intake-done").inner_text()
    assert f"办理方式\n{MODES[case.mode]}" in page.locator("#route-preview").inner_text()   # the router's word


def test_a_click_on_the_map_sets_the_point(live_people, open_page, login, shot):
    page = open_page("phone")
    login(page, "command", next="/intake/")
    page.locator("#intake-map").click(position={"x": 150, "y": 150})
    assert "WGS84" in page.locator("#point-text").inner_text()
    shot(page, "intake-phone-map-click")
