"""The audit trail (执法全过程记录): append an event, verify a case's chain.

Each event's hash covers its content and the previous event's hash, and the case keeps the
hash of its last event (`audit_head`). Changing, removing or reordering any event (the
database refuses UPDATE and DELETE anyway, and the table belongs to a role the app does
not log in as: `secure_audit`) breaks the chain, and `verify_case` says where.

The hash is an HMAC-SHA256 keyed with settings.AUDIT_HMAC_KEY (from the environment): a
plain hash could be recomputed by whoever can write the table, a keyed one only by whoever
also holds the key, which lives outside the database.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timezone

from django.conf import settings

from gis_app.incidents.models import Case, CaseEvent

GENESIS = "0" * 64


def event_hash(*, case_id: int, seq: int, kind: str, from_state: str, to_state: str,
               actor_id: int | None, actor_name: str, at, where, changes: dict, note: str,
               prev_hash: str) -> str:
    body = json.dumps({
        "case": case_id, "seq": seq, "kind": kind, "from": from_state, "to": to_state,
        "actor": actor_id, "actor_name": actor_name, "at": at.astimezone(timezone.utc).isoformat(),
        "where": [round(where.x, 7), round(where.y, 7)] if where is not None else None,
        "changes": changes, "note": note, "prev": prev_hash,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    key = settings.AUDIT_HMAC_KEY.encode("utf-8")
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def append_event(case: Case, *, kind: str, from_state: str, to_state: str, user, role: str,
                 at, where=None, changes: dict | None = None, note: str = "") -> CaseEvent:
    """Append one event; the caller holds the case row locked (select_for_update) inside
    its transaction, so `seq` and the chain cannot race."""
    last = case.events.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    changes = json.loads(json.dumps(changes or {}, default=str))
    actor_name = user.get_username() if user is not None else "system"
    digest = event_hash(case_id=case.pk, seq=seq, kind=kind, from_state=from_state, to_state=to_state,
                        actor_id=user.pk if user is not None else None, actor_name=actor_name, at=at,
                        where=where, changes=changes, note=note, prev_hash=prev)
    event = CaseEvent.objects.create(
        case=case, seq=seq, kind=kind, from_state=from_state, to_state=to_state, actor=user,
        actor_name=actor_name, actor_role=role, at=at, where=where, changes=changes, note=note,
        prev_hash=prev, hash=digest)
    case.audit_head = digest
    Case.objects.filter(pk=case.pk).update(audit_head=digest)
    return event


@dataclass(frozen=True)
class Break:
    case_number: str
    seq: int | None
    reason: str

    def __str__(self):
        where = f"event {self.seq}" if self.seq is not None else "case"
        return f"case {self.case_number}: {where}: {self.reason}"


def verify_case(case: Case) -> list[Break]:
    breaks = []
    prev = GENESIS
    expected_seq = 1
    for event in case.events.order_by("seq"):
        if event.seq != expected_seq:
            breaks.append(Break(case.number, event.seq, f"expected event {expected_seq} (one is missing)"))
        if event.prev_hash != prev:
            breaks.append(Break(case.number, event.seq, "does not point at the previous event's hash"))
        recomputed = event_hash(
            case_id=case.pk, seq=event.seq, kind=event.kind, from_state=event.from_state,
            to_state=event.to_state, actor_id=event.actor_id, actor_name=event.actor_name, at=event.at,
            where=event.where, changes=event.changes, note=event.note, prev_hash=event.prev_hash)
        if not hmac.compare_digest(recomputed, event.hash):
            breaks.append(Break(case.number, event.seq, "content does not match its hash (altered)"))
        prev = event.hash
        expected_seq = event.seq + 1
    if prev != (case.audit_head or GENESIS):
        breaks.append(Break(case.number, None, "the last event is not the one the case recorded "
                                               "(events removed or added)"))
    return breaks


def verify_all(cases=None) -> tuple[int, list[Break]]:
    cases = Case.objects.all() if cases is None else cases
    breaks: list[Break] = []
    n = 0
    for case in cases.order_by("pk").iterator(chunk_size=500):
        n += 1
        breaks.extend(verify_case(case))
    return n, breaks
