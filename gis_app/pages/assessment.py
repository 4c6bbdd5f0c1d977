"""考核 (/assessment/): the period's figures per township, team, department and person, with
charts, and the same tables as XLSX (/assessment/export.xlsx). The figures are
gis_app/incidents/assessment.py's; whose cases count is `Case.objects.counted_for` (planners and the
command centre: the whole county; departments: their reach).

Period: `month=YYYY-MM` (default: this month), or `from`/`to` dates (both days included).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from gis_app.incidents.assessment import INDICATORS, PeriodError, assessment, parse_period
from gis_app.incidents.models import Case
from gis_app.pages.access import page_for
from gis_app.pages.context import county_name
from gis_app.pages.nav import ROLE_LABELS
from gis_app.web.renderers import safe_cell, workbook_download

TITLES = {"reported": "上报数", "dispatched": "派遣数", "accepted": "受理数", "handled": "处置数",
          "handled_on_time": "按期处置数", "overdue": "超期数", "reworked": "返工数（复核不通过）",
          "returned": "退回数", "rejected": "不予受理数", "escalated": "督办数", "closed": "结案数",
          "on_time_rate": "按期处置率", "rework_rate": "返工率", "score": "得分"}
UNIT_COLUMNS = ["name", *INDICATORS, "on_time_rate", "rework_rate", "score"]
PERSON_COLUMNS = [("username", "人员"), ("role", "角色"), ("township", "所在乡镇"), ("department", "派出单位"),
                  ("accepted", "受理数"), ("arrived", "到场数"), ("handled", "处置数"), ("handled_on_time", "按期处置数"),
                  ("on_time_rate", "按期处置率"), ("township_score", "乡镇得分"), ("department_score", "派出单位得分"),
                  ("composite", "综合得分")]
GROUP_TITLES = {"township": "乡镇", "team": "队伍", "department": "部门"}


def _refused(request, exc: PeriodError):
    """The page naming the period's mistake, a 400 (for the page and its XLSX alike)."""
    return render(request, "pages/assessment.html", {"error": exc.detail, "parameter": exc.parameter,
                                                     "title": "考核"}, status=400)


def _figures(request):
    start, end, label = parse_period(request.GET)
    data = assessment(Case.objects.counted_for(request.user), start, end, timezone.now())
    return data, start, end, label


def quick_periods(today: date, query: dict) -> list[dict]:
    """The periods a county's assessment is read for, one click each: this and last month,
    this quarter, this year, the last 30 days (both days included). Why: the page opens on the
    calendar month, which is nearly empty in its first days; the month before is what is
    assessed then. `current` marks the one `query` (the page's GET) asks for."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    periods = [("本月", {"month": f"{today:%Y-%m}"}), ("上月", {"month": f"{last_month_end:%Y-%m}"}),
               ("本季度", {"from": f"{quarter_start:%Y-%m-%d}", "to": f"{today:%Y-%m-%d}"}),
               ("本年", {"from": f"{today:%Y}-01-01", "to": f"{today:%Y-%m-%d}"}),
               ("近30天", {"from": f"{today - timedelta(days=29):%Y-%m-%d}", "to": f"{today:%Y-%m-%d}"})]
    asked = {k: v for k, v in query.items() if k in ("month", "from", "to") and v} or {"month": f"{today:%Y-%m}"}
    return [{"label": label, "query": urlencode(params), "current": params == asked}
            for label, params in periods]


def _percent(value):
    return "" if value is None else f"{value * 100:.1f}%"


@page_for("assessment")
def assessment_page(request):
    try:
        data, start, end, label = _figures(request)
    except PeriodError as exc:
        return _refused(request, exc)
    tables = []
    for group, title in GROUP_TITLES.items():
        rows = [{**r, "on_time_pct": _percent(r["on_time_rate"]), "rework_pct": _percent(r["rework_rate"])}
                for r in data[group]]
        tables.append({"group": group, "title": title, "rows": rows})
    persons = [{**r, "role": ROLE_LABELS.get(r["role"], r["role"]), "on_time_pct": _percent(r["on_time_rate"])}
               for r in data["person"]]
    charts = {g: {"names": [r["name"] for r in data[g]], "handled": [r["handled"] for r in data[g]],
                  "on_time": [r["handled_on_time"] for r in data[g]], "overdue": [r["overdue"] for r in data[g]],
                  "rate": [None if r["on_time_rate"] is None else round(r["on_time_rate"] * 100, 1) for r in data[g]]}
              for g in GROUP_TITLES}
    charts["county"] = county_name(request.user)        # left out of team names (chart_labels.js)
    return render(request, "pages/assessment.html", {
        "title": "考核", "label": label, "tables": tables, "persons": persons, "titles": TITLES,
        "weights": data["weights"], "query": request.GET.urlencode(),
        "month": request.GET.get("month", "") or (timezone.localdate().strftime("%Y-%m")
                                                 if not request.GET.get("from") else ""),
        "from": request.GET.get("from", ""), "to": request.GET.get("to", ""),
        "quick": quick_periods(timezone.localdate(), request.GET.dict()),
        "charts_json": json.dumps(charts, ensure_ascii=False).replace("</", "<\\/"),
    })


@page_for("assessment")
def assessment_xlsx(request):
    try:
        data, start, end, label = _figures(request)
    except PeriodError as exc:
        return _refused(request, exc)
    book = Workbook(write_only=True)
    for group, title in GROUP_TITLES.items():
        sheet = book.create_sheet(title)
        sheet.append([f"考核期间：{label}"])
        sheet.append([title] + [TITLES[c] for c in UNIT_COLUMNS[1:]])
        for r in data[group]:
            sheet.append([safe_cell(r[c]) for c in UNIT_COLUMNS])
    sheet = book.create_sheet("人员")
    sheet.append([f"考核期间：{label}；派驻人员综合得分 = 乡镇得分×{data['weights']['township']} + "
                  f"派出单位得分×{data['weights']['department']}"])
    sheet.append([t for _, t in PERSON_COLUMNS])
    for r in data["person"]:
        sheet.append([safe_cell(ROLE_LABELS.get(r[k], r[k]) if k == "role" else r[k]) for k, _ in PERSON_COLUMNS])
    return workbook_download(book, f"assessment-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
