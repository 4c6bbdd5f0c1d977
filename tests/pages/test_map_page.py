"""/map/ in chromium: a click on a real case marker and on a team marker opens its popup with
no console error (Leaflet.VectorGrid's small circle markers used to throw a TypeError), a case
both overdue and under 督办 keeps both marks, the legend folds, labels never overprint."""
import pytest

from layers.catalogue import layers
from tests.pages.world import build_pages_world


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


def _open_map(page, lon, lat, zoom=15):
    page.goto("/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    page.evaluate("([lat, lon, z]) => LayersPage.map.setView([lat, lon], z, {animate: false})", [lat, lon, zoom])
    # Every tile layer shows only loaded tiles of the new zoom: until Leaflet prunes them, the
    # tiles of the first view (zoom 10, where cases are clusters) stay on screen scaled up, and a
    # click could land on one of their cluster circles instead of the case (a CI failure).
    page.wait_for_function("""z => { const grids = [];
        LayersPage.map.eachLayer(l => { if (l._tiles) grids.push(Object.values(l._tiles)); });
        return grids.length > 0 && grids.every(ts => ts.length > 0
            && ts.every(t => t.coords.z === z && t.loaded)); }""", arg=zoom)
    page.wait_for_timeout(300)  # let the vector tiles of the new view draw their paths
    return page.evaluate("""([lat, lon]) => { const p = LayersPage.map.latLngToContainerPoint([lat, lon]);
        const r = LayersPage.map.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
                         [lat, lon])


def _view(page) -> str:
    """The map's zoom and the zooms of the tiles on screen, for a failure's message."""
    return page.evaluate("""() => { const zs = new Set(); LayersPage.map.eachLayer(l => {
        if (l._tiles) Object.values(l._tiles).forEach(t => zs.add(t.coords.z)); });
        return 'map zoom ' + LayersPage.map.getZoom() + ', tile zooms ' + [...zs].join(','); }""")


def _click_until_popup(page, x, y):
    for _ in range(20):
        page.mouse.click(x, y)
        if page.locator(".leaflet-popup-content").count():
            return page.locator(".leaflet-popup-content").inner_text()
        page.wait_for_timeout(250)
    raise AssertionError("no popup opened")


def test_clicking_a_case_marker_opens_its_popup(world, open_page, login, shot):
    case = world.cases["far"]
    page = open_page("desktop")
    login(page, "command", next="/map/")
    x, y = _open_map(page, case.location.x, case.location.y)
    text = _click_until_popup(page, x, y)
    assert "案件" in text and case.number in text, _view(page)
    shot(page, "map-case-popup")


def test_clicking_a_team_marker_opens_its_popup(world, open_page, login):
    team = world.t.teams[world.t.townships[0].code]
    page = open_page("desktop")
    login(page, "command", next="/map/")
    x, y = _open_map(page, team.base.x, team.base.y)
    assert team.code in _click_until_popup(page, x, y)


def test_overdue_and_escalated_case_style_keeps_both_marks():
    rules = layers().get("cases").style.rules
    both = [r for r in rules if r["when"] == {"overdue": True, "escalated": True}]
    assert both and rules.index(both[0]) == len(rules) - 1  # applied last, over either alone
    assert both[0]["style"]["color"] == next(r for r in rules if r["when"] == {"escalated": True})["style"]["color"]
    assert "dashArray" in both[0]["style"] and "超期" in both[0]["label"] and "督办" in both[0]["label"]


def test_legend_folds_and_starts_folded_on_a_phone(world, open_page, login, shot):
    page = open_page("phone")
    login(page, "command", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    assert page.evaluate("document.querySelector('details.map-legend').open") is False
    page.click("details.map-legend summary")
    assert page.evaluate("document.querySelector('details.map-legend').open") is True
    shot(page, "map-phone-legend-open", full_page=False)


def test_on_a_phone_the_layer_switch_leaves_the_title_readable(world, open_page, login, shot):
    page = open_page("phone")
    login(page, "command", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    title, switch = page.evaluate("""[document.querySelector('.map-title'),
        document.querySelector('.leaflet-control-layers')].map(e => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; })""")
    assert not (title[0] < switch[2] and title[2] > switch[0] and title[1] < switch[3] and title[3] > switch[1])
    assert title[2] <= 390 and switch[2] <= 390
    shot(page, "map-phone-title-and-switch", full_page=False)


def test_unit_labels_never_overlap(world, open_page, login, shot):
    page = open_page("desktop")
    login(page, "command", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.drawn['townships:labels'] > 0")
    for zoom in (9, 11, 13):
        page.evaluate("z => LayersPage.map.setZoom(z, {animate: false})", zoom)
        page.wait_for_timeout(200)
        boxes = page.evaluate("""Array.from(document.querySelectorAll('.unit-label'))
            .filter(e => e.style.display !== 'none').map(e => { const r = e.getBoundingClientRect();
            return [r.left, r.top, r.right, r.bottom]; })""")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (zoom, a, b)
    shot(page, "map-labels", full_page=False)


def test_the_map_of_cases_and_teams_is_not_titled_for_the_command_centre(world, open_page, login):
    """Every role but grid members opens /map/ as 地图; its title said 指挥中心 to a township team
    member on a phone."""
    page = open_page("phone")
    login(page, "team", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    title = page.inner_text(".map-title b")
    assert "指挥中心" not in title and "指挥中心" not in page.title() and title.startswith("地图")


def test_on_a_phone_the_map_title_leads_back_to_the_members_home(world, open_page, login, shot):
    """A map page fills the screen with no page header: its title's 首页 is the way back."""
    from gis_app.pages.shell import home_url

    page = open_page("phone")
    login(page, "team", next="/map/")
    page.wait_for_function("window.LayersPage && window.LayersPage.ready")
    home = page.locator(".map-title a.map-home")
    assert home.inner_text().strip().endswith("首页")
    box = home.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(page, "map-phone-home-link", full_page=False)
    home.click()
    page.wait_for_selector("header.shell-header")
    assert page.url.endswith(home_url(world.users["team"]))
