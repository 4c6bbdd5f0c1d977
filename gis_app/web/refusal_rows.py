"""The rows that put the code's English refusals into Chinese (used by refusal_text.py).

Plain data, grouped by where the refusals are written: each row is (pattern, replacement),
the first match wins, so a specific row sits above a general one. A replacement is a `re`
template or a function of the match (for a value that itself needs a word from a small
table, or a nested reason such as a patrol upload's first problem). tests/web/
test_refusal_coverage.py walks the code's refusal templates and fails on one no row reads.
"""
from __future__ import annotations

import re

from gis_app.enforcement.answer_text import LEVELS

_Q = r"('(?:[^'\\]|\\.)*'|\"[^\"]*\"|\S+)"     # a value as the code quotes it ('x' from !r, or bare)

# Nouns the code puts into a sentence from a model's name or a role.
KINDS = {"team": "队伍", "department": "部门", "catalog item": "事项", "catalogue item": "事项",
         "protected area": "保护地", "township": "乡镇", "village": "村（社区）", "grid": "网格", "county": "县"}
ACTORS = {"the acting team": "承办队伍", "the command centre": "指挥中心", "a supporting department": "配合部门"}
# What a JSON body was instead of an object (web/guard.py).
JSON_KINDS = {"a list": "列表", "a string": "字符串", "a number": "数字", "null": " null", "true/false": " true/false",
              "that": "其他值"}
# Why a clock or confirmation step cannot be taken now (workflow.py's `when_not`).
NOT_NOW = {
    "the clock is stopped or a request is already pending": "计时已停止，或已有申请待审批",
    "no suspension request is pending": "没有待审批的挂起申请",
    "the clock is running": "计时正在进行",
    "no extension request is pending": "没有待审批的延期申请",
    "no request is pending": "没有待审批的申请",
    "the case is not waiting for confirmation": "案件不在待确认属地队列中",
}


def _kind(m, group=1):
    return KINDS.get(m.group(group), m.group(group))


def _says(row):
    """Marks a row function that reads a nested reason: refusal_text calls it as row(match, say),
    `say` putting a reason ("<field>: <reason>" or bare) into Chinese through these same rows."""
    row.says = True
    return row


def _where(text: str) -> str:
    """"line 5 index 3" -> "第 5 行 第 3 个点" (a patrol upload problem's place)."""
    return " ".join({"line": f"第 {n} 行", "index": f"第 {n} 个点", "column": f"第 {n} 列"}.get(k, f"{k} {n}")
                    for k, n in zip(text.split()[::2], text.split()[1::2]))


@_says
def _upload_refused(m, say) -> str:
    fmt, count, first, stopped = m.group(1), m.group(2), m.group(3), m.group(4)
    where = ""
    found = re.match(r"^((?:(?:line|index|column) \S+ ?)+): (.*)$", first)
    if found:
        where, first = _where(found.group(1).strip()) + "：", found.group(2)
    out = f"{fmt + ' ' if fmt else ''}上传被拒绝，未保存任何内容：共 {count} 个问题；第一个：{where}{say(first)}"
    return out + (f"；已停止读取：{say(stopped)}" if stopped else "")


@_says
def _photo(m, say) -> str:
    return f"第 {m.group(1)} 张照片 {m.group(2)} {say(m.group(3))}；整个提交被拒绝，未保存任何内容"


def _step_not_job(m) -> str:
    whose = "或".join(ACTORS.get(a, a) for a in m.group(3).split(" or "))
    return f"{m.group(2)}（{m.group(1)}）须由{whose}办理"


def _nested(template):
    """A row whose group 1 is another refusal's reason: that reason translated first."""
    return _says(lambda m, say: template.format(say(m.group(1)), *m.groups()[1:]))


# What each error code means, in Chinese (the lead of any detail no row translates).
CODES = {
    "bad_parameter": "参数错误", "invalid": "请求无效", "not_authenticated": "未登录或令牌无效",
    "authentication_failed": "身份验证失败", "permission_denied": "无权执行此操作", "forbidden": "无权执行此操作",
    "no_membership": "账号未加入任何组织", "not_found": "未找到", "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法提供所请求的格式", "unsupported_media_type": "不支持的内容类型",
    "parse_error": "请求内容无法解析", "throttled": "请求过于频繁", "conflict": "数据已被他人修改",
    "outside_jurisdiction": "不在管辖范围内", "outside_own_grids": "不在本人负责的网格内",
    "too_large": "请求内容过大", "payload_too_large": "请求内容过大", "locked": "账号已被暂时锁定",
    "read_only_token": "只读令牌不能修改数据", "error": "请求被拒绝", "malformed_upload": "上传文件无法读取",
    "duplicate_upload": "重复上传", "upload_too_large": "上传内容过大", "wrong_state": "案件状态不允许此操作",
    "not_archived": "历史版本不在存档中", "idempotency_key_reused": "幂等键已被使用",
    "media_unreachable": "无法获取媒体", "photo_too_large": "照片过大", "not_an_image": "不是图片",
    "photo_type_not_allowed": "照片类型不允许", "too_many_photos": "照片过多",
}

