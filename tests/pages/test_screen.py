"""大屏: who opens it, its counters from the incidents rules, and in chromium at 1920x1080 its
charts drawn, no scrolling, nothing from outside."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gis_app.incidents import clock
from gis_app.incidents.models import Case
from gis_app.incidents.selectors import statistics, statistics_cases, with_overdue
from tests.pages.charts import DEPARTMENT_TEAMS, TOWNSHIPS, overlapping_texts
from tests.layers.conftest import _report
from tests.pages.world import build_pages_world, logged_in
from tests.territory import grant, make_territory
from tests.users import make_user


@pytest.fixture
def world(db):
    return build_pages_world()


@pytest.mark.parametrize("role", ["grid", "team", "department", "planner"])
def test_only_the_command_centre_opens_the_screen(world, role):
    assert logged_in(world, role).get("/screen/").status_code == 403
    assert logged_in(world, role).get("/screen/data.json").status_code == 403


def test_counters_follow_the_case_rules(world):
    data = logged_in(world, "command").get("/screen/data.json").json()
    cases = with_overdue(statistics_cases(world.users["command"]))
    assert data["counters"]["overdue"] == cases.filter(overdue=True).count() == 1
    assert data["counters"]["escalated"] == 1
    assert data["counters"]["open"] == cases.count()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert data["counters"]["reported_today"] == cases.filter(created_at__gte=today).count()
    assert [c["number"] for c in data["overdue"]] == [world.cases["overdue"].number]
    assert data["overdue"][0]["escalated"] is True


def test_the_on_time_counter_and_the_on_time_rates_follow_the_one_clock_rule(world):
    """Two cases closed an hour after their deadline: one outside working hours (its working
    clock had not run on: on time), one past its budget (late). The counter "本月按期办结" and
    the "按期办结率" charts judge both by the case's clock, as the close event does."""
    now = timezone.now()
    off_hours, late = world.cases["far"], world.cases["in_core"]
    for case, used in ((off_hours, 3600), (late, 7200)):
        Case.objects.filter(pk=case.pk).update(state="closed", closed_at=now, deadline=now - timedelta(hours=1),
                                               clock_used_s=used, clock_budget_s=3600)
    assert [clock.on_time(Case.objects.get(pk=c.pk)) for c in (off_hours, late)] == [True, False]
    data = logged_in(world, "command").get("/screen/data.json").json()
    assert data["counters"]["closed_on_time_month"] == 1
    rows = statistics(statistics_cases(world.users["command"]), "township", now)
    assert sum(r["on_time"] for r in rows) == 1 and sum(r["finished"] for r in rows) == 2


def test_map_markers_are_the_open_cases_of_the_county(world):
    data = logged_in(world, "command").get("/screen/data.json").json()
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
        assert page.locator(f"#{chart} svg").count() == 1, chart
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
    first = logged_in(world, "command").get("/screen/data.json").json()
    _no_longer_overdue(world.cases["overdue"])
    second = logged_in(world, "command").get("/screen/data.json").json()
    assert second["counters"] == first["counters"]
    cache.clear()
    third = logged_in(world, "command").get("/screen/data.json").json()
    assert third["counters"]["overdue"] == first["counters"]["overdue"] - 1


def test_without_the_cache_every_read_counts_afresh(world, settings):
    settings.PAGES_SCREEN_CACHE_SECONDS = 0
    first = logged_in(world, "command").get("/screen/data.json").json()
    _no_longer_overdue(world.cases["overdue"])
    second = logged_in(world, "command").get("/screen/data.json").json()
    assert second["counters"]["overdue"] == first["counters"]["overdue"] - 1


# --- a county of many townships and teams: every chart's labels readable ----------------------

