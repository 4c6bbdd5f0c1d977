"""The audit trail: append-only in the database, hash-chained so tampering shows."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gis_app.incidents import loop
from gis_app.incidents.audit import verify_all, verify_case
from gis_app.incidents.models import Case, CaseEvent
from tests.incidents.conftest import NOW, report


def accepted_case(world):
    case = report(world)
    return loop.case_accept(case=case, user=world.users["team1"], version=case.version, now=NOW)


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
    """What the table's owner could do (in the test database the app still owns it): switch
    the append-only trigger off inside the transaction."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")   # no pending FK checks: ALTER refuses those
        cur.execute("ALTER TABLE incidents_caseevent DISABLE TRIGGER incidents_caseevent_append_only")
        cur.execute(sql, params)
        cur.execute("ALTER TABLE incidents_caseevent ENABLE TRIGGER incidents_caseevent_append_only")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_rewritten_chain_without_the_key_is_detected(world):
    """Rewrite an event and recompute every hash after it, as someone with write access but
    without AUDIT_HMAC_KEY would: plain SHA-256 (or any other key) does not verify."""
    import hashlib
    import json
    from datetime import timezone

    case = accepted_case(world)
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    prev = "0" * 64
    for event in events:
        note = "nothing happened" if event.seq == 2 else event.note
        body = json.dumps({
            "case": case.pk, "seq": event.seq, "kind": event.kind, "from": event.from_state,
            "to": event.to_state, "actor": event.actor_id, "actor_name": event.actor_name,
            "at": event.at.astimezone(timezone.utc).isoformat(),
            "where": [round(event.where.x, 7), round(event.where.y, 7)] if event.where else None,
            "changes": event.changes, "note": note, "prev": prev,
        }, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        tamper("UPDATE incidents_caseevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
               [note, prev, digest, event.pk])
        prev = digest
    Case.objects.filter(pk=case.pk).update(audit_head=prev)
    breaks = verify_case(Case.objects.get(pk=case.pk))
    assert {b.seq for b in breaks} == {e.seq for e in events}
    assert all("altered" in b.reason for b in breaks)


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
