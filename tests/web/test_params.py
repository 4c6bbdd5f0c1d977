"""Parameters declared once: refused when undeclared, parsed and checked by their declaration."""
import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, parse_query

LIMIT = Param("limit", "page size", type=int, minimum=1)
RADIUS = Param("radius", "metres", type=float, minimum=0, maximum=5000)
COUNTY = Param("county", "county code", digits=6, required=True)
KIND = Param("kind", "kind", enum=("town", "village"))
OPEN = Param("open", "open only", type=bool)
PARAMS = (LIMIT, RADIUS, COUNTY, KIND, OPEN)


def request(**query):
    return Request(APIRequestFactory().get("/", query))


def test_declared_parameters_are_parsed_to_their_types():
    assert parse_query(request(limit="5", radius="12.5", county="990101", kind="town", open="true"),
                       PARAMS) == {"limit": 5, "radius": 12.5, "county": "990101", "kind": "town",
                                   "open": True}


def test_absent_optional_parameters_are_none():
    assert parse_query(request(county="990101"), PARAMS)["radius"] is None


@pytest.mark.parametrize("query, parameter", [
    ({"county": "990101", "knd": "town"}, "knd"),
    ({"county": "990101", "limit": "0"}, "limit"),
    ({"county": "990101", "radius": "6000"}, "radius"),
    ({"county": "99010"}, "county"),
    ({}, "county"),
    ({"county": "990101", "kind": "city"}, "kind"),
    ({"county": "990101", "open": "yes"}, "open"),
    ({"county": "990101", "limit": ""}, "limit"),
])
def test_a_bad_or_unknown_parameter_is_refused_by_name(query, parameter):
    with pytest.raises(BadParameter) as refused:
        parse_query(request(**query), PARAMS)
    assert refused.value.parameter == parameter and refused.value.status == 400
