"""Properties of the router on generated partitions, against an independent computation.

The reference (`reference.py`) is shapely `covers` + smallest code per level and the DESIGN §4
rules read straight off the ORM; the router answers from PostGIS. They must agree everywhere:
random interior points, shared vertices and edges, the shoreline, the sea, GCJ-02 input; with
grid branches built (the one-lookup path) and without (every point walks the levels).
"""
import json
import random
from datetime import datetime

import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from boundaries.crs import CRS, wgs84_to_gcj02
from boundaries.branches import refresh_grid_branches
from gis_app.enforcement.models import Authority
from gis_app.web.points import make_point
from gis_app.enforcement.routing import Refused, route, route_points
from tests.enforcement.helpers import NOW, at
from tests.enforcement.reference import Reference, codes_of
from tests.territory import grant, make_hub, make_territory, make_zone
from tests.users import auth_header, make_user

PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
ITEMS = ["I001", "I002", "I003", "I004"]
GEOD = Geod(ellps="WGS84")


def _organise(t, seed):
    """Random authority rows (some townships with none), a hub, nested and overlapping zones."""
    rng = random.Random(seed)
    kinds = [*Authority.Kind.values, None]
    for township in t.townships:
        for item in t.items.values():
            kind = rng.choice(kinds)
            if kind:
                entrusting = rng.choice(list(t.departments.values())) if kind == "entrusted" else None
                grant(township, item, kind, entrusting)
    make_hub(t.townships[0], t.townships[1:3])
    x0, y0, x1, y1 = t.land_bbox
    w, h = x1 - x0, y1 - y0
    make_zone(t.county, "FP1", "experimental", (x0 + 0.1 * w, y0 + 0.1 * h, x0 + 0.6 * w, y0 + 0.6 * h),
              "ZYGH", kind="forest_park")
    make_zone(t.county, "NR1", "core", (x0 + 0.2 * w, y0 + 0.2 * h, x0 + 0.3 * w, y0 + 0.3 * h), "STHJ")
    make_zone(t.county, "WS1", "buffer", (x0 + 0.5 * w, y0 + 0.4 * h, x1 + 0.02, y0 + 0.9 * h),
              "NOPE", kind="water_source")


def _branches(t, built):
    """With grid branches (as imported) points inside grids take the one-lookup path; without,
    every point walks the levels. Both must agree with the reference."""
    if built:
        settled = refresh_grid_branches(t.county)
        assert settled >= len(t.grids) // 2       # the one-lookup path is really exercised


@pytest.fixture(params=[(11, False), (11, True), (29, True)],
                ids=["voronoi11", "voronoi11-branches", "voronoi29-branches"])
def voronoi(request, db):
    seed, built = request.param
    t = make_territory(cols=3, rows=3, partition="voronoi", seed=seed)
    _organise(t, seed)
    _branches(t, built)
    return t, Reference()


@pytest.fixture(params=[False, True], ids=["lattice", "lattice-branches"])
def lattice(request, db):
    t = make_territory(cols=3, rows=2)
    _organise(t, 5)
    _branches(t, request.param)
    return t, Reference()


@pytest.fixture
def admin(db):
    """Auth headers of a superuser."""
    return auth_header(make_user("root", superuser=True))


def county_points(t):
    x0, y0, _, y1 = t.land_bbox
    x1 = t.sea_bbox[2]
    return st.tuples(st.floats(x0, x1), st.floats(y0, y1))


def assert_matches_reference(ref, lon, lat, item):
    expected = ref.route(lon, lat, item, NOW)
    decision = route(at(lon, lat), item, now=NOW).as_dict()
    assert datetime.fromisoformat(decision["deadline"]) == expected.pop("deadline")
    assert codes_of(decision) == expected, (lon, lat, item)
    return decision


# --- every point of the county ----------------------------------------------------------------

@PROPERTY
@given(data=st.data())
def test_every_point_in_the_county_resolves_to_one_township_or_the_sea(voronoi, data):
    t, ref = voronoi
    lon, lat = data.draw(county_points(t))
    item = data.draw(st.sampled_from(ITEMS))
    decision = assert_matches_reference(ref, lon, lat, item)
    assert (decision["township"] is None) == decision["at_sea"]
    assert decision["county"]["code"] == t.county.code


@PROPERTY
@given(data=st.data())
def test_shared_vertices_resolve_to_the_smallest_code_at_every_level(voronoi, data):
    t, ref = voronoi
    vertices = sorted({tuple(xy) for unit in t.townships + t.villages + t.grids
                       for xy in shapely.get_coordinates(shapely.from_wkb(bytes(unit.geom.wkb)))})
    lon, lat = data.draw(st.sampled_from(vertices))
    assert_matches_reference(ref, lon, lat, data.draw(st.sampled_from(ITEMS)))


