"""The router's words in Chinese by default, English with Accept-Language: en; the phrase
table row by row, and every line of real answers (no English template word left)."""
import re

import pytest

from gis_app.enforcement.answer_text import in_chinese
from tests.territory import grant, make_hub, make_territory, make_zone
from tests.users import auth_header, make_user

ENGLISH = re.compile(r"\b(covers|point|notify|holds|mode|whistle|team|subject|department|deadline|"
                     r"severity|township|village|grid|county|zone|hub|sea|none|required|outside)\b")


@pytest.mark.parametrize("english,chinese", [
    ("point (120.0100000, 30.0100000) EPSG:4326", "坐标 (120.0100000, 30.0100000) EPSG:4326"),
    ("township 990101001 第1镇 covers the point (on a border shared by 2 townships: the smallest code wins)",
     "乡镇 990101001 第1镇 覆盖该点（位于 2 个乡镇共有的边界上：取代码最小者）"),
    ("protected area PA01 本县保护区, zone core, covers the point: notify ZYGH; core zone -> severity high",
     "保护地 PA01 本县保护区 核心区覆盖该点：通知 ZYGH；核心区：严重程度高"),
    ("第1镇 holds I001 as statutory -> mode township, in the township's own name",
     "第1镇 对 I001 的权限为法定：乡镇自办，以乡镇名义执法"),
    ("第3镇 has no authority row for I003 -> none -> mode whistle: the township reports, the item's "
     "department STHJ 县生态环境局 acts", "第3镇 对 I003 没有权限记录：视为吹哨：吹哨报到，乡镇吹哨，事项主管部门 STHJ 县生态环境局 办理"),
    ("team: T990101001 第1镇综合行政执法队 (hub 第1镇 of the 1+X area)",
     "承办队伍：T990101001 第1镇综合行政执法队（1+X 片区中心镇 第1镇）"),
    ("deadline: quick whistle = 24 h from 2026-11-23T09:00:00+08:00",
     "办理时限：快捷哨 24 小时，自 2026-11-23T09:00:00+08:00 起算"),
    ("deadline: deadlines row 2 (item_code=I001): 4 working hours",
     "办理时限：时限表第 2 行（item_code=I001）：4 个工作小时"),
])
def test_each_phrase(english, chinese):
    assert in_chinese(english) == chinese


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
