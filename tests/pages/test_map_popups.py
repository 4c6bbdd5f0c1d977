"""The map pages' popups in chromium (layers/static/layers/maps.js from the page config that
layers/folium_pages.py writes from the layer registry): Chinese labels, coded values as their
words, booleans 是/否, times in the county's zone whatever the browser's, a cluster as one
sentence, unknown properties kept, and a case popup that fits a 390 px phone."""
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from gis_app.incidents.models import State
from tests.pages.test_map_page import _click_until_popup, _open_map
from tests.pages.world import build_pages_world

MINUTE = "%Y/%m/%d %H:%M"  # Intl.DateTimeFormat('zh-CN', 2-digit parts, 24 h)


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


def _case_popup(world, open_page, login, size="desktop", zone="Asia/Shanghai", key="far"):
    case = world.cases[key]
    page = open_page(size, timezone=zone)
    login(page, "command", next="/map/")
    x, y = _open_map(page, case.location.x, case.location.y)
    return page, case, _click_until_popup(page, x, y)


def _settled(page):
    """Wait until the popup has faded in and the map's pan to show it has ended (screenshots)."""
    page.wait_for_function("""(() => { const p = document.querySelector('.leaflet-popup');
        const pan = LayersPage.map._panAnim; return p && getComputedStyle(p).opacity === '1'
        && !(pan && pan._inProgress); })()""")


def _popup(page, layer_id, props) -> str:
    """The popup maps.js makes of `props` on this page (its real config), as text."""
    html = page.evaluate("([id, p]) => LayersPage.featurePopup(LayersPage.config, id, p)", [layer_id, props])
    return page.evaluate("h => { const d = document.createElement('div'); d.innerHTML = h; "
                         "document.body.appendChild(d); const t = d.innerText; d.remove(); return t; }", html)


def test_a_case_popup_labels_its_rows_in_chinese_and_shows_the_states_word(world, open_page, login, shot):
    page, case, text = _case_popup(world, open_page, login, size="screen")
    rows = dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    assert rows["案件编号"] == case.number
    assert rows["状态"] == dict(State.choices)[case.state]
    assert rows["乡镇"] == case.township.name          # a name, beside the code
    assert rows["超期"] in ("是", "否") and rows["督办"] in ("是", "否")
    assert not {"code", "state", "overdue", "created_at", "deadline"} & set(rows)
    _settled(page)
    shot(page, "map-case-popup-screen", full_page=False)


def test_case_popup_times_are_in_the_countys_zone_not_the_browsers(world, open_page, login):
    page, case, text = _case_popup(world, open_page, login, zone="America/New_York")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    county = timezone.localtime(case.created_at, ZoneInfo(settings.TIME_ZONE)).strftime(MINUTE)
    browser = timezone.localtime(case.created_at, ZoneInfo("America/New_York")).strftime(MINUTE)
    assert f"上报时间\t{county}" in text and browser not in text


def test_a_case_popup_fits_a_phone_below_the_title_and_layer_switch(world, open_page, login, shot):
    page, case, text = _case_popup(world, open_page, login, size="phone", key="team_case")
    assert "路边摊占用人行道" in text
    _settled(page)
    box, covers, overflow = page.evaluate("""(() => { const r = e => e.getBoundingClientRect();
        const p = r(document.querySelector('.leaflet-popup'));
        const c = document.querySelector('.leaflet-popup-content');
        const over = Array.from(document.querySelectorAll('.map-title, .leaflet-control-layers')).map(r)
            .filter(o => o.left < p.right && o.right > p.left && o.top < p.bottom && o.bottom > p.top).length;
        return [[p.left, p.top, p.right, p.bottom], over, c.scrollWidth - c.clientWidth]; })()""")
    assert box[0] >= 0 and box[2] <= 390 and box[1] >= 0 and box[3] <= 844, box
    assert covers == 0 and overflow <= 0
    shot(page, "map-case-popup-phone", full_page=False)


def test_a_cluster_popup_is_one_sentence_with_its_flags(world, open_page, login):
    page = open_page()
    login(page, "command", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    text = _popup(page, "cases", {"count": 3, "overdue": 1, "escalated": 0, "cluster": True})
    assert text.strip() == "此处 3 件案件（超期 1，督办 0），放大查看"


def test_an_undeclared_property_or_unknown_code_is_shown_as_it_came(world, open_page, login):
    page = open_page()
    login(page, "command", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    text = _popup(page, "cases", {"code": "C1", "state": "on_the_moon", "extra_key": "x1", "severity": ""})
    assert "状态\ton_the_moon" in text and "extra_key\tx1" in text and "严重程度\t—" in text


def test_team_popup_shows_its_kind_as_a_word(world, open_page, login):
    team = world.t.teams[world.t.townships[0].code]
    page = open_page()
    login(page, "command", next="/map/")
    x, y = _open_map(page, team.base.x, team.base.y)
    text = _click_until_popup(page, x, y)
    assert f"队伍代码\t{team.code}" in text and f"类型\t{team.get_kind_display()}" in text


def test_the_route_popup_shows_the_routers_codes_as_words(world, open_page, login):
    page = open_page()
    login(page, "command", next="/map/protected-areas/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    page.evaluate("LayersPage.map.fire('click', {latlng: L.latLng(30.008, 120.008)})")
    page.wait_for_function("LayersPage.lastAnswer && LayersPage.lastAnswer.body")
    page.wait_for_function("document.querySelector('.leaflet-popup-content table') !== null")
    text = page.inner_text(".leaflet-popup-content")
    assert "保护地分区\t本县保护区 核心区" in text and "严重程度\t高" in text
    assert "core" not in text and "high" not in text
