"""Each area's refusals read as whole Chinese sentences by default (no English word left but
names, codes and units) and as the code wrote them with `Accept-Language: en`: a patrol
upload's problems, a duplicate upload, an upload for another team, a case step out of turn or
by the wrong actor, an expired and a read-only token (gis_app/web/refusal_rows.py)."""
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gis_app.tokens.models import set_read_only
from tests.incidents.conftest import report, world  # noqa: F401  (the fixture)
from tests.patrols.helpers import csv_file, walk
from tests.users import auth_header, token_for
from tests.web.test_refusal_coverage import leftover_english

FIXES = walk([(120.002, 30.005), (120.018, 30.005)], speed_kmh=10, step_s=30)
BAD_TIME = b"time,lon,lat\n2026-05-04T08:00:00Z,120.01,30.01\nnot-a-time,120.011,30.01\n"


def both(send):
    """(Chinese answer, English answer) of the same request."""
    return send({}), send({"HTTP_ACCEPT_LANGUAGE": "en"})


def assert_whole_chinese(detail: str):
    assert not leftover_english(detail), detail


def upload(world, user, team_code, data, name="t.csv"):
    def send(headers):
        file = io.BytesIO(data)
        file.name = name
        return APIClient(**auth_header(world.users[user])).post(
            "/api/tracks/", {"file": file, "team": team_code}, format="multipart", **headers)
    return both(send)


def team_code(world, township):
    return world.t.teams[world.t.townships[township].code].code


def test_a_malformed_patrol_upload_says_its_problems_in_chinese(world):
    chinese, english = upload(world, "command", team_code(world, 0), BAD_TIME)
    assert chinese.status_code == english.status_code == 400
    zh, en = chinese.json(), english.json()
    assert zh["detail"] == "csv 上传被拒绝，未保存任何内容：共 1 个问题；第一个：第 3 行：time：" \
                           "'not-a-time' 不是 ISO 8601 时间或 Unix 秒数"
    assert en["detail"].startswith("csv upload refused, nothing stored: 1 problem(s); first: line 3: time: ")
    assert zh["problems"][0]["reason"] == "'not-a-time' 不是 ISO 8601 时间或 Unix 秒数"
    assert en["problems"][0]["reason"] == "'not-a-time' is not an ISO 8601 time or Unix seconds"
    assert (zh["error"], zh["problems"][0]["field"]) == (en["error"], en["problems"][0]["field"]) == \
        ("malformed_upload", "time")


def test_an_upload_of_no_fixes_is_refused_in_chinese(world):
    chinese, english = upload(world, "command", team_code(world, 0), b"time,lon,lat\n")
    assert chinese.status_code == 400
    assert chinese.json()["problems"][0]["reason"] == "不含任何定位点"
    assert english.json()["problems"][0]["reason"] == "contains no fixes"


def test_a_duplicate_upload_is_refused_in_chinese(world):
    data = csv_file(FIXES).getvalue()
    first, _ = upload(world, "command", team_code(world, 0), data)
    assert first.status_code == 201
    chinese, english = upload(world, "command", team_code(world, 0), data)
    assert chinese.status_code == english.status_code == 409
    assert chinese.json()["error"] == english.json()["error"] == "duplicate_upload"
    assert chinese.json()["detail"].startswith(f"本次上传的全部 {len(FIXES)} 个定位点已为该队伍保存过")
    assert english.json()["detail"].startswith(f"all {len(FIXES)} fixes of this upload are already stored")


def test_an_upload_for_another_township_team_is_refused_in_chinese(world):
    chinese, english = upload(world, "team3", team_code(world, 0), csv_file(FIXES).getvalue())
    assert chinese.status_code == english.status_code == 403
    assert chinese.json()["detail"].startswith(f"您不能为队伍 {team_code(world, 0)} 上传轨迹：")
    assert_whole_chinese(chinese.json()["detail"])
    assert english.json()["detail"].startswith("you may not upload tracks for team")


def step(world, user, case, name):
    return both(lambda headers: APIClient(**auth_header(world.users[user])).post(
        f"/api/cases/{case.pk}/{name}/", {"version": case.version}, format="json", **headers))


def test_a_step_by_the_wrong_actor_is_refused_in_chinese(world):
    case = report(world)
    chinese, english = step(world, "command", case, "accept")
    assert chinese.status_code == english.status_code == 403
    assert chinese.json()["detail"] == "受理（accept）须由承办队伍办理"
    assert english.json()["detail"] == "accept (受理) is the job of the acting team"


def test_a_step_in_the_wrong_state_is_refused_in_chinese(world):
    case = report(world)
    chinese, english = step(world, "team1", case, "arrive")
    assert chinese.status_code == english.status_code == 409
    assert chinese.json()["detail"].startswith(f"案件处于 {case.state} 状态，不能执行 到场（arrive）；须处于以下状态之一：")
    assert english.json()["detail"].startswith("arrive (到场) cannot be taken in state")


def test_a_clock_step_not_due_now_says_why_in_chinese(world):
    case = report(world)
    chinese, _ = step(world, "command", case, "suspend_approve")
    assert chinese.status_code == 409
    assert chinese.json()["detail"] == "现在不能执行 批准挂起（suspend_approve）：没有待审批的挂起申请"


def test_an_expired_token_is_refused_in_chinese(world, settings):
    key = token_for(world.users["command"])
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    Token.objects.filter(key=key).update(created="2000-01-01T00:00:00Z")
    chinese, english = both(lambda headers: APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(
        "/api/townships/", **headers))
    assert chinese.status_code == english.status_code == 401
    assert chinese.json()["detail"] == "令牌已过期（令牌有效期 30 天，设置项 API_TOKEN_MAX_AGE_DAYS）；请向管理员申请新令牌"
    assert english.json()["detail"].startswith("token expired (tokens last 30 days")


def test_a_read_only_token_is_refused_a_write_in_chinese(world):
    key = token_for(world.users["command"])
    set_read_only(Token.objects.get(key=key), True)
    chinese, english = both(lambda headers: APIClient(HTTP_AUTHORIZATION=f"Token {key}").post(
        "/api/cases/", {"lon": 120.0, "lat": 30.0, "item": "I001"}, format="json", **headers))
    assert chinese.status_code == english.status_code == 403
    assert chinese.json()["detail"] == "read_only_token：此 API 令牌只能读取（GET、HEAD、OPTIONS）；请向管理员申请可写入的令牌"
    assert english.json()["detail"].startswith("read_only_token: this API token may only read")


@pytest.mark.parametrize("detail,chinese", [
    ("upload refused", "上传被拒绝"),
    ("gpx upload refused, nothing stored: 2 problem(s); first: file: not well-formed XML: unclosed token: "
     "line 1, column 5; reading stopped: 50,000 problems found (PATROL_MAX_PROBLEMS)",
     "gpx 上传被拒绝，未保存任何内容：共 2 个问题；第一个：file：不是格式正确的 XML：unclosed token: line 1, "
     "column 5；已停止读取：已发现 50,000 个问题（PATROL_MAX_PROBLEMS）"),
    ("geojson upload refused, nothing stored: 1 problem(s); first: index 4: coordinates: '[1]' is not [lon, lat]",
     "geojson 上传被拒绝，未保存任何内容：共 1 个问题；第一个：第 4 个点：coordinates：'[1]' 不是 [lon, lat]"),
])
def test_an_upload_summary_reads_its_first_problem_in_chinese(detail, chinese):
    from gis_app.web.refusal_text import detail_in_chinese

    assert detail_in_chinese(detail, "malformed_upload") == chinese