# (pattern on the reason after "<parameter>: ", replacement): first match wins.
REASONS: list[tuple[str, object]] = [
    # --- general: missing, repeated, unknown, not a number or date --------------------------
    (r"^required$", "必填"),
    (r"^required \(a catalogue item code\)$", "必填（事项代码）"),
    (r"^required \(this server holds several counties\)$", "必填（本服务器有多个县）"),
    (r"^required \(a place name, a fragment or pinyin initials\)$", "必填（地名、地名片段或拼音首字母）"),
    (r"^required \(a township code of the candidates, or 'sea'\)$", "必填（候选乡镇之一的代码，或 'sea'）"),
    (r"^required \(the code of the team to transfer to\)$", "必填（转办目标队伍的代码）"),
    (r"^required \(the case version you acted on, for optimistic locking\)$", "必填（您操作的案件版本，用于乐观锁）"),
    (r"^required, a number of hours or days$", "必填，小时数或天数"),
    (r"^required: you may see several counties, say which \(6-digit code\)$", "必填：您可见多个县，请指明是哪一个（6 位代码）"),
    (r"^required: the code of the team whose track this is$", "必填：该轨迹所属队伍的代码"),
    (r"^required: a CSV upload with header lon,lat\[,item\]\[,id\]$", "必填：上传 CSV 文件，表头为 lon,lat[,item][,id]"),
    (r"^required: a list of \{lon, lat, item\?, id\?\} objects$", "必填：由 {lon, lat, item?, id?} 对象组成的列表"),
    (r"^required: give it per point or as the request's `item`$", "必填：逐点给出，或作为整个请求的 item 给出"),
    (r"^required: a GeoJSON Polygon or MultiPolygon \(or upload `file`\)$", "必填：GeoJSON Polygon 或 MultiPolygon（或上传 file）"),
    (r"^required: `file` \(GPX, GeoJSON or CSV time,lon,lat\[,accuracy\]\), `team` \(team code\), optional `patrol` "
     r"\(patrol plan id of that team\), `crs` of the coordinates \((.+?); phone apps in China log GCJ02\), `county` "
     r"when you see the team code in several\.$",
     r"必填：file（GPX、GeoJSON 或 CSV time,lon,lat[,accuracy]）、team（队伍代码）；可选：patrol（该队伍的巡查计划编号）、"
     r"crs（坐标的坐标系：\1；国内手机应用记录的多为 GCJ02）、county（队伍代码在您的多个县中都有时）"),
    (r"^required for (\w+) \((.+)\)$", r"\2（\1）必须填写"),
    (r"^required to (submit|read) (?:a )?requests?$",
     lambda m: "提交请求时必填" if m.group(1) == "submit" else "读取请求时必填"),
    (r"^given more than once$", "重复给出"),
    (r"^is empty$", "为空"),
    (r"^empty$", "为空"),
    (r"^missing$", "缺失"),
    (r"^unknown parameter(?: for this endpoint)?; accepted: (.*)$", r"未知参数；可用参数：\1"),
    (r"^unknown field; accepted: (.*)$", r"未知字段；可用字段：\1"),
    (r"^unknown column " + _Q + r"; expected (.+)$", r"未知列 \1；应为 \2"),
    (r"^" + _Q + r" is not a number$", r"\1 不是数字"),
    (r"^" + _Q + r" is not a finite number$", r"\1 不是有限数值"),
    (r"^" + _Q + r" is not a whole number$", r"\1 不是整数"),
    (r"^" + _Q + r" is not one of:? (.+)$", r"\1 不在可选值之中：\2"),
    (r"^one of (.+)$", r"须为以下之一：\1"),
    (r"^" + _Q + r" is not a (\d+)-digit code$", r"\1 不是 \2 位代码"),
    (r"^" + _Q + r" is not an ISO 8601 date or date-time$", r"\1 不是 ISO 8601 日期或日期时间"),
    (r"^" + _Q + r" is not an ISO 8601 date-time$", r"\1 不是 ISO 8601 日期时间"),
    (r"^" + _Q + r" is not an ISO 8601 date \((\S+)\) or date-time \((\S+)\)$", r"\1 不是 ISO 8601 日期（\2）或日期时间（\3）"),
    (r"^" + _Q + r" is not an ISO 8601 date \((\S+)\)$", r"\1 不是 ISO 8601 日期（\2）"),
    (r"^" + _Q + r" is not an ISO 8601 time or Unix seconds$", r"\1 不是 ISO 8601 时间或 Unix 秒数"),
    (r"^" + _Q + r" is not a date \(YYYY-MM-DD\)$", r"\1 不是日期（YYYY-MM-DD）"),
    (r"^" + _Q + r" is not a time of day \(HH:MM\)$", r"\1 不是时刻（HH:MM）"),
    (r"^" + _Q + r" is not a time$", r"\1 不是时间"),
    (r"^" + _Q + r" is not between (\d+) and (\d+)$", r"\1 不在 \2 到 \3 年之间"),
    (r"^" + _Q + r" is not a boolean.*$", r"\1 不是布尔值（true/false）"),
    (r"^" + _Q + r" is not 4 numbers minx,miny,maxx,maxy$", r"\1 不是 4 个数 minx,miny,maxx,maxy"),
    (r"^" + _Q + r" is not a patrol plan id$", r"\1 不是巡查计划编号"),
    (r"^" + _Q + r" is not a W3C \(ISO 8601\) date-time$", r"\1 不是 W3C（ISO 8601）日期时间"),
    (r"^" + _Q + r" is not an RFC 3339 date-time \((\S+)\) or date \((\S+)\)$", r"\1 不是 RFC 3339 日期时间（\2）或日期（\3）"),
    (r"^" + _Q + r" has no time zone offset \(Z or \+08:00\)$", r"\1 没有时区偏移（Z 或 +08:00）"),
    (r"^(\S+) is outside the years (\S+)-(\S+)$", r"\1 超出 \2-\3 年的范围"),
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
    (r"^must be an object$", "须为对象"),
    (r"^must be a list$", "须为列表"),
    (r"^must be a list of item codes$", "须为事项代码列表"),
    (r"^must be a list of ISO weekdays.*$", "须为 ISO 星期列表，1（周一）到 7（周日）"),
    (r"^must be a catalogue item code.*$", "须为事项代码（不超过 50 个字符的文本）"),
    (r"^must be a JSON object \{\.\.\.\}, not (.+)$", lambda m: "须为 JSON 对象 {...}，而不是"
     + JSON_KINDS.get(m.group(1), m.group(1))),
    (r"^longer than (\d+) characters$", r"超过 \1 个字符"),
    (r"^contains control characters$", "含有控制字符"),
    (r"^contains a NUL character.*$", "含有 NUL 字符（U+0000），无法保存"),
    (r"^contains a lone UTF-16 surrogate.*$", "含有孤立的 UTF-16 代理字符（surrogate），不是有效文本"),
    (r"^nested deeper than (\S+) levels \(setting (\w+)\)$", r"嵌套超过 \1 层（设置项 \2）"),
    (r"^at most (\S+)$", r"不能超过 \1"),
    (r"^above 0 and at most (\S+) days$", r"须大于 0 且不超过 \1 天"),
    (r"^cannot be combined with cursor \(a cursor says where its page starts\)$",
     "不能与 cursor 同时使用（cursor 已指明该页从何处开始）"),
    (r"^cannot be combined with (.+)$", r"不能与 \1 同时使用"),
    (r"^given without bbox$", "给出了但没有 bbox"),
    (r"^expected a JSON object.*$", "应为 JSON 对象"),
    (r"^not JSON$", "不是 JSON"),
    (r"^not UTF-8 text(?: \(.*\))?$", "不是 UTF-8 文本"),
    # --- places, coordinates, geometry ---------------------------------------------------------
    # a reason wrapped with the CRS it was read in: the reason first, through these rows
    (r"^(.+) \(bbox CRS (\S+)\)$", _nested("{0}（bbox 坐标系 {1}）")),
    (r"^(.+) \(crs (\S+)\)$", _nested("{0}（坐标系 {1}）")),
    (r"^unknown CRS " + _Q + r"; accepted: (.+)$", r"未知坐标系 \1；可用：\2"),
    (r"^longitude (\S+) is outside -180\.\.180 \(([^()]+)\)$", r"经度 \1 超出 -180..180（\2）"),
    (r"^latitude (\S+) is outside -90\.\.90 \(([^()]+)\)$", r"纬度 \1 超出 -90..90（\2）"),
    (r"^([xy]) (\S+) m is outside Web Mercator's range \((.+)\)$", r"\1 = \2 米，超出 Web 墨卡托范围（\3）"),
    (r"^\((.+?)\) in (\S+) is not a place on Earth \(converted to WGS84: (.+)\)$",
     r"(\1) 在 \2 中不是地球上的位置（转换为 WGS84：\3）"),
    (r"^\((.+?)\) in (\S+) is not a place on Earth.*$", r"(\1) 在 \2 中不是地球上的位置"),
    (r"^coordinates are not finite numbers(?: \((\S+)\))?$", lambda m: "坐标不是有限数值" + (f"（{m.group(1)}）" if m.group(1) else "")),
    (r"^coordinates are outside longitude -180\.\.180 / latitude -90\.\.90 \(projected metres given as degrees\?\)(?: \((\S+)\))?$",
     lambda m: "坐标超出经度 -180..180 / 纬度 -90..90（是否把投影坐标的米数当作度数给出？）" + (f"（{m.group(1)}）" if m.group(1) else "")),
    (r"^metres from 0 to (\S+)$", r"须为 0 到 \1 米"),
    (r"^(\d+) points; at most (\d+) per request$", r"\1 个点；每次请求最多 \2 个"),
    (r"^no points given$", "没有给出点"),
    (r"^values must be finite numbers$", "取值须为有限数值"),
    (r"^minx must be less than maxx and miny less than maxy$", "须 minx < maxx 且 miny < maxy"),
    (r"^expected 4 comma-separated numbers minx,miny,maxx,maxy; got (\S+) value\(s\)$", r"应为逗号分隔的 4 个数 minx,miny,maxx,maxy；收到 \1 个"),
    (r"^expected 4 comma-separated numbers.*$", "应为逗号分隔的 4 个数 minx,miny,maxx,maxy"),
    (r"^must be a GeoJSON (\S+) geometry$", r"须为 GeoJSON \1 几何"),
    (r"^the geometry is empty$", "几何为空"),
    (r"^invalid geometry: (.+)$", r"几何无效：\1"),
    (r"^not a valid GeoJSON geometry \((.+)\)$", r"不是有效的 GeoJSON 几何（\1）"),
    (r"^(\S+) vertices; at most (\S+) \((\w+)\)$", r"\1 个顶点；最多 \2 个（\3）"),
    (r"^(\S+) km²; at most (\S+) km² \((\w+)\)$", r"\1 平方公里；最多 \2 平方公里（\3）"),
    (r"^the \.zip file holds no \.shp \(a zipped Shapefile needs \.shp, \.shx, \.dbf\)$",
     "zip 文件中没有 .shp（压缩的 Shapefile 需要 .shp、.shx、.dbf）"),
    (r"^the \.zip file is not a readable zip archive$", "该 .zip 文件不是可读取的 zip 压缩包"),
    (r"^unknown file type (.+); accepted: (.+)$", r"未知文件类型 \1；可用：\2"),
    (r"^the file holds no polygon \(a footprint is an area\)$", "文件中没有多边形（图斑须为面）"),
    (r"^the file is in (\S+), which this server does not accept$", r"文件使用坐标系 \1，本服务器不接受"),
    (r"^GDAL cannot read the file as (\S+): (.+)$", r"GDAL 无法按 \1 读取该文件：\2"),
    # --- what the account may see -------------------------------------------------------------
    (r"^no team " + _Q + r" in this county$", r"本县没有队伍 \1"),
    (r"^no team " + _Q + r" in county (\S+)$", r"县 \2 没有队伍 \1"),
    (r"^no (.+?) " + _Q + r" in the counties you may see$", lambda m: f"在您可见的县中没有{_kind(m)} {m.group(2)}"),
    (r"^no county " + _Q + r" among the counties you may see$", r"在您可见的县中没有县 \1"),
    (r"^no county " + _Q + r" within this account's reach$", r"本账号可见范围内没有县 \1"),
    (r"^no township (\S+) in county (\S+)$", r"县 \2 没有乡镇 \1"),
    (r"^no patrol plan (\S+) of team (\S+)$", r"队伍 \2 没有巡查计划 \1"),
    (r"^unknown item " + _Q + r" in the catalogue of county (\S+) (.+)$", r"县 \2 \3 的事项清单中没有事项 \1"),
    (r"^unknown state " + _Q + r"; states: (.+)$", r"未知状态 \1；可用状态：\2"),
    (r"^code " + _Q + r" exists in counties (.+); say which with \?county=$", r"代码 \1 在多个县中都有（\2）；请用 ?county= 指明"),
    (r"^protected area " + _Q + r" exists in counties (.+); say which with \?county=$",
     r"保护地 \1 在多个县中都有（\2）；请用 ?county= 指明"),
    (r"^team code " + _Q + r" exists in several of your counties; say which with the `county` field$",
     r"队伍代码 \1 在您的多个县中都有；请用 county 字段指明"),
    # --- uploads: sizes and kinds ---------------------------------------------------------------
    (r"^larger than (\d+) bytes$", r"大于 \1 字节"),
    (r"^([\d,]+) bytes; at most (\S+) \((\w+)\)$", r"\1 字节；最多 \2 字节（\3）"),
    (r"^([\d,]+) bytes; at most (.+)$", r"\1 字节；最多 \2"),
    (r"^(\d+) bytes is over the limit of (\d+)$", r"\1 字节，超过上限 \2"),
    (r"^empty: expected a header row (.+)$", r"为空：应有表头 \1"),
    (r"^header lacks column\(s\) (.+?); expected (.+)$", r"表头缺少列 \1；应为 \2"),
    (r"^header lacks column\(s\) (.+?); .*$", r"表头缺少列 \1"),
    (r"^not a JPEG, PNG, PDF or MP4 file.*$", "不是 JPEG、PNG、PDF 或 MP4 文件（按内容检查）"),
    (r"^a list of catalogue item codes$", "应为事项代码列表"),
    (r"^a URL or a list of URLs$", "应为一个或多个 URL"),
    (r"^a joint inspection bundles at least two items$", "综合查一次至少包含两个事项"),
    (r"^the period may span at most (\d+) days$", r"时段最长 \1 天"),
    # --- patrol uploads (gis_app/patrols/ingest.py + readers): each problem's reason ----------
    (r"^contains no fixes$", "不含任何定位点"),
    (r"^more than (\S+) fixes; at most that many per upload \((\w+)\)$", r"超过 \1 个定位点；每次上传最多这么多（\2）"),
    (r"^more than (\S+) fixes$", r"超过 \1 个定位点"),
    (r"^(\S+) fixes; at most (\S+) per upload \((\w+)\)$", r"\1 个定位点；每次上传最多 \2 个（\3）"),
    (r"^(\S+) problems found \((\w+)\)$", r"已发现 \1 个问题（\2）"),
    (r"^no such column in the header \(found: (.+)\)$", r"表头中没有此列（表头为：\1）"),
    (r"^XML but not GPX \(no <gpx> element\)$", "是 XML 但不是 GPX（没有 <gpx> 元素）"),
    (r"^not well-formed XML: (.+)$", r"不是格式正确的 XML：\1"),
    (r"^not JSON: (.+)$", r"不是 JSON：\1"),
    (r"^not CSV: (.+)$", r"不是 CSV：\1"),
    (r"^expected a GeoJSON FeatureCollection or Feature$", "应为 GeoJSON FeatureCollection 或 Feature"),
    (r"^(\S+) column\(s\), expected at least (\S+) \((.+)\)$", r"\1 列，至少应有 \2 列（\3）"),
    (r"^feature without a geometry$", "要素没有几何"),
    (r"^\((\S+), (\S+)\) is not longitude/latitude in (\S+)$", r"(\1, \2) 不是 \3 中的经纬度"),
    (r"^unknown CRS " + _Q + r" in the file's crs member$", r"文件 crs 成员中的坐标系 \1 未知"),
    (r"^a Point needs \[lon, lat\]$", "Point 须为 [lon, lat]"),
    (r"^" + _Q + r" is not a Point, LineString or MultiLineString with times$", r"\1 不是带时间的 Point、LineString 或 MultiLineString"),
    (r"^" + _Q + r" is not a distance in metres \(>= 0\)$", r"\1 不是以米为单位的距离（>= 0）"),
    (r"^a (\S+) needs a coordTimes property \(one time per vertex\)$", r"\1 需要 coordTimes 属性（每个顶点一个时间）"),
    (r"^does not give exactly one time per vertex$", "没有为每个顶点恰好给出一个时间"),
    (r"^" + _Q + r" is not \[lon, lat\]$", r"\1 不是 [lon, lat]"),
    (r"^a plan needs a route \(lines\), an area \(polygons\) or both$", "巡查计划需要路线（线）、区域（面）或两者"),
    (r"^has zero length$", "长度为零"),
    (r"^lies outside county (\S+) \(coordinates in the wrong CRS\?\)$", r"位于县 \1 之外（坐标系是否有误？）"),
    (r"^is before valid_from$", "早于 valid_from"),
    (r"^the daily window needs both start_time and end_time$", "每日时段需要同时给出 start_time 和 end_time"),
    # --- case steps, intake, media ---------------------------------------------------------------
    (r"^8-100 characters of letters, digits and _ \. : - \(e\.g\. a UUID generated once per report\)$",
     "须为 8-100 个字符，由字母、数字和 _ . : - 组成（例如每次上报生成一次的 UUID）"),
    (r"^" + _Q + r" was used for case (\S+) with a different report; a new report needs a new key$",
     r"\1 已用于案件 \2 的另一份上报；新的上报需要新的键"),
    (r"^" + _Q + r" is not an http\(s\) URL$", r"\1 不是 http(s) URL"),
    (r"^credentials do not belong in a URL$", "URL 中不能包含凭据"),
    (r"^could not fetch (\S+) \((.+)\); nothing was stored$", r"无法获取 \1（\2）；未保存任何内容"),
    (r"^photo (\S+) " + _Q + r" (.+); the whole submission was refused and nothing was stored$", _photo),
    (r"^is over the limit of (\S+) bytes$", r"超过 \1 字节的上限"),
    (r"^has (\d+)x(\d+) pixels, over the limit of (\S+)$", r"为 \1x\2 像素，超过 \3 的上限"),
    (r"^is (\S+), not one of (.+)$", r"类型为 \1，不在允许的类型之中：\2"),
    (r"^is not an image \(checked by its content\)$", "不是图片（按内容检查）"),
    (r"^is not a readable image \((.+)\)$", r"不是可读取的图片（\1）"),
    (r"^(\S+) photos, at most (\S+) in one submission$", r"\1 张照片，一次最多 \2 张"),
    (r"^(\S+) is after today \((\S+)\): only past decisions can be replayed$", r"\1 晚于今天（\2）：只能复盘过去的决定"),
    (r"^(\S+) is before the first territory generation \(its first import: (\S+)\)$", r"\1 早于第一个辖区版本（首次导入：\2）"),
    (r"^(\S+) is before the first territory generation \((.+)\)$", r"\1 早于第一个辖区版本（\2）"),
    (r"^(\S+) is before the first territory generation of county (\S+) (.+?)(?: \(its first import: (\S+)\))?$",
     lambda m: f"{m.group(1)} 早于县 {m.group(2)} {m.group(3)} 的第一个辖区版本" + (f"（首次导入：{m.group(4)}）" if m.group(4) else "")),
    # --- maps and tiles (layers/) ---------------------------------------------------------------
    (r"^collection " + _Q + r" has no time; datetime applies to: .*$", r"集合 \1 没有时间；datetime 只适用于描述中列有时间范围的集合"),
    (r"^an instant cannot be open$", "单个时刻不能是开放的（..）"),
    (r"^an interval needs at least one closed end$", "时间区间至少要有一端是确定的"),
    (r"^the interval ends before it starts$", "时间区间的结束早于开始"),
    (r"^not a page cursor of collection " + _Q + r": follow the next/prev links as given \(or page with offset\)$",
     r"不是集合 \1 的分页游标：请原样使用 next/prev 链接（或用 offset 分页）"),
    (r"^not a page cursor of collection " + _Q + r"$", r"不是集合 \1 的分页游标"),
    (r"^zoom must be 0\.\.(\S+)$", r"缩放级别须为 0..\1"),
    (r"^must be 0\.\.(\S+) at zoom (\S+)$", r"在缩放级别 \2 须为 0..\1"),
    (r"^credentials are not accepted in URLs .*$",
     "URL 中不接受凭据（它们会留在页面、链接和日志中）：请发送 Authorization: Token KEY 或 HTTP Basic，"
     "或登录（页面及其瓦片使用会话）"),
    # --- tokens ---------------------------------------------------------------------------------
    (r"^this API token may only read \(GET, HEAD, OPTIONS\); ask an administrator for a token that may write$",
     "此 API 令牌只能读取（GET、HEAD、OPTIONS）；请向管理员申请可写入的令牌"),
    # --- Open311 (its own format keeps these as `description`) ----------------------------------
    (r"^not a valid key$", "不是有效的 api_key"),
    (r"^no jurisdiction " + _Q + r"$", r"没有辖区 \1"),
    (r"^this api_key acts in (\S+), not (\S+)$", r"该 api_key 只能在 \1 办理，不能在 \2"),
    (r"^no service " + _Q + r" in jurisdiction (\S+)$", r"辖区 \2 没有服务 \1"),
    (r"^open, closed or both \(comma-separated\)$", "open、closed 或两者（逗号分隔）"),
    (r"^no request " + _Q + r" within this key's reach$", r"该 api_key 可见范围内没有请求 \1"),
    # --- last: general shapes whose tail no row above knew ----------------------------------------
    (r"^required: (.+)$", r"必填：\1"),
    (r"^required (\(.+\))$", r"必填\1"),
]

