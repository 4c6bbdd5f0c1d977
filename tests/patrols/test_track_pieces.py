"""An upload's line derived in memory and kept as time-carrying pieces (gis_app/patrols/pieces.py),
and coverage reading those pieces (segments.stored_lines_sql) instead of the fixes."""
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection

from gis_app.patrols import segments
from gis_app.patrols.coverage import compute_coverage
from gis_app.patrols.models import Track, TrackPiece
from gis_app.patrols.pieces import cut, runs
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, metres, stay, walk

DAY = (T0 - timedelta(hours=8), T0 + timedelta(hours=16))


def _upload(territory, fixes) -> Track:
    return upload_track(csv_file(fixes), team=territory.teams[territory.townships[0].code], filename="t.csv")


def _us(fixes) -> np.ndarray:
    return np.array([round(t.timestamp() * 1_000_000) for t, _, _ in fixes], dtype=np.int64)


def _tangled_day():
    """A figure of eight walked twice, a pause on a grid border, a gap over ten minutes, a
    jump over one km and a last walk: crossing, retracing, standing still, broken lines."""
    eight = [(120.005, 30.005), (120.015, 30.015), (120.015, 30.005), (120.005, 30.015), (120.005, 30.005)]
    first = walk(eight + eight[1:], speed_kmh=8, step_s=10)
    border = stay((120.01, 30.005), first[-1][0] + timedelta(seconds=30), 600)
    after_gap = walk([(120.012, 30.012), (120.028, 30.018)], start=border[-1][0] + timedelta(minutes=15),
                     speed_kmh=6, step_s=15)
    after_jump = walk([(120.035, 30.035), (120.025, 30.032)], start=after_gap[-1][0] + timedelta(seconds=20),
                      speed_kmh=6, step_s=15)
    return first + border + after_gap + after_jump


def _forget_pieces(track: Track) -> None:
    """Make coverage build the track's line from its fixes, as for a track stored before
    pieces existed."""
    Track.objects.filter(pk=track.pk).update(line_gap_seconds=None, line_gap_metres=None)


def _rows(coverage):
    return {g["code"]: g for g in coverage.grids if g["patrolled"]}


def _assert_same_coverage(stored, built):
    a, b = _rows(stored), _rows(built)
    assert set(a) == set(b)
    for code in a:
        assert abs((a[code]["first_visit"] - b[code]["first_visit"]).total_seconds()) < 0.001, code
        assert abs((a[code]["last_visit"] - b[code]["last_visit"]).total_seconds()) < 0.001, code
        assert a[code]["visits"] == b[code]["visits"], code
        assert a[code]["seconds_inside"] == pytest.approx(b[code]["seconds_inside"], abs=0.15), code
    for x, y in zip(stored.teams, built.teams):
        assert x["tracks"] == y["tracks"] and x["grids_patrolled"] == y["grids_patrolled"]
        assert x["length_m"] == pytest.approx(y["length_m"], abs=0.2)
        assert x["seconds_on_patrol"] == pytest.approx(y["seconds_on_patrol"], abs=0.1)


def test_a_run_is_cut_every_piece_segments_fixes_with_pieces_sharing_their_end_fix():
    assert cut(0, 70, size=32) == [(0, 32), (32, 64), (64, 70)]
    assert cut(5, 6, size=32) == [(5, 6)]


def test_runs_break_where_a_fix_is_not_joined_and_drop_single_fixes():
    joined = np.array([False, True, True, False, False, True, False])
    assert runs(joined) == [(0, 2), (4, 5)]


