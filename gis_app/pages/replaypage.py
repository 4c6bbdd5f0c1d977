"""复盘 (/cases/<pk>/replay/): the command centre explains a past decision as it was made and
as it would be made today, side by side, the rows that differ marked.

The answers come from incidents/replay.py (the router re-run in the case's own territory
generation and rule version from the archive, and today's); this page only lays them out in
Chinese. Who may open it: whoever opens the case page (`case_desk`) and sees the case.
"""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from gis_app.incidents.replay import replay
from gis_app.pages import labels
from gis_app.pages.access import page_for
from gis_app.pages.casepage import reachable
from gis_app.web.refusal_text import localize

#: (answer field, row label, how to show its value)
ROWS = (
    ("county", "县", "unit"), ("township", "乡镇", "unit"), ("village", "村/社区", "unit"),
    ("grid", "网格", "unit"), ("hub", "1+X 片区中心", "unit"), ("team", "承办队伍", "unit"),
    ("subject", "执法主体", "unit"), ("mode", "办理方式", "mode"), ("severity", "严重程度", "severity"),
    ("departments", "告知部门", "units"), ("protected_areas", "保护地分区", "zones"),
)


def _show(answer: dict | None, field: str, how: str) -> str:
    if answer is None:
        return "—"
    value = answer.get(field)
    if how == "unit":
        return f"{value.get('name') or ''}（{value.get('code')}）" if value else "（无）"
    if how == "mode":
        return labels.label(labels.MODE_LABELS, value) if value else "（无）"
    if how == "severity":
        return labels.label(labels.SEVERITY_LABELS, value) if value else "（无）"
    if how == "units":
        return "、".join(f"{d.get('name') or d.get('code')}" for d in value or []) or "（无）"
    return "、".join(f"{z.get('name') or z.get('code')} {labels.label(labels.ZONE_LABELS, z.get('zone'))}"
                    for z in value or []) or "（无）"


def _versions(part: dict) -> str:
    generation, version = part["territory_generation"], part["rule_version"]
    if generation is None:
        return "边界代次与规则版本未记录"
    return f"第 {generation} 代边界 · 第 {version} 版规则"


def _refusal(body: dict | None) -> str:
    """A refusal's detail as the page shows it: in Chinese, like every refusal (refusal_text.py)."""
    return localize(body, english=False).get("detail", "") if body else ""


@page_for("case_desk")
def replay_page(request, pk: int):
    case = reachable(request.user, pk)
    if case is None:
        raise Http404("no such case within reach")
    body = replay(case)
    then, today = body["as_made"]["answer"], body["today"]["answer"]
    differing = {d["field"] for d in body["differences"]}
    rows = [{"label": label, "then": _show(then, field, how), "today": _show(today, field, how),
             "differs": field in differing} for field, label, how in ROWS]
    return render(request, "pages/case_replay.html", {
        "title": f"复盘 {case.number}", "case": case, "body": body, "rows": rows,
        "then_at": body["as_made"]["at"][:16].replace("T", " "),
        "then_versions": _versions(body["as_made"]), "today_versions": _versions(body["today"]),
        "then_refused": _refusal(body["as_made"]["refused"]) if then is None else "",
        "today_refused": _refusal(body["today"]["refused"]),
        "recorded_differs": bool(body["as_made"]["recorded_differences"]),
    })
