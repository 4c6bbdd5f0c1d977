"""Which roles open which page is one table in gis_app/incidents/access.py (PAGE_ROLES); the
page guard reads it and refuses a page it does not know."""
import pytest

from gis_app.incidents.access import ADMIN, PAGE_ROLES, ROLES, Role, may_open_page
from gis_app.pages.access import page_for
from tests.users import make_user


def test_every_page_names_known_roles_only():
    assert all(roles and roles <= ROLES for roles in PAGE_ROLES.values())


def test_the_guard_refuses_a_page_missing_from_the_table():
    with pytest.raises(ValueError, match="unknown page"):
        page_for("no-such-page")


def test_case_records_at_a_desk_are_not_for_planners_or_grid_members():
    assert PAGE_ROLES["case_desk"] == {Role.COMMAND_CENTRE, Role.DEPARTMENT, Role.TOWNSHIP_TEAM, ADMIN}


def test_a_superuser_opens_pages_as_admin_and_an_account_without_role_none(db):
    root, nobody = make_user("root", superuser=True), make_user("nobody")
    assert may_open_page(root, "screen") and not may_open_page(root, "intake")
    assert not any(may_open_page(nobody, page) for page in PAGE_ROLES)
