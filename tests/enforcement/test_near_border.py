"""Near-border confirmation: points 0, 5, 29 and 31 m from a township border (and from the
sea) with a 30 m tolerance, against an independent computation (pyproj's geodesic and
shapely distances in a local equidistant projection, not PostGIS)."""
import numpy as np
import pyproj
import pytest
import shapely
from shapely import wkt

from gis_app.enforcement.borders import near_border, tolerance
from gis_app.enforcement.routing import PointQuery, route
from tests.territory import grant, make_territory
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db
GEOD = pyproj.Geod(ellps="WGS84")
TOLERANCE = 30.0


@pytest.fixture
def county():
    t = make_territory()
    for township in t.townships:
        grant(township, t.items["I001"], "statutory")
    return t


def west_of(lon, lat, metres):
    x, y, _ = GEOD.fwd(lon, lat, 270, metres)
    return x, y


def expected_within(t, lon, lat, tol):
    """{township code (None for the sea): distance in metres} by shapely in an azimuthal
    equidistant projection centred on the point."""
    local = pyproj.Transformer.from_crs("EPSG:4326", pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"), always_xy=True).transform
    def transform(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(local(xy[:, 0], xy[:, 1])))
    point = shapely.Point(0, 0)
    shapes = {tw.code: transform(wkt.loads(tw.geom.wkt)) for tw in t.townships}
    out = {code: point.distance(shape) for code, shape in shapes.items()}
    land = shapely.union_all(list(shapes.values()))
    sea = transform(wkt.loads(t.county.geom.wkt)).difference(land)
    out[None] = point.distance(sea)
    return {code: d for code, d in out.items() if d <= tol}


@pytest.mark.parametrize("metres", [0, 5, 29, 31])
def test_a_point_near_a_township_border(county, metres):
    lon, lat = west_of(120.04, 30.02, metres)  # the border of townships 1 (west) and 2 (east)
    decision = route(PointQuery(lon=lon, lat=lat), "I001")
    near = near_border(decision, "I001", TOLERANCE)
    expected = expected_within(county, lon, lat, TOLERANCE)
    got = {c["code"]: c["distance_m"] for c in near.candidates}
    assert set(got) == set(expected)
    for code, distance in expected.items():
        assert got[code] == pytest.approx(distance, abs=0.05)
    assert near.ambiguous == (metres <= TOLERANCE)
    acting = [c for c in near.candidates if c["acting"]]
    assert [c["code"] for c in acting] == [decision.placement.location.township.code]


@pytest.mark.parametrize("metres", [0, 5, 29, 31])
def test_a_point_near_the_sea(county, metres):
    lon, lat = west_of(120.08, 30.02, max(metres, 0.01))  # township 2's east coast
    decision = route(PointQuery(lon=lon, lat=lat), "I001")
    near = near_border(decision, "I001", TOLERANCE)
    expected = expected_within(county, lon, lat, TOLERANCE)
    assert {c["code"] for c in near.candidates} == set(expected)
    sea = [c for c in near.candidates if c["at_sea"]]
    assert bool(sea) == (metres <= TOLERANCE)
    if sea:
        assert sea[0]["team"]["code"] == "THYZF" and sea[0]["mode"] == "marine"
        assert sea[0]["distance_m"] == pytest.approx(expected[None], abs=0.05)


def test_a_point_at_sea_away_from_land_is_not_ambiguous(county):
    lon, lat, _ = GEOD.fwd(120.08, 30.02, 90, 200)  # 200 m off township 2's coast
    near = near_border(route(PointQuery(lon=lon, lat=lat), "I001"), "I001", TOLERANCE)
    assert [(c["code"], c["at_sea"], c["acting"]) for c in near.candidates] == [(None, True, True)]
    assert not near.ambiguous


def test_a_point_at_sea_near_the_coast_names_the_township_too(county):
    lon, lat, _ = GEOD.fwd(120.08, 30.02, 90, 10)
    near = near_border(route(PointQuery(lon=lon, lat=lat), "I001"), "I001", TOLERANCE)
    assert [(c["code"], c["acting"]) for c in near.candidates] == [(None, True), (county.townships[1].code, False)]
    assert near.candidates[1]["distance_m"] == pytest.approx(10, abs=0.05)


def test_a_candidate_names_the_team_and_subject_that_would_act_there(county):
    lon, lat = west_of(120.04, 30.02, 5)
    near = near_border(route(PointQuery(lon=lon, lat=lat), "I001"), "I001", TOLERANCE)
    other = next(c for c in near.candidates if not c["acting"])
    assert other["code"] == county.townships[1].code
    assert other["team"]["code"] == f"T{county.townships[1].code}"
    assert other["subject"] == {"code": county.townships[1].code, "name": county.townships[1].name,
                                "type": "township"}


def test_the_tolerance_is_asked_else_the_phones_accuracy_else_the_setting(settings):
    settings.ROUTE_TOLERANCE_M = 30
    assert (tolerance(12, 50), tolerance(None, 50), tolerance()) == (12.0, 50.0, 30.0)


def test_the_route_answer_says_ambiguous_with_candidates(client, county):
    user = make_user("cmd", "command_centre", county.county)
    lon, lat = west_of(120.04, 30.02, 5)
    body = client.get("/api/route", {"lon": lon, "lat": lat, "item": "I001"}, **auth_header(user)).json()
    assert (body["ambiguous"], body["tolerance_m"], len(body["candidates"])) == (True, 30.0, 2)
    body = client.get("/api/route", {"lon": lon, "lat": lat, "item": "I001", "accuracy": "3"},
                      **auth_header(user)).json()
    assert (body["ambiguous"], body["tolerance_m"], len(body["candidates"])) == (False, 3.0, 1)


@pytest.mark.parametrize("value", ["-1", "x", "5000"])
def test_a_bad_tolerance_is_a_400_naming_it(client, county, value):
    user = make_user("cmd", "command_centre", county.county)
    response = client.get("/api/route", {"lon": 120.01, "lat": 30.01, "item": "I001", "tolerance": value},
                          **auth_header(user))
    assert response.status_code == 400 and response.json()["parameter"] == "tolerance"
