"""The router's decision on a case, told in Chinese from the answer frozen at intake.

The router's own trace lines are English log lines; the page builds its explanation from the
answer's fields (where, zones, hub, mode, subject, team, departments, deadline), which say the
same thing in the words a command-centre operator uses. The original lines stay on the page,
folded, for whoever checks the router.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gis_app.pages import labels


def _name(unit) -> str:
    if not unit:
        return ""
    return f"{unit.get('name', '')}（{unit.get('code', '')}）"


def _mode_line(mode: str, subject: str, team: str) -> str:
    return {
        "township": f"乡镇持有该事项（法定或赋权）：以乡镇名义执法，{team} 承办。",
        "entrusted": f"乡镇受 {subject} 委托：以 {subject} 名义执法，{team} 承办。",
        "county": f"县级部门事项：{team} 作为派驻力量，以 {subject} 名义执法。",
        "whistle": f"乡镇无此事项执法权：吹哨，由 {subject} 的 {team} 报到执法。",
        "marine": f"海上：由海洋综合执法 {team} 办理，执法主体 {subject}。",
    }.get(mode, f"办理方式 {mode}：{team} 承办，执法主体 {subject}。")


def explain(routing: dict, whistle_kind: str) -> list[dict]:
    """Steps of the decision: [{"step": 位置, "text": ...}, ...]."""
    r = routing or {}
    out = []
    if r.get("at_sea"):
        out.append({"step": "位置", "text": f"{_name(r.get('county'))} 管辖海域，不在任何乡镇陆域内。"})
    else:
        where = " / ".join(_name(r.get(k)) for k in ("county", "township", "village", "grid") if r.get(k))
        out.append({"step": "位置", "text": where or "（无）"})
    zones = r.get("protected_areas") or []
    if zones:
        parts = [f"{z.get('name', z.get('code', ''))} {labels.label(labels.ZONE_LABELS, z.get('zone'))}"
                 f"（主管部门 {(z.get('authority') or {}).get('name', '') if isinstance(z.get('authority'), dict) else z.get('authority', '')}）"
                 for z in zones]
        out.append({"step": "保护地", "text": "；".join(parts) + f"。严重程度：{labels.label(labels.SEVERITY_LABELS, r.get('severity'))}。"})
    else:
        out.append({"step": "保护地", "text": "不在任何保护地分区内，严重程度一般。"})
    if r.get("hub"):
        out.append({"step": "片区兼管", "text": f"本乡镇由 {_name(r.get('hub'))} 片区兼管（1+X），由其执法队承办。"})
    team = (r.get("team") or {}).get("name", "（无队伍）")
    subject = (r.get("subject") or {}).get("name", "（无）")
    out.append({"step": f"办理方式：{labels.label(labels.MODE_LABELS, r.get('mode'))}",
                "text": _mode_line(r.get("mode", ""), subject, team)})
    departments = r.get("departments") or []
    out.append({"step": "部门报到", "text": "、".join(d.get("name", d.get("code", "")) for d in departments)
                if departments else "无需其他部门报到。"})
    deadline = parse_datetime(r["deadline"]) if isinstance(r.get("deadline"), str) else r.get("deadline")
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else ""
    out.append({"step": "办理时限", "text": f"{labels.label(labels.WHISTLE_LABELS, whistle_kind)}，{when} 前办结。"})
    return out
