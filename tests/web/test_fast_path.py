"""The web kit's fast path (gis_app/web/fast_path.py): a token GET of /api/route is answered
without Django's request stack, with the same status, headers and bytes as the full stack;
everything it does not answer goes to Django unchanged."""
import logging
from datetime import datetime
from io import BytesIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from gis_app.api import route as route_api
from gis_app.api.route import fast_get
from gis_app.web.fast_path import FastPaths
from tests.enforcement.helpers import inside
from tests.territory import grant, make_territory
from tests.users import auth_header, make_user

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def county(db, monkeypatch):
    """A county whose townships may act on I001, the clock fixed (deadlines are per request),
    and Django's per-request connection closing off as its test client turns it off (it
    would close the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    t = make_territory()
    for township in t.townships:
        grant(township, t.items["I001"], "statutory")
    yield t
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def member(county):
    return make_user("fast-command", role="command_centre", county=county.county)


class Served:
    """The two ways to the answer: Django alone, and the fast path in front of it; counts
    the requests that reach Django."""

    def __init__(self):
        self.django = WSGIHandler()
        self.reached_django = 0

        def counted(environ, start_response):
            self.reached_django += 1
            return self.django(environ, start_response)

        self.fast = FastPaths(counted, {"/api/route": fast_get})

    @staticmethod
    def call(app, query: dict, headers: dict, method="GET", scheme="http", path="/api/route"):
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path,
                   "QUERY_STRING": urlencode(query), "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": scheme,
                   "wsgi.input": BytesIO(), "wsgi.errors": BytesIO(), "REMOTE_ADDR": "127.0.0.1",
                   **headers}
        got = {}

        def start_response(status, response_headers, exc_info=None):
            got["status"], got["headers"] = status, response_headers

        body = app(environ, start_response)
        data = b"".join(body)
        getattr(body, "close", lambda: None)()
        return got["status"], sorted((k.lower(), v) for k, v in got["headers"]), data


@pytest.fixture
def served(county):
    return Served()


def _query(point, **more):
    return {"lon": point[0], "lat": point[1], "item": "I001", **more}


NEAR_BORDER = (120.03999, 30.02)     # 1 m west of the border of townships 1 and 2


@pytest.mark.parametrize("where, more, headers", [
    ("inside", {}, {}),
    ("inside", {}, {"HTTP_ACCEPT_LANGUAGE": "en"}),
    ("inside", {"crs": "GCJ-02"}, {}),
    ("inside", {"tolerance": "0"}, {}),
    ("near border", {}, {}),
], ids=["chinese", "english", "gcj02", "no tolerance", "near a border"])
def test_a_token_get_gets_the_full_stacks_status_headers_and_bytes(served, county, member,
                                                                   where, more, headers):
    point = inside(county.townships[0]) if where == "inside" else NEAR_BORDER
    headers = {**auth_header(member), **headers}
    full = served.call(served.django, _query(point, **more), headers)
    fast = served.call(served.fast, _query(point, **more), headers)
    assert full[0] == "200 OK"
    assert fast == full
    assert served.reached_django == 0


def test_the_near_border_answer_names_both_townships(served, member):
    status, _, body = served.call(served.fast, _query(NEAR_BORDER), auth_header(member))
    assert status == "200 OK" and b'"ambiguous":true' in body
    assert served.reached_django == 0


DECLINED = {
    "no token (a page's session)": (lambda c, m: {}, {}, {}),
    "an unknown token": (lambda c, m: {"HTTP_AUTHORIZATION": "Token nosuchkey"}, {}, {}),
    "basic authentication": (lambda c, m: {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}, {}, {}),
    "as of a day": (lambda c, m: auth_header(m), {"at": "2026-03-01"}, {}),
    "output in UTC": (lambda c, m: auth_header(m), {"tz": "UTC"}, {}),
    "a bad coordinate": (lambda c, m: auth_header(m), {"lon": "east"}, {}),
    "an unknown parameter": (lambda c, m: auth_header(m), {"colour": "red"}, {}),
    "a NUL in a parameter": (lambda c, m: auth_header(m), {"item": "I0\x0001"}, {}),
    "an unknown item": (lambda c, m: auth_header(m), {"item": "NOPE"}, {}),
    "a point outside every county": (lambda c, m: auth_header(m), {"lon": "100.0"}, {}),
    "over HTTPS": (lambda c, m: auth_header(m), {}, {"scheme": "https"}),
    "a POST": (lambda c, m: auth_header(m), {}, {"method": "POST"}),
    "another path": (lambda c, m: auth_header(m), {}, {"path": "/api/locate"}),
}


@pytest.mark.parametrize("headers, more, how", DECLINED.values(), ids=DECLINED.keys())
def test_what_the_fast_path_does_not_answer_django_answers_unchanged(served, county, member,
                                                                    headers, more, how):
    query = _query(inside(county.townships[0]), **more)
    fast = served.call(served.fast, query, headers(county, member), **how)
    full = served.call(served.django, query, headers(county, member), **how)
    assert served.reached_django == 1
    assert fast == full
    assert not full[0].startswith("200") or how.get("path") or how.get("scheme")


def test_a_member_of_no_county_is_answered_by_django(served, county):
    outsider = make_user("no-county")           # authenticated, but no Member row
    query = _query(inside(county.townships[0]))
    fast = served.call(served.fast, query, auth_header(outsider))
    assert fast[0].startswith("403") and served.reached_django == 1


def test_a_point_of_another_county_is_refused_by_django(served, county):
    other = make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    theirs = make_user("east-command", role="command_centre", county=other.county)
    fast = served.call(served.fast, _query(inside(county.townships[0])), auth_header(theirs))
    assert fast[0].startswith("403") and served.reached_django == 1


def test_a_fault_in_the_fast_path_is_logged_and_django_answers(served, county, member,
                                                              monkeypatch, caplog):
    def broken(data):
        raise RuntimeError("broken encoder")

    monkeypatch.setattr(route_api, "dumps", broken)      # the fast path's encoder only
    query = _query(inside(county.townships[0]))
    with caplog.at_level(logging.ERROR, logger="gis_app.web.fast_path"):
        fast = served.call(served.fast, query, auth_header(member))
    assert fast == served.call(served.django, query, auth_header(member))
    assert fast[0] == "200 OK" and served.reached_django == 1
    assert "broken encoder" in caplog.text


def test_a_fast_answer_starts_and_finishes_the_request_as_django_does(served, county, member):
    seen = []

    def started(**kwargs):
        seen.append("started")

    def finished(**kwargs):
        seen.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        served.call(served.fast, _query(inside(county.townships[0])), auth_header(member))
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert seen == ["started", "finished"] and served.reached_django == 0


def test_another_middleware_list_turns_the_fast_path_off(settings, county, member):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    app = FastPaths(lambda environ, start_response: [b"django"], {"/api/route": fast_get})
    assert app.handlers == {}


def test_the_served_application_has_the_route_on_its_fast_path():
    from gis_app.wsgi import application

    assert isinstance(application, FastPaths) and set(application.handlers) == {"/api/route"}


def test_behind_a_tls_proxy_the_fast_path_is_off(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    app = FastPaths(lambda environ, start_response: [b"django"], {"/api/route": fast_get})
    assert app.handlers == {}


def test_a_host_django_would_refuse_is_answered_by_django(served, county, member):
    query = _query(inside(county.townships[0]))
    headers = {**auth_header(member), "HTTP_HOST": "evil.example"}
    fast = served.call(served.fast, query, headers)
    assert served.reached_django == 1 and fast[0].startswith("400")
