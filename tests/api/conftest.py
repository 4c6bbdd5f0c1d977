"""Two counties with different codes and places, users of every role, and an API client.

`home` (990101, 2x2 townships at 120E 30N) is where the role users belong; `other` (990202,
one township at 121E 31N) shares department, team and item codes with it, so isolation and
the `?county=` disambiguation are both exercised.
"""
import pytest
from rest_framework.test import APIClient

from boundaries.models import ProtectedArea
from gis_app.enforcement.models import Member
from tests.territory import box, make_hub, make_territory
from tests.users import auth_header, make_user

ROLES = [role for role, _ in Member.Role.choices]


@pytest.fixture
def home(db):
    t = make_territory(code="990101", name="本县", origin=(120.0, 30.0))
    for zone, bounds in [("core", (120.005, 30.005, 120.015, 30.015)),
                         ("buffer", (120.015, 30.005, 120.025, 30.015))]:
        ProtectedArea.objects.create(code="PA01", name="本县保护区", kind="nature_reserve",
                                     level="provincial", zone=zone, authority_code="ZYGH",
                                     county=t.county, geom=box(*bounds))
    make_hub(t.townships[0], [t.townships[1]])
    return t


@pytest.fixture
def other(db):
    t = make_territory(code="990202", name="邻县", origin=(121.0, 31.0), cols=1, rows=1)
    ProtectedArea.objects.create(code="PA01", name="邻县保护区", kind="forest_park", level="county",
                                 zone="core", authority_code="ZYGH", county=t.county,
                                 geom=box(121.005, 31.005, 121.01, 31.01))
    make_hub(t.townships[0], [])
    return t


@pytest.fixture
def member(home, other):
    """A command-centre user of the home county (any role reads the same territory)."""
    return make_user("centre", "command_centre", home.county)


@pytest.fixture
def superuser(home, other):
    return make_user("root", superuser=True)


def client_for(user) -> APIClient:
    """An API client already holding the user's token (no token query inside a request count)."""
    client = APIClient()
    client.credentials(**auth_header(user))
    return client


@pytest.fixture
def get():
    """get(user, path, **params) -> response; user None means anonymous; `_language="en"`
    asks for English refusals (Chinese by default)."""
    def _get(user, path, _language=None, **params):
        headers = auth_header(user) if user is not None else {}
        if _language:
            headers["HTTP_ACCEPT_LANGUAGE"] = _language
        return APIClient().get(path, params, **headers)
    return _get
