"""Working time, computed by hand: 08:30-12:00 and 14:00-17:30 (7 h a working day), China's
holidays and make-up days (2025 National Day: 1-8 October off, Saturday 11 October worked)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.worktime import CalendarError, WorkCalendar, parse_working_hours

SH = ZoneInfo("Asia/Shanghai")
HOURS = parse_working_hours("08:30-12:00,14:00-17:30")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def calendar(**overrides) -> WorkCalendar:
    return WorkCalendar(HOURS, SH, {date.fromisoformat(k.lstrip("d").replace("_", "-")): v
                                    for k, v in overrides.items()})


def test_a_working_day_has_seven_hours():
    assert calendar().day_seconds == 7 * 3600


def test_hours_within_one_working_period():
    # Tuesday 2025-03-11 09:00 + 2 h -> 11:00 the same morning.
    assert calendar().add(at(2025, 3, 11, 9, 0), 2 * 3600) == at(2025, 3, 11, 11, 0)


def test_the_lunch_break_does_not_count():
    # Tuesday 11:00 + 2 h: 11:00-12:00 is 1 h, the other hour from 14:00 -> 15:00.
    assert calendar().add(at(2025, 3, 11, 11, 0), 2 * 3600) == at(2025, 3, 11, 15, 0)


def test_across_a_weekend():
    # Friday 2025-03-14 16:00 + 4 h: Friday 16:00-17:30 = 1.5 h; Saturday and Sunday off;
    # Monday 17 March 08:30 + 2.5 h = 11:00.
    assert calendar().add(at(2025, 3, 14, 16, 0), 4 * 3600) == at(2025, 3, 17, 11, 0)


def test_across_a_public_holiday():
    # Tuesday 2025-09-30 17:00 + 8 h: 0.5 h on the 30th; 1-8 October are the National Day
    # holiday; Thursday 9 October gives 7 h (7.5 h used); Friday 10 October 08:30 + 0.5 h.
    assert calendar().add(at(2025, 9, 30, 17, 0), 8 * 3600) == at(2025, 10, 10, 9, 0)


def test_a_make_up_working_day_counts():
    # Friday 2025-10-10 17:00 + 2 h: 0.5 h on Friday; Saturday 11 October is a make-up
    # working day (调休): 08:30 + 1.5 h = 10:00 on the Saturday.
    assert calendar().add(at(2025, 10, 10, 17, 0), 2 * 3600) == at(2025, 10, 11, 10, 0)


def test_the_county_can_give_a_day_off_the_nation_works():
    # The same report with the county's own day off on Saturday 11 October: Monday 13th 10:00.
    county = calendar(d2025_10_11=False)
    assert county.add(at(2025, 10, 10, 17, 0), 2 * 3600) == at(2025, 10, 13, 10, 0)


def test_the_county_can_work_a_day_the_nation_takes_off():
    county = calendar(d2025_03_15=True)  # a Saturday
    assert county.add(at(2025, 3, 14, 17, 0), 2 * 3600) == at(2025, 3, 15, 10, 0)


def test_a_start_outside_working_hours_counts_from_the_next_period():
    # Sunday 2025-03-16 22:00 + 1 h -> Monday 09:30.
    assert calendar().add(at(2025, 3, 16, 22, 0), 3600) == at(2025, 3, 17, 9, 30)


def test_working_time_between_two_moments():
    # Friday 16:00 to Monday 11:00 of the weekend example: 1.5 h + 2.5 h.
    assert calendar().between(at(2025, 3, 14, 16, 0), at(2025, 3, 17, 11, 0)) == 4 * 3600


def test_a_year_the_package_does_not_know_falls_back_to_monday_to_friday():
    # 2030-01-04 is a Friday: + 8 h -> Monday 7 January 09:30.
    assert calendar().add(at(2030, 1, 4, 8, 30), 8 * 3600) == at(2030, 1, 7, 9, 30)


@pytest.mark.parametrize("text", ["", "8:30", "12:00-08:30", "08:30-12:00,11:00-17:30", "a-b"])
def test_unreadable_working_hours_are_refused(text):
    with pytest.raises(CalendarError):
        parse_working_hours(text)
