"""The audit table belongs to a role the application does not log in as."""
import os

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

from gis_app import embedded

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secured():
    if not os.environ.get("DATABASE_URL") and embedded.admin_user() == embedded.DB_USER:
        pytest.skip("this embedded cluster predates the admin/app role split (make clean-db)")
    call_command("secure_audit")
    yield
    call_command("secure_audit", "--release")


def test_the_app_does_not_log_in_as_a_superuser():
    if not os.environ.get("DATABASE_URL") and embedded.admin_user() == embedded.DB_USER:
        pytest.skip("this embedded cluster predates the admin/app role split (make clean-db)")
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False,)


def test_events_table_is_owned_by_a_role_the_app_is_not(secured):
    with connection.cursor() as cur:
        cur.execute("SELECT tableowner, current_user FROM pg_tables WHERE tablename = 'incidents_caseevent'")
        owner, me = cur.fetchone()
    assert owner == "gis_audit" and me != owner


def test_the_app_may_only_select_and_insert_events(secured):
    with connection.cursor() as cur:
        cur.execute("SELECT privilege_type FROM information_schema.role_table_grants "
                    "WHERE table_name = 'incidents_caseevent' AND grantee = current_user "
                    "ORDER BY privilege_type")
        assert [r[0] for r in cur.fetchall()] == ["INSERT", "SELECT"]


def test_the_app_cannot_switch_the_append_only_trigger_off(secured):
    with pytest.raises(ProgrammingError, match="must be owner"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE incidents_caseevent DISABLE TRIGGER incidents_caseevent_append_only")
