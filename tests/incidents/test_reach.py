"""Whose cases each role sees (selectors.visible_cases), for lists and everything built on them."""
import pytest

from gis_app.incidents.selectors import visible_cases
from tests.incidents.conftest import report


@pytest.fixture
def cases(world):
    return {
        "t1_by_grid": report(world, user="grid", township=0),
        "t2_hub": report(world, user="command", township=1),
        "t3_entrusted": report(world, user="command", township=2, item="I002"),
        "t4_whistle_supported": report(world, user="command", township=3, item="I003"),
        "t4_county": report(world, user="command", township=3, item="I001"),
    }


def seen(world, user, cases):
    names = {c.pk: n for n, c in cases.items()}
    return {names[pk] for pk in visible_cases(world.users[user]).values_list("pk", flat=True)}


def test_grid_member_sees_own_reports_only(world, cases):
    assert seen(world, "grid", cases) == {"t1_by_grid"}


def test_hub_team_sees_its_township_and_the_covered_one(world, cases):
    assert seen(world, "team1", cases) == {"t1_by_grid", "t2_hub"}


def test_township_team_sees_its_own_township(world, cases):
    assert seen(world, "team4", cases) == {"t4_whistle_supported", "t4_county"}
    assert seen(world, "team3", cases) == {"t3_entrusted"}


def test_department_sees_cases_in_its_name_or_supported_or_acted_on(world, cases):
    assert seen(world, "scjg", cases) == {"t3_entrusted"}  # entrusting department = subject
    assert seen(world, "zygh", cases) == {"t4_whistle_supported"}  # supporting (1+N)
    assert seen(world, "sthj", cases) == {"t4_whistle_supported"}  # its team acts


def test_command_centre_sees_its_whole_county(world, cases):
    assert seen(world, "command", cases) == set(cases)
    assert seen(world, "other_command", cases) == set()


def test_planner_sees_no_case_records(world, cases):
    assert seen(world, "planner", cases) == set()


def test_superuser_sees_everything_and_non_members_nothing(world, cases):
    assert seen(world, "admin", cases) == set(cases)
    assert seen(world, "nobody", cases) == set()
