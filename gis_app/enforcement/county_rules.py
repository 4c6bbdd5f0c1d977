"""The county's severity and deadline rules again, for an answer whose zones are wider than
its point's: a footprint's (footprint.py) touches zones its acting point is not in.

The router itself applies the county's `severity` and `deadlines` tables to every point it
routes (single, batch, locate: `RuleBook.severity` / `RuleBook.deadline` over rules.py);
this re-applies the same rules (rules.severity_rule, deadlines.applied_rule) to a given
answer's `protected_areas`, replacing its `severity`, `severity_rule`, `deadline`,
`deadline_rule` and their trace lines. One round trip reads the item's facts and the
county's rule rows (small tables).
"""
from __future__ import annotations

from datetime import date

import orjson
from django.conf import settings
from django.db import connection
from django.utils import timezone

from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.deadlines import DeadlineRow, ItemFacts, applied_rule, due
from gis_app.enforcement.rules import severity_rule
from gis_app.enforcement.severity import SeverityRow
from gis_app.enforcement.worktime import WorkCalendar, parse_working_hours

# Raw SQL (why): the item's facts and three rule tables in one round trip, as one JSON text.
_RULES_SQL = """
SELECT json_build_object(
    'item', (SELECT json_build_array(i.domain, i.action_type, i.whistle_kind)
             FROM enforcement_catalogitem i WHERE i.county_id = %(county)s AND i.code = %(item)s),
    'deadlines', (SELECT json_agg(json_build_array(d.row, d."limit", d.unit, d.item_code, d.domain,
                                                   d.action_type, d.whistle_kind, d.severity) ORDER BY d.row)
                  FROM enforcement_deadlinerule d WHERE d.county_id = %(county)s),
    'severity', (SELECT json_agg(json_build_array(s.row, s.severity, s.kind, s.zone, s.domain) ORDER BY s.row)
                 FROM enforcement_severityrule s WHERE s.county_id = %(county)s),
    'calendar', (SELECT json_agg(json_build_array(c.day, c.workday))
                 FROM enforcement_calendarday c WHERE c.county_id = %(county)s))::text
"""


def read_rules(county_id: int, item_code: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(_RULES_SQL, {"county": county_id, "item": item_code})
        return {k: v or [] for k, v in orjson.loads(cursor.fetchone()[0]).items()}


def apply_county_rules(answer: dict, county_id: int, now=None) -> dict:
    """A copy of the router's `answer` with the county's severity and deadline rules applied."""
    now = now or timezone.now()
    item = answer["item"]
    rules = read_rules(county_id, item["code"])
    domain, action_type, whistle_kind = rules["item"] or ("", "", item.get("whistle_kind", "quick"))
    zones = [(z["code"], z.get("kind", ""), z["zone"]) for z in answer.get("protected_areas") or []]
    finding = severity_rule(tuple(SeverityRow(*r) for r in rules["severity"]), tuple(zones), domain)
    calendar = WorkCalendar(parse_working_hours(settings.WORKING_HOURS), timezone.get_default_timezone(),
                            {date.fromisoformat(d): w for d, w in rules["calendar"]})
    rows = [DeadlineRow(row=r[0], limit=r[1], unit=r[2], item_code=r[3], domain=r[4], action_type=r[5],
                        whistle_kind=r[6], severity=r[7]) for r in rules["deadlines"]]
    rule = applied_rule(rows, ItemFacts(item["code"], domain, action_type, whistle_kind, finding.severity),
                        calendar)
    deadline = due(rule, calendar, now)
    return {**answer, "severity": finding.severity, "severity_rule": finding.as_dict(),
            "deadline": timezone.localtime(deadline).isoformat(), "deadline_rule": rule.as_dict(),
            "trace": [*(line for line in answer.get("trace", [])
                        if not line.startswith(("deadline:", "severity:"))),
                      Line("severity", finding=finding.text), Line("deadline", rule=rule.text)]}
