"""Working time: which days a county works and the hours of a working day.

A deadline of "8 working hours" reported at 17:00 on the eve of the National Day week falls
due after the holiday, not on it. The days come from China's public holiday calendar (the
`chinese-calendar` package: holidays and the make-up working days, 调休) with the county's
own changes on top (the bundle's optional `calendar` table); the hours of a working day are
a setting (`WORKING_HOURS`, e.g. "08:30-12:00,14:00-17:30", Asia/Shanghai local time).

A year the package does not know yet falls back to Monday-Friday, plus the county's table.
Everything here is pure: no database, no clock (callers pass `now`), so tests compute by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

MAX_SEARCH_DAYS = 3660  # ten years without a working day means the calendar is wrong


class CalendarError(ValueError):
    """A working-hours setting that cannot be read, or a calendar without working days."""


@lru_cache(maxsize=64)
def parse_working_hours(text: str) -> tuple[tuple[time, time], ...]:
    """"08:30-12:00,14:00-17:30" -> ((08:30, 12:00), (14:00, 17:30)); ordered, not overlapping.
    Kept per text (the answer is immutable): every routed request asks it for the setting."""
    periods = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        try:
            start, end = (time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError as exc:
            raise CalendarError(f"working hours {part!r}: expected HH:MM-HH:MM") from exc
        if end <= start:
            raise CalendarError(f"working hours {part!r}: the end is not after the start")
        if periods and start < periods[-1][1]:
            raise CalendarError(f"working hours {part!r}: overlaps or precedes the period before it")
        periods.append((start, end))
    if not periods:
        raise CalendarError("working hours: no period given")
    return tuple(periods)


def national_workday(day: date) -> bool:
    """China's calendar: weekends off, public holidays off, make-up days (调休) worked."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5


@dataclass(frozen=True)
class WorkCalendar:
    """A county's working days and hours; `overrides` maps a date to True (works) / False (off)."""

    periods: tuple[tuple[time, time], ...]
    tz: ZoneInfo
    overrides: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def day_seconds(self) -> float:
        """The working seconds of one working day (a working day of a limit in working days)."""
        return sum(_seconds(e) - _seconds(s) for s, e in self.periods)

    def is_workday(self, day: date) -> bool:
        found = self.overrides.get(day)
        return national_workday(day) if found is None else found

    def _spans(self, start: datetime):
        """The working spans (begin, end) from `start` on, in local time, in order."""
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_workday(day):
                for s, e in self.periods:
                    begin = datetime.combine(day, s, self.tz)
                    end = datetime.combine(day, e, self.tz)
                    if end > local:
                        yield max(begin, local), end
            day += timedelta(days=1)
        raise CalendarError(f"no working day within {MAX_SEARCH_DAYS} days of {local.date()}")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start` (a start outside working hours
        counts from the next working period)."""
        if seconds <= 0:
            return start
        left = seconds
        for begin, end in self._spans(start):
            span = (end - begin).total_seconds()
            if left <= span:
                return begin + timedelta(seconds=left)
            left -= span
        raise CalendarError("unreachable")  # _spans raises first

    def between(self, start: datetime, end: datetime) -> float:
        """Working seconds from `start` to `end` (0 when end is not after start)."""
        total = 0.0
        if end <= start:
            return total
        for begin, stop in self._spans(start):
            if begin >= end:
                break
            total += (min(stop, end) - begin).total_seconds()
        return total


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


class Measure:
    """How a clock counts: in working time or in calendar time."""

    WORKING = "working"
    CALENDAR = "calendar"


def clock_add(calendar: WorkCalendar, measure: str, start: datetime, seconds: float) -> datetime:
    if measure == Measure.WORKING:
        return calendar.add(start, seconds)
    return start + timedelta(seconds=seconds)


def clock_between(calendar: WorkCalendar, measure: str, start: datetime, end: datetime) -> float:
    if measure == Measure.WORKING:
        return calendar.between(start, end)
    return max(0.0, (end - start).total_seconds())
