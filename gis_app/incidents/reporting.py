"""Reports in: a case opened from a point or an area (一口受理), and a joint inspection's
cases (综合查一次). Each runs in one transaction that also appends its audit events
(`reported`, then the router's `routed`), so a refused report leaves nothing half-stored.
The router's answer is frozen on the case by case_routing.py.
"""
from __future__ import annotations

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.borders import near_border
from gis_app.enforcement.borders import tolerance as border_tolerance
from gis_app.enforcement.models import CatalogItem
from gis_app.enforcement.routing import PointQuery, route
from gis_app.incidents import access
from gis_app.incidents.audit import append_event
from gis_app.incidents.case_routing import apply_routing, routing_changes, set_supports
from gis_app.incidents.models import Case, JointInspection, State
from gis_app.incidents.workflow import StepError
from gis_app.text import text_problem

MAX_DESCRIPTION = 5000


def member_of(user):
    """The user's Member row (county and role); a 403 naming what is missing without one."""
    member = getattr(user, "member", None)
    if member is None:
        raise StepError(403, "no_membership", "this account has no organisation membership "
                        "(county and role); ask an administrator to create its Member row")
    return member


def role_name(user) -> str:
    """The role an event records for the user ('' without membership)."""
    return access.role_of(user) or ""


@transaction.atomic
def case_report(*, user, query: PointQuery, item_code: str, description: str,
                source: str = Case.Source.APP, now=None, joint_inspection=None,
                tolerance_m: float | None = None) -> Case:
    """一口受理: route the report and open the case, assigned to the routed team. A point with
    another township's land (or the sea) within `tolerance_m` (default the setting) also
    waits in the command centre's "to confirm" queue (incidents/confirmation.py).

    Raises routing.Refused (400/403/422, e.g. outside the jurisdiction) or StepError.
    """
    now = now or timezone.now()
    member = member_of(user)
    if not access.may_report(member):
        raise StepError(403, "forbidden", f"a {member.role} account does not report cases")
    description = checked_description(description)
    reach = border_tolerance(tolerance_m)
    decision = route(query, item_code, now=now, county_ids=[member.county_id], tolerance_m=reach)
    grid = decision.placement.location.grid
    if member.role == access.Role.GRID_MEMBER and (grid is None or not member.grids.filter(pk=grid.id).exists()):
        where = f"grid {grid.code} {grid.name}" if grid else "no grid (at sea)"
        raise StepError(403, "outside_own_grids", f"the point is in {where}, which is not one of "
                        "this grid member's grids")
    loc = decision.placement.location
    item = CatalogItem.objects.get(county_id=loc.county.id, code=decision.item["code"])
    case = Case(county_id=loc.county.id, item=item,
                description=description, location=query_point(query), reporter=user, source=source,
                received=query.as_dict()["received"], joint_inspection=joint_inspection,
                created_at=now, updated_at=now, state=State.REPORTED, number="")
    apply_routing(case, decision, now)
    near = near_border(decision, item_code, reach, now=now,
                       county_ids=[member.county_id])
    case.to_confirm, case.border_candidates = near.ambiguous, near.candidates if near.ambiguous else []
    _store_numbered(case, decision, now)
    append_event(case, kind="reported", from_state="", to_state=State.REPORTED, user=user,
                 role=member.role, at=now, where=case.location, note=description,
                 changes={"item": item_code, "received": case.received, "source": source,
                          **({"near_border": near.as_dict()} if near.ambiguous else {})})
    case.state = State.ASSIGNED
    Case.objects.filter(pk=case.pk).update(state=case.state)
    append_event(case, kind="routed", from_state=State.REPORTED, to_state=State.ASSIGNED, user=None,
                 role="router", at=now, changes=routing_changes(case), note="; ".join(decision.trace))
    return case


