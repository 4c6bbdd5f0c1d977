"""The audit trail: append-only in the database, hash-chained so tampering shows."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gis_app.incidents import services
from gis_app.incidents.audit import verify_all, verify_case
from gis_app.incidents.models import Case, CaseEvent
from tests.incidents.conftest import NOW, report


def accepted_case(world):
    case = report(world)
    return services.case_accept(case=case, user=world.users["team1"], version=case.version, now=NOW)


def test_the_database_refuses_to_update_an_event(world):
    event = accepted_case(world).events.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="改过的")


def test_the_database_refuses_to_delete_an_event(world):
    event = accepted_case(world).events.last()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM incidents_caseevent WHERE id = %s", [event.pk])


def tamper(sql, params):
    """What a database superuser could still do: switch triggers off for the session."""
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = origin")


def test_an_altered_event_breaks_the_chain(world):
    case = accepted_case(world)
    tamper("UPDATE incidents_caseevent SET note = 'nothing happened' WHERE case_id = %s AND seq = 2", [case.pk])
    breaks = verify_case(Case.objects.get(pk=case.pk))
    assert [(b.seq, b.reason) for b in breaks] == [(2, "content does not match its hash (altered)")]


def test_a_removed_last_event_is_detected(world):
    case = accepted_case(world)
    tamper("DELETE FROM incidents_caseevent WHERE case_id = %s AND seq = 3", [case.pk])
    breaks = verify_case(Case.objects.get(pk=case.pk))
    assert any("events removed or added" in b.reason for b in breaks)


def test_a_removed_middle_event_is_detected(world):
    case = accepted_case(world)
    tamper("DELETE FROM incidents_caseevent WHERE case_id = %s AND seq = 2", [case.pk])
    reasons = [b.reason for b in verify_case(Case.objects.get(pk=case.pk))]
    assert "expected event 2 (one is missing)" in reasons


def test_untouched_trails_verify(world):
    accepted_case(world)
    report(world, item="I003")
    assert verify_all() == (2, [])


def test_verify_command_fails_on_a_broken_chain(world, capsys):
    case = accepted_case(world)
    call_command("verify_audit")
    assert "1 case(s), all chains intact" in capsys.readouterr().out
    tamper("UPDATE incidents_caseevent SET actor_name = 'someone' WHERE case_id = %s AND seq = 1", [case.pk])
    with pytest.raises(CommandError, match="1 break"):
        call_command("verify_audit")