@PROPERTY
@given(data=st.data())
def test_points_on_shared_lattice_edges_resolve_to_the_smallest_code(lattice, data):
    t, ref = lattice
    x0, y0, x1, y1 = t.land_bbox
    q = 0.01          # grid side of the lattice: every edge lies on x0 + i*q or y0 + j*q
    i = data.draw(st.integers(0, round((t.sea_bbox[2] - x0) / q)))
    j = data.draw(st.integers(0, round((y1 - y0) / q)))
    along = data.draw(st.floats(0, 1))
    vertical = data.draw(st.booleans())
    lon = x0 + i * q if vertical else x0 + (i + along) * q
    lat = y0 + (j + along) * q if vertical else y0 + j * q
    assume(lon <= t.sea_bbox[2] and lat <= y1)
    assert_matches_reference(ref, lon, lat, data.draw(st.sampled_from(ITEMS)))


# --- outside ----------------------------------------------------------------------------------

@PROPERTY
@given(data=st.data())
def test_a_point_a_hair_west_of_the_land_is_refused_with_its_distance(voronoi, data):
    t, ref = voronoi
    x0, y0, _, y1 = t.land_bbox
    lat = data.draw(st.floats(y0, y1))
    metres = data.draw(st.floats(0.01, 5000))
    lon, lat_out, _ = GEOD.fwd(x0, lat, 270, metres)     # due west: perpendicular to the edge
    with pytest.raises(Refused) as exc:
        route(at(lon, lat_out), "I001")
    body = exc.value.refusal.as_dict()
    assert exc.value.refusal.status == 422
    assert body["distance_m"] == pytest.approx(metres, rel=1e-4, abs=0.011)
    assert body["nearest"]["level"] == "township"
    on_edge = ref.locate(x0, lat)
    if ref.locate(x0, lat + 1e-9).township == ref.locate(x0, lat - 1e-9).township:
        assert body["nearest"]["code"] == on_edge.township


@PROPERTY
@given(lat=st.floats(30.0, 30.08), metres=st.floats(0.05, 3000))
def test_a_point_off_the_seaward_edge_names_the_county(lattice, lat, metres):
    t, _ = lattice
    lon, lat_out, _ = GEOD.fwd(t.sea_bbox[2], lat, 90, metres)
    with pytest.raises(Refused) as exc:
        route(at(lon, lat_out), "I001")
    body = exc.value.refusal.as_dict()
    assert body["nearest"] == {"code": t.county.code, "name": t.county.name, "level": "county"}
    assert body["distance_m"] == pytest.approx(metres, rel=1e-4, abs=0.011)


# --- CRS --------------------------------------------------------------------------------------

@PROPERTY
@given(data=st.data())
def test_gcj02_input_resolves_like_its_wgs84_twin(voronoi, data):
    t, ref = voronoi
    lon, lat = data.draw(county_points(t))
    p = shapely.Point(lon, lat)
    # The inverse GCJ-02 is exact to ~1e-10 degree; keep clear of borders by 100 times that.
    borders = [shapely.from_wkb(bytes(u.geom.wkb)).boundary for u in [t.county, *t.townships]]
    assume(min(b.distance(p) for b in borders) > 1e-8)
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    twin = route(at(lon, lat), "I001", now=NOW).as_dict()
    converted = route(make_point(glon, glat, CRS("GCJ02")), "I001", now=NOW).as_dict()
    assert codes_of(converted) == codes_of(twin)
    assert converted["query"]["stored"]["lon"] == pytest.approx(lon, abs=1e-9)


# --- batch == single ---------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_many_points_at_once_answer_like_one_at_a_time(voronoi, data):
    t, _ = voronoi
    x0, y0, _, y1 = t.land_bbox
    x1 = t.sea_bbox[2]
    points = data.draw(st.lists(st.tuples(st.floats(x0 - 0.01, x1 + 0.01), st.floats(y0 - 0.01, y1 + 0.01),
                                          st.sampled_from(ITEMS + ["NOPE"])), min_size=1, max_size=30))
    many = route_points([at(x, y) for x, y, _ in points], [i for _, _, i in points], now=NOW)
    for (x, y, item), got in zip(points, many):
        try:
            single = route(at(x, y), item, now=NOW).as_dict()
        except Refused as exc:
            single = exc.refusal.as_dict()
        assert got.as_dict() == single


# --- never a 500 -----------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lon=st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(repr)),
       lat=st.one_of(st.text(max_size=12), st.floats(-100, 100).map(repr)),
       crs=st.sampled_from(["", "GCJ02", "EPSG:3857", "EPSG:4549", "EPSG:4326", "epsg:4490", "x", "EPSG:"]),
       item=st.one_of(st.text(max_size=45), st.sampled_from(["I001", " I001 ", "I0\x0001", "\x00"])))
def test_route_answers_any_query_string_without_a_server_error(client, lattice, admin, lon, lat,
                                                              crs, item):
    res = client.get("/api/route", {"lon": lon, "lat": lat, "crs": crs, "item": item}, **admin)
    assert res.status_code in (200, 400, 422), res.content
    json.loads(res.content)
