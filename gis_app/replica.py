"""Reads that may be slightly stale go to a read replica; everything else to the primary.

`DATABASE_REPLICA_URL` (settings) adds a second database, `replica`: a streaming standby of
the primary (PostgreSQL physical replication; docs/scaling.md). Without it there is one
database and everything here answers `default`, exactly as before.

Which reads may be stale is decided per request, by the views that serve them, not per
model: the same Case table is read by a tile (a few hundred milliseconds behind is fine) and
by the step a team just posted (it must see its own write). The views that may read stale
data (tiles, OGC API, territory lists, statistics) handle GET/HEAD inside `stale_reads()`;
in that scope the ORM's reads (the router below) and the raw SQL that asks
`reading_connection()` go to the replica. Writes always go to the primary, and so does every
read outside that scope: case steps, intake and its routing, uploads, coverage (it builds
temporary tables, which a standby refuses), login and sessions.

Tables of authentication (users, sessions, tokens, lockouts, memberships) are read from the
primary even inside the scope: a password change, a revoked token or a removed membership
must take effect on the next request, not after the replica catches up.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "authtoken", "tokens", "axes", "admin", "contenttypes"})
PRIMARY_ONLY_MODELS = frozenset({"enforcement.member"})

_stale_ok: ContextVar[bool] = ContextVar("stale_reads_ok", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def stale_reads():
    """Within this block reads may come from the replica (when there is one)."""
    token = _stale_ok.set(True)
    try:
        yield
    finally:
        _stale_ok.reset(token)


def reading_alias() -> str:
    """The database a read in the current scope goes to."""
    return REPLICA if _stale_ok.get() and replica_configured() else DEFAULT_DB_ALIAS


def reading_connection():
    """The connection raw SQL reads use (tiles, OGC features): the replica inside
    `stale_reads()` when one is configured, else the primary."""
    return connections[reading_alias()]


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS) implementing the rule above."""

    def db_for_read(self, model, **hints):
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        return reading_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True          # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS     # a standby follows the primary's schema by itself


class StaleReadsView:
    """View mixin: GET and HEAD are handled inside `stale_reads()` (see the module's rule
    for which views may use it)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            with stale_reads():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)
