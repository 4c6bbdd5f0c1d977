"""Every operation of the REST API, walked from the schema with one bad parameter, refuses with
the one JSON error shape: {"error", "detail", "parameter"?}."""
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.incidents.conftest import world  # noqa: F401  (the fixture)
from tests.users import auth_header

PATH_VALUES = {"id": "999999", "code": "no-such-code", "step": "accept", "n": "1"}
EXTRA_MEMBERS = {"nearest", "distance_m", "format", "problem_count", "problems", "stored"}


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, ops in sorted(schema["paths"].items()):
        if not path.startswith("/api/") or path.startswith("/api/schema"):
            continue
        for method in sorted(ops):
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, ops[method]


def assert_error_shape(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert "parameter" not in body or isinstance(body["parameter"], str)
    assert set(body) <= {"error", "detail", "parameter"} | EXTRA_MEMBERS, body
    return body


def test_every_operation_answers_a_bad_parameter_with_the_one_error_shape(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["admin"]))
    walked = 0
    for path, method, operation in operations():
        url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
        if method == "get":
            response = client.get(url, {"no_such_parameter": "1"})
        elif method == "delete":
            response = client.delete(url + "?no_such_parameter=1")
        else:       # a body whose one field is of the wrong type
            response = client.generic(method.upper(), url, '{"lon": "not a number", "points": 1, '
                                      '"team": [], "geometry": 1}', content_type="application/json")
        body = assert_error_shape(response)
        if "{" not in path and method == "get":
            assert (response.status_code, body.get("parameter")) == (400, "no_such_parameter"), (path, body)
        walked += 1
    assert walked >= 40


def test_an_anonymous_client_gets_the_one_shape_too(world):
    for path, method, operation in operations():
        if method == "get" and "{" not in path and operation.get("security") != [{}]:
            body = assert_error_shape(APIClient().get(path))
            assert body["error"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/api/route", "/api/coverage/", "/api/cases/"])
def test_the_schema_lists_the_error_shape_for_each_refusal(db, path):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = next(iter(v for k, v in schema["paths"][path].items() if k == "get"))
    for status in ("400", "401", "403"):
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        assert content == {"$ref": "#/components/schemas/Error"}
