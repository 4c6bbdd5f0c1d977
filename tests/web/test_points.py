"""web/points.py: many points in one CRS -> PointQuery or the error naming the bad value,
one result per point and in order, whichever way the CRS is converted."""
import pytest

from boundaries.crs import parse_crs
from gis_app.enforcement.answers import PointQuery
from gis_app.web.errors import BadParameter
from gis_app.web.points import make_point, make_points


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490", "GCJ-02"])
def test_a_bad_point_gets_its_error_in_its_own_place(crs):
    results = make_points([120.1, 181.0, 120.2, 120.3], [30.1, 30.2, 91.0, 30.3], parse_crs(crs))
    assert isinstance(results[0], PointQuery) and isinstance(results[3], PointQuery)
    assert isinstance(results[1], BadParameter) and results[1].parameter == "lon"
    assert isinstance(results[2], BadParameter) and results[2].parameter == "lat"
    assert (results[0].received_lon, results[3].received_lat) == (120.1, 30.3)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490"])
def test_a_point_stored_as_is_is_the_single_points_own(crs):
    crs = parse_crs(crs)
    (many,) = make_points([121.5], [29.25], crs)
    assert many == make_point(121.5, 29.25, crs)
    assert (many.lon, many.lat, many.received_crs) == (121.5, 29.25, crs.name)


def test_integers_are_stored_as_floats():
    (point,) = make_points([120], [30], parse_crs("EPSG:4326"))
    assert type(point.lon) is float and type(point.lat) is float and point.received_lon == 120


def test_a_converted_batch_is_the_single_points_own():
    crs = parse_crs("GCJ-02")
    (many,) = make_points([121.5], [29.25], crs)
    assert many == make_point(121.5, 29.25, crs) and many.lon != 121.5
