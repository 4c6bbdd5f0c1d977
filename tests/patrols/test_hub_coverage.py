"""1+X hub reach (gis_app/patrols/hub_coverage.py) against hand-computed times.

The generated county: township 1 (hub, 120.00-120.04E) and township 2 (120.04-120.08E) are
two islands in the story; a road runs on each along 30.005N and a ferry joins them:
    B (120.005) --road 30 km/h-- P (120.035) ==ferry 10 km/h== Q (120.045) --road 30 km/h-- R (120.075)
The hub team's base is B. Grid centres (their inside points) on 30.005N sit on the line, two
of them exactly at Q and R.
"""
import pytest
import shapely
from django.contrib.gis.geos import Point

from boundaries.models import NetworkEdge
from boundaries.network import NetworkError, build_topology, replace_network
from gis_app.patrols.hub_coverage import ReachModel, hub_coverage
from tests.patrols.helpers import metres
from tests.territory import make_hub

B, P, Q, R = (120.005, 30.005), (120.035, 30.005), (120.045, 30.005), (120.075, 30.005)
ROAD, FERRY = 30.0, 10.0
MODEL = ReachModel(max_minutes=15, detour=1.5, speed_kmh=30, snap_m=2000)


def straight_minutes(a, b, model=MODEL):
    return metres(a, b) * model.detour / (model.speed_kmh * 1000 / 60)


def drive_minutes(a, b, speed_kmh):
    return metres(a, b) / (speed_kmh / 3.6) / 60


@pytest.fixture
def islands(territory):
    hub_township, other = territory.townships[0], territory.townships[1]
    make_hub(hub_township, [other])
    team = territory.teams[hub_township.code]
    team.base = Point(*B, srid=4326)
    team.save()
    return territory


def _network(territory, oneway_east=False, ferry=True):
    lines = [shapely.LineString([B, P]), shapely.LineString([Q, R])]
    kinds, speeds, oneways = ["road", "road"], [ROAD, ROAD], [False, "yes" if oneway_east else "no"]
    if ferry:
        lines.append(shapely.LineString([P, Q]))
        kinds.append("ferry"), speeds.append(FERRY), oneways.append(False)
    replace_network(territory.county, lines, kinds, speeds, oneways)


def _grids(report):
    return {g["code"]: g for g in report["hubs"][0]["grids"]}


def _grid_at(report, lon, lat):
    return min(report["hubs"][0]["grids"], key=lambda g: abs(g["point"][0] - lon) + abs(g["point"][1] - lat))


def test_straight_line_minutes_are_distance_times_detour_over_speed(islands):
    report = hub_coverage(islands.county, MODEL)
    grid = _grid_at(report, *R)
    assert grid["distance_m"] == pytest.approx(metres(B, R), abs=0.1)
    assert grid["straight_minutes"] == pytest.approx(straight_minutes(B, R), abs=0.01)
    assert report["network"] is False and grid["network_minutes"] is None


def test_every_grid_of_the_hub_and_covered_townships_is_reported(islands):
    report = hub_coverage(islands.county, MODEL)
    hub = report["hubs"][0]
    assert len(hub["grids"]) == 32
    assert {g["role"] for g in hub["grids"]} == {"hub", "covered"}
    assert hub["covered_townships"] == [{"code": islands.townships[1].code, "name": islands.townships[1].name}]
    assert hub["team"]["code"] == f"T{islands.townships[0].code}"


def test_without_a_network_beyond_uses_the_straight_line(islands):
    report = hub_coverage(islands.county, MODEL)
    for grid in report["hubs"][0]["grids"]:
        assert grid["beyond"] == (grid["straight_minutes"] > MODEL.max_minutes)
    assert report["hubs"][0]["beyond"]  # the far side of township 2 is over 15 minutes away


def test_network_time_over_road_and_ferry_matches_hand_computation(islands):
    _network(islands)
    report = hub_coverage(islands.county, MODEL)
    at_q, at_r = _grid_at(report, *Q), _grid_at(report, *R)
    to_q = drive_minutes(B, P, ROAD) + drive_minutes(P, Q, FERRY)
    assert at_q["network_minutes"] == pytest.approx(to_q, abs=0.01)
    assert at_r["network_minutes"] == pytest.approx(to_q + drive_minutes(Q, R, ROAD), abs=0.01)


def test_network_time_adds_the_access_legs_off_the_network(islands):
    _network(islands)
    report = hub_coverage(islands.county, MODEL)
    point = (120.055, 30.015)  # a grid centre 1.5 km from Q, its nearest vertex
    grid = _grid_at(report, *point)
    expected = (drive_minutes(B, P, ROAD) + drive_minutes(P, Q, FERRY) + straight_minutes(Q, point))
    assert grid["network_minutes"] == pytest.approx(expected, abs=0.01)


