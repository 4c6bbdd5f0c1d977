"""Bad input gets a JSON 4xx naming what is wrong before any view reads it; failures on the API
answer JSON, pages a Chinese page."""
import json

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from gis_app.web.guard import server_error
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.credentials(**auth_header(make_user("root", superuser=True)))
    return client


def refused(response, parameter):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["error"] == "bad_parameter" and body["parameter"] == parameter
    return body["detail"]


def post_json(api, path, text):
    return api.post(path, data=text, content_type="application/json")


def test_nul_in_a_query_parameter_is_refused_by_name(api):
    assert "NUL" in refused(api.get("/api/grids/?name=a%00b"), "name")


def test_nul_in_a_parameter_name_is_refused(api):
    refused(api.get("/api/grids/?na%00me=x"), "na\x00me")


def test_nul_in_the_path_is_refused(api):
    assert "NUL" in refused(api.get("/api/townships/%00/"), "path")


def test_nul_in_a_json_field_is_refused_by_name(api):
    detail = refused(post_json(api, "/api/cases/", '{"item": "I001", "description": "a\\u0000b"}'),
                     "description")
    assert "NUL" in detail


def test_lone_surrogate_in_a_json_field_is_refused_by_name(api):
    detail = refused(post_json(api, "/api/cases/", '{"item": "I001", "description": "\\ud800"}'),
                     "description")
    assert "surrogate" in detail


def test_nul_in_a_nested_json_value_names_its_top_field(api):
    refused(post_json(api, "/api/route/batch", '{"points": [{"lon": 1, "lat": 2, "id": "x\\u0000"}]}'),
            "points")


@pytest.mark.parametrize("body, kind", [("[1, 2]", "列表"), ('"text"', "字符串"), ("5", "数字"),
                                        ("null", " null")])
def test_a_json_body_that_is_not_an_object_is_refused(api, body, kind):
    assert refused(post_json(api, "/api/cases/", body), "body") == f"body：须为 JSON 对象 {{...}}，而不是{kind}"


def test_deeply_nested_json_is_refused_by_its_limit(api):
    detail = refused(post_json(api, "/api/cases/", "[" * 100_000 + "]" * 100_000), "body")
    assert "JSON_MAX_DEPTH" in detail


def test_json_nested_within_the_limit_reaches_the_view(api, settings):
    settings.JSON_MAX_DEPTH = 8
    body = json.dumps({"points": [[[[1]]]]})
    assert post_json(api, "/api/route/batch", body).json().get("parameter") != "body"


def test_a_batch_body_nested_too_deep_in_a_field_the_batch_ignores_is_refused(api, settings):
    settings.JSON_MAX_DEPTH = 8
    body = json.dumps({"points": [{"lon": 120.0, "lat": 30.0, "note": [[[[[[[[1]]]]]]]]}]})
    assert "JSON_MAX_DEPTH" in refused(post_json(api, "/api/route/batch", body), "body")


def test_nul_in_a_key_the_batch_ignores_is_refused(api):
    refused(post_json(api, "/api/route/batch", '{"points": [{"lon": 1, "lat": 2, "n\\u0000": 1}]}'),
            "body")


def test_a_lone_surrogate_among_thousands_of_batch_points_is_refused(api):
    points = [{"lon": 120.0, "lat": 30.0, "id": f"p{k}"} for k in range(2000)]
    text = json.dumps({"points": points})[:-2] + ', {"lon": 1, "lat": 2, "id": "\\udfff"}]}'
    assert "surrogate" in refused(post_json(api, "/api/route/batch", text), "points")


def test_an_escaped_surrogate_pair_is_text_like_any_other(api):
    body = '{"points": [{"lon": 1, "lat": 2, "id": "\\ud83d\\ude00 ok"}]}'
    response = post_json(api, "/api/route/batch", body)
    assert response.status_code == 200 and response.json()["results"][0]["id"] == "\U0001F600 ok"


@pytest.mark.parametrize("document", [{"a": 1}, {"a": [1, {"b": [[2]]}]}, {"a": [[[[[[[[1]]]]]]]]},
                                      {"a": [[[[[[[[[1]]]]]]]]]}, {"a": [[[[[[[[[]]]]]]]]]},
                                      {"a": [[[[[[[{}]]]]]]]}, {"a": {"b": {"c": "d"}}}])
def test_the_depth_check_alone_refuses_what_the_whole_walk_refuses(settings, document):
    from gis_app.web.guard import BadText, check_depth, check_json
    settings.JSON_MAX_DEPTH = 8
    outcomes = []
    for check in (check_json, check_depth):
        try:
            check(document)
            outcomes.append("passed")
        except BadText as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]


def test_nul_in_a_form_field_is_refused_by_name():
    from urllib.parse import urlencode
    response = Client().post("/login/", urlencode({"username": "adm\x00in", "password": "x"}),
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "username" in response.content.decode()


def test_unexpected_api_failure_is_json_server_error():
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(RequestFactory().get("/api/grids/"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"] == "server_error"


def test_unexpected_page_failure_is_a_chinese_page():
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(RequestFactory().get("/workspace/"))
    assert response.status_code == 500 and "服务器错误" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_api_with_the_database_down_is_a_json_503():
    user = make_user("root2", superuser=True)
    client = Client(raise_request_exception=False, **auth_header(user))
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"   # nothing listens there: the database is unreachable
    try:
        response = client.get("/api/grids/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"


@pytest.mark.parametrize("field, value", [("description", 5), ("description", ["a"]), ("description", {"a": 1})])
def test_a_text_field_of_another_type_is_a_400_naming_it(field, value):
    from tests.api.conftest import make_territory
    t = make_territory(code="990101", origin=(120.0, 30.0))
    client = APIClient(**auth_header(make_user("centre", "command_centre", t.county)))
    body = {"lon": 120.01, "lat": 30.01, "item": "I001", field: value}
    response = client.post("/api/cases/", data=json.dumps(body), content_type="application/json")
    assert refused(response, field)


def test_nul_in_a_multipart_text_field_is_a_400_naming_it():
    from tests.api.conftest import make_territory
    t = make_territory(code="990101", origin=(120.0, 30.0))
    client = APIClient(**auth_header(make_user("centre", "command_centre", t.county)))
    response = client.post("/api/cases/", {"lon": "120.01", "lat": "30.01", "item": "I001",
                                           "description": "a\x00b"}, format="multipart")
    assert "NUL" in refused(response, "description")
