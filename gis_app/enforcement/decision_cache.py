"""Batch decisions kept across requests, each under its county's rules stamp.

A batch's answer for a decision key (county, township, border count, zone set, item) is the
same in every request as long as none of the rows it was decided from changed: the county's
and township's names, zones, hubs, departments, teams, items, authority rows, severity,
deadline and calendar rows. Triggers give the county a new stamp whenever any of those rows
changes (migration enforcement 0007), and the router reads the stamps in the same statement,
the same snapshot, as the rows themselves (territory_sql.py): an answer kept under
(stamp, key) is exactly the one those rows decide. A changed rule is a new stamp, so a new key;
stamps come from a sequence, so a stamp seen inside a transaction that rolled back is never
reused for other rows. Nothing kept depends on the clock: the deadline is worked out per
request (batch_answers.py). Nothing kept depends on who asks: who may see a point's county is
decided per request before any kept answer is looked up.

Bounded by settings.ROUTER_DECISION_CACHE_ENTRIES (cleared whole when full, like the router's
other caches); cleared when a setting changes (tests: deadlines and working hours are
settings).
"""
from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed

#: Per (language, answer head): decision key (stamp first) -> decision.
_tables: dict[tuple, dict[tuple, tuple]] = {}


def table(prefix: tuple) -> dict[tuple, tuple]:
    """The kept decisions of one answer language and head: read them with `.get(key)`, where
    `key` starts with the county's stamp; add to them only through `keep`."""
    found = _tables.get(prefix)
    if found is None:
        found = _tables[prefix] = {}
    return found


def keep(kept: dict, key: tuple, decision: tuple) -> None:
    """Keep `decision` under `key` in a `table`; read-only from now on (later requests share
    it). The bound counts all tables."""
    if size() >= settings.ROUTER_DECISION_CACHE_ENTRIES:
        clear()
    kept[key] = decision


def clear(**kwargs) -> None:
    for kept in _tables.values():
        kept.clear()


def size() -> int:
    return sum(map(len, _tables.values()))


setting_changed.connect(clear, dispatch_uid="router_decision_cache")
