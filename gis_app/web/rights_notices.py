"""Change notices of who may do what: the one listener of every cache that keeps something
derived from a token, a user, a membership, a team, a department or a county.

Why: a worker keeps API token rows (web/auth.py) and compiled tile statements that embed a
user's scope and the bounding box of their counties (layers/tile_sql.py). A change made in
another worker, by admin, psql, a bulk update() that sends no Django signal or a territory
reimport must count from the next request everywhere, and asking the database on every
request would cost the round trip the caches exist to save. So the database announces every
change to those tables on CHANGES_CHANNEL (statement-level triggers: tokens migrations 0002,
0003 and 0004; the channel's name since 0005), each database session LISTENs, and before a
kept thing is used `stamp(db)` reads the session's notices with psycopg2 `poll()` (no round
trip).

A cache keeps what it built together with the stamp it was built under and drops it when
the stamp differs: a new session (it did not hear what came before), any notice heard on
this session (whichever cache read it), or a save/delete of those models in this process
(signals, `forget`: at once for every session, before the writer's transaction ends). A
notice drops every cache's whole content, not just what the change touched: correctness
first, changes of rights are rare. Inside a transaction notices wait until it ends, so
there is no stamp and nothing may be kept or used.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from rest_framework.authtoken.models import Token

from boundaries.models import County
from gis_app.enforcement.models import Department, Member, Team
from gis_app.tokens.models import TokenAccess

#: The channel the database announces the changes on (tokens migration 0005).
CHANGES_CHANNEL = "gis_rights_changes"
#: Bumped by `forget`: every stamp taken before differs from every one taken after.
_generation = 0


class _Session:
    """What one listening database session has heard: notices read so far (a count)."""

    __slots__ = ("raw", "heard")

    def __init__(self, raw):
        self.raw, self.heard = raw, 0


def listening(db) -> _Session | None:
    session = getattr(db, "_rights_session", None)
    if session is None or db.connection is None or session.raw is not db.connection:
        return None
    return session


def stamp(db) -> tuple | None:
    """(session, notices heard, process generation) of `db`'s session after reading what
    arrived on its socket; None when nothing may be kept or used: the session does not listen
    (new or reopened: `listen` first), is inside a transaction, or is broken."""
    session = listening(db)
    if session is None or db.in_atomic_block:
        return None
    raw = session.raw
    try:
        raw.poll()              # reads what arrived on the socket; no round trip
    except db.Database.Error:   # a broken session hears nothing; the next query will tell
        return None
    if raw.notifies:
        raw.notifies.clear()
        session.heard += 1
    return session, session.heard, _generation


def listen(db, cursor) -> tuple | None:
    """Make `db`'s session listen (once; `cursor` is one of its cursors) and return its stamp.
    LISTEN runs in its own statement before the caller reads: it counts from its commit, so a
    change committed while the caller reads is then either seen or announced."""
    if listening(db) is None and not db.in_atomic_block:
        cursor.execute(f"LISTEN {CHANGES_CHANNEL}")
        db.connection.notifies.clear()
        db._rights_session = _Session(db.connection)
    return stamp(db)


def kept(db, attribute: str, now: tuple) -> tuple[dict, bool]:
    """(the dict a cache keeps on `db` as `attribute` under stamp `now`, whether it was kept
    under `now` before): a new empty one when it was kept under another stamp."""
    found = getattr(db, attribute, None)
    if found is not None and found[0] == now:
        return found[1], True
    setattr(db, attribute, (now, {}))
    return getattr(db, attribute)[1], False


def session_cache(db, attribute: str) -> tuple[dict | None, bool]:
    """(the dict a cache keeps on `db`'s session as `attribute` under the session's stamp,
    whether it was kept under that stamp before): what every cache here uses. (None, False)
    when nothing may be kept or used: inside a transaction, or on a broken session. A session
    not listening yet starts to here (one LISTEN, once per session)."""
    if db.in_atomic_block:
        return None, False
    if listening(db) is None:
        with db.cursor() as cursor:
            now = listen(db, cursor)
    else:
        now = stamp(db)
    if now is None:
        return None, False
    return kept(db, attribute, now)


def forget(**kwargs) -> None:
    """Drop what every session of this process keeps (a right changed here; other processes
    hear of it from the database)."""
    global _generation
    _generation += 1


for _model in (Token, TokenAccess, Member, get_user_model(), Team, Department, County):
    post_save.connect(forget, sender=_model, dispatch_uid=f"rights_notices_save_{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"rights_notices_delete_{_model.__name__}")