@transaction.atomic
def case_report_footprint(*, user, footprint, received_crs: str, item_code: str, description: str,
                          source: str = Case.Source.APP, now=None) -> Case:
    """一口受理 of an area (a building, a farm): the footprint check decides (the township
    with the largest share acts; every touched zone's authority is told; a core zone makes
    it high), and the case keeps its footprint, pinned at a point inside the acting part.

    Raises routing.Refused (400/403/422) or StepError, as `case_report` does.
    """
    from gis_app.enforcement.footprint import check_footprint

    now = now or timezone.now()
    member = member_of(user)
    if not access.may_report(member) or member.role == access.Role.GRID_MEMBER:
        raise StepError(403, "forbidden", f"a {member.role} account does not report area cases")
    description = checked_description(description)
    check = check_footprint(footprint, item_code=item_code, county_ids=[member.county_id], now=now)
    decision = check.decision
    loc = decision.placement.location
    item = CatalogItem.objects.get(county_id=loc.county.id, code=decision.item["code"])
    received = {"footprint": True, "crs": received_crs, "area_m2": round(check.area_m2, 2)}
    case = Case(county_id=loc.county.id, item=item, description=description,
                location=check.acting_point, footprint=footprint, reporter=user, source=source,
                received=received, created_at=now, updated_at=now, state=State.REPORTED, number="")
    apply_routing(case, decision, now, check.decision_dict())
    _store_numbered(case, decision, now)
    append_event(case, kind="reported", from_state="", to_state=State.REPORTED, user=user,
                 role=member.role, at=now, where=case.location, note=description,
                 changes={"item": item_code, "received": received, "source": source,
                          "zones": check.zone_dicts()})
    case.state = State.ASSIGNED
    Case.objects.filter(pk=case.pk).update(state=case.state)
    append_event(case, kind="routed", from_state=State.REPORTED, to_state=State.ASSIGNED, user=None,
                 role="router", at=now, changes=routing_changes(case),
                 note="; ".join(case.routing["trace"]))
    return case


@transaction.atomic
def joint_inspection_create(*, user, query: PointQuery, item_codes: list[str], name: str,
                            description: str, planned_at=None, now=None) -> JointInspection:
    """One visit to one place for several items: a case per item, one lead team."""
    now = now or timezone.now()
    member = member_of(user)
    if not access.may_organise_joint_inspections(member):
        raise StepError(403, "forbidden", "joint inspections are organised by the command centre")
    if not isinstance(item_codes, (list, tuple)) or not all(isinstance(c, str) for c in item_codes):
        raise StepError(400, "bad_parameter", "items: must be a list of item codes", parameter="items")
    codes = list(dict.fromkeys(c.strip() for c in item_codes if c and c.strip()))
    if len(codes) < 2:
        raise StepError(400, "bad_parameter", "items: a joint inspection bundles at least two items",
                        parameter="items")
    name = text_field(name, "name")
    description = text_field(description, "description")
    if not name:
        raise StepError(400, "bad_parameter", "name: required", parameter="name")
    inspection = JointInspection.objects.create(county_id=member.county_id, name=name.strip(),
                                                location=query_point(query), planned_at=planned_at,
                                                created_by=user, created_at=now)
    cases = [case_report(user=user, query=query, item_code=code, description=description,
                         source=Case.Source.INSPECTION, now=now, joint_inspection=inspection)
             for code in codes]
    # The township's own team leads when it acts for any item; else the first acting team.
    lead = next((c.team for c in cases if c.team and c.team.kind == "township_team"), cases[0].team)
    inspection.lead_team = lead
    inspection.save(update_fields=["lead_team"])
    return inspection


def checked_description(description: str) -> str:
    description = text_field(description, "description")
    if not description:
        raise StepError(400, "bad_parameter", "description: required", parameter="description")
    if len(description) > MAX_DESCRIPTION:
        raise StepError(400, "bad_parameter", f"description: longer than {MAX_DESCRIPTION} characters",
                        parameter="description")
    return description


def text_field(value, name: str) -> str:
    """A free-text field from a request (JSON may hold anything): text, stripped; None is ''."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise StepError(400, "bad_parameter", f"{name}: must be text, not {type(value).__name__}",
                        parameter=name)
    problem = text_problem(value)   # multipart fields do not pass the web gate's body check
    if problem:
        raise StepError(400, "bad_parameter", f"{name}: {problem}", parameter=name)
    return value.strip()


def query_point(query: PointQuery) -> Point:
    return Point(query.lon, query.lat, srid=4326)


def _store_numbered(case: Case, decision, now) -> None:
    """Save a new case, give it its number (county, day in the county's zone, row id: the id
    exists only once saved) and record its supporting departments; both intakes end so."""
    case.save()
    county_code = decision.placement.location.county.code
    case.number = f"{county_code}-{timezone.localtime(now):%Y%m%d}-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    set_supports(case, decision)
