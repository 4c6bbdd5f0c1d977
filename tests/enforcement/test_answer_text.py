"""The router's words in Chinese by default, English with Accept-Language: en; the phrase
templates row by row (one table: English and Chinese), and every line of real answers (no English template word left)."""
import copy
import pickle
import re

import orjson
import pytest

from gis_app.enforcement import answer_text
from gis_app.enforcement.answer_text import TEMPLATES, Line
from tests.territory import grant, make_hub, make_territory, make_zone
from tests.users import auth_header, make_user

ENGLISH = re.compile(r"\b(covers|point|notify|holds|mode|whistle|team|subject|department|deadline|"
                     r"severity|township|village|grid|county|zone|hub|sea|none|required|outside)\b")


@pytest.mark.parametrize("line,english,chinese", [
    (Line("point", lon="120.0100000", lat="30.0100000", crs="EPSG:4326"),
     "point (120.0100000, 30.0100000) EPSG:4326", "坐标 (120.0100000, 30.0100000) EPSG:4326"),
    (Line("point_converted", received_lon=120.0, received_lat=30.0, received_crs="GCJ-02",
          lon="119.9950000", lat="30.0020000", crs="EPSG:4326"),
     "point (120.0, 30.0) GCJ-02 converted to (119.9950000, 30.0020000) EPSG:4326",
     "坐标 (120.0, 30.0) GCJ-02，已转换为 (119.9950000, 30.0020000) EPSG:4326"),
    (Line("covers", level="township", code="990101001", name="第1镇")
     + Line("shared_border", n=2, levels="township"),
     "township 990101001 第1镇 covers the point (on a border shared by 2 townships: the smallest code wins)",
     "乡镇 990101001 第1镇 覆盖该点（位于 2 个乡镇共有的边界上：取代码最小者）"),
    (Line("no_grid"), "no grid of the chosen unit covers the point", "所选村（社区）内没有网格覆盖该点"),
    (Line("zone", code="PA01", name="本县保护区", zone="core", authority="ZYGH")
     + Line("zone_authority_unknown", code="ZYGH"),
     "protected area PA01 本县保护区, zone core, covers the point: notify ZYGH (authority code ZYGH is "
     "not a department of this county)",
     "保护地 PA01 本县保护区 核心区覆盖该点：通知 ZYGH（主管代码 ZYGH 不是本县部门）"),
    (Line("hub", township="第2镇", code="990101001", name="第1镇"),
     "第2镇 is covered by hub 990101001 第1镇 (1+X): the hub's team serves it",
     "第2镇 属于 990101001 第1镇 片区（1+X）：由片区中心镇的队伍兼管"),
    (Line("holds", township="第1镇", item="I001", kind="statutory") + Line("mode_township"),
     "第1镇 holds I001 as statutory -> mode township, in the township's own name",
     "第1镇 对 I001 的权限为法定：乡镇自办，以乡镇名义执法"),
    (Line("no_authority_row", township="第3镇", item="I003")
     + Line("mode_whistle", dept=Line("dept", code="STHJ", name="县生态环境局")),
     "第3镇 has no authority row for I003 -> none -> mode whistle: the township reports, the item's "
     "department STHJ 县生态环境局 acts",
     "第3镇 对 I003 没有权限记录：视为吹哨：吹哨报到，乡镇吹哨，事项主管部门 STHJ 县生态环境局 办理"),
    (Line("holds", township="第4镇", item="I001", kind="county")
     + Line("mode_county", dept=Line("dept_elsewhere", id=7)),
     "第4镇 holds I001 as county -> mode county, in the name of the item's department #7 (not a "
     "department of this county), the local team acting as dispatched staff",
     "第4镇 对 I001 的权限为派驻：派驻执法，以事项主管部门 #7（不是本县部门） 的名义，由本地队伍作为派驻人员办理"),
    (Line("team", code="T990101001", name="第1镇综合行政执法队") + Line("team_via_hub", hub="第1镇"),
     "team: T990101001 第1镇综合行政执法队 (hub 第1镇 of the 1+X area)",
     "承办队伍：T990101001 第1镇综合行政执法队（1+X 片区中心镇 第1镇）"),
    (Line("team_marine_none", code="990101"), "team: county 990101 has no team of kind marine recorded",
     "承办队伍：县 990101 未登记海洋执法队伍"),
    (Line("departments_none"), "departments to notify: none (supporting departments and zone authorities)",
     "需通知的部门：无"),
    (Line("severity", finding=Line("severity_row", code="PA01", zone="buffer", severity="elevated", row=3)),
     "severity: PA01 buffer zone -> severity elevated (severity row 3)", "严重程度：PA01 缓冲区，较高（严重程度表第 3 行）"),
    (Line("deadline", rule=Line("deadline_default", whistle="quick", hours="24")),
     "deadline: default quick: quick whistle = 24 calendar hours (no deadlines row matches)",
     "办理时限：快捷哨默认 24 个自然小时（时限表无匹配行）"),
    (Line("deadline", rule=Line("deadline_row", row=2, keys="item_code=I001", limit="4",
                                unit="working hours")),
     "deadline: deadlines row 2 (item_code=I001): 4 working hours",
     "办理时限：时限表第 2 行（item_code=I001）：4 个工作小时"),
    (Line("deadline", rule=Line("deadline_row", row=5, keys=Line("any_case"), limit="2",
                                unit="working days")),
     "deadline: deadlines row 5 (any case): 2 working days", "办理时限：时限表第 5 行（任何案件）：2 个工作日"),
])
def test_each_template_in_english_and_in_chinese(line, english, chinese):
    assert line == english
    assert line.zh == chinese


