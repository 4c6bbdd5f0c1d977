"""考核 page, its XLSX and /api/assessment/: same figures, who may read them, bad periods; in the
browser, a large county's charts and tables readable."""
import io
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.pages.charts import DEPARTMENT_TEAMS, TOWNSHIPS, overlapping_texts
from tests.pages.world import build_pages_world, logged_in
from tests.users import auth_header


@pytest.fixture
def world(db):
    return build_pages_world()


@pytest.fixture
def live_world(transactional_db):
    return build_pages_world()


@pytest.mark.parametrize("role", ["command", "department", "planner"])
def test_readers_open_the_month_with_tables_and_charts(world, role):
    html = logged_in(world, role).get("/assessment/").content.decode()
    month = timezone.localdate()
    assert f"{month.year}年{month.month}月" in html and 'id="table-township"' in html
    assert 'id="chart-township"' in html and "/static/vendor/echarts/echarts.min.js" in html


@pytest.mark.parametrize("role", ["grid", "team"])
def test_field_roles_do_not_open_the_assessment(world, role):
    assert logged_in(world, role).get("/assessment/").status_code == 403


@pytest.mark.parametrize("params, parameter", [({"month": "2026-13"}, "month"), ({"from": "2026-12-01"}, "to"),
                                               ({"month": "0000-01"}, "month"),
                                               ({"from": "2026-12-01", "to": "9999-12-31"}, "to"),
                                               ({"from": "2026-12-05", "to": "2026-12-01"}, "from")])
def test_bad_period_is_a_400_naming_it(world, params, parameter):
    response = logged_in(world, "command").get("/assessment/", params)
    assert response.status_code == 400 and f'data-parameter="{parameter}"' in response.content.decode()


def test_xlsx_holds_a_sheet_per_grouping_with_the_page_figures(world):
    client = logged_in(world, "command")
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


def test_on_the_demo_the_assessment_of_recent_weeks_charts_on_time_rates(demo, open_page, login, shot):
    """The demo had no closed case, so the 按期处置率 line had no point; over the demo's last
    six weeks both charts draw rates, at 1920x1080."""
    today = timezone.localdate()
    page = open_page("screen")
    login(page, "command", password=demo)
    page.goto(f"/assessment/?from={today - timedelta(weeks=6):%Y-%m-%d}&to={today:%Y-%m-%d}")
    page.wait_for_selector("#chart-team[data-drawn='1']")
    for chart in ("chart-township", "chart-team"):
        rates = page.evaluate("id => echarts.getInstanceByDom(document.getElementById(id)).getOption()"
                              ".series.find(s => s.name === '按期处置率').data", chart)
        assert any(r is not None for r in rates), (chart, rates)
    shot(page, "assessment-demo-six-weeks", full_page=False)


def _quick(today, query=None):
    from gis_app.pages.assessment import quick_periods

    return {p["label"]: p for p in quick_periods(today, query or {})}


def test_quick_periods_are_this_and_last_month_quarter_year_and_30_days():
    from datetime import date

    quick = _quick(date(2026, 1, 2))
    assert quick["本月"]["query"] == "month=2026-01" and quick["上月"]["query"] == "month=2025-12"
    assert quick["本季度"]["query"] == "from=2026-01-01&to=2026-01-02"
    assert quick["本年"]["query"] == "from=2026-01-01&to=2026-01-02"
    assert quick["近30天"]["query"] == "from=2025-12-04&to=2026-01-02"      # both days included


def test_a_quarter_starts_on_its_first_month():
    from datetime import date

    assert _quick(date(2026, 12, 2))["本季度"]["query"] == "from=2026-10-01&to=2026-12-02"
    assert _quick(date(2026, 3, 31))["本季度"]["query"] == "from=2026-01-01&to=2026-03-31"


def test_the_period_asked_for_is_marked_and_this_month_without_one():
    from datetime import date

    today = date(2026, 12, 2)
    assert [k for k, p in _quick(today).items() if p["current"]] == ["本月"]
    assert [k for k, p in _quick(today, {"month": "2026-11"}).items() if p["current"]] == ["上月"]
    assert not any(p["current"] for p in _quick(today, {"from": "2026-11-03", "to": "2026-11-09"}).values())


