"""Every API refusal in Chinese by default, in English with `Accept-Language: en`: one table.

The code writes its refusals in English (what the logs, the tests and the `error` codes
read); the one exception handler (errors.py) and the few places that build refusal bodies
themselves (a batch's per-point errors, Open311's list) put the `detail` into the caller's
language here, once, just before the answer is written. The `error` code and the
`parameter` name stay English identifiers.

How a detail is put into Chinese, in order:
1. "<parameter>: <reason>": the parameter stays, the reason goes through `REASONS`, a table
   of (pattern, replacement) rows, plain data tested row by row;
2. a whole detail through `DETAILS` (messages that name no parameter);
3. anything no row matches still gets a Chinese sentence: the meaning of its `error` code
   (`CODES`), then the English detail as written (names, values and limits stay readable).
A line is translated once per process (`lru_cache`): a batch repeats its errors.

Messages Django and DRF write themselves (authentication, media types, parsers, serializer
fields) come from their own catalogues in the active language: Chinese (LANGUAGE_CODE), or
English when `LanguageMiddleware` sees `Accept-Language: en` (it does nothing otherwise).
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation

from gis_app.enforcement.answer_text import LEVELS

# What each error code means, in Chinese (the lead of any detail no row translates).
CODES = {
    "bad_parameter": "参数错误", "invalid": "请求无效", "not_authenticated": "未登录或令牌无效",
    "authentication_failed": "身份验证失败", "permission_denied": "无权执行此操作", "forbidden": "无权执行此操作",
    "no_membership": "账号未加入任何组织", "not_found": "未找到", "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法提供所请求的格式", "unsupported_media_type": "不支持的内容类型",
    "parse_error": "请求内容无法解析", "throttled": "请求过于频繁", "conflict": "数据已被他人修改",
    "outside_jurisdiction": "不在管辖范围内", "outside_own_grids": "不在本人负责的网格内",
    "too_large": "请求内容过大", "payload_too_large": "请求内容过大", "locked": "账号已被暂时锁定",
    "read_only_token": "只读令牌不能修改数据", "error": "请求被拒绝",
}

_Q = r"('(?:[^'\\]|\\.)*'|\"[^\"]*\"|\S+)"     # a value as the code quotes it ('x' from !r, or bare)

# (pattern on the reason after "<parameter>: ", replacement): first match wins.
REASONS: list[tuple[str, object]] = [
    (r"^required$", "必填"),
    (r"^required \(a catalogue item code\)$", "必填（事项代码）"),
    (r"^unknown item " + _Q + r" in the catalogue of county (\S+) (.+)$", r"县 \2 \3 的事项清单中没有事项 \1"),
    (r"^required: (.+)$", r"必填：\1"),
    (r"^required (\(.+\))$", r"必填\1"),
    (r"^given more than once$", "重复给出"),
    (r"^is empty$", "为空"),
    (r"^unknown parameter(?: for this endpoint)?; accepted: (.*)$", r"未知参数；可用参数：\1"),
    (r"^unknown field; accepted: (.*)$", r"未知字段；可用字段：\1"),
    (r"^unknown column " + _Q + r"; expected (.+)$", r"未知列 \1；应为 \2"),
    (r"^" + _Q + r" is not a number$", r"\1 不是数字"),
    (r"^" + _Q + r" is not a finite number$", r"\1 不是有限数值"),
    (r"^" + _Q + r" is not a whole number$", r"\1 不是整数"),
    (r"^" + _Q + r" is not one of: (.+)$", r"\1 不在可选值之中：\2"),
    (r"^" + _Q + r" is not a (\d+)-digit code$", r"\1 不是 \2 位代码"),
    (r"^" + _Q + r" is not an ISO 8601 date or date-time$", r"\1 不是 ISO 8601 日期或日期时间"),
    (r"^" + _Q + r" is not an ISO 8601 date-time$", r"\1 不是 ISO 8601 日期时间"),
    (r"^" + _Q + r" is not an ISO 8601 date (.+)$", r"\1 不是 ISO 8601 日期\2"),
    (r"^" + _Q + r" is not a date \(YYYY-MM-DD\)$", r"\1 不是日期（YYYY-MM-DD）"),
    (r"^" + _Q + r" is not a time of day \(HH:MM\)$", r"\1 不是时刻（HH:MM）"),
    (r"^" + _Q + r" is not a boolean.*$", r"\1 不是布尔值（true/false）"),
    (r"^" + _Q + r" is not 4 numbers minx,miny,maxx,maxy$", r"\1 不是 4 个数 minx,miny,maxx,maxy"),
    (r"^" + _Q + r" is not a patrol plan id$", r"\1 不是巡查计划编号"),
    (r"^must be at least (\S+)$", r"不能小于 \1"),
    (r"^must be between (\S+) and (\S+)$", r"须在 \1 到 \2 之间"),
    (r"^must be greater than 0 metres$", "须大于 0 米"),
    (r"^must be after `from`$", "须晚于 from"),
    (r"^is after `to`$", "晚于 to"),
    (r"^must be a string or a number$", "须为字符串或数字"),
    (r"^must be a string \(a catalogue item code\)$", "须为字符串（事项代码）"),
    (r"^must be a string; accepted: (.+)$", r"须为字符串；可用：\1"),
    (r"^must be text of at most (\d+) characters$", r"须为不超过 \1 个字符的文本"),
    (r"^must be text, not (\w+)$", r"须为文本，而不是 \1"),
    (r"^must be an object with lon and lat$", "须为含 lon 和 lat 的对象"),
    (r"^must be a list of item codes$", "须为事项代码列表"),
    (r"^must be a list of ISO weekdays.*$", "须为 ISO 星期列表，1（周一）到 7（周日）"),
    (r"^must be a catalogue item code.*$", "须为事项代码（不超过 50 个字符的文本）"),
    (r"^longer than (\d+) characters$", r"超过 \1 个字符"),
    (r"^contains control characters$", "含有控制字符"),
    (r"^contains a NUL character.*$", "含有 NUL 字符（U+0000），无法保存"),
    (r"^contains a lone UTF-16 surrogate.*$", "含有孤立的 UTF-16 代理字符（surrogate），不是有效文本"),
    (r"^unknown CRS " + _Q + r"; accepted: (.+)$", r"未知坐标系 \1；可用：\2"),
    (r"^longitude (\S+) is outside -180\.\.180 \((.+)\)$", r"经度 \1 超出 -180..180（\2）"),
    (r"^latitude (\S+) is outside -90\.\.90 \((.+)\)$", r"纬度 \1 超出 -90..90（\2）"),
    (r"^([xy]) (\S+) m is outside Web Mercator's range \((.+)\)$", r"\1 = \2 米，超出 Web 墨卡托范围（\3）"),
    (r"^\((.+?)\) in (\S+) is not a place on Earth.*$", r"(\1) 在 \2 中不是地球上的位置"),
    (r"^metres from 0 to (\S+)$", r"须为 0 到 \1 米"),
    (r"^at most (\S+)$", r"不能超过 \1"),
    (r"^(\d+) points; at most (\d+) per request$", r"\1 个点；每次请求最多 \2 个"),
    (r"^no points given$", "没有给出点"),
    (r"^no team " + _Q + r" in the counties you may see$", r"在您可见的县中没有队伍 \1"),
    (r"^no team " + _Q + r" in this county$", r"本县没有队伍 \1"),
    (r"^no team " + _Q + r" in county (\S+)$", r"县 \2 没有队伍 \1"),
    (r"^no department " + _Q + r" in the counties you may see$", r"在您可见的县中没有部门 \1"),
    (r"^no (\w+) " + _Q + r" in the counties you may see$", r"在您可见的县中没有 \1 \2"),
    (r"^no county " + _Q + r" among the counties you may see$", r"在您可见的县中没有县 \1"),
    (r"^no county " + _Q + r" within this account's reach$", r"本账号可见范围内没有县 \1"),
    (r"^no township (\S+) in county (\S+)$", r"县 \2 没有乡镇 \1"),
    (r"^no patrol plan (\S+) of team (\S+)$", r"队伍 \2 没有巡查计划 \1"),
    (r"^unknown item " + _Q + r" in the catalogue of county (\S+) (.+)$", r"县 \2 \3 的事项清单中没有事项 \1"),
    (r"^unknown state " + _Q + r"; states: (.+)$", r"未知状态 \1；可用状态：\2"),
    (r"^expected a JSON object.*$", "应为 JSON 对象"),
    (r"^not JSON$", "不是 JSON"),
    (r"^not UTF-8 text$", "不是 UTF-8 文本"),
    (r"^larger than (\d+) bytes$", r"大于 \1 字节"),
    (r"^([\d,]+) bytes; at most (.+)$", r"\1 字节；最多 \2"),
    (r"^(\d+) bytes is over the limit of (\d+)$", r"\1 字节，超过上限 \2"),
    (r"^empty: expected a header row (.+)$", r"为空：应有表头 \1"),
    (r"^header lacks column\(s\) (.+?); .*$", r"表头缺少列 \1"),
    (r"^not a JPEG, PNG, PDF or MP4 file.*$", "不是 JPEG、PNG、PDF 或 MP4 文件（按内容检查）"),
    (r"^given without bbox$", "给出了但没有 bbox"),
    (r"^values must be finite numbers$", "取值须为有限数值"),
    (r"^minx must be less than maxx and miny less than maxy$", "须 minx < maxx 且 miny < maxy"),
    (r"^expected 4 comma-separated numbers.*$", "应为逗号分隔的 4 个数 minx,miny,maxx,maxy"),
    (r"^a list of catalogue item codes$", "应为事项代码列表"),
    (r"^a URL or a list of URLs$", "应为一个或多个 URL"),
    (r"^a joint inspection bundles at least two items$", "综合查一次至少包含两个事项"),
    (r"^the period may span at most (\d+) days$", r"时段最长 \1 天"),
    (r"^required for (\w+) \((.+)\)$", r"\2（\1）必须填写"),
    (r"^cannot be combined with (.+)$", r"不能与 \1 同时使用"),
    # Open311's (its own format keeps these as `description`).
    (r"^not a valid key$", "不是有效的 api_key"),
    (r"^no jurisdiction " + _Q + r"$", r"没有辖区 \1"),
    (r"^this api_key acts in (\S+), not (\S+)$", r"该 api_key 只能在 \1 办理，不能在 \2"),
    (r"^required to (submit|read) requests?$", lambda m: "提交请求时必填" if m.group(1) == "submit" else "读取请求时必填"),
    (r"^no service " + _Q + r" in jurisdiction (\S+)$", r"辖区 \2 没有服务 \1"),
    (r"^open, closed or both \(comma-separated\)$", "open、closed 或两者（逗号分隔）"),
    (r"^" + _Q + r" is not a W3C \(ISO 8601\) date-time$", r"\1 不是 W3C（ISO 8601）日期时间"),
    (r"^no request " + _Q + r" within this key's reach$", r"该 api_key 可见范围内没有请求 \1"),
    (r"^required \(this server holds several counties\)$", "必填（本服务器有多个县）"),
]

# (pattern on the whole detail, replacement) for refusals that name no parameter.
DETAILS: list[tuple[str, object]] = [
    # The router's (routing.py).
    (r"^the point is outside every county \((\S+) m from (county|township) (\S+) (.+)\)$", lambda m:
        f"该点不在任何县的管辖范围内（距{LEVELS[m.group(2)]} {m.group(3)} {m.group(4)} {m.group(1)} 米）"),
    (r"^the point is outside every county \(no county is loaded\)$", "该点不在任何县的管辖范围内（尚未导入任何县）"),
    (r"^the point is in county (\S+) (.+?), which this account may not act in$",
     r"该点位于县 \1 \2，本账号无权在此办理"),
    (r"^Authentication credentials were not provided\.$", "未提供身份凭据（请登录或提供令牌）"),
    (r"^Invalid token\.?.*$", "令牌无效"),
    (r"^Invalid username/password\.$", "用户名或密码错误"),
    (r"^You do not have permission to perform this action\.$", "您无权执行此操作"),
    (r"^Not found\.$", "未找到"),
    (r"^No \w+ matches the given query\.$", "未找到"),
    (r'^Method "(\w+)" not allowed\.$', r"不支持 \1 请求方法"),
    (r'^Unsupported media type "(.*)" in request\.$', r"不支持的内容类型 \1"),
    (r"^JSON parse error.*$", "JSON 解析错误"),
    (r"^Multipart form parse error.*$", "表单解析错误"),
    (r"^Could not satisfy the request Accept header\.$", "无法提供 Accept 头所要求的格式"),
    (r"^Request was throttled.*$", "请求过于频繁，请稍后再试"),
    (r"^no case (\S+) within this account's reach$", r"本账号可见范围内没有案件 \1"),
    (r"^no such case within this account's reach$", "本账号可见范围内没有该案件"),
    (r"^the case changed meanwhile \(version (\d+), you acted on (\d+)\); reload it and decide again$",
     r"案件已被他人修改（当前版本 \1，您操作的是版本 \2）；请刷新后重新处理"),
    (r"^this account has no organisation membership.*$", "本账号未加入任何组织（县和角色）；请管理员为其创建成员（Member）记录"),
    (r"^a (\w+) account does not report area cases$", r"\1 账号不能上报图斑案件"),
    (r"^a (\w+) account does not report cases$", r"\1 账号不能上报案件"),
    (r"^the point is in (.+), which is not one of this grid member's grids$", r"该点位于 \1，不在本网格员负责的网格内"),
    (r"^joint inspections are organised by the command centre$", "综合查一次由指挥中心组织"),
    (r"^only the reporter, the acting team, a supporting department or the command centre add attachments$",
     "只有上报人、承办队伍、配合部门或指挥中心可以添加附件"),
    (r"^the footprint overlaps no county$", "图斑不在任何县的范围内"),
    (r"^the footprint lies in no county this account may act in$", "图斑不在本账号可办理的县内"),
    (r"^(\w+) \((.+?)\) is not a step from state (\w+).*$", r"案件处于 \3 状态，不能执行 \2（\1）"),
    (r"^a (\w+) account may not (.+)$", r"\1 账号不能执行：\2"),
    (r"^(\w+) is not supported here$", r"此处不支持 \1 请求"),
    (r"^too many failed logins; try again in (\d+) minutes$", r"登录失败次数过多；请 \1 分钟后再试"),
    (r"^the database is not answering; try again shortly$", "数据库暂时无响应，请稍后再试"),
    (r"^the server failed to answer this request; it has been logged$", "服务器未能处理该请求，已记录"),
]

_REASONS = [(re.compile(p), r) for p, r in REASONS]
_DETAILS = [(re.compile(p), r) for p, r in DETAILS]
_NAMED = re.compile(r"^([^:：\s][^:：]{0,60}?): ")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def wants_english(request) -> bool:
    """English only when the client asks for it first (`Accept-Language: en...`)."""
    if request is None:
        return False
    header = (request.headers.get("Accept-Language") or "").strip().lower()
    return header.startswith("en")


class LanguageMiddleware:
    """English for Django's and DRF's own messages when the client asks for it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not wants_english(request):
            return self.get_response(request)
        with translation.override("en"):
            return self.get_response(request)


