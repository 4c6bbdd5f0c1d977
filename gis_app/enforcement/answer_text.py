"""The router's trace in English and Chinese from one table of line templates.

Every trace line the router writes is a `Line`: a template of `TEMPLATES` with its arguments.
A Line *is* its English text (a `str`: the record kept on cases, what tests read, what
`Accept-Language: en` gets), and `Line.zh` is the same line in Chinese (the default answer),
rendered from the template's Chinese twin on first use and kept with the line. The router
shares lines between the points of a call (rulebook.py), so a batch of 10,000 points renders
each distinct line once, not 10,000 times, and no line is ever parsed back.

Arguments are plain values; a word the Chinese needs translated (level, zone, authority
kind, severity, whistle kind, time unit) is looked up in the word tables by its argument's
name, and an argument that is itself a Line (`LINE_ARGS`) is given in the same language. Lines join with
`+` (a township's authority, then what it means). Plain data, tested row by row.

The router's word tables are also the one home of its words wherever else people read its
codes: the pages (pages/labels.py) and the map popups (layers/catalogue.py) import the
modes and severities from here, never a copy.
"""
from __future__ import annotations

LEVELS = {"county": "县", "township": "乡镇", "village": "村（社区）", "grid": "网格"}
#: How a case is handled (the router's modes), as every page and popup names them.
MODES = {"township": "乡镇自办", "entrusted": "委托执法", "county": "派驻执法", "whistle": "吹哨报到",
         "marine": "海上执法"}
AUTHORITIES = {"statutory": "法定", "granted": "赋权", "entrusted": "委托", "county": "派驻", "none": "吹哨"}
ZONES = {"core": "核心区", "buffer": "缓冲区", "experimental": "实验区", "general": "一般控制区"}   # = ProtectedArea.Zone
SEVERITIES = {"high": "高", "elevated": "较高", "normal": "一般"}
WHISTLES = {"quick": "快捷哨", "tough": "攻坚哨", "emergency": "应急哨"}   # = CatalogItem.WhistleKind
UNITS = {"working hours": "个工作小时", "working days": "个工作日", "calendar hours": "个自然小时"}

#: The words translated in Chinese lines, by the name of the argument that carries them.
WORDS = {"level": LEVELS, "levels": LEVELS, "zone": ZONES, "kind": AUTHORITIES,
         "severity": SEVERITIES, "whistle": WHISTLES, "unit": UNITS}