# (pattern on the whole detail, replacement) for refusals that name no parameter.
DETAILS: list[tuple[str, object]] = [
    # --- the router (routing.py, as_of.py, footprint.py) ----------------------------------------
    (r"^the point is outside every county \((\S+) m from (county|township) (\S+) (.+)\)$", lambda m:
        f"该点不在任何县的管辖范围内（距{LEVELS[m.group(2)]} {m.group(3)} {m.group(4)} {m.group(1)} 米）"),
    (r"^the point is outside every county \(no county is loaded\)$", "该点不在任何县的管辖范围内（尚未导入任何县）"),
    (r"^the point is outside every county \((.+)\)$", r"该点不在任何县的管辖范围内（\1）"),
    (r"^the point is in county (\S+) (.+?), which this account may not act in$",
     r"该点位于县 \1 \2，本账号无权在此办理"),
    (r"^territory generation (\S+) of county (\S+) (.+?) is not in the archive \(pruned by prune_generations, "
     r"or recorded before the archive was kept\)$",
     r"县 \2 \3 的辖区版本 \1 不在存档中（已被 prune_generations 清理，或记录于开始存档之前）"),
    (r"^the rule version of county (\S+) (.+?) is not in the archive \(pruned, or recorded before the archive was kept\)$",
     r"县 \1 \2 的规则版本不在存档中（已被清理，或记录于开始存档之前）"),
    (r"^the footprint overlaps no county$", "图斑不在任何县的范围内"),
    (r"^the footprint lies in no county this account may act in$", "图斑不在本账号可办理的县内"),
    # --- who may do what ------------------------------------------------------------------------
    (r"^Authentication credentials were not provided\.$", "未提供身份凭据（请登录或提供令牌）"),
    (r"^authentication required$", "需要登录"),
    (r"^Invalid token\.?.*$", "令牌无效"),
    (r"^User inactive or deleted\.$", "用户已停用或已删除"),
    (r"^token expired \(tokens last (\S+) days, setting (\w+)\); ask an administrator for a new one$",
     r"令牌已过期（令牌有效期 \1 天，设置项 \2）；请向管理员申请新令牌"),
    (r"^HTTP Basic is accepted over HTTPS only \(the password would travel in clear\); use https:// or a token header$",
     "HTTP Basic 只在 HTTPS 连接上接受（否则密码以明文传输）；请使用 https:// 或令牌头（Authorization: Token）"),
    (r"^Invalid username/password\.$", "用户名或密码错误"),
    (r"^You do not have permission to perform this action\.$", "您无权执行此操作"),
    (r"^this account has no organisation membership.*$", "本账号未加入任何组织（县和角色）；请管理员为其创建成员（Member）记录"),
    (r"^a (\w+) account does not report area cases$", r"\1 账号不能上报图斑案件"),
    (r"^a (\w+) account does not report cases$", r"\1 账号不能上报案件"),
    (r"^a (\w+) account may not (.+)$", r"\1 账号不能执行：\2"),
    (r"^the point is in (.+), which is not one of this grid member's grids$", r"该点位于 \1，不在本网格员负责的网格内"),
    (r"^planners see maps and statistics, not case records$", "规划人员只能查看地图和统计，不能查看案件记录"),
    (r"^only planners manage patrol plans$", "只有规划人员可以管理巡查计划"),
    (r"^you may not upload tracks for team (\S+): township team members upload for their own team or their hub's, "
     r"departments for their own teams, the command centre and planners for any team of their county$",
     r"您不能为队伍 \1 上传轨迹：乡镇队员只能为本队或本片区（1+X）的队伍上传，部门只能为本部门的队伍上传，"
     r"指挥中心和规划人员可为本县任何队伍上传"),
    (r"^your role may not see the layer " + _Q + r"$", r"您的角色无权查看图层 \1"),
    (r"^your role may not read patrol data \(tracks, coverage, plans, positions\)$",
     "您的角色无权读取巡查数据（轨迹、覆盖、巡查计划、位置）"),
    (r"^joint inspections are organised by the command centre$", "综合查一次由指挥中心组织"),
    (r"^only the reporter, the acting team, a supporting department or the command centre add attachments$",
     "只有上报人、承办队伍、配合部门或指挥中心可以添加附件"),
    (r"^too many failed logins; try again in (\d+) minutes$", r"登录失败次数过多；请 \1 分钟后再试"),
    # --- not found ------------------------------------------------------------------------------
    (r"^Not found\.$", "未找到"),
    (r"^No \w+ matches the given query\.$", "未找到"),
    (r"^no case (\S+) within this account's reach$", r"本账号可见范围内没有案件 \1"),
    (r"^no such case within this account's reach$", "本账号可见范围内没有该案件"),
    (r"^no such case within reach$", "可见范围内没有该案件"),
    (r"^no such step$", "没有该步骤"),
    (r"^no (.+?) " + _Q + r" in the counties you may see$", lambda m: f"在您可见的县中没有{_kind(m)} {m.group(2)}"),
    (r"^no attachment (\S+) on case (\S+)$", r"案件 \2 没有附件 \1"),
    (r"^attachment (\S+) of case (\S+) is a link, kept at (\S+)$", r"案件 \2 的附件 \1 是链接，保存在 \3"),
    (r"^no layer " + _Q + r"; layers: (.*)$", r"没有图层 \1；可用图层：\2"),
    (r"^no feature " + _Q + r" in collection " + _Q + r" among what you may see$", r"在您可见的范围内，集合 \2 中没有要素 \1"),
    # --- case steps (gis_app/incidents/workflow.py) -----------------------------------------------
    (r"^the case changed meanwhile \(version (\d+), you acted on (\d+)\); reload it and decide again$",
     r"案件已被他人修改（当前版本 \1，您操作的是版本 \2）；请刷新后重新处理"),
    (r"^(\w+) \((.+?)\) is the job of (.+)$", _step_not_job),
    (r"^(\w+) \((.+?)\) cannot be taken in state (\w+); it needs one of (.+)$",
     r"案件处于 \3 状态，不能执行 \2（\1）；须处于以下状态之一：\4"),
    (r"^(\w+) \((.+?)\) cannot be taken now: (.+)$",
     lambda m: f"现在不能执行 {m.group(2)}（{m.group(1)}）：{NOT_NOW.get(m.group(3), m.group(3))}"),
    (r"^(\w+) \((.+?)\) is not a step from state (\w+).*$", r"案件处于 \3 状态，不能执行 \2（\1）"),
    # --- uploads ----------------------------------------------------------------------------------
    (r"^(?:(\w+) )?upload refused, nothing stored: (\d+) problem\(s\); first: (.+?)(?:; reading stopped: (.+))?$",
     _upload_refused),
    (r"^(\w+ )?upload refused$", lambda m: f"{m.group(1) or ''}上传被拒绝"),
    (r"^all (\d+) fixes of this upload are already stored for the team, first in track (\d+): nothing stored$",
     r"本次上传的全部 \1 个定位点已为该队伍保存过（最早见于轨迹 \2）：未保存任何内容"),
    (r"^the upload is larger than (\S+) bytes \(setting (\w+)\)$", r"上传内容大于 \1 字节（设置项 \2）"),
    # --- DRF's and Django's own, when they are not in the active catalogue ------------------------
    (r'^Method "(\w+)" not allowed\.$', r"不支持 \1 请求方法"),
    (r'^Unsupported media type "(.*)" in request\.$', r"不支持的内容类型 \1"),
    (r"^JSON parse error.*$", "JSON 解析错误"),
    (r"^Multipart form parse error.*$", "表单解析错误"),
    (r"^Could not satisfy the request Accept header\.$", "无法提供 Accept 头所要求的格式"),
    (r"^Request was throttled.*$", "请求过于频繁，请稍后再试"),
    (r"^(\w+) is not supported here$", r"此处不支持 \1 请求"),
    (r"^the database is not answering; try again shortly$", "数据库暂时无响应，请稍后再试"),
    (r"^the server failed to answer this request; it has been logged$", "服务器未能处理该请求，已记录"),
]
