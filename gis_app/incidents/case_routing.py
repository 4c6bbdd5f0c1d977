"""The router's answer frozen on a case: units, team, mode, subject, severity, the routing
JSON with its trace, the territory generation and rule version, and the clock started with
the deadline rule that applied; routing a case again (the `reroute` step, or after a
territory `--replace --reassign`) goes through the same function.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.deadlines import applied_rule, county_calendar, county_rows, item_facts
from gis_app.enforcement.models import Department, Team
from gis_app.enforcement.routing import PointQuery, RoutingDecision, route
from gis_app.enforcement.versions import current_versions
from gis_app.incidents import clock
from gis_app.incidents.audit import append_event
from gis_app.incidents.models import Case, CaseSupport


def apply_routing(case: Case, decision: RoutingDecision, now, answer: dict | None = None) -> None:
    """Freeze the router's answer on the case (`answer`: the whole answer when it is wider
    than the point's, as a footprint's is: its zones, severity and departments) and start its
    clock with the county's deadline rule for the item and the severity
    (enforcement/deadlines.py). A point's answer carries that rule already (the router read
    the county's deadline rows in its one statement): it is used as it is, not read again;
    a wider answer (a footprint's severity may be higher than its point's) reads its own."""
    loc = decision.placement.location
    county_id = loc.county.id
    rule = decision.deadline_rule if answer is None else None
    answer = answer or decision.as_dict()   # the county's severity and deadline rows applied
    case.township_id = loc.township.id if loc.township else None
    case.village_id = loc.village.id if loc.village else None
    case.grid_id = loc.grid.id if loc.grid else None
    case.hub_id = decision.placement.hub.id if decision.placement.hub else None
    case.team = Team.objects.filter(county_id=county_id, code=(decision.team or {}).get("code")).first()
    case.department_id = case.item.department_id
    case.mode = decision.mode
    case.subject = decision.subject or {}
    case.severity = answer["severity"]
    case.at_sea = decision.at_sea
    case.whistle_kind = case.item.whistle_kind
    case.routing = answer
    case.territory_generation, case.rule_version = current_versions(county_id)
    calendar = county_calendar(county_id)
    if rule is None:
        rule = applied_rule(county_rows(county_id), item_facts(case.item, case.severity), calendar)
    clock.start(case, rule, calendar, now)


def set_supports(case: Case, decision: RoutingDecision) -> None:
    codes = [d["code"] for d in case.routing.get("departments", decision.departments)]
    departments = Department.objects.filter(county_id=case.county_id, code__in=codes)
    CaseSupport.objects.filter(case=case).exclude(department__in=departments).delete()
    for department in departments:
        CaseSupport.objects.get_or_create(case=case, department=department)


def routing_changes(case: Case) -> dict:
    return {"team": case.team.code if case.team else None, "mode": case.mode, "subject": case.subject,
            "hub": case.routing.get("hub"), "severity": case.severity,
            "departments": [d["code"] for d in case.routing.get("departments", [])],
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "deadline_rule": case.deadline_rule.get("text")}


def reroute(case: Case, now) -> dict:
    before = routing_changes(case)
    if case.footprint is not None:   # an area case is routed as its footprint, again
        from gis_app.enforcement.footprint import check_footprint

        check = check_footprint(case.footprint, item_code=case.item.code,
                                county_ids=[case.county_id], now=now)
        decision = check.decision
        case.location = check.acting_point
        apply_routing(case, decision, now, check.decision_dict())
    else:
        query = PointQuery(lon=case.location.x, lat=case.location.y)
        decision = route(query, case.item.code, now=now, county_ids=[case.county_id])
        apply_routing(case, decision, now)
    set_supports(case, decision)
    return {"before": before, "after": routing_changes(case)}


def case_reroute_after_import(*, case_id: int, bundle: str, team_before: str | None = None,
                              now=None) -> Case:
    """A territory `--replace --reassign` moved this open case's ground or team away: route it
    again through the router on the new territory, in the same state, and say so in the trail."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("item").get(pk=case_id)
        changes = reroute(case, now)
        changes["before"]["team"] = team_before   # the importer had to detach it first
        changes["bundle"] = bundle
        case.version += 1
        case.updated_at = now
        case.save()
        append_event(case, kind="reroute", from_state=case.state, to_state=case.state, user=None,
                     role="importer", at=now, changes=changes,
                     note=f"territory replaced by bundle {bundle}: routed again")
    return case
