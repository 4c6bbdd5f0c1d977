"""The refusal phrase table row by row (no database): each English refusal the code writes,
as the caller who did not ask for English reads it (gis_app/web/refusal_text.py)."""
import pytest

from gis_app.web.refusal_text import detail_in_chinese, localize

ROWS = [
    ("item: required", "item：必填"),
    ("team: required: the code of the team whose track this is", "team：必填：该轨迹所属队伍的代码"),
    ("lon: 'abc' is not a number", "lon：'abc' 不是数字"),
    ("limit: 'x' is not a whole number", "limit：'x' 不是整数"),
    ("limit: must be at least 1", "limit：不能小于 1"),
    ("knd: unknown parameter for this endpoint; accepted: kind, q", "knd：未知参数；可用参数：kind, q"),
    ("crs: unknown CRS 'EPSG:1'; accepted: EPSG:4326", "crs：未知坐标系 'EPSG:1'；可用：EPSG:4326"),
    ("lat: latitude 91 is outside -90..90 (EPSG:4326)", "lat：纬度 91 超出 -90..90（EPSG:4326）"),
    ("points: 10001 points; at most 10000 per request", "points：10001 个点；每次请求最多 10000 个"),
    ("team: no team 'T9' in this county", "team：本县没有队伍 'T9'"),
    ("note: required for reject (驳回)", "note：驳回（reject）必须填写"),
    ("file: not UTF-8 text", "file：不是 UTF-8 文本"),
    ("to: must be after `from`", "to：须晚于 from"),
    ("no case 7 within this account's reach", "本账号可见范围内没有案件 7"),
    ("the case changed meanwhile (version 3, you acted on 2); reload it and decide again",
     "案件已被他人修改（当前版本 3，您操作的是版本 2）；请刷新后重新处理"),
    ("a grid_member account does not report area cases", "grid_member 账号不能上报图斑案件"),
    ("Authentication credentials were not provided.", "未提供身份凭据（请登录或提供令牌）"),
    ("too many failed logins; try again in 15 minutes", "登录失败次数过多；请 15 分钟后再试"),
    ("item: unknown item 'X' in the catalogue of county 990101 测试县", "item：县 990101 测试县 的事项清单中没有事项 'X'"),
    ("the point is in county 990102 邻县, which this account may not act in", "该点位于县 990102 邻县，本账号无权在此办理"),
    ("bbox: latitude 120 is outside -90..90 (EPSG:4326) (bbox CRS EPSG:4326)",
     "bbox：纬度 120 超出 -90..90（EPSG:4326）（bbox 坐标系 EPSG:4326）"),
    ("footprint: unknown CRS 'X'; accepted: EPSG:4326 (crs EPSG:3857)",
     "footprint：未知坐标系 'X'；可用：EPSG:4326（坐标系 EPSG:3857）"),
    ("file: not UTF-8 text (invalid start byte at byte 3)", "file：不是 UTF-8 文本"),
    ("the point is outside every county (1234.50 m from county 990101 测试县)",
     "该点不在任何县的管辖范围内（距县 990101 测试县 1234.50 米）"),
]


@pytest.mark.parametrize("english,chinese", ROWS)
def test_a_refusal_reads_in_chinese(english, chinese):
    assert detail_in_chinese(english, "bad_parameter") == chinese


def test_a_refusal_no_row_knows_still_says_its_code_in_chinese():
    assert detail_in_chinese("something new went wrong", "conflict") == "数据已被他人修改：something new went wrong"


def test_a_detail_already_in_chinese_is_kept():
    assert detail_in_chinese("不支持请求中的媒体类型 “application/json”。", "unsupported_media_type") == \
        "不支持请求中的媒体类型 “application/json”。"


def test_english_leaves_the_body_as_written_and_codes_stay_english():
    body = {"error": "bad_parameter", "detail": "item: required", "parameter": "item"}
    assert localize(body, english=True) is body
    assert localize(body, english=False) == {"error": "bad_parameter", "detail": "item：必填", "parameter": "item"}


def test_every_row_is_a_valid_pattern_and_replacement():
    import re

    from gis_app.web.refusal_text import DETAILS, REASONS

    for pattern, replacement in REASONS + DETAILS:
        if isinstance(replacement, str):
            re.compile(pattern).sub(replacement, "")     # parses the template: a bad escape raises


def test_the_nul_refusal_keeps_its_technical_word():
    assert detail_in_chinese("name: contains a NUL character (\\u0000), which cannot be stored") == \
        "name：含有 NUL 字符（U+0000），无法保存"
