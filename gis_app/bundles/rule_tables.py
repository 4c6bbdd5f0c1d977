"""The county's rule tables in a bundle (all optional): `deadlines`, `calendar`, `severity`.

- `deadlines`: item_code, domain, action_type, whistle_kind, severity (blank = any), limit,
  unit (working_hours | working_days | calendar_hours). The most specific matching row
  applies (enforcement/deadlines.py); no row matches -> the whistle kind's default.
- `calendar`: date (YYYY-MM-DD), workday (yes/no: 1/0, true/false, 是/否), name: the
  county's own changes to China's holiday calendar.
- `severity`: kind, zone, domain (blank = any), severity (normal | elevated | high): a
  protected-area kind x zone (x item domain) table; without it core = high, buffer =
  elevated, others normal.
Checked like the other tables (every mistake reported, the bundle refused whole) and
written inside the importer's transaction: each table replaces the county's rows.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from boundaries.models import County
from gis_app.bundles.checks import (ACTION_TYPES, PROTECTED_KINDS, WHISTLE_KINDS, ZONES, check_enum,
                                    check_refs, require_columns, row_labeller)
from gis_app.bundles.problems import Report, row_label
from gis_app.enforcement.models import CalendarDay, DeadlineRule

SEVERITIES = ("normal", "elevated", "high")
DEADLINE_UNITS = ("working_hours", "working_days", "calendar_hours")
DEADLINE_KEYS = ("item_code", "domain", "action_type", "whistle_kind", "severity")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "上班", "工作日"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "休息", "休息日", "放假"}
MAX_LIMIT_HOURS = 24 * 366

RULE_TABLE_COLUMNS = {
    "deadlines": DEADLINE_KEYS + ("limit", "unit"),
    "calendar": ("date", "workday", "name"),
    "severity": ("kind", "zone", "domain", "severity"),
}


def _duplicates(frame, file, keys, report) -> pd.Series:
    """Rows with the same key (blanks included: a blank key means "any") are refused."""
    dup = frame.duplicated(subset=list(keys), keep=False)
    for _, group in frame[dup].groupby(list(keys), sort=True):
        rows = [row_label(i) for i in group.index]
        for i in group.index:
            others = ", ".join(r for r in rows if r != row_label(i))
            report.problem(file, row_label(i), "/".join(keys), f"the same key as {others}")
    return ~dup


def check_deadlines(file, frame, report: Report, *, items, domains) -> pd.DataFrame | None:
    if not require_columns(frame, file, RULE_TABLE_COLUMNS["deadlines"], report):
        return None
    ok = check_refs(frame, file, "item_code", items, "catalogue item", report, row_labeller, required=False)
    ok &= check_refs(frame, file, "domain", domains, "catalogue domain", report, row_labeller, required=False)
    ok &= check_enum(frame, file, "action_type", ACTION_TYPES, report, row_labeller, required=False)
    ok &= check_enum(frame, file, "whistle_kind", WHISTLE_KINDS, report, row_labeller, required=False)
    ok &= check_enum(frame, file, "severity", SEVERITIES, report, row_labeller, required=False)
    ok &= check_enum(frame, file, "unit", DEADLINE_UNITS, report, row_labeller)
    limits = pd.to_numeric(frame["limit"], errors="coerce")
    hours = limits * frame["unit"].map({"working_days": 24}).fillna(1)
    bad = limits.isna() | (limits <= 0) | (hours > MAX_LIMIT_HOURS)
    for i in frame.index[bad]:
        report.problem(file, row_label(i), "limit", f"{frame.at[i, 'limit']!r} is not a number above 0 "
                       f"and within a year")
    ok &= ~bad
    ok &= _duplicates(frame, file, DEADLINE_KEYS, report)
    out = frame[ok].copy()
    out["limit"] = limits[ok]
    return out


def check_calendar(file, frame, report: Report) -> pd.DataFrame | None:
    if not require_columns(frame, file, ("date", "workday"), report):
        return None
    ok = pd.Series(True, index=frame.index)
    days, workdays = [], []
    for i, row in frame.iterrows():
        try:
            day = date.fromisoformat(row["date"])
        except ValueError:
            report.problem(file, row_label(i), "date", f"{row['date']!r} is not a date (YYYY-MM-DD)")
            day, ok[i] = None, False
        word = row["workday"].strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            report.problem(file, row_label(i), "workday", f"{row['workday']!r}: yes (a working day) or "
                           "no (a day off)")
            ok[i] = False
        days.append(day)
        workdays.append(word in TRUE_WORDS)
    out = frame.assign(day=days, is_workday=workdays)
    ok &= _duplicates(out.assign(day=out["day"].astype(str)), file, ("day",), report) | out["day"].isna()
    return out[ok]


def check_severity(file, frame, report: Report, *, domains) -> pd.DataFrame | None:
    if not require_columns(frame, file, ("kind", "zone", "severity"), report):
        return None
    if "domain" not in frame.columns:
        frame = frame.assign(domain="")
    ok = check_enum(frame, file, "kind", PROTECTED_KINDS, report, row_labeller, required=False)
    ok &= check_enum(frame, file, "zone", ZONES, report, row_labeller, required=False)
    ok &= check_enum(frame, file, "severity", SEVERITIES, report, row_labeller)
    ok &= check_refs(frame, file, "domain", domains, "catalogue domain", report, row_labeller, required=False)
    ok &= _duplicates(frame, file, ("kind", "zone", "domain"), report)
    return frame[ok]


def check_rule_tables(file_frames: dict, report: Report, *, items, domains) -> dict:
    """Check whichever rule tables the bundle has; name -> checked rows (None: absent/unusable)."""
    out = {}
    if file_frames.get("deadlines"):
        out["deadlines"] = check_deadlines(*file_frames["deadlines"], report, items=items, domains=domains)
    if file_frames.get("calendar"):
        out["calendar"] = check_calendar(*file_frames["calendar"], report)
    if file_frames.get("severity"):
        out["severity"] = check_severity(*file_frames["severity"], report, domains=domains)
    return out


def write_rule_tables(county: County, checked: dict) -> dict[str, int]:
    """Replace the county's rule rows by the bundle's (a bundle without a table has none:
    the defaults apply); counts of the tables the bundle had."""
    from gis_app.enforcement.models import SeverityRule

    DeadlineRule.objects.filter(county=county).delete()
    frame = checked.get("deadlines")
    DeadlineRule.objects.bulk_create([
        DeadlineRule(county=county, row=i + 2, limit=float(r["limit"]), unit=r["unit"],
                     **{k: r[k] for k in DEADLINE_KEYS})
        for i, r in (frame.iterrows() if frame is not None else ())])
    CalendarDay.objects.filter(county=county).delete()
    frame = checked.get("calendar")
    CalendarDay.objects.bulk_create([
        CalendarDay(county=county, day=r["day"], workday=r["is_workday"], name=r.get("name", "") or "")
        for _, r in (frame.iterrows() if frame is not None else ())])
    SeverityRule.objects.filter(county=county).delete()
    frame = checked.get("severity")
    SeverityRule.objects.bulk_create([
        SeverityRule(county=county, row=i + 2, kind=r["kind"], zone=r["zone"], domain=r["domain"],
                     severity=r["severity"])
        for i, r in (frame.iterrows() if frame is not None else ())])
    counts = {"deadlines": DeadlineRule.objects.filter(county=county).count(),
              "calendar": CalendarDay.objects.filter(county=county).count(),
              "severity": SeverityRule.objects.filter(county=county).count()}
    return {name: n for name, n in counts.items() if name in checked}  # the tables it had
