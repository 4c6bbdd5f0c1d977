"""Explain a past decision: as it was made, and as it would be made today.

A case keeps the router's whole answer at intake (`routing`, with its trace) and the
territory generation and rule version that were current (`territory_generation`,
`rule_version`). `replay` runs the router again on the case's point today and says, field by
field, what differs: a border moved by a `--replace`, an authority row changed, a new
severity or deadline rule. The answer as made is the record; today's is a fresh run.
"""
from __future__ import annotations

from django.utils import timezone

from gis_app.enforcement.county_rules import apply_county_rules
from gis_app.enforcement.routing import PointQuery, Refused, route
from gis_app.enforcement.versions import current_versions

UNITS = ("county", "township", "village", "grid", "hub", "team", "subject")
VALUES = ("mode", "severity", "at_sea")


def _code(ref):
    return ref.get("code") if isinstance(ref, dict) else ref


def differences(then: dict, today: dict) -> list[dict]:
    """Field by field: units and team/subject by code, values as they are, departments and
    zones as sets of codes."""
    out = []
    for name in UNITS:
        if _code(then.get(name)) != _code(today.get(name)):
            out.append({"field": name, "then": then.get(name), "today": today.get(name)})
    for name in VALUES:
        if then.get(name) != today.get(name):
            out.append({"field": name, "then": then.get(name), "today": today.get(name)})
    for name, key in (("departments", lambda d: d["code"]),
                      ("protected_areas", lambda z: f"{z['code']}:{z['zone']}")):
        before = sorted(key(x) for x in then.get(name) or [])
        after = sorted(key(x) for x in today.get(name) or [])
        if before != after:
            out.append({"field": name, "then": before, "today": after})
    return out


def replay(case, now=None) -> dict:
    now = now or timezone.now()
    generation, version = current_versions(case.county_id)
    then = case.routing or {}
    today, refused = None, None
    try:
        today = apply_county_rules(route(PointQuery(lon=case.location.x, lat=case.location.y),
                                         case.item.code, now=now, county_ids=[case.county_id]).as_dict(),
                                   case.county_id, now)
    except Refused as exc:
        refused = exc.refusal.as_dict()
    diff = differences(then, today) if today is not None else [{"field": "decision", "then": "routed",
                                                                  "today": refused}]
    return {
        "case": case.number, "point": {"lon": case.location.x, "lat": case.location.y, "crs": "EPSG:4326"},
        "as_made": {"at": timezone.localtime(case.created_at).isoformat(),
                    "territory_generation": case.territory_generation, "rule_version": case.rule_version,
                    "answer": then},
        "today": {"at": timezone.localtime(now).isoformat(), "territory_generation": generation,
                  "rule_version": version, "answer": today, "refused": refused},
        "same": not diff, "differences": diff,
    }