#: key -> (English, Chinese), str.format templates over the line's arguments.
TEMPLATES: dict[str, tuple[str, str]] = {
    # where the point is (routing.py)
    "point": ("point ({lon}, {lat}) {crs}", "坐标 ({lon}, {lat}) {crs}"),
    "point_converted": ("point ({received_lon}, {received_lat}) {received_crs} converted to "
                        "({lon}, {lat}) {crs}",
                        "坐标 ({received_lon}, {received_lat}) {received_crs}，已转换为 ({lon}, {lat}) {crs}"),
    "covers": ("{level} {code} {name} covers the point", "{level} {code} {name} 覆盖该点"),
    "shared_border": (" (on a border shared by {n} {levels}s: the smallest code wins)",
                      "（位于 {n} 个{levels}共有的边界上：取代码最小者）"),
    "no_township": ("no township covers the point", "该点不在任何乡镇的陆地上"),
    "no_village": ("no village of the chosen unit covers the point", "所选乡镇内没有村（社区）覆盖该点"),
    "no_grid": ("no grid of the chosen unit covers the point", "所选村（社区）内没有网格覆盖该点"),
    "hub": ("{township} is covered by hub {code} {name} (1+X): the hub's team serves it",
            "{township} 属于 {code} {name} 片区（1+X）：由片区中心镇的队伍兼管"),
    # protected zones (rules.zone_rule)
    "zone": ("protected area {code} {name}, zone {zone}, covers the point: notify {authority}",
             "保护地 {code} {name} {zone}覆盖该点：通知 {authority}"),
    "zone_authority_unknown": (" (authority code {code} is not a department of this county)",
                               "（主管代码 {code} 不是本县部门）"),
    "no_zone": ("no protected-area zone covers the point", "该点不在任何保护地分区内"),
    # who acts and in whose name (rules.authority_rule, rules.marine_rule)
    "dept": ("{code} {name}", "{code} {name}"),
    "dept_elsewhere": ("#{id} (not a department of this county)", "#{id}（不是本县部门）"),
    "holds": ("{township} holds {item} as {kind}", "{township} 对 {item} 的权限为{kind}"),
    "no_authority_row": ("{township} has no authority row for {item} -> none",
                         "{township} 对 {item} 没有权限记录：视为吹哨"),
    "mode_township": (" -> mode township, in the township's own name", "：乡镇自办，以乡镇名义执法"),
    "mode_entrusted": (" -> mode entrusted, in the name of the entrusting department {code} {name}",
                       "：委托执法，以委托部门 {code} {name} 的名义"),
    "mode_entrusted_unknown": (" but no entrusting department is recorded -> mode entrusted, "
                               "subject unknown", "，但未登记委托部门：委托执法，执法主体不明"),
    "mode_county": (" -> mode county, in the name of the item's department {dept}, the local team "
                    "acting as dispatched staff",
                    "：派驻执法，以事项主管部门 {dept} 的名义，由本地队伍作为派驻人员办理"),
    "mode_whistle": (" -> mode whistle: the township reports, the item's department {dept} acts",
                     "：吹哨报到，乡镇吹哨，事项主管部门 {dept} 办理"),
    "team": ("team: {code} {name}", "承办队伍：{code} {name}"),
    "team_via_hub": (" (hub {hub} of the 1+X area)", "（1+X 片区中心镇 {hub}）"),
    "team_none": ("team: none recorded for {name} ({code})", "承办队伍：{name}（{code}）未登记队伍"),
    "team_department": ("team: {code} {name}, the department's team", "承办队伍：{code} {name}（部门执法队伍）"),
    "team_department_none": ("team: the department {dept} has no team recorded",
                             "承办队伍：部门 {dept} 未登记执法队伍"),
    "at_sea": ("at sea: in the county's jurisdiction but on no township's land -> mode marine",
               "海上：在本县管辖范围内但不在任何乡镇陆地上：海上执法"),
    "team_marine": ("team: the marine team {code} {name}", "承办队伍：海洋执法队伍 {code} {name}"),
    "team_marine_none": ("team: county {code} has no team of kind marine recorded",
                         "承办队伍：县 {code} 未登记海洋执法队伍"),
    "subject_marine": ("subject: the marine team's department {code} {name}",
                       "执法主体：海洋执法队伍所属部门 {code} {name}"),
    "subject_marine_none": ("subject: the marine team has no department recorded",
                            "执法主体：海洋执法队伍未登记所属部门"),
    # who is told (rules.departments_rule)
    "departments": ("departments to notify: {codes} (supporting departments and zone authorities)",
                    "需通知的部门：{codes}（配合部门和保护地主管部门）"),
    "departments_none": ("departments to notify: none (supporting departments and zone authorities)",
                         "需通知的部门：无"),
    # how serious (severity.py) and by when (deadlines.py)
    "severity": ("severity: {finding}", "严重程度：{finding}"),
    "severity_none": ("no protected-area zone covers the point -> severity normal", "不在保护地分区内，一般"),
    "severity_row": ("{code} {zone} zone -> severity {severity} (severity row {row})",
                     "{code} {zone}，{severity}（严重程度表第 {row} 行）"),
    "severity_default": ("{code} {zone} zone -> severity {severity} (default for a {zone} zone)",
                         "{code} {zone}，{severity}（默认）"),
    "deadline": ("deadline: {rule}", "办理时限：{rule}"),
    "deadline_default": ("default {whistle}: {whistle} whistle = {hours} calendar hours "
                         "(no deadlines row matches)", "{whistle}默认 {hours} 个自然小时（时限表无匹配行）"),
    "any_case": ("any case", "任何案件"),
    "deadline_row": ("deadlines row {row} ({keys}): {limit} {unit}",
                     "时限表第 {row} 行（{keys}）：{limit} {unit}"),
}


#: The arguments that carry a Line (given in the line's language).
LINE_ARGS = ("dept", "finding", "rule", "keys")


