"""Deadlines as data: which time limit a case gets, and the moment it falls due.

The county's `deadlines` table (optional; DeadlineRule rows) gives limits by item, domain or
action type, whistle kind and severity, each in working hours, working days or calendar
hours. The most specific matching row applies; where none matches, the whistle kind's
default stays (settings.WHISTLE_DEADLINE_HOURS, calendar hours), as before the table existed.

Working time comes from `worktime.WorkCalendar` (national holidays and make-up days, the
county's `calendar` table, settings.WORKING_HOURS). A working day is the working hours of
one working day (7 h with 08:30-12:00 and 14:00-17:30): "1 working day" from Monday 10:00
falls due on Tuesday 10:00, as a clerk counting working time would have it.

`choose` and `applied_rule` are pure (tested row by row); `county_calendar` and
`county_rows` read the county's tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.locate import built_once
from gis_app.enforcement.worktime import Measure, WorkCalendar, clock_add, parse_working_hours

UNIT_MEASURE = {"working_hours": Measure.WORKING, "working_days": Measure.WORKING,
                "calendar_hours": Measure.CALENDAR}
UNIT_LABEL = {"working_hours": "working hours", "working_days": "working days",
              "calendar_hours": "calendar hours"}
KEYS = ("item_code", "domain", "action_type", "severity", "whistle_kind")  # most specific first


@dataclass(frozen=True)
class ItemFacts:
    """What a deadline row may match on: the item and the case's severity."""

    code: str
    domain: str
    action_type: str
    whistle_kind: str
    severity: str = "normal"


@dataclass(frozen=True)
class DeadlineRow:
    """A row of the `deadlines` table as plain data (blank key = any)."""

    row: int
    limit: float
    unit: str
    item_code: str = ""
    domain: str = ""
    action_type: str = ""
    whistle_kind: str = ""
    severity: str = ""

    def matches(self, facts: ItemFacts) -> bool:
        wanted = {"item_code": facts.code, "domain": facts.domain, "action_type": facts.action_type,
                  "severity": facts.severity, "whistle_kind": facts.whistle_kind}
        return all(not getattr(self, k) or getattr(self, k) == wanted[k] for k in KEYS)

    @property
    def specificity(self) -> tuple[bool, ...]:
        return tuple(bool(getattr(self, k)) for k in KEYS)

    def keys_text(self) -> str | Line:
        """What the row matches on (`item_code=I001, severity=high`), or "any case"."""
        return ", ".join(f"{k}={getattr(self, k)}" for k in KEYS if getattr(self, k)) or Line("any_case")

    def describe(self) -> str:
        return f"deadlines row {self.row} ({self.keys_text()})"


@dataclass(frozen=True)
class AppliedRule:
    """The time limit that applied to a case: kept on the case, counted against in statistics."""

    source: str  # "table" or "default"
    row: int | None
    limit: float
    unit: str
    measure: str
    budget_seconds: float
    text: str

    def as_dict(self) -> dict:
        return {"source": self.source, "row": self.row, "limit": self.limit, "unit": self.unit,
                "measure": self.measure, "budget_seconds": self.budget_seconds, "text": self.text,
                "key": self.key}

    @built_once
    def shared_dict(self) -> dict:
        """`as_dict()` built once and shared by the router's answers (read-only)."""
        return self.as_dict()

    @property
    def key(self) -> str:
        """A short name of the rule for grouping statistics: `row 3` or `default quick`."""
        return f"row {self.row}" if self.source == "table" else self.text.split(":")[0]


def choose(rows, facts: ItemFacts) -> DeadlineRow | None:
    """The most specific row matching `facts`; on equal specificity the earlier row."""
    best = None
    for row in rows:
        if row.matches(facts) and (best is None or row.specificity > best.specificity):
            best = row
    return best


def applied_rule(rows, facts: ItemFacts, calendar: WorkCalendar) -> AppliedRule:
    """The limit that applies to `facts`, with its budget in seconds of its measure."""
    row = choose(rows, facts)
    if row is None:
        hours = settings.WHISTLE_DEADLINE_HOURS[facts.whistle_kind]
        return AppliedRule("default", None, hours, "calendar_hours", Measure.CALENDAR, hours * 3600.0,
                           Line("deadline_default", whistle=facts.whistle_kind, hours=f"{hours:g}"))
    per_unit = calendar.day_seconds if row.unit == "working_days" else 3600.0
    return AppliedRule("table", row.row, row.limit, row.unit, UNIT_MEASURE[row.unit], row.limit * per_unit,
                       Line("deadline_row", row=row.row, keys=row.keys_text(), limit=f"{row.limit:g}",
                            unit=UNIT_LABEL[row.unit]))


def due(rule: AppliedRule, calendar: WorkCalendar, start: datetime) -> datetime:
    return clock_add(calendar, rule.measure, start, rule.budget_seconds)


# --- the county's tables -----------------------------------------------------------------------

def county_calendar(county_id: int | None) -> WorkCalendar:
    """The county's working calendar: national days, its own `calendar` rows, the hours setting."""
    from gis_app.enforcement.models import CalendarDay

    overrides = {}
    if county_id is not None:
        overrides = dict(CalendarDay.objects.filter(county_id=county_id).values_list("day", "workday"))
    return WorkCalendar(parse_working_hours(settings.WORKING_HOURS), timezone.get_default_timezone(),
                        overrides)


def county_rows(county_id: int) -> list[DeadlineRow]:
    from gis_app.enforcement.models import DeadlineRule

    return [DeadlineRow(row=r.row, limit=r.limit, unit=r.unit, item_code=r.item_code, domain=r.domain,
                        action_type=r.action_type, whistle_kind=r.whistle_kind, severity=r.severity)
            for r in DeadlineRule.objects.filter(county_id=county_id)]


def item_facts(item, severity: str) -> ItemFacts:
    """An enforcement CatalogItem (and the case's severity) as the facts rows match on."""
    return ItemFacts(item.code, item.domain, item.action_type, item.whistle_kind, severity)
