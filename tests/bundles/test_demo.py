"""`load_demo`: the shipped bundles, a user per role and live cases, idempotent."""
import pytest
from django.core.management import call_command

from boundaries.models import County
from gis_app.bundles import demo
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