def test_joined_fixes_in_memory_agree_with_the_sql_rule(territory):
    # At 30N a degree of longitude is about 96.5 km: 0.0100 degrees is ~965 m (joined, only
    # the geodesic distance says so), 0.0105 degrees ~1,013 m (broken); then a gap in time.
    lon = np.array([120.0, 120.0001, 120.0101, 120.0206, 120.0207, 120.0208])
    lat = np.full(len(lon), 30.0)
    seconds = np.array([0, 5, 10, 15, 20, 20 + 601])
    times = (T0.timestamp() + seconds) * 1_000_000
    gap = segments.gap_params()
    in_memory = segments.joined_fixes(times.astype(np.int64), lon, lat, gap)
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT {segments.joined("t0", "t1", "p0", "p1")}
            FROM unnest(%(t)s::float8[], %(x)s::float8[], %(y)s::float8[]) WITH ORDINALITY AS a(t, x, y, i)
            JOIN unnest(%(t)s::float8[], %(x)s::float8[], %(y)s::float8[]) WITH ORDINALITY AS b(t, x, y, i)
                 ON b.i = a.i + 1
            CROSS JOIN LATERAL (SELECT to_timestamp(a.t) AS t0, to_timestamp(b.t) AS t1,
                                       ST_SetSRID(ST_MakePoint(a.x, a.y), 4326) AS p0,
                                       ST_SetSRID(ST_MakePoint(b.x, b.y), 4326) AS p1) p
            ORDER BY a.i""", {**gap, "t": (times / 1e6).tolist(), "x": lon.tolist(), "y": lat.tolist()})
        in_sql = [row[0] for row in cur.fetchall()]
    assert list(in_memory) == [False] + in_sql == [False, True, True, False, True, False]


def test_the_stored_line_has_one_line_per_run_and_its_geodesic_length(territory):
    first = walk([(120.002, 30.005), (120.008, 30.005)], speed_kmh=10)
    second = walk([(120.012, 30.005), (120.018, 30.005)], start=first[-1][0] + timedelta(minutes=11))
    track = _upload(territory, first + second)
    assert track.geom.num_geom == 2
    expected = sum(metres(a[1:], b[1:]) for run in (first, second) for a, b in zip(run, run[1:]))
    assert track.length_m == pytest.approx(expected, abs=0.01)
    assert track.report["line"]["pieces"] == 2


def test_the_stored_length_is_what_postgis_measures_on_the_ellipsoid(territory):
    track = _upload(territory, _tangled_day())
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Length(geom::geography) FROM patrols_track WHERE id = %s", [track.pk])
        assert track.length_m == pytest.approx(cur.fetchone()[0], abs=0.001)


def test_pieces_hold_every_joined_fix_with_its_time_as_m(territory):
    fixes = walk([(120.002, 30.005), (120.038, 30.005)], speed_kmh=12, step_s=5)
    track = _upload(territory, fixes)
    with connection.cursor() as cur:
        cur.execute("""SELECT p.t0, p.t1, ST_NPoints(p.line), ST_X(d.geom), ST_Y(d.geom), ST_M(d.geom)
                       FROM patrols_trackpiece p CROSS JOIN LATERAL ST_DumpPoints(p.line) d
                       WHERE p.track_id = %s ORDER BY p.t0, d.path[1]""", [track.pk])
        rows = cur.fetchall()
    assert max(n for _, _, n, *_ in rows) == segments.PIECE_SEGMENTS + 1
    points = list(dict.fromkeys((x, y, m) for *_, x, y, m in rows))      # shared ends once
    assert points == [(x, y, _us([(t, x, y)])[0] / 1e6) for t, x, y in fixes]
    pieces = TrackPiece.objects.filter(track=track).order_by("t0")
    assert pieces[0].t0 == fixes[0][0] and pieces.last().t1 == fixes[-1][0]
    assert (track.line_gap_seconds, track.line_gap_metres) == (600.0, 1000.0)


def test_each_piece_keeps_its_geodesic_length_and_they_add_up_to_the_tracks(territory):
    track = _upload(territory, _tangled_day())
    with connection.cursor() as cur:
        cur.execute("""SELECT length_m, ST_Length(ST_Force2D(line)::geography) FROM patrols_trackpiece
                       WHERE track_id = %s ORDER BY t0""", [track.pk])
        rows = cur.fetchall()
    assert all(stored == pytest.approx(measured, abs=0.001) for stored, measured in rows)
    assert sum(stored for stored, _ in rows) == pytest.approx(track.length_m, abs=0.001)


def test_a_piece_crossing_itself_is_not_simple_and_a_straight_one_is(territory):
    straight = walk([(120.002, 30.005), (120.008, 30.005)], step_s=30)
    loop = walk([(120.012, 30.005), (120.014, 30.007), (120.014, 30.005), (120.012, 30.007),
                 (120.012, 30.005)], start=straight[-1][0] + timedelta(hours=1), step_s=30)
    track = _upload(territory, straight + loop)
    assert list(TrackPiece.objects.filter(track=track).order_by("t0").values_list("simple", flat=True)) \
        == [True, False]


@pytest.mark.parametrize("period", [DAY, (T0 + timedelta(minutes=7, seconds=3.3), T0 + timedelta(minutes=41.7))],
                         ids=["day", "window-cutting-pieces"])
def test_coverage_from_stored_pieces_answers_as_coverage_from_the_fixes(territory, period):
    track = _upload(territory, _tangled_day())
    assert TrackPiece.objects.filter(track=track).exists()
    stored = compute_coverage(territory.county, *period)
    _forget_pieces(track)
    built = compute_coverage(territory.county, *period)
    assert stored.patrolled
    _assert_same_coverage(stored, built)


def test_coverage_builds_from_the_fixes_when_asked_for_another_gap_rule(territory):
    first = walk([(120.002, 30.005), (120.008, 30.005)], speed_kmh=10)
    second = walk([(120.012, 30.005), (120.018, 30.005)], start=first[-1][0] + timedelta(minutes=9),
                  speed_kmh=10)
    _upload(territory, first + second)
    stored = compute_coverage(territory.county, *DAY).teams[0]["seconds_on_patrol"]
    broken = compute_coverage(territory.county, *DAY, gap_seconds=300).teams[0]["seconds_on_patrol"]
    assert stored - broken == pytest.approx(9 * 60, abs=0.1)


def test_deleting_a_track_in_sql_deletes_its_pieces(territory):
    track = _upload(territory, walk([(120.002, 30.005), (120.008, 30.005)]))
    with connection.cursor() as cur:
        cur.execute("DELETE FROM patrols_track WHERE id = %s", [track.pk])
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")      # the foreign key is checked now
    assert not TrackPiece.objects.filter(track_id=track.pk).exists()
