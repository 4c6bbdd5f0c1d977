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

_kept: dict[tuple, tuple] = {}


def kept(key: tuple) -> tuple | None:
    """The decision kept under `key` ((stamp, language, head, decision key)), or None."""
    return _kept.get(key)


def keep(key: tuple, decision: tuple) -> None:
    """Keep `decision` under `key`; read-only from now on (later requests share it)."""
    if len(_kept) >= settings.ROUTER_DECISION_CACHE_ENTRIES:
        _kept.clear()
    _kept[key] = decision


def clear(**kwargs) -> None:
    _kept.clear()


def size() -> int:
    return len(_kept)


setting_changed.connect(clear, dispatch_uid="router_decision_cache")
