"""Patrol plans against tracks (gis_app/patrols/plans.py)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from gis_app.patrols.models import PatrolPlan
from gis_app.patrols.plans import compare_plan, schedule_windows
from gis_app.patrols.services import create_plan, upload_track
from tests.patrols.helpers import csv_file, metres, walk
from tests.territory import box

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 5, 4, tzinfo=SH)  # T0 is Monday 08:00 local
WEEK = (MONDAY, MONDAY + timedelta(days=7))
ROUTE = [(120.002, 30.005), (120.018, 30.005)]
NORTH_10M = 10 / 111_000  # degrees of latitude in about 10 m


def _route(points):
    return MultiLineString(LineString(points), srid=4326)


def _team(territory, n=0):
    return territory.teams[territory.townships[n].code]


def _plan(territory, **kw):
    kw.setdefault("route", _route(ROUTE))
    return create_plan(team=_team(territory), name="巡查", **kw)


def _upload(territory, fixes, n=0):
    upload_track(csv_file(fixes), team=_team(territory, n), filename="t.csv")


# --- the schedule --------------------------------------------------------------------------

def test_schedule_gives_the_daily_window_on_the_planned_weekdays():
    plan = PatrolPlan(weekdays=[1, 3], start_time=time(8), end_time=time(12))
    windows = schedule_windows(plan, *WEEK)
    assert windows == [(MONDAY.replace(hour=8), MONDAY.replace(hour=12)),
                       (MONDAY.replace(day=6, hour=8), MONDAY.replace(day=6, hour=12))]


def test_schedule_without_weekdays_or_window_is_every_whole_day():
    windows = schedule_windows(PatrolPlan(), *WEEK)
    assert windows == [WEEK]


def test_overnight_window_runs_into_the_next_day_and_is_cut_by_the_period():
    plan = PatrolPlan(weekdays=[7], start_time=time(22), end_time=time(6))
    windows = schedule_windows(plan, MONDAY, MONDAY + timedelta(days=7, hours=3))
    # Sunday 3 May's night reaches into Monday 4 May; Sunday 10 May's night is cut at 03:00.
    assert windows == [(MONDAY, MONDAY.replace(hour=6)),
                       (MONDAY.replace(day=10, hour=22), MONDAY.replace(day=11, hour=3))]


def test_schedule_respects_validity_dates():
    plan = PatrolPlan(valid_from=date(2026, 5, 6), valid_to=date(2026, 5, 7))
    assert schedule_windows(plan, *WEEK) == [(MONDAY.replace(day=6), MONDAY.replace(day=8))]


# --- the route -----------------------------------------------------------------------------

def test_share_walked_counts_route_length_within_tolerance(territory):
    plan = _plan(territory)
    # Walk the western half of the route 10 m north of it.
    _upload(territory, walk([(120.002, 30.005 + NORTH_10M), (120.010, 30.005 + NORTH_10M)]))
    result = compare_plan(plan, *WEEK, tolerance_m=30)
    planned = metres(*ROUTE)
    # The buffer reaches sqrt(30^2 - 10^2) m past the walk's eastern end along the route.
    walked = metres(ROUTE[0], (120.010, 30.005)) + (30 ** 2 - 10 ** 2) ** 0.5
    assert result["route"]["planned_m"] == pytest.approx(planned, abs=0.5)
    assert result["route"]["walked_m"] == pytest.approx(walked, abs=1.0)
    assert result["route"]["share_walked"] == pytest.approx(walked / planned, abs=0.002)


def test_walking_beyond_the_tolerance_does_not_count(territory):
    plan = _plan(territory)
    _upload(territory, walk([(120.002, 30.005 + 5 * NORTH_10M), (120.018, 30.005 + 5 * NORTH_10M)]))
    assert compare_plan(plan, *WEEK, tolerance_m=30)["route"]["walked_m"] == 0


def test_tracks_outside_the_schedule_do_not_count(territory):
    plan = _plan(territory, weekdays=[2])  # Tuesdays; the walk is on Monday
    _upload(territory, walk(ROUTE))
    result = compare_plan(plan, *WEEK)
    assert result["route"]["walked_m"] == 0 and result["tracks"] == 0
    assert len(result["scheduled_windows"]) == 1


def test_another_teams_track_does_not_count(territory):
    plan = _plan(territory)
    _upload(territory, walk(ROUTE), n=1)
    assert compare_plan(plan, *WEEK)["route"]["share_walked"] == 0


def test_whole_route_walked_is_share_one(territory):
    plan = _plan(territory)
    _upload(territory, walk(ROUTE))
    result = compare_plan(plan, *WEEK)
    assert result["route"]["share_walked"] == pytest.approx(1.0, abs=1e-4)
    assert result["grids"]["missed"] == []


# --- the grids -----------------------------------------------------------------------------

def test_area_plans_the_grids_inside_it_and_reports_those_missed(territory):
    plan = _plan(territory, route=None, area=box(120.0, 30.0, 120.02, 30.02))
    _upload(territory, walk([(120.005, 30.005), (120.015, 30.005)]))
    result = compare_plan(plan, *WEEK)
    assert result["route"] is None
    assert result["grids"]["planned"] == 4  # the grids only touching the area are not planned
    assert result["grids"]["patrolled"] == 2
    assert result["grids"]["missed"] == ["990101001001003", "990101001001004"]
    assert result["grids"]["share_patrolled"] == 0.5


def test_route_plans_the_grids_it_passes_through(territory):
    plan = _plan(territory)
    _upload(territory, walk([(120.002, 30.005), (120.006, 30.005)]))
    result = compare_plan(plan, *WEEK)
    assert result["grids"]["planned"] == 2
    assert result["grids"]["missed"] == ["990101001001002"]
