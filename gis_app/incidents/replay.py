"""Explain a past decision: as it was made, and as it would be made today.

A case keeps the router's whole answer at intake (`routing`, with its trace) and the
territory generation and rule version that were current (`territory_generation`,
`rule_version`). `replay` runs the router twice on the case's point: in the case's own
generation and rule version, read from the archive (enforcement/as_of.py: the same rules,
fed from the archive tables), and today; and says, field by field, what differs (a border
moved by a `--replace`, an authority row changed, a new severity or deadline rule). It also
says whether the re-run agrees with the answer recorded on the case. A generation no longer
in the archive (pruned, or recorded before the archive was kept) is compared from the
record instead, and the answer says so (`as_made.source`).
"""
from __future__ import annotations

from django.utils import timezone

from gis_app.enforcement.as_of import case_pins, route_pinned
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


def _rerun(case, query: PointQuery) -> tuple[dict | None, dict | None]:
    """(answer, refusal) of the router in the case's own generation and rule version, at the
    time the case was opened."""
    pins = case_pins(case.county_id, case.territory_generation, case.rule_version)
    try:
        answer, _ = route_pinned(query, case.item.code, pins, case.created_at, [case.county_id])
        return answer, None
    except Refused as exc:
        return None, exc.refusal.as_dict()


def replay(case, now=None) -> dict:
    now = now or timezone.now()
    generation, version = current_versions(case.county_id)
    query = PointQuery(lon=case.location.x, lat=case.location.y)
    recorded = case.routing or {}
    rerun, rerun_refused = _rerun(case, query)
    archived = not (rerun_refused or {}).get("error") == "not_archived"
    then = rerun if archived else recorded
    today, refused = None, None
    try:
        today = route(query, case.item.code, now=now, county_ids=[case.county_id]).as_dict()
    except Refused as exc:
        refused = exc.refusal.as_dict()
    if then is not None and today is not None:
        diff = differences(then, today)
    elif then is None and today is None:
        diff = []
    else:          # routed one way, refused the other
        diff = [{"field": "decision", "then": "routed" if then is not None else rerun_refused,
                 "today": "routed" if today is not None else refused}]
    return {
        "case": case.number, "point": {"lon": case.location.x, "lat": case.location.y, "crs": "EPSG:4326"},
        "as_made": {"at": timezone.localtime(case.created_at).isoformat(),
                    "territory_generation": case.territory_generation, "rule_version": case.rule_version,
                    "source": "archive" if archived else "record",
                    "answer": then, "refused": rerun_refused, "recorded": recorded,
                    "recorded_differences": differences(recorded, rerun) if rerun is not None else None},
        "today": {"at": timezone.localtime(now).isoformat(), "territory_generation": generation,
                  "rule_version": version, "answer": today, "refused": refused},
        "same": not diff, "differences": diff,
    }
