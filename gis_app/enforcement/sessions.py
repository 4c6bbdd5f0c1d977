"""A second database session per request thread, reading from the request's own snapshot.

Why: a batch of 10,000 points is read in pieces (locate.read_territory_pieces). On one session
the pieces run one after another, so a batch took as long as the database needed for all of
them on one core. A second session that imports the request transaction's snapshot
(pg_export_snapshot / SET TRANSACTION SNAPSHOT) reads every other piece at the same time, on
another core, and sees exactly the rows the first sees: the answers are the ones one
statement would give (a concurrent bundle import can never show in half of them).

The session is opened once per worker thread (ROUTE_BATCH_SESSIONS = 2; 1 = none) with the
default database's settings and kept; one that fails is closed and opened again next time.
Everything here is best effort: when no second session can be had, the caller reads every
piece on its own session as before.
"""
from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
_local = threading.local()


def _open():
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    # Statements PREPAREd in this session, by name (kept beside it: a psycopg2 connection
    # takes no attributes of ours).
    _local.prepared = set()
    return raw


def _drop() -> None:
    raw = getattr(_local, "raw", None)
    _local.raw = None
    if raw is not None:
        try:
            raw.close()
        except Exception:           # already broken: nothing to close
            pass


def close() -> None:
    """Close this thread's kept second session (a test run, before dropping its database)."""
    _drop()


def begin(snapshot: str, prepare: tuple[str, str], settings_sql: str):
    """A raw psycopg2 connection inside a REPEATABLE READ READ ONLY transaction on `snapshot`,
    with `prepare` = (name, PREPARE statement) prepared and `settings_sql` (transaction-local
    set_config calls) run; None when a second session is off or cannot be had. The caller
    ends the transaction with `end`."""
    if settings.ROUTE_BATCH_SESSIONS < 2 or connection.vendor != "postgresql":
        return None
    for attempt in range(2):
        raw = getattr(_local, "raw", None)
        try:
            if raw is None or raw.closed:
                raw = _local.raw = _open()
            with raw.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                name, prepare_sql = prepare
                if name not in _local.prepared:
                    cursor.execute(prepare_sql)
                    _local.prepared.add(name)
                cursor.execute(settings_sql)
            return raw
        except Exception as exc:        # a broken kept session: open a new one once
            log.info("second session unavailable (%s); reading on one", exc)
            _drop()
    return None


def end(raw) -> None:
    """End the second session's transaction (read only: nothing to keep)."""
    try:
        with raw.cursor() as cursor:
            cursor.execute("ROLLBACK")
    except Exception:
        _drop()
