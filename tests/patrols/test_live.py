"""Live positions (gis_app/patrols/live.py): each team's latest fix, stale ones marked."""
from datetime import timedelta

import pytest

from gis_app.patrols.live import latest_positions
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, walk


def _team(territory, n):
    return territory.teams[territory.townships[n].code]


def _upload(territory, fixes, n=0):
    upload_track(csv_file(fixes), team=_team(territory, n), filename="t.csv")


def test_latest_fix_of_each_team_is_its_position(territory):
    morning = walk([(120.002, 30.005), (120.008, 30.005)], start=T0)
    later = walk([(120.012, 30.015), (120.018, 30.015)], start=T0 + timedelta(hours=2))
    _upload(territory, later)
    _upload(territory, morning)  # uploaded last, but older
    _upload(territory, walk([(120.042, 30.005), (120.048, 30.005)], start=T0), n=1)
    rows = latest_positions(territory.county, now=T0 + timedelta(hours=3))
    assert [r["team"] for r in rows] == [_team(territory, 0).code, _team(territory, 1).code]
    first = rows[0]
    assert (first["lon"], first["lat"]) == pytest.approx(later[-1][1:])
    assert abs((first["time"] - later[-1][0]).total_seconds()) < 1e-3


def test_team_without_fixes_has_no_position(territory):
    assert latest_positions(territory.county, now=T0) == []


def test_position_older_than_the_limit_is_stale(territory, settings):
    fixes = walk([(120.002, 30.005), (120.008, 30.005)], start=T0)
    _upload(territory, fixes)
    end = fixes[-1][0]
    settings.PATROL_STALE_MINUTES = 15
    fresh = latest_positions(territory.county, now=end + timedelta(minutes=14))[0]
    old = latest_positions(territory.county, now=end + timedelta(minutes=16))[0]
    assert not fresh["stale"] and old["stale"]
    assert old["age_seconds"] == pytest.approx(16 * 60, abs=0.01)


def test_other_counties_teams_are_not_listed(territory):
    from tests.territory import make_territory
    other = make_territory(code="990202", origin=(121.0, 31.0), cols=1, rows=1)
    _upload(territory, walk([(120.002, 30.005), (120.008, 30.005)]))
    assert latest_positions(other.county, now=T0) == []
