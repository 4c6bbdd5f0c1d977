"""Dates are range-checked where they are read: 9999-12-31 is a 400 naming the parameter, never a 500."""
import pytest
from rest_framework.test import APIClient

from tests.api.conftest import home, other  # noqa: F401 (fixtures)
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(home):
    return APIClient(**auth_header(make_user("centre", "command_centre", home.county)))


@pytest.mark.parametrize("path, parameter", [
    ("/api/cases/?from=9999-12-31", "from"),
    ("/api/cases/?to=0001-01-01", "to"),
    ("/api/tracks/?from=9999-12-31", "from"),
    ("/api/tracks/?from=2026-05-04&to=9999-12-31T00:00:00", "to"),
    ("/ogc/collections/cases/items?datetime=9999-12-31", "datetime"),
    ("/ogc/collections/cases/items?datetime=2026-01-01T00:00:00Z/9999-12-31T23:59:59Z", "datetime"),
])
def test_a_date_out_of_range_is_a_400_naming_it(api, path, parameter):
    response = api.get(path, HTTP_ACCEPT_LANGUAGE="en")      # the English words read here
    assert response.status_code == 400, response.content[:300]
    assert response.json()["parameter"] == parameter and "outside the years" in response.json()["detail"]


def test_an_impossible_date_is_a_400_naming_it(api):
    response = api.get("/api/cases/?from=2026-13-45")
    assert response.status_code == 400 and response.json()["parameter"] == "from"