def _zh_args(english: str, chinese: str) -> tuple:
    """(argument name, how to put its value in Chinese) for the arguments of a template that
    need it: worked out once per template, not once per line."""
    names = {name for name in WORDS if "{" + name + "}" in chinese} | \
        {name for name in LINE_ARGS if "{" + name + "}" in chinese}
    return tuple((name, WORDS.get(name)) for name in sorted(names))


_ZH = {key: (chinese, _zh_args(english, chinese)) for key, (english, chinese) in TEMPLATES.items()}


def _render_zh(key: str, args: dict) -> str:
    chinese, convert = _ZH[key]
    if convert:
        args = dict(args)
        for name, words in convert:
            value = args[name]
            if isinstance(value, Line):
                args[name] = value.zh
            elif words is not None:
                args[name] = words.get(value, value)
    return chinese.format(**args)


#: Lines made so far, by template and arguments: a county's lines recur in every request
#: (its townships, items, teams), so each is formatted, and put into Chinese, once per worker.
#: Cleared whole when full.
LINE_CACHE_ENTRIES = 100_000
_made: dict[tuple, Line] = {}


class Line(str):
    """One trace line: its English text, with the template(s) and arguments it came from.
    Lines are immutable values; equal template and arguments give the same (shared) Line."""

    def __new__(cls, key: str, **args) -> Line:
        made_key = (key, *args.items())
        line = _made.get(made_key)
        if line is None:
            line = super().__new__(cls, TEMPLATES[key][0].format(**args))
            line.parts, line.made_key = ((key, args),), made_key
            _keep(made_key, line)
        return line

    @classmethod
    def single(cls, key: str, **args) -> Line:
        """A line made for one point only (its coordinates): not kept, so that a batch's
        10,000 of them do not push the lines that recur out of the cache."""
        line = super().__new__(cls, TEMPLATES[key][0].format(**args))
        line.parts, line.made_key = ((key, args),), (key, *args.items())
        return line

    def __add__(self, other: Line) -> Line:
        """This line followed by `other` (both Lines): one line in either language."""
        made_key = ("+", self.made_key, other.made_key)
        joined = _made.get(made_key)
        if joined is None:
            joined = str.__new__(Line, str.__add__(self, other))
            joined.parts, joined.made_key = self.parts + other.parts, made_key
            _keep(made_key, joined)
        return joined

    def __reduce__(self):
        return str, (str(self),)       # copied or pickled: its English text

    @property
    def zh(self) -> str:
        """The line in Chinese (rendered once, kept)."""
        text = self.__dict__.get("_zh")
        if text is None:
            parts = self.parts
            text = self._zh = (_render_zh(*parts[0]) if len(parts) == 1 else
                               "".join(_render_zh(key, args) for key, args in parts))
        return text


def _keep(made_key: tuple, line: Line) -> None:
    if len(_made) >= LINE_CACHE_ENTRIES:
        _made.clear()
    _made[made_key] = line


#: The "point" template in (English, Chinese) with the coordinates' format built in.
_POINT_TEXT = tuple(text.replace("{lon}", "{0:.7f}").replace("{lat}", "{1:.7f}").replace("{crs}", "{2}")
                    for text in TEMPLATES["point"])


def point_text(lon: float, lat: float, crs: str, english: bool) -> str:
    """The "point" line (coordinates to 7 decimals, as `PointQuery.describe` gives them) in
    one language, as a plain str in one formatting: a batch writes one per point."""
    return _POINT_TEXT[0 if english else 1].format(lon, lat, crs)


def in_chinese(line: str) -> str:
    """A trace line in Chinese; a line that is not a Line (e.g. a footprint's own) as it is."""
    return line.zh if isinstance(line, Line) else line


def trace_in_chinese(lines: list[str]) -> list[str]:
    """`in_chinese` of each line. A Line already rendered is read straight from its kept
    Chinese (no Python call per line: a 10,000-point batch has ~10^5 lines, and the two calls
    each cost ~0.1 s of it, profiled); the others go through `in_chinese`."""
    return [getattr(line, "_zh", None) or in_chinese(line) for line in lines]


def translate_answer(answer: dict) -> dict:
    """A copy of a route/locate answer with its trace in Chinese."""
    if "trace" not in answer:
        return answer
    return {**answer, "trace": trace_in_chinese(answer["trace"])}
