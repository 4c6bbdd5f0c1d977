"""A day's work in the browser (headless chromium): the command centre logs in from `/`, filters
the queue to overdue, opens a case by its number, takes 督办 by its button and sees it in the
timeline; a team member takes 受理 and 到场; two operators race and the slower one is told.
Every page is watched for console errors and requests leaving 127.0.0.1 (tests/pages/conftest.py)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.layers.conftest import _report
from tests.pages.world import build_pages_world


@pytest.fixture
def world(transactional_db):
    world = build_pages_world()
    # Overdue (a quick item, 24 h) but not yet escalated: the operator escalates it by hand.
    world.cases["late"] = _report(world.users["command"], 120.045, 30.005, item="I002",
                                  now=timezone.now() - timedelta(days=10), description="无照经营的流动摊贩")
    return world


def _rows(page) -> list[str]:
    return page.locator("#queue-rows tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.number)")


def test_command_centre_filters_overdue_opens_a_case_and_escalates_it(world, open_page, login, shot):
    page = open_page("desktop")
    page.goto("/")
    assert page.url.endswith("/login/")
    login(page, "command")
    assert page.url.endswith("/workspace/")
    page.wait_for_selector("#queue-rows tr[data-case]")
    shot(page, "workspace")

    with page.expect_response(lambda r: "/workspace/rows/" in r.url):
        page.check("input[name=overdue]")
    late, old = world.cases["late"], world.cases["overdue"]
    page.wait_for_function("document.querySelectorAll('#queue-rows tr[data-case]').length === 2")
    assert set(_rows(page)) == {late.number, old.number}
    both = page.locator(f'#queue-rows tr[data-number="{old.number}"] .marks')
    assert both.locator(".badge.overdue").is_visible() and both.locator(".badge.escalated").is_visible()
    assert "overdue=1" in page.url
    shot(page, "workspace-overdue")

    page.fill("input[name=q]", late.number)
    with page.expect_response(lambda r: "/workspace/rows/" in r.url):
        page.press("input[name=q]", "Enter")
    page.wait_for_function("document.querySelectorAll('#queue-rows tr[data-case]').length === 1")
    page.locator(f'#queue-rows tr[data-number="{late.number}"]').click()  # selects it on the map too
    assert page.locator("#queue-rows tr.selected").get_attribute("data-number") == late.number
    with page.expect_navigation():
        page.click(f"text={late.number}")
    assert page.url.endswith(f"/cases/{late.pk}/")
    assert page.locator("#case-number").inner_text() == late.number

    with page.expect_navigation():
        page.click("#case-steps button:text-is('督办')")
    assert page.locator(".shell-messages").inner_text() == "已办理：督办"
    assert page.locator("#timeline li[data-kind=escalate]").count() == 1
    assert page.locator(".case-head .badge.escalated").is_visible()
    assert page.locator(".case-head .badge.overdue").is_visible()
    shot(page, "case-escalated")


def test_team_member_accepts_and_arrives(world, open_page, login, shot):
    case = world.cases["team_case"]
    page = open_page("phone")
    login(page, "team", next=f"/cases/{case.pk}/")
    assert page.url.endswith(f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("#case-steps button:text-is('受理')")
    assert page.locator("#case-state").inner_text() == "已受理"
    with page.expect_navigation():
        page.click("#case-steps button:text-is('到场')")
    assert page.locator("#case-state").inner_text() == "已到场"
    kinds = page.locator("#timeline li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds[-2:] == ["accept", "arrive"]
    shot(page, "case-team-on-scene-phone")


def test_slower_operator_is_told_someone_else_acted_and_keeps_the_note(world, open_page, login, shot):
    case = world.cases["far"]
    first, second = open_page("desktop"), open_page("desktop")
    login(first, "command", next=f"/cases/{case.pk}/")
    login(second, "command", next=f"/cases/{case.pk}/")
    second.fill(".step-reject textarea[name=note]", "重复上报，与另一件合并处理")
    with first.expect_navigation():
        first.click("#case-steps button:text-is('督办')")
    with second.expect_navigation():
        second.click(".step-reject button")
    notice = second.locator("#step-notice")
    assert "其他人刚刚办理了此案件" in notice.inner_text()
    assert second.locator("#kept-note").inner_text() == "重复上报，与另一件合并处理"
    assert second.locator(".step-reject textarea[name=note]").input_value() == "重复上报，与另一件合并处理"
    assert second.locator("#timeline li[data-kind=escalate]").count() == 1  # the fresh case
    shot(second, "case-409-slower-operator")
    with second.expect_navigation():
        second.click(".step-reject button")  # decides again on the fresh version: now it goes through
    assert second.locator("#case-state").inner_text() == "不予受理"
