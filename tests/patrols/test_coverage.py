"""Coverage in PostGIS (gis_app/patrols/coverage.py) against an independent shapely computation."""
import random
from datetime import timedelta

import pytest
from shapely.geometry import Point

from gis_app.patrols.coverage import compute_coverage
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, metres, grid_shapes, reference_coverage, stay, to_gcj02, walk

DAY = (T0 - timedelta(hours=8), T0 + timedelta(hours=16))  # the local calendar day of T0


def _team(territory, n=0):
    return territory.teams[territory.townships[n].code]


def _upload(territory, fixes, n=0, crs=None):
    return upload_track(csv_file(fixes), team=_team(territory, n), filename="t.csv", crs=crs)


def _by_code(coverage):
    return {g["code"]: g for g in coverage.grids}


def _grid_at(territory, lon, lat):
    return next(code for code, shape in grid_shapes(territory).items() if shape.contains(Point(lon, lat)))


def assert_matches_reference(coverage, reference):
    rows = _by_code(coverage)
    assert set(coverage.patrolled) == set(reference)
    for code, ref in reference.items():
        row = rows[code]
        assert abs((row["first_visit"] - ref.first).total_seconds()) < 0.01, code
        assert abs((row["last_visit"] - ref.last).total_seconds()) < 0.01, code
        assert row["visits"] == ref.visits, code
        assert row["seconds_inside"] == pytest.approx(ref.seconds, abs=0.2), code


def _random_track(rng, land, start):
    """A drive with random turns, speeds and sampling, with pauses that break the line."""
    x0, y0, x1, y1 = land
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1))]
    for _ in range(rng.randint(3, 6)):
        px, py = points[-1]
        points.append((min(x1, max(x0, px + rng.uniform(-0.02, 0.02))),
                       min(y1, max(y0, py + rng.uniform(-0.02, 0.02)))))
    fixes = walk(points, start=start, speed_kmh=rng.uniform(10, 40), step_s=rng.uniform(15, 90))
    out, shift = [], timedelta(0)
    for k, (t, x, y) in enumerate(fixes):
        if k and rng.random() < 0.05:
            shift += timedelta(minutes=rng.uniform(11, 30))  # phone off: a gap in time
        out.append((t + shift, x, y))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_tracks_match_the_shapely_computation(territory, seed):
    rng = random.Random(seed)
    tracks = []
    for k in range(4):
        fixes = _random_track(rng, territory.land_bbox, T0 + timedelta(hours=k))
        tracks.append(fixes)
        _upload(territory, fixes, n=k % 2)
    coverage = compute_coverage(territory.county, *DAY)
    reference = reference_coverage(tracks, grid_shapes(territory))
    assert 5 < len(reference) < len(territory.grids)
    assert_matches_reference(coverage, reference)
    assert set(coverage.unpatrolled) == {g.code for g in territory.grids} - set(reference)


def test_gap_over_ten_minutes_breaks_the_line(territory):
    # West to east along y = 30.005, but no fix between x = 120.008 and 120.032 for 15 min.
    before = walk([(120.002, 30.005), (120.008, 30.005)], speed_kmh=10)
    after = walk([(120.032, 30.005), (120.038, 30.005)], start=before[-1][0] + timedelta(minutes=15),
                 speed_kmh=10)
    _upload(territory, before + after)
    coverage = compute_coverage(territory.county, *DAY)
    middle = {_grid_at(territory, 120.015, 30.005), _grid_at(territory, 120.025, 30.005)}
    assert middle.isdisjoint(coverage.patrolled)
    assert len(coverage.patrolled) == 2
    assert_matches_reference(coverage, reference_coverage([before + after], grid_shapes(territory)))


def test_gap_under_ten_minutes_does_not_break_the_line(territory):
    before = walk([(120.002, 30.005), (120.008, 30.005)], speed_kmh=10)
    after = walk([(120.012, 30.005), (120.018, 30.005)], start=before[-1][0] + timedelta(minutes=9),
                 speed_kmh=10)
    _upload(territory, before + after)
    assert len(compute_coverage(territory.county, *DAY).patrolled) == 2