def test_grid_beyond_the_response_time_is_listed(islands):
    _network(islands)
    report = hub_coverage(islands.county, MODEL)
    to_r = _grid_at(report, *R)
    assert to_r["network_minutes"] > MODEL.max_minutes and to_r["beyond"]
    assert to_r["code"] in report["hubs"][0]["beyond"]
    assert not _grid_at(report, *B)["beyond"]


def test_response_limit_is_a_parameter(islands):
    _network(islands)
    generous = ReachModel(max_minutes=120, detour=1.5, speed_kmh=30, snap_m=2000)
    assert not _grid_at(hub_coverage(islands.county, generous), *R)["beyond"]


def test_island_without_a_ferry_is_unreachable(islands):
    _network(islands, ferry=False)
    report = hub_coverage(islands.county, MODEL)
    grid = _grid_at(report, *R)
    assert grid["network_minutes"] is None and grid["reachable"] is False and grid["beyond"]
    # The hub's own island is still reached by road.
    assert _grid_at(report, *P)["reachable"]


def test_one_way_edge_is_not_driven_against_its_direction(islands):
    lines = [shapely.LineString([B, P]), shapely.LineString([P, Q]), shapely.LineString([R, Q])]
    replace_network(islands.county, lines, ["road", "ferry", "road"], [ROAD, FERRY, ROAD], [0, 0, 1])
    report = hub_coverage(islands.county, MODEL)
    assert _grid_at(report, *R)["network_minutes"] is None
    assert _grid_at(report, *Q)["network_minutes"] is not None


def test_grid_far_from_the_network_has_no_network_time(islands):
    _network(islands)
    report = hub_coverage(islands.county, MODEL)
    far = _grid_at(report, 120.075, 30.035)  # 3 km north of R
    assert far["network_minutes"] is None and far["beyond"]


def test_hub_without_a_team_base_is_reported_as_a_problem(islands):
    team = islands.teams[islands.townships[0].code]
    team.base = None
    team.save()
    hub = hub_coverage(islands.county, MODEL)["hubs"][0]
    assert hub["grids"] == [] and "no base" in hub["problem"]


# --- the network loader (boundaries/network.py) -----------------------------------------------

def test_replace_network_numbers_shared_end_points_as_one_vertex(islands):
    _network(islands)
    edges = {tuple(e.geom.coords[0]): e for e in NetworkEdge.objects.filter(county=islands.county)}
    assert edges[B].target == edges[P].source  # B-P ends where the ferry P-Q starts
    assert edges[P].target == edges[Q].source
    assert edges[P].kind == "ferry" and edges[P].length_m == pytest.approx(metres(P, Q), abs=0.01)


def test_replace_network_replaces_the_previous_one(islands):
    _network(islands)
    replace_network(islands.county, [shapely.LineString([B, P])], ["road"], [40])
    assert NetworkEdge.objects.filter(county=islands.county).count() == 1


def test_network_with_bad_attributes_is_refused_whole(islands):
    _network(islands)
    with pytest.raises(NetworkError) as info:
        replace_network(islands.county, [shapely.LineString([B, P]), shapely.Point(B)],
                        ["road", "bus"], [30, -5], [None, "maybe"])
    fields = {(i, f) for i, f, _ in info.value.problems}
    assert fields == {(1, "geometry"), (1, "kind"), (1, "speed_kmh"), (1, "oneway")}
    assert NetworkEdge.objects.filter(county=islands.county).count() == 3


def test_topology_is_built_when_edges_were_added_without_it(islands):
    from django.contrib.gis.geos import LineString
    for a, b, kind, speed in [(B, P, "road", ROAD), (P, Q, "ferry", FERRY)]:
        NetworkEdge.objects.create(county=islands.county, kind=kind, speed_kmh=speed,
                                   length_m=metres(a, b), geom=LineString(a, b, srid=4326))
    report = hub_coverage(islands.county, MODEL)
    assert _grid_at(report, *Q)["network_minutes"] == pytest.approx(
        drive_minutes(B, P, ROAD) + drive_minutes(P, Q, FERRY), abs=0.01)
    assert build_topology(islands.county) == 3


def test_without_pgrouting_times_fall_back_to_the_straight_line(islands, monkeypatch):
    from gis_app.patrols import hub_coverage as module
    _network(islands)
    monkeypatch.setattr(module, "routing_available", lambda: False)
    report = hub_coverage(islands.county, MODEL)
    assert report["network"] is False and "pgRouting" in report["problem"]
    grid = _grid_at(report, *R)
    assert grid["network_minutes"] is None and grid["beyond"] == (grid["straight_minutes"] > MODEL.max_minutes)


def test_pgrouting_is_installed_by_the_migration(db):
    from gis_app.patrols.hub_coverage import routing_available
    assert routing_available()
