"""The deadline rule table, row by row: the most specific matching row applies; none -> the
whistle kind's default in calendar hours; limits in working hours, working days, calendar hours."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.deadlines import DeadlineRow, ItemFacts, applied_rule, choose, due
from gis_app.enforcement.worktime import WorkCalendar, parse_working_hours

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(parse_working_hours("08:30-12:00,14:00-17:30"), SH)
FACTS = ItemFacts(code="I001", domain="市容环卫", action_type="penalty", whistle_kind="quick", severity="normal")

ROWS = [
    DeadlineRow(row=2, limit=8, unit="working_hours", whistle_kind="quick"),
    DeadlineRow(row=3, limit=3, unit="working_days", domain="市容环卫"),
    DeadlineRow(row=4, limit=2, unit="working_hours", domain="市容环卫", severity="high"),
    DeadlineRow(row=5, limit=48, unit="calendar_hours", item_code="I001"),
    DeadlineRow(row=6, limit=1, unit="working_days", action_type="coercive"),
]


@pytest.mark.parametrize("facts,row", [
    (FACTS, 5),                                                        # the item itself beats all
    (ItemFacts("I009", "市容环卫", "penalty", "quick", "normal"), 3),    # domain beats whistle kind
    (ItemFacts("I009", "市容环卫", "penalty", "quick", "high"), 4),      # domain + severity beats domain
    (ItemFacts("I009", "市场监管", "coercive", "quick", "normal"), 6),   # action type beats whistle kind
    (ItemFacts("I009", "市场监管", "inspection", "quick", "normal"), 2),
    (ItemFacts("I009", "市场监管", "inspection", "tough", "normal"), None),
])
def test_the_most_specific_matching_row_applies(facts, row):
    found = choose(ROWS, facts)
    assert (found.row if found else None) == row


def test_no_matching_row_keeps_the_whistle_default(settings):
    settings.WHISTLE_DEADLINE_HOURS = {"quick": 24, "tough": 168, "emergency": 2}
    rule = applied_rule([], FACTS, CAL)
    assert (rule.source, rule.row, rule.unit, rule.budget_seconds) == ("default", None, "calendar_hours", 24 * 3600)
    assert due(rule, CAL, datetime(2025, 9, 30, 17, 0, tzinfo=SH)) == datetime(2025, 10, 1, 17, 0, tzinfo=SH)


def test_a_row_in_working_hours_falls_due_after_the_holiday():
    rule = applied_rule(ROWS[:1], FACTS, CAL)
    assert (rule.source, rule.row, rule.measure, rule.budget_seconds) == ("table", 2, "working", 8 * 3600)
    assert due(rule, CAL, datetime(2025, 9, 30, 17, 0, tzinfo=SH)) == datetime(2025, 10, 10, 9, 0, tzinfo=SH)


def test_a_working_day_is_a_day_of_working_hours():
    # 3 working days = 21 working hours from Friday 2025-03-14 10:00: Friday 10:00-17:30 is
    # 5.5 h, Monday 7 h, Tuesday 7 h (19.5 h), Wednesday 08:30 + 1.5 h = 10:00.
    rule = applied_rule(ROWS[1:2], FACTS, CAL)
    assert rule.budget_seconds == 21 * 3600
    assert due(rule, CAL, datetime(2025, 3, 14, 10, 0, tzinfo=SH)) == datetime(2025, 3, 19, 10, 0, tzinfo=SH)


def test_a_row_in_calendar_hours_ignores_the_calendar():
    rule = applied_rule(ROWS[3:4], FACTS, CAL)
    assert due(rule, CAL, datetime(2025, 9, 30, 17, 0, tzinfo=SH)) == datetime(2025, 10, 2, 17, 0, tzinfo=SH)


def test_the_rule_says_which_row_applied():
    assert applied_rule(ROWS, FACTS, CAL).text == "deadlines row 5 (item_code=I001): 48 calendar hours"


def test_working_hours_are_read_once_per_text_and_a_bad_text_is_refused_every_time():
    from gis_app.enforcement.worktime import CalendarError

    assert parse_working_hours("08:30-12:00,14:00-17:30") is parse_working_hours("08:30-12:00,14:00-17:30")
    for _ in range(2):
        with pytest.raises(CalendarError):
            parse_working_hours("12:00-08:30")