def test_jump_over_one_km_breaks_the_line(territory):
    # 1.7 km in 90 s (67 km/h, under the speed limit, so the fix is kept) across two grids.
    before = walk([(120.002, 30.005), (120.004, 30.005)], speed_kmh=10)
    t, x, y = before[-1]
    after = walk([(120.0215, 30.005), (120.0219, 30.005)], start=t + timedelta(seconds=90), speed_kmh=10)
    _upload(territory, before + after)
    coverage = compute_coverage(territory.county, *DAY)
    assert _grid_at(territory, 120.012, 30.005) not in coverage.patrolled
    assert_matches_reference(coverage, reference_coverage([before + after], grid_shapes(territory)))


def test_gap_rule_is_configurable(territory, settings):
    before = walk([(120.002, 30.005), (120.008, 30.005)], speed_kmh=10)
    after = walk([(120.012, 30.005), (120.018, 30.005)], start=before[-1][0] + timedelta(minutes=9),
                 speed_kmh=10)
    _upload(territory, before + after)
    joined = compute_coverage(territory.county, *DAY).teams[0]["seconds_on_patrol"]
    settings.PATROL_GAP_SECONDS = 300
    broken = compute_coverage(territory.county, *DAY).teams[0]["seconds_on_patrol"]
    assert joined - broken == pytest.approx(9 * 60, abs=0.1)
    settings.PATROL_GAP_SECONDS, settings.PATROL_GAP_METRES = 600, 300
    assert compute_coverage(territory.county, *DAY).teams[0]["seconds_on_patrol"] == pytest.approx(broken, abs=0.1)


def test_track_along_a_shared_grid_border_patrols_both_grids(territory):
    fixes = walk([(120.01, 30.002), (120.01, 30.008)], speed_kmh=5)
    _upload(territory, fixes)
    coverage = compute_coverage(territory.county, *DAY)
    west, east = _grid_at(territory, 120.005, 30.005), _grid_at(territory, 120.015, 30.005)
    assert set(coverage.patrolled) == {west, east}
    rows = _by_code(coverage)
    assert rows[west]["seconds_inside"] == pytest.approx(rows[east]["seconds_inside"])
    assert_matches_reference(coverage, reference_coverage([fixes], grid_shapes(territory)))


def test_gcj02_upload_covers_the_grids_of_its_wgs84_positions(territory):
    rng = random.Random(7)
    fixes = _random_track(rng, territory.land_bbox, T0)
    _upload(territory, to_gcj02(fixes), crs="GCJ02")
    coverage = compute_coverage(territory.county, *DAY)
    assert_matches_reference(coverage, reference_coverage([fixes], grid_shapes(territory)))
    # The GCJ-02 offset here is some 500 m: read as WGS84 it would patrol other grids.
    assert set(coverage.patrolled) != set(reference_coverage([to_gcj02(fixes)], grid_shapes(territory)))


def test_leaving_and_coming_back_is_two_visits(territory):
    fixes = walk([(120.005, 30.005), (120.015, 30.005), (120.005, 30.005)], speed_kmh=6)
    _upload(territory, fixes)
    rows = _by_code(compute_coverage(territory.county, *DAY))
    home, east = _grid_at(territory, 120.005, 30.005), _grid_at(territory, 120.015, 30.005)
    assert rows[home]["visits"] == 2 and rows[east]["visits"] == 1
    total = (fixes[-1][0] - fixes[0][0]).total_seconds()
    # Half the walk in each grid: 0.005 deg out and back in `home`, 0.005 deg there and back in `east`.
    assert rows[home]["seconds_inside"] == pytest.approx(total / 2, rel=1e-3)
    assert rows[east]["seconds_inside"] == pytest.approx(total / 2, rel=1e-3)
    assert rows[home]["first_visit"] == fixes[0][0]


def test_standing_still_counts_time_inside(territory):
    fixes = stay((120.005, 30.005), T0, 600, step_s=60)
    _upload(territory, fixes)
    row = _by_code(compute_coverage(territory.county, *DAY))[_grid_at(territory, 120.005, 30.005)]
    assert row["patrolled"] and row["visits"] == 1 and row["seconds_inside"] == pytest.approx(600)


def test_single_fix_patrols_nothing(territory):
    _upload(territory, [(T0, 120.005, 30.005)])
    assert compute_coverage(territory.county, *DAY).patrolled == []


