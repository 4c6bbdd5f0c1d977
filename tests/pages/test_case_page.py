"""The case page: the decision in Chinese, 报到 state, zones, timeline, audit state, a button
per allowed step labelled as in workflow.py, notes and teams asked for, and a stale version
(409) shown with the fresh case and the user's note kept."""
import pytest
from django.test import Client

from gis_app.incidents import loop, photos
from gis_app.incidents.models import Case
from gis_app.incidents.workflow import STEPS, allowed_steps
from tests.pages.world import build_pages_world, logged_in


@pytest.fixture
def world(db):
    return build_pages_world()


def _buttons(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("<", 1)[0] for part in html.split('<button type="submit" name="step"')[1:]]


def test_command_centre_sees_a_button_per_allowed_step_labelled_as_the_workflow(world):
    case = world.cases["far"]
    html = logged_in(world, "command").get(f"/cases/{case.pk}/").content.decode()
    expected = [STEPS[s].label for s in allowed_steps(world.users["command"], case)]
    assert _buttons(html) == expected and "督办" in expected


def test_team_member_sees_accept_on_an_assigned_case_of_its_team(world):
    case = world.cases["team_case"]
    html = logged_in(world, "team").get(f"/cases/{case.pk}/").content.decode()
    assert "受理" in _buttons(html) and "督办" not in _buttons(html)


def test_case_outside_reach_is_404(world):
    assert logged_in(world, "command").get(f"/cases/{world.cases['other'].pk}/").status_code == 404


def test_page_tells_the_decision_in_chinese_with_zones_and_supports(world):
    case = world.cases["in_core"]
    html = logged_in(world, "command").get(f"/cases/{case.pk}/").content.decode()
    assert "派单依据" in html and "办理方式" in html and "核心区" in html
    for support in case.supports.all():
        assert support.department.name in html
    assert "未报到" in html or not case.supports.exists()


def test_page_shows_the_audit_chain_as_verified(world):
    html = logged_in(world, "command").get(f"/cases/{world.cases['far'].pk}/").content.decode()
    assert "校验通过" in html


def test_escalate_button_records_the_event_in_the_timeline(world):
    case = world.cases["far"]
    client = logged_in(world, "command")
    response = client.post(f"/cases/{case.pk}/step/escalate/", {"version": case.version})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-kind="escalate"' in html and "已办理：督办" in html
    assert Case.objects.get(pk=case.pk).escalated_at is not None


def test_step_that_needs_a_note_without_one_asks_for_it_and_changes_nothing(world):
    case = world.cases["far"]
    response = logged_in(world, "command").post(f"/cases/{case.pk}/step/reject/", {"version": case.version},
                                              follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/" and "请补全信息" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == case.state


def test_transfer_asks_for_a_team_and_moves_the_case(world):
    case = world.cases["far"]
    target = world.t.teams[world.t.townships[0].code]
    response = logged_in(world, "command").post(f"/cases/{case.pk}/step/transfer/",
                                              {"version": case.version, "note": "辖区调整", "team": target.code})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).team_id == target.pk


def test_stale_version_shows_the_fresh_case_and_keeps_the_note(world):
    case = world.cases["far"]
    seen = case.version
    loop.case_escalate(case=case, user=world.users["command"], version=seen)
    response = logged_in(world, "command").post(f"/cases/{case.pk}/step/reject/",
                                              {"version": seen, "note": "重复上报，已合并"}, follow=True)
    html = response.content.decode()
    assert "其他人刚刚办理了此案件" in html and f"你看到的是第 {seen} 版" in html
    assert f'value="{seen + 1}"' in html and "重复上报，已合并" in html
    assert 'data-kind="escalate"' in html


def test_step_not_the_users_job_is_refused_with_the_page(world):
    case = world.cases["far"]
    response = logged_in(world, "team").post(f"/cases/{case.pk}/step/escalate/", {"version": case.version})
    assert response.status_code == 404  # not within the team member's reach at all
    assert Case.objects.get(pk=case.pk).escalated_at is None


