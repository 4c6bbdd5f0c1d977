"""Every refusal of the API in Chinese by default and in English with `Accept-Language: en`
(gis_app/web/refusal_text.py): walked from the schema with one bad parameter, and the
refusals built outside the exception handler (batch points, Open311, the web gate)."""
import re

from rest_framework.test import APIClient

from tests.api.test_error_shape import PATH_VALUES, assert_error_shape, operations
from tests.incidents.conftest import world  # noqa: F401  (the fixture)
from tests.users import auth_header

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b(is|not|must|required|unknown|accepted|no|the|of|a|an)\b")


def _bad_request(client, path, method, **headers):
    url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
    if method == "get":
        return client.get(url, {"no_such_parameter": "1"}, **headers)
    if method == "delete":
        return client.delete(url + "?no_such_parameter=1", **headers)
    return client.generic(method.upper(), url, '{"lon": "not a number", "points": 1, "team": [], '
                          '"geometry": 1}', content_type="application/json", **headers)


def test_every_operation_refuses_in_chinese_by_default_and_in_english_on_request(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["admin"]))
    walked = 0
    for path, method, _ in operations():
        chinese = assert_error_shape(_bad_request(client, path, method))
        english = assert_error_shape(_bad_request(client, path, method, HTTP_ACCEPT_LANGUAGE="en"))
        assert CJK.search(chinese["detail"]), (path, method, chinese)
        assert not CJK.search(english["detail"]), (path, method, english)
        assert chinese["error"] == english["error"] and chinese.get("parameter") == english.get("parameter")
        walked += 1
    assert walked >= 40


def test_a_bad_parameter_is_translated_not_only_prefixed(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["admin"]))
    body = client.get("/api/cases/", {"no_such_parameter": "1"}).json()
    assert body["detail"].startswith("no_such_parameter：未知参数；可用参数：")
    assert not ENGLISH_WORDS.search(body["detail"].split("：")[1])


def test_a_step_refusal_is_chinese_by_default_and_english_on_request(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["command"]))
    url = "/api/cases/999999/accept/"
    assert client.post(url, {"version": 1}, format="json").json()["detail"] == "本账号可见范围内没有案件 999999"
    assert client.post(url, {"version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == \
        "no case 999999 within this account's reach"


def test_batch_point_errors_follow_the_callers_language(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["command"]))
    body = {"item": "I001", "points": [{"lon": "x", "lat": 30.0}]}
    chinese = client.post("/api/route/batch", body, format="json").json()["results"][0]
    english = client.post("/api/route/batch", body, format="json",
                          HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (chinese["error"], chinese["parameter"]) == (english["error"], english["parameter"]) == \
        ("bad_parameter", "points[0].lon")
    assert chinese["detail"] == "points[0].lon：'x' 不是数字"
    assert english["detail"] == "points[0].lon: 'x' is not a number"


def test_open311_errors_keep_their_format_and_follow_the_language(world):
    client = APIClient()
    chinese = client.get("/open311/v2/services.json", {"jurisdiction_id": "nowhere"})
    english = client.get("/open311/v2/services.json", {"jurisdiction_id": "nowhere"},
                         HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 404
    assert set(chinese.json()[0]) == {"code", "description"}
    assert chinese.json()[0]["description"] == "jurisdiction_id：没有辖区 'nowhere'"
    assert english.json()[0]["description"] == "jurisdiction_id: no jurisdiction 'nowhere'"


def test_the_router_refusal_stays_chinese_by_default(world):
    client = APIClient()
    client.credentials(**auth_header(world.users["command"]))
    body = client.get("/api/route", {"lon": 100.0, "lat": 10.0, "item": "I001"}).json()
    assert body["error"] == "outside_jurisdiction" and body["detail"].startswith("该点不在任何县的管辖范围内")