def _first(table, text: str) -> str | None:
    for pattern, replacement in table:
        if pattern.search(text):
            return pattern.sub(replacement, text, count=1)
    return None


@lru_cache(maxsize=20_000)
def detail_in_chinese(detail: str, code: str = "error", parameter: str = "") -> str:
    """The detail of a refusal in Chinese (see the module's docstring for the order)."""
    named = _NAMED.match(detail)        # "name: reason" (the name as the code wrote it)
    if named:
        said = _first(_REASONS, detail[named.end():])
        if said is not None:
            return f"{named.group(1)}：{said}"
    said = _first(_DETAILS, detail)
    if said is not None:
        return said
    if _CJK.search(detail) and len(_WORD.findall(detail)) <= 3:
        return detail                   # already Chinese (Django's and DRF's own catalogue)
    lead = CODES.get(code, CODES["error"])
    return f"{lead}：{detail}" if detail else lead


def localize(body: dict, english: bool) -> dict:
    """A refusal body `{"error", "detail", "parameter"?, ...}` in the caller's language."""
    if english or not isinstance(body, dict) or not isinstance(body.get("detail"), str):
        return body
    return {**body, "detail": detail_in_chinese(body["detail"], str(body.get("error") or "error"),
                                                body.get("parameter") or "")}