def test_every_quick_period_opens_with_its_label(world):
    client = logged_in(world, "command")
    html = client.get("/assessment/").content.decode()
    links = re.findall(r'<nav class="quick-periods".*?</nav>', html, flags=re.DOTALL)[0]
    hrefs = re.findall(r'href="\?([^"]+)"', links)
    assert len(hrefs) == 5 and 'aria-current="true">本月<' in links
    for href in hrefs:
        page = client.get("/assessment/?" + href.replace("&amp;", "&"))
        assert page.status_code == 200 and 'aria-current="true"' in page.content.decode()


def test_on_a_phone_last_month_is_one_tap_away(demo, open_page, login, shot):
    """The page opens on this month (nearly empty in its first days); 上月 opens the month
    before with its figures, marked as the period shown."""
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    page = open_page("phone")
    login(page, "command", password=demo, next="/assessment/")
    page.click("nav.quick-periods >> text=上月")
    page.wait_for_selector("#chart-team[data-drawn='1']")
    assert f"{last.year}年{last.month}月" in page.inner_text("h1")
    assert page.inner_text("nav.quick-periods [aria-current]") == "上月"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width       # the links wrap; the page does not scroll sideways
    shot(page, "assessment-phone-last-month", full_page=False)


# --- in the browser: a county of many townships and teams ------------------------------------

def _large_charts(county: str, more_teams=()) -> str:
    """The page's chart data (assessment.py's charts_json) for a county like 阳城县."""
    teams = ([f"{county}{t}综合行政执法队" for t in TOWNSHIPS] + [f"{county}{d}" for d in DEPARTMENT_TEAMS]
             + list(more_teams))

    def group(names):
        n = len(names)
        return {"names": names, "handled": [i % 4 for i in range(n)], "on_time": [i % 3 for i in range(n)],
                "overdue": [i % 2 for i in range(n)], "rate": [None if i % 3 else 50 + i for i in range(n)]}
    return json.dumps({"township": group(TOWNSHIPS), "team": group(teams), "county": county},
                      ensure_ascii=False)


def _open_larger(page, login, county: str, more_teams=()):
    """The 考核 page as the command centre, its charts' data replaced by a large county's."""
    def larger(route):
        html = route.fetch().text()
        html = re.sub(r'(<script type="application/json" id="assessment-charts">).*?(</script>)',
                      lambda m: m.group(1) + _large_charts(county, more_teams) + m.group(2), html,
                      flags=re.DOTALL)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
    login(page, "command")
    page.route(re.compile(r".*/assessment/(\?.*)?$"), larger)    # a redirect's target is not routed
    page.goto("/assessment/")
    page.wait_for_selector("#chart-team[data-drawn='1']")


def test_team_names_lose_the_county_name_also_beside_a_team_named_without_it(live_world, open_page,
                                                                             login, shot):
    """On the demo 洋山镇综合行政执法队 stood beside 嵊泗县综合行政执法局菜园中队: the names
    shared no county prefix, so every other team kept its county's name and was cut short."""
    page = open_page("screen")
    county = live_world.t.county.name
    _open_larger(page, login, county, more_teams=["洋山镇综合行政执法队"])
    labels = page.eval_on_selector_all("#chart-team svg text", "els => els.map(e => e.textContent)")
    assert "北留镇综合行政执法队" in labels and "洋山镇综合行政执法队" in labels
    assert not any(label.startswith(county) for label in labels), labels
    assert not any(label.endswith(("...", "…")) for label in labels), labels
    shot(page, "assessment-mixed-team-names")


def test_assessment_charts_and_tables_of_a_large_county_are_readable(live_world, open_page, login, shot):
    """阳城县's 26 teams under the team chart ran into one another (names 14 characters, slanted
    30 degrees), the % axis's name into the legend, and the tables' headings stood left of
    their right-aligned figures."""
    page = open_page("screen")
    county = live_world.t.county.name
    _open_larger(page, login, county)
    for chart in ("chart-township", "chart-team"):
        count, overlaps = overlapping_texts(page, chart)
        assert count > 20 and overlaps == [], (chart, overlaps)
    labels = page.eval_on_selector_all("#chart-team svg text", "els => els.map(e => e.textContent)")
    assert "北留镇综合行政执法队" in labels and not any(label.startswith(county) for label in labels)
    assert not any(label.endswith(("...", "…")) for label in labels), labels     # names whole
    aligned = page.evaluate("""() => Array.from(document.querySelectorAll('#table-township tr'))
        .map(row => getComputedStyle(row.children[1]).textAlign)""")
    assert set(aligned) == {"right"}, aligned
    shot(page, "assessment-large-county", full_page=False)
