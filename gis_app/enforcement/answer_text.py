"""The router's trace in Chinese by default, English with `Accept-Language: en`. (Its
refusals are refusals like any other: gis_app/web/refusal_text.py is their one table.)

The router writes its trace in English (the record kept on cases, and what its tests read);
the answer is put into Chinese here by a table of phrases, applied in order to each line:
plain data, tested row by row. A line is translated once per process (`lru_cache`): a batch
repeats the same lines thousands of times.
"""
from __future__ import annotations

import re
from functools import lru_cache

LEVELS = {"county": "县", "township": "乡镇", "village": "村（社区）", "grid": "网格"}
MODES = {"township": "乡镇自办", "entrusted": "委托执法", "county": "派驻执法", "whistle": "吹哨报到",
         "marine": "海上执法", "none": "无"}
AUTHORITIES = {"statutory": "法定", "granted": "赋权", "entrusted": "委托", "county": "派驻", "none": "吹哨"}
ZONES = {"core": "核心区", "buffer": "缓冲区", "experimental": "实验区", "general": "一般控制区"}
SEVERITIES = {"high": "高", "elevated": "较高", "normal": "一般"}
WHISTLES = {"quick": "快捷哨", "tough": "攻坚哨", "emergency": "应急哨"}
UNITS = {"working hours": "个工作小时", "working days": "个工作日", "calendar hours": "个自然小时"}


def _word(table):
    return lambda m: table.get(m.group(1), m.group(1))