def _many(county: str) -> dict:
    """/screen/data.json of a county like the demo's 阳城县: 17 townships, 26 teams."""
    def row(name, n):
        return {"name": name, "total": n, "open": n, "overdue": n // 2, "rate": None if n % 3 else 50.0 + n}
    teams = [f"{county}{t}综合行政执法队" for t in TOWNSHIPS] + [f"{county}{d}" for d in DEPARTMENT_TEAMS]
    return {"now": "2026-12-02 20:00:00", "overdue": [], "markers": [],
            "counters": {"reported_today": 1, "open": 2, "overdue": 1, "escalated": 0, "closed_on_time_month": 0},
            "townships": [row(name, i + 1) for i, name in enumerate(TOWNSHIPS)],
            "teams": [row(name, i + 1) for i, name in enumerate(teams)],
            "items": [row(f"事项{i}", 10 - i) for i in range(10)],
            "months": [row("2026-11", 10), row("2026-12", 20)]}





def test_big_screen_labels_of_many_townships_and_teams_do_not_overlap(live_world, open_page, login, shot):
    """阳城县's screen: 17 townships under slanted 25-degree labels and 26 team names under a column
    chart ran into one another; each label now stands clear inside its chart, team names
    without the county's own name."""
    page = open_page("screen")
    county = live_world.t.county.name
    payload = json.dumps(_many(county), ensure_ascii=False)
    page.route("**/screen/data.json", lambda route: route.fulfill(status=200, content_type="application/json",
                                                                 body=payload))
    login(page, "command", next="/screen/")
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '1'")
    for chart in ("chart-township", "chart-item", "chart-month", "chart-rate-township", "chart-rate-team"):
        count, overlaps = overlapping_texts(page, chart)
        assert count > 3 and overlaps == [], (chart, overlaps)
    labels = page.eval_on_selector_all("#chart-rate-team svg text", "els => els.map(e => e.textContent)")
    assert "北留镇综合行政执法队" in labels and not any(label.startswith(county) for label in labels)
    assert not any(label.endswith(("...", "…")) for label in labels), labels     # names whole
    shot(page, "screen-many-townships", full_page=False)


# --- the demo: closed cases behind the on-time charts ----------------------------------------

@pytest.mark.parametrize("username", ["command", "command-yangcheng"])
def test_on_the_demo_the_on_time_charts_have_data(demo, open_page, login, shot, username):
    """The demo had no closed case, so both 按期办结率 charts were empty axes; `load_demo` now
    closes cases through the loop, some late, and each chart draws a rate for its units."""
    page = open_page("screen")
    login(page, username, password=demo, next="/screen/")
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '1'")
    for chart in ("chart-rate-township", "chart-rate-team"):
        rates = page.evaluate("id => echarts.getInstanceByDom(document.getElementById(id)).getOption()"
                              ".series[0].data", chart)
        drawn = [r for r in rates if r is not None]
        assert drawn and all(0 <= r <= 100 for r in drawn) and min(drawn) < 100, (chart, rates)
        bars = page.locator(f"#{chart} svg path[fill='#5fd38a']").count()
        assert bars >= 1, chart
    page.wait_for_timeout(1500)     # the charts' first animation: the shot shows them drawn
    outside = page.evaluate("""() => { const box = document.getElementById('chart-rate-team').getBoundingClientRect();
        return Array.from(document.querySelectorAll('#chart-rate-team svg text')).filter(t => /%$/.test(t.textContent))
            .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([_, r]) => r.right > box.right - 2)
            .map(([text]) => text); }""")
    assert not outside, outside     # a full bar's "100%" was cut at the panel's edge
    clash = page.evaluate("""() => { const texts = Array.from(document.querySelectorAll('#chart-rate-township svg text'));
        const title = texts.find(t => t.textContent === '各乡镇按期办结率').getBoundingClientRect();
        return texts.filter(t => /%$/.test(t.textContent)).map(t => t.getBoundingClientRect())
            .filter(r => r.top < title.bottom + 2).length; }""")
    assert clash == 0               # the figures above full bars touched the title
    shot(page, f"screen-demo-{username}-1920", full_page=False)


def _outlines_inside_the_map(page) -> bool:
    """Every township outline drawn lies within the map's box (the view frames them all)."""
    return page.evaluate("""() => {
        const map = document.getElementById('screen-map').getBoundingClientRect();
        const paths = [...document.querySelectorAll('#screen-map path.township-outline')];
        return paths.length > 0 && paths.every(p => {
            const r = p.getBoundingClientRect();
            return r.left >= map.left - 1 && r.right <= map.right + 1
                && r.top >= map.top - 1 && r.bottom <= map.bottom + 1;
        });
    }""")


@pytest.fixture
def wide_county(transactional_db):
    """A county of nine townships 15 km across each (a real county's size, not the pages
    world's 4 km ones), its command centre, and one open case in its south-west corner."""
    t = make_territory(code="990301", name="宽县", cols=3, rows=3, size=0.15)
    command = make_user("wide-command", "command_centre", t.county)
    grant(t.townships[0], t.items["I001"], "statutory")
    _report(command, 120.01, 30.01)
    return t


@pytest.mark.parametrize("late", ["townships", "cases"])
def test_big_screen_map_frames_every_township_whichever_answer_comes_first(
        wide_county, open_page, login, shot, late):
    """Framing the one marker would leave most townships outside the map; the townships'
    outlines frame it, whether they come before the cases or after."""
    page = open_page("screen")
    login(page, "wide-command")

    def delayed(name):
        def handler(route):
            if late == name:
                page.wait_for_timeout(1500)     # the other answer lands first
            route.continue_()
        return handler

    page.route("**/screen/data.json*", delayed("cases"))
    page.route("**/ogc/collections/townships/items*", delayed("townships"))
    page.goto("/screen/")
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '1'")
    page.wait_for_function("document.querySelectorAll('#screen-map path.township-outline').length === 9")
    page.wait_for_timeout(600)                  # the fit's animation
    shot(page, f"screen-map-{late}-late", full_page=False)
    assert _outlines_inside_the_map(page)


def test_a_refresh_updates_the_charts_in_place_without_replaying_them(demo, open_page, login, settings):
    """On a wall display a refresh that redrew the charts from nothing would drop every bar and
    grow it again once a minute; the same figures stay standing through a refresh (a chart
    cleared before each refresh fails this: its bars fall to 2 % of their height)."""
    settings.PAGES_SCREEN_REFRESH_SECONDS = 10
    page = open_page("screen")
    login(page, "command", password=demo, next="/screen/")
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '1'")
    page.wait_for_timeout(2000)                 # the first drawing's own animation
    heights = """() => Array.from(document.querySelectorAll("#chart-township svg path[fill='#3da5ff']"))
        .reduce((sum, p) => sum + p.getBBox().height, 0)"""
    before = page.evaluate(heights)
    page.wait_for_function("document.getElementById('screen').dataset.loaded === '2'", timeout=20_000)
    after = []
    for _ in range(12):
        after.append(page.evaluate(heights))
        page.wait_for_timeout(60)
    assert before > 0 and min(after) >= 0.95 * before, (before, after)