def test_every_template_has_its_chinese_without_english_words():
    for key, (_, chinese) in TEMPLATES.items():
        words = re.sub(r"\{\w+\}", "", chinese)      # the arguments' names are no words
        assert ENGLISH.search(words) is None, key


def test_a_line_copied_or_stored_is_its_english_text():
    line = Line("no_zone")
    assert copy.deepcopy(line) == "no protected-area zone covers the point"
    assert pickle.loads(pickle.dumps(line)) == line
    assert orjson.dumps([line]) == b'["no protected-area zone covers the point"]'


@pytest.fixture
def county(db):
    t = make_territory()
    make_zone(t.county, "PA01", "core", (120.0, 30.0, 120.015, 30.02), "ZYGH")
    make_hub(t.townships[0], [t.townships[1]])
    grant(t.townships[0], t.items["I001"], "statutory")
    grant(t.townships[2], t.items["I002"], "entrusted", t.departments["SCJG"])
    grant(t.townships[3], t.items["I001"], "county")
    return t, make_user("cmd", "command_centre", t.county)


@pytest.mark.parametrize("lon,lat,item", [(120.01, 30.01, "I001"), (120.05, 30.01, "I001"),
                                          (120.01, 30.05, "I002"), (120.05, 30.05, "I001"),
                                          (120.05, 30.05, "I003"), (120.1, 30.02, "I001"),
                                          (120.04, 30.04, "I004")])
def test_every_line_of_an_answer_is_in_chinese_by_default(client, county, lon, lat, item):
    _, user = county
    body = client.get("/api/route", {"lon": lon, "lat": lat, "item": item}, **auth_header(user)).json()
    left = [line for line in body["trace"] if ENGLISH.search(line)]
    assert left == []


def test_english_when_asked(client, county):
    _, user = county
    body = client.get("/api/route", {"lon": 120.01, "lat": 30.01, "item": "I001"}, HTTP_ACCEPT_LANGUAGE="en-US,en",
                      **auth_header(user)).json()
    assert body["trace"][1] == "county 990101 测试县 covers the point"


def test_a_refusal_in_chinese_and_in_english(client, county):
    _, user = county
    far = {"lon": 125.0, "lat": 30.0, "item": "I001"}
    zh = client.get("/api/route", far, **auth_header(user)).json()
    en = client.get("/api/route", far, HTTP_ACCEPT_LANGUAGE="en", **auth_header(user)).json()
    assert zh["error"] == en["error"] == "outside_jurisdiction"
    assert zh["detail"].startswith("该点不在任何县的管辖范围内")
    assert en["detail"].startswith("the point is outside every county")


def test_equal_template_and_arguments_give_the_same_line_rendered_once():
    first = Line("team", code="T1", name="第1镇综合行政执法队")
    assert first.zh == "承办队伍：T1 第1镇综合行政执法队"
    again = Line("team", code="T1", name="第1镇综合行政执法队")
    assert again is first and again.__dict__["_zh"] == first.zh


def test_a_points_own_line_is_not_kept_for_other_requests():
    before = len(answer_text._made)
    line = Line.single("point", lon="120.1234567", lat="30.1234567", crs="EPSG:4326")
    assert line.zh == "坐标 (120.1234567, 30.1234567) EPSG:4326"
    assert len(answer_text._made) == before


def test_a_trace_in_chinese_line_by_line_whether_rendered_before_or_not():
    kept = Line("no_grid")
    assert kept.zh == "所选村（社区）内没有网格覆盖该点"      # rendered before: read as kept
    fresh = Line("covers", level="village", code="990101001001", name="第1村")
    own = Line.single("point", lon="120.0200000", lat="30.0200000", crs="EPSG:4326")
    plain = "a footprint's own line"
    lines = [kept, fresh, own, plain]
    assert answer_text.trace_in_chinese(lines) == [answer_text.in_chinese(line) for line in lines]
    assert answer_text.trace_in_chinese(lines)[:3] == [
        "所选村（社区）内没有网格覆盖该点", fresh.zh, "坐标 (120.0200000, 30.0200000) EPSG:4326"]


@pytest.mark.parametrize("english", [True, False])
def test_a_points_line_as_plain_text_reads_as_its_line(english):
    from gis_app.enforcement.answers import PointQuery
    for query in (PointQuery(120.123456789, 30.5), PointQuery(120.1, 30.2, 120.2, 30.3, "GCJ02")):
        line = query.describe()
        assert query.describe_text(english) == (line if english else line.zh)


def test_the_routers_zone_and_whistle_words_are_the_models():
    """The trace and the pages name a zone and a whistle kind alike (answer_text stays plain
    data, importing no model; this keeps its two tables equal to the models' choices)."""
    from boundaries.models import ProtectedArea
    from gis_app.enforcement.answer_text import WHISTLES, ZONES
    from gis_app.enforcement.models import CatalogItem

    assert ZONES == dict(ProtectedArea.Zone.choices)
    assert WHISTLES == dict(CatalogItem.WhistleKind.choices)