# (pattern, replacement): applied in this order to every line; later rows see earlier output.
PHRASES: list[tuple[str, object]] = [
    (r"^point \((.+?)\) (\S+) converted to \((.+?)\) (\S+)$", r"坐标 (\1) \2，已转换为 (\3) \4"),
    (r"^point \((.+?)\) (\S+)$", r"坐标 (\1) \2"),
    (r"^(county|township|village|grid) (\S+) (.+?) covers the point", lambda m:
        f"{LEVELS[m.group(1)]} {m.group(2)} {m.group(3)} 覆盖该点"),
    (r" \(on a border shared by (\d+) (county|township|village|grid)s: the smallest code wins\)", lambda m:
        f"（位于 {m.group(1)} 个{LEVELS[m.group(2)]}共有的边界上：取代码最小者）"),
    (r"^no township covers the point$", "该点不在任何乡镇的陆地上"),
    (r"^no village of the chosen unit covers the point$", "所选乡镇内没有村（社区）覆盖该点"),
    (r"^no grid of the chosen unit covers the point$", "所选村（社区）内没有网格覆盖该点"),
    (r"^protected area (\S+) (.+?), zone (\w+), covers the point: notify (\S+)", lambda m:
        f"保护地 {m.group(1)} {m.group(2)} {ZONES.get(m.group(3), m.group(3))}覆盖该点：通知 {m.group(4)}"),
    (r" \(authority code (\S+) is not a department of this county\)", r"（主管代码 \1 不是本县部门）"),
    (r"; core zone -> severity high", "；核心区：严重程度高"),
    (r"^no protected-area zone covers the point -> severity normal$", "该点不在任何保护地分区内：严重程度一般"),
    (r"^no protected-area zone covers the point$", "该点不在任何保护地分区内"),
    (r"^no protected-area zone overlaps the footprint$", "图斑未压占任何保护地分区"),
    (r"^(.+?) is covered by hub (\S+) (.+?) \(1\+X\): the hub's team serves it$",
     r"\1 属于 \2 \3 片区（1+X）：由片区中心镇的队伍兼管"),
    (r"^(.+?) holds (\S+) as (\w+)", lambda m:
        f"{m.group(1)} 对 {m.group(2)} 的权限为{AUTHORITIES.get(m.group(3), m.group(3))}"),
    (r"^(.+?) has no authority row for (\S+) -> none", r"\1 对 \2 没有权限记录：视为吹哨"),
    (r" -> mode township, in the township's own name", "：乡镇自办，以乡镇名义执法"),
    (r" -> mode entrusted, in the name of the entrusting department (.+)$", r"：委托执法，以委托部门 \1 的名义"),
    (r" but no entrusting department is recorded -> mode entrusted, subject unknown",
     "，但未登记委托部门：委托执法，执法主体不明"),
    (r" -> mode county, in the name of the item's department (.+?), the local team acting as dispatched staff$",
     r"：派驻执法，以事项主管部门 \1 的名义，由本地队伍作为派驻人员办理"),
    (r" -> mode whistle: the township reports, the item's department (.+?) acts$",
     r"：吹哨报到，乡镇吹哨，事项主管部门 \1 办理"),
    (r"^team: the marine team (\S+) (.+)$", r"承办队伍：海洋执法队伍 \1 \2"),
    (r"^team: county (\S+) has no team of kind marine recorded$", r"承办队伍：县 \1 未登记海洋执法队伍"),
    (r"^team: none recorded for (.+?) \((\S+)\)$", r"承办队伍：\1（\2）未登记队伍"),
    (r"^team: the department (.+?) has no team recorded$", r"承办队伍：部门 \1 未登记执法队伍"),
    (r"^team: (\S+) (.+?), the department's team$", r"承办队伍：\1 \2（部门执法队伍）"),
    (r" \(hub (.+?) of the 1\+X area\)$", r"（1+X 片区中心镇 \1）"),
    (r"^team: ", "承办队伍："),
    (r"^subject: the marine team's department (\S+) (.+)$", r"执法主体：海洋执法队伍所属部门 \1 \2"),
    (r"^subject: the marine team has no department recorded$", "执法主体：海洋执法队伍未登记所属部门"),
    (r"^at sea: in the county's jurisdiction but on no township's land -> mode marine$",
     "海上：在本县管辖范围内但不在任何乡镇陆地上：海上执法"),
    (r"^departments to notify: none \(supporting departments and zone authorities\)$", "需通知的部门：无"),
    (r"^departments to notify: (.+) \(supporting departments and zone authorities\)$",
     r"需通知的部门：\1（配合部门和保护地主管部门）"),
    (r"^deadline: (\w+) whistle = (\S+) h from (\S+)$", lambda m:
        f"办理时限：{WHISTLES.get(m.group(1), m.group(1))} {m.group(2)} 小时，自 {m.group(3)} 起算"),
    (r"^deadline: default (\w+): \w+ whistle = (\S+) calendar hours \(no deadlines row matches\)$", lambda m:
        f"办理时限：{WHISTLES.get(m.group(1), m.group(1))}默认 {m.group(2)} 个自然小时（时限表无匹配行）"),
    (r"^deadline: deadlines row (\d+) \((.+?)\): (\S+) (working hours|working days|calendar hours)$", lambda m:
        f"办理时限：时限表第 {m.group(1)} 行（{m.group(2)}）：{m.group(3)} {UNITS[m.group(4)]}"),
    (r"^severity: no protected-area zone covers the point -> severity normal$", "严重程度：不在保护地分区内，一般"),
    (r"^severity: (\S+) (\w+) zone -> severity (\w+) \(severity row (\d+)\)$", lambda m:
        f"严重程度：{m.group(1)} {ZONES.get(m.group(2), m.group(2))}，{SEVERITIES.get(m.group(3), m.group(3))}"
        f"（严重程度表第 {m.group(4)} 行）"),
    (r"^severity: (\S+) (\w+) zone -> severity (\w+) \(default for a \w+ zone\)$", lambda m:
        f"严重程度：{m.group(1)} {ZONES.get(m.group(2), m.group(2))}，{SEVERITIES.get(m.group(3), m.group(3))}（默认）"),
]
_COMPILED = [(re.compile(p), r) for p, r in PHRASES]


@lru_cache(maxsize=20_000)
def in_chinese(line: str) -> str:
    for pattern, replacement in _COMPILED:
        line = pattern.sub(replacement, line)
    return line


def translate_answer(answer: dict) -> dict:
    """A copy of a route/locate answer with its trace in Chinese."""
    if "trace" not in answer:
        return answer
    return {**answer, "trace": [in_chinese(line) for line in answer["trace"]]}