def test_step_of_another_actor_is_refused_in_chinese(world):
    case = world.cases["team_case"]
    response = logged_in(world, "team").post(f"/cases/{case.pk}/step/escalate/", {"version": case.version},
                                           follow=True)
    assert "这一步不是你的职责范围" in response.content.decode()
    assert Case.objects.get(pk=case.pk).escalated_at is None


def test_a_refused_steps_reason_is_shown_in_chinese(world):
    case = world.cases["team_case"]
    response = logged_in(world, "team").post(f"/cases/{case.pk}/step/escalate/", {"version": case.version},
                                           follow=True)
    html = response.content.decode()
    assert "督办（escalate）须由指挥中心办理" in html and "is the job of" not in html


def test_notice_is_shown_once(world):
    case = world.cases["far"]
    client = logged_in(world, "command")
    client.post(f"/cases/{case.pk}/step/reject/", {"version": case.version})
    assert "请补全信息" in client.get(f"/cases/{case.pk}/").content.decode()
    assert "请补全信息" not in client.get(f"/cases/{case.pk}/").content.decode()


def test_unknown_step_is_404(world):
    case = world.cases["far"]
    assert logged_in(world, "command").post(f"/cases/{case.pk}/step/explode/", {"version": 1}).status_code == 404


def test_supporting_department_reports_for_duty_and_the_page_shows_it(world):
    from tests.users import make_user

    case = world.cases["in_core"]
    support = case.supports.select_related("department").first()
    officer = make_user("zygh-officer", "department", world.t.county, department=support.department)
    client = Client()
    client.force_login(officer)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "部门报到" in _buttons(html) and "未报到" in html
    client.post(f"/cases/{case.pk}/step/report_for_duty/", {"version": case.version})
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已报到" in html and 'data-kind="report_for_duty"' in html


def _post_step(client, case, step, **data):
    case = Case.objects.get(pk=case.pk)
    response = client.post(f"/cases/{case.pk}/step/{step}/", {"version": case.version, **data})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/", step
    return Case.objects.get(pk=case.pk)


def test_the_loop_runs_to_archive_from_the_page(world):
    case = world.cases["team_case"]
    team, command = logged_in(world, "team"), logged_in(world, "command")
    for step in ("accept", "arrive"):
        _post_step(team, case, step)
    _post_step(team, case, "handle", note="已劝离摊贩，恢复通行")
    _post_step(command, case, "send_back", note="现场照片不清楚")
    _post_step(team, case, "arrive")
    _post_step(team, case, "handle", note="补拍照片")
    _post_step(command, case, "review", note="回访群众满意")
    _post_step(command, case, "close")
    case = _post_step(command, case, "archive")
    assert case.state == "archived"
    html = command.get(f"/cases/{case.pk}/").content.decode()
    assert [STEPS[k].label for k in ("send_back", "review", "close", "archive")] == \
        [label for label in ("复核不通过", "复核回访", "办结", "归档") if label in html]
    assert _buttons(html) == [] and "校验通过" in html


def test_photos_are_shown_on_the_page(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = world.cases["team_case"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    attachment = photos.attachment_add(case=case, user=world.users["command"],
                                         upload=SimpleUploadedFile("现场.png", png, content_type="image/png"))
    client = logged_in(world, "command")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    url = f"/api/cases/{case.pk}/attachments/{attachment.pk}/"
    assert f'<img src="{url}"' in html
    assert client.get(url).status_code == 200


def test_the_case_page_links_its_replay(world):
    case = world.cases["far"]
    html = logged_in(world, "command").get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/replay/"' in html


def test_replay_page_shows_then_and_today_and_marks_what_differs(world):
    case = world.cases["far"]
    Case.objects.filter(pk=case.pk).update(routing={**case.routing, "mode": "marine"})
    html = logged_in(world, "command").get(f"/cases/{case.pk}/replay/").content.decode()
    assert "复盘" in html and "当时" in html and "今天" in html
    assert "按案件记录显示" in html            # this world's territory was never imported: no archive
    assert '<tr class="differs"><th>办理方式</th><td>海上执法</td><td>吹哨报到</td>' in html


def test_replay_page_of_a_case_outside_reach_is_404(world):
    assert logged_in(world, "command").get(f"/cases/{world.cases['other'].pk}/replay/").status_code == 404
