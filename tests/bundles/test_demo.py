"""`load_demo`: the shipped bundles, a user per role, live cases and closed ones, idempotent."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from boundaries.models import County
from gis_app.bundles import demo, demo_history
from gis_app.incidents.assessment import assessment
from gis_app.incidents.audit import verify_case
from gis_app.incidents.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo")


def test_both_demo_counties_load_with_their_network(loaded):
    assert set(County.objects.values_list("code", flat=True)) == {"330922", "140522"}
    assert County.objects.get(code="330922").network_edges.filter(kind="ferry").exists()


def test_there_is_a_user_for_every_role(loaded):
    from gis_app.enforcement.models import Member
    roles = set(Member.objects.values_list("role", flat=True))
    assert roles == {"command_centre", "grid_member", "township_team", "department", "planner"}
    grid = Member.objects.get(user__username="grid")
    assert grid.grids.count() == 3


def test_demo_cases_go_through_the_real_intake_some_overdue(loaded):
    for code in ("330922", "140522"):
        cases = Case.objects.filter(county__code=code, description=demo.DEMO_CASE_DESCRIPTION)
        assert cases.count() >= 25 and not cases.filter(team__isnull=True, at_sea=False).exists()
    assert Case.objects.filter(escalated_at__isnull=False).exists()


@pytest.mark.parametrize("username", ["command", "command-yangcheng"])
def test_demo_closes_cases_over_recent_weeks_some_on_time_some_late(loaded, username):
    """考核 of the last weeks, read as the page reads it (`assessment` over the command centre's
    `counted_for` cases): closed cases, handled on time and late, on several days (the demo
    had no closed case, so every on-time chart was empty)."""
    now = timezone.now()
    user = get_user_model().objects.get(username=username)
    cases = Case.objects.counted_for(user)
    data = assessment(cases, now - timedelta(weeks=demo_history.WEEKS + 1), now, now)
    closed, handled, on_time = (sum(r[k] for r in data["township"]) for k in ("closed", "handled", "handled_on_time"))
    assert closed >= 15 and handled >= closed and 0 < on_time < handled
    days = {timezone.localdate(c.closed_at) for c in cases.filter(state="closed")}
    assert len(days) >= 10


def test_demo_cases_are_closed_through_the_step_functions(loaded):
    """Each closed demo case went 受理, 到场, 处置, 复核回访, 办结 by the loop's services: its audit
    chain holds every step, by the team's officer and the command centre, and verifies."""
    closed = Case.objects.filter(state="closed", description=demo.DEMO_CASE_DESCRIPTION)
    assert closed.exists()
    for case in closed:
        kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
        assert kinds[-5:] == ["accept", "arrive", "handle", "review", "close"], kinds
        assert verify_case(case) == []
        assert case.events.get(kind="handle").actor.member.team_id == case.team_id


def test_loading_again_changes_nothing(loaded, capsys):
    cases = Case.objects.count()
    call_command("load_demo")
    out = capsys.readouterr().out
    assert out.count("already loaded") == 2
    assert Case.objects.count() == cases


def test_loading_again_keeps_a_changed_password_when_debug_is_off(loaded, settings):
    from django.contrib.auth import get_user_model
    settings.DEBUG = False
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-long-private-passphrase")
    admin.save()
    demo.ensure_demo_users()
    admin.refresh_from_db()
    assert admin.check_password("a-long-private-passphrase")
    assert not admin.check_password(demo.DEMO_PASSWORD)


def test_new_demo_users_get_the_demo_password(loaded):
    from django.contrib.auth import get_user_model
    assert get_user_model().objects.get(username="command").check_password(demo.DEMO_PASSWORD)