def test_period_cuts_segments_at_its_bounds(territory):
    fixes = walk([(120.002, 30.005), (120.038, 30.005)], speed_kmh=12, step_s=60)
    _upload(territory, fixes)
    start, end = T0 + timedelta(minutes=5), T0 + timedelta(minutes=12)
    coverage = compute_coverage(territory.county, start, end)
    reference = reference_coverage([fixes], grid_shapes(territory), start=start, end=end)
    assert_matches_reference(coverage, reference)
    assert min(g["first_visit"] for g in coverage.grids if g["patrolled"]) == start
    assert sum(g["seconds_inside"] for g in coverage.grids) == pytest.approx(7 * 60, abs=0.5)


def test_track_outside_the_period_patrols_nothing(territory):
    _upload(territory, walk([(120.002, 30.005), (120.008, 30.005)]))
    assert compute_coverage(territory.county, T0 + timedelta(days=1), T0 + timedelta(days=2)).patrolled == []


def test_team_filter_counts_that_team_only(territory):
    _upload(territory, walk([(120.002, 30.005), (120.008, 30.005)]), n=0)
    _upload(territory, walk([(120.002, 30.015), (120.008, 30.015)]), n=1)
    coverage = compute_coverage(territory.county, *DAY, team=_team(territory, 1))
    assert coverage.patrolled == [_grid_at(territory, 120.005, 30.015)]
    assert [t["code"] for t in coverage.teams] == [_team(territory, 1).code]


def test_township_filter_lists_that_townships_grids_only(territory):
    _upload(territory, walk([(120.035, 30.005), (120.045, 30.005)]))
    coverage = compute_coverage(territory.county, *DAY, township=territory.townships[1])
    assert {g["township"] for g in coverage.grids} == {territory.townships[1].code}
    assert len(coverage.grids) == 16
    assert coverage.patrolled == [_grid_at(territory, 120.045, 30.005)]


def test_township_and_team_summaries_add_up(territory):
    fixes = walk([(120.005, 30.005), (120.045, 30.005)], speed_kmh=20)
    _upload(territory, fixes, n=0)
    coverage = compute_coverage(territory.county, *DAY)
    townships = {t["code"]: t for t in coverage.townships}
    first, second = territory.townships[0].code, territory.townships[1].code
    assert townships[first]["patrolled"] == 4 and townships[second]["patrolled"] == 1
    assert townships[first]["grids"] == 16 and townships[first]["share_patrolled"] == 0.25
    team = next(t for t in coverage.teams if t["code"] == _team(territory, 0).code)
    assert team["grids_patrolled"] == 5 and team["tracks"] == 1
    duration = (fixes[-1][0] - fixes[0][0]).total_seconds()
    assert team["seconds_on_patrol"] == pytest.approx(duration, abs=0.06)
    assert team["length_m"] == pytest.approx(metres((120.005, 30.005), (120.045, 30.005)), abs=0.1)
    idle = next(t for t in coverage.teams if t["code"] == _team(territory, 1).code)
    assert idle["tracks"] == 0 and idle["grids_patrolled"] == 0


def test_a_pause_on_a_shared_border_mid_walk_counts_in_both_grids(territory):
    # Across the border x = 120.01, a 5-minute stop on it, then on: the stop lies inside a
    # piece of line that crosses the border, so its time must not be lost or halved.
    there = walk([(120.004, 30.005), (120.01, 30.005)], speed_kmh=6)
    pause = stay((120.01, 30.005), there[-1][0] + timedelta(seconds=20), 300, step_s=30)
    on = walk([(120.01, 30.005), (120.016, 30.005)], start=pause[-1][0] + timedelta(seconds=20),
              speed_kmh=6)
    fixes = there + pause + on
    _upload(territory, fixes)
    coverage = compute_coverage(territory.county, *DAY)
    assert_matches_reference(coverage, reference_coverage([fixes], grid_shapes(territory)))
    rows = _by_code(coverage)
    west, east = _grid_at(territory, 120.005, 30.005), _grid_at(territory, 120.015, 30.005)
    assert rows[west]["seconds_inside"] > 300 and rows[east]["seconds_inside"] > 300


def test_a_long_loop_crossing_itself_matches_the_shapely_computation(territory):
    # A figure of eight over four grids, walked twice: pieces of line that cross and
    # retrace themselves.
    eight = [(120.005, 30.005), (120.015, 30.015), (120.015, 30.005), (120.005, 30.015),
             (120.005, 30.005)]
    fixes = walk(eight + eight[1:], speed_kmh=8, step_s=10)
    _upload(territory, fixes)
    coverage = compute_coverage(territory.county, *DAY)
    assert_matches_reference(coverage, reference_coverage([fixes], grid_shapes(territory)))
