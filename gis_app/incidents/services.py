"""Writes and decisions on cases: intake, one function per step of the loop, escalation,
attachments, joint inspections. Each runs in one transaction that also appends its audit
event, so a crash between steps leaves the case exactly in its last recorded state.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.borders import near_border
from gis_app.enforcement.borders import tolerance as border_tolerance
from gis_app.enforcement.deadlines import applied_rule, county_calendar, county_rows, item_facts
from gis_app.enforcement.models import CatalogItem, Department, Team
from gis_app.enforcement.routing import PointQuery, RoutingDecision, route
from gis_app.incidents import access
from gis_app.enforcement.versions import current_versions
from gis_app.incidents import clock
from gis_app.incidents.audit import append_event
from gis_app.incidents.models import OPEN_STATES, Attachment, Case, CaseSupport, JointInspection, State
from gis_app.incidents.photos import check_count, files_removed_on_failure, record_evidence, store_photos
from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.workflow import STEPS, StepError, actor_kinds, check_step
from gis_app.text import text_problem

MAX_DESCRIPTION = 5000


def _member(user):
    member = getattr(user, "member", None)
    if member is None:
        raise StepError(403, "no_membership", "this account has no organisation membership "
                        "(county and role); ask an administrator to create its Member row")
    return member


def _role(user) -> str:
    return access.role_of(user) or ""


# --- intake ----------------------------------------------------------------------------------

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
    member = _member(user)
    if not access.may_report(member):
        raise StepError(403, "forbidden", f"a {member.role} account does not report cases")
    description = _checked_description(description)
    decision = route(query, item_code, now=now, county_ids=[member.county_id])
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
    _apply_routing(case, decision, now)
    near = near_border(decision, item_code, border_tolerance(tolerance_m), now=now,
                       county_ids=[member.county_id])
    case.to_confirm, case.border_candidates = near.ambiguous, near.candidates if near.ambiguous else []
    case.save()
    case.number = f"{loc.county.code}-{timezone.localtime(now):%Y%m%d}-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    _set_supports(case, decision)
    append_event(case, kind="reported", from_state="", to_state=State.REPORTED, user=user,
                 role=member.role, at=now, where=case.location, note=description,
                 changes={"item": item_code, "received": case.received, "source": source,
                          **({"near_border": near.as_dict()} if near.ambiguous else {})})
    case.state = State.ASSIGNED
    Case.objects.filter(pk=case.pk).update(state=case.state)
    append_event(case, kind="routed", from_state=State.REPORTED, to_state=State.ASSIGNED, user=None,
                 role="router", at=now, changes=_routing_changes(case), note="; ".join(decision.trace))
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
    member = _member(user)
    if not access.may_report(member) or member.role == access.Role.GRID_MEMBER:
        raise StepError(403, "forbidden", f"a {member.role} account does not report area cases")
    description = _checked_description(description)
    check = check_footprint(footprint, item_code=item_code, county_ids=[member.county_id], now=now)
    decision = check.decision
    loc = decision.placement.location
    item = CatalogItem.objects.get(county_id=loc.county.id, code=decision.item["code"])
    received = {"footprint": True, "crs": received_crs, "area_m2": round(check.area_m2, 2)}
    case = Case(county_id=loc.county.id, item=item, description=description,
                location=check.acting_point, footprint=footprint, reporter=user, source=source,
                received=received, created_at=now, updated_at=now, state=State.REPORTED, number="")
    _apply_routing(case, decision, now, check.decision_dict())
    case.save()
    case.number = f"{loc.county.code}-{timezone.localtime(now):%Y%m%d}-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    _set_supports(case, decision)
    append_event(case, kind="reported", from_state="", to_state=State.REPORTED, user=user,
                 role=member.role, at=now, where=case.location, note=description,
                 changes={"item": item_code, "received": received, "source": source,
                          "zones": check.zone_dicts()})
    case.state = State.ASSIGNED
    Case.objects.filter(pk=case.pk).update(state=case.state)
    append_event(case, kind="routed", from_state=State.REPORTED, to_state=State.ASSIGNED, user=None,
                 role="router", at=now, changes=_routing_changes(case),
                 note="; ".join(case.routing["trace"]))
    return case


def _checked_description(description: str) -> str:
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


def _apply_routing(case: Case, decision: RoutingDecision, now, answer: dict | None = None) -> None:
    """Freeze the router's answer on the case (`answer`: the whole answer when it is wider
    than the point's, as a footprint's is: its zones, severity and departments) and start its
    clock with the county's deadline rule for the item and the severity
    (enforcement/deadlines.py)."""
    loc = decision.placement.location
    county_id = loc.county.id
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
    rule = applied_rule(county_rows(county_id), item_facts(case.item, case.severity), calendar)
    clock.start(case, rule, calendar, now)


def _set_supports(case: Case, decision: RoutingDecision) -> None:
    codes = [d["code"] for d in case.routing.get("departments", decision.departments)]
    departments = Department.objects.filter(county_id=case.county_id, code__in=codes)
    CaseSupport.objects.filter(case=case).exclude(department__in=departments).delete()
    for department in departments:
        CaseSupport.objects.get_or_create(case=case, department=department)


def _routing_changes(case: Case) -> dict:
    return {"team": case.team.code if case.team else None, "mode": case.mode, "subject": case.subject,
            "hub": case.routing.get("hub"), "severity": case.severity,
            "departments": [d["code"] for d in case.routing.get("departments", [])],
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "deadline_rule": case.deadline_rule.get("text")}


# --- the loop --------------------------------------------------------------------------------

def _take(step_name: str, *, case: Case, user, version, note: str = "", where=None, now=None,
          team_code: str | None = None, photos=(), apply=None) -> Case:
    """One step in one transaction: the case locked, checked, changed, its event appended.

    `photos` are (stage, photos.Photo) pairs already checked, stored with the step (处置's
    before/after photos) and recorded in an attachment event after the step's own.
    `apply(case, now, note)` makes a step's own change (the clock's and the border's steps)
    and returns what it changed, for the event.
    """
    step = STEPS[step_name]
    now = now or timezone.now()
    note = text_field(note, "note")
    photos = list(photos)
    if photos:
        check_count(len(photos))
    with files_removed_on_failure() as written, transaction.atomic():
        locked = visible_cases(user).select_for_update(of=("self",)).filter(pk=case.pk).first()
        if locked is None:
            raise StepError(404, "not_found", f"no case {case.pk} within this account's reach")
        case = locked
        check_step(step, user, case)
        if version is None:
            raise StepError(400, "bad_parameter", "version: required (the case version you acted "
                            "on, for optimistic locking)", parameter="version")
        if int(version) != case.version:
            raise StepError(409, "conflict", f"the case changed meanwhile (version {case.version}, "
                            f"you acted on {version}); reload it and decide again")
        if step.needs_note and not note:
            raise StepError(400, "bad_parameter", f"note: required for {step.name} ({step.label})",
                            parameter="note")
        before = case.state
        changes: dict = {}
        if step.needs_team:
            changes.update(_transfer_to(case, team_code))
        if step_name == "reroute":
            changes.update(_reroute(case, now))
        if apply is not None:
            changes.update(apply(case, now, note))
        if step_name == "escalate":
            case.escalated_at = case.escalated_at or now
            changes["escalated_at"] = case.escalated_at.isoformat()
        if step_name == "report_for_duty":
            member = user.member
            CaseSupport.objects.filter(case=case, department_id=member.department_id,
                                       reported_at__isnull=True).update(reported_at=now)
            changes["department"] = member.department.code
        if step_name == "arrive":
            changes.update(_arrival(case, where))
        if step.target:
            case.state = step.target
        if case.state == State.CLOSED:
            case.closed_at = now
            clock.finish(case, county_calendar(case.county_id), now)
            changes["clock"] = {"used_seconds": round(case.clock_used_s, 3),
                                "budget_seconds": case.clock_budget_s, "on_time": clock.on_time(case)}
        case.version += 1
        case.updated_at = now
        case.save()
        append_event(case, kind=step_name, from_state=before, to_state=case.state, user=user,
                     role=_role(user), at=now, where=where, changes=changes, note=note)
        store_photos(case, photos, user=user, written=written, now=now)
        record_evidence(case, user=user, role=_role(user), now=now, photos=photos)
    return case


def _arrival(case: Case, where) -> dict:
    """到场: how far from the case the officer says they stand (metres on the spheroid, by
    PostGIS), flagged `far` beyond CASE_ARRIVAL_MAX_METRES; unknown when no position came."""
    limit = settings.CASE_ARRIVAL_MAX_METRES
    if where is None:
        return {"distance_m": None, "limit_m": limit, "far": None}
    distance = Case.objects.filter(pk=case.pk).annotate(
        d=Distance("location", where)).values_list("d", flat=True).get()
    metres = round(distance.m, 1)
    return {"distance_m": metres, "limit_m": limit, "far": metres > limit}


def _transfer_to(case: Case, team_code: str | None) -> dict:
    if not team_code:
        raise StepError(400, "bad_parameter", "team: required (the code of the team to transfer to)",
                        parameter="team")
    team = Team.objects.filter(county_id=case.county_id, code=team_code).first()
    if team is None:
        raise StepError(400, "bad_parameter", f"team: no team {team_code!r} in this county", parameter="team")
    before = case.team.code if case.team else None
    case.team = team
    return {"team": {"from": before, "to": team.code}}


def _reroute(case: Case, now) -> dict:
    before = _routing_changes(case)
    if case.footprint is not None:   # an area case is routed as its footprint, again
        from gis_app.enforcement.footprint import check_footprint

        check = check_footprint(case.footprint, item_code=case.item.code,
                                county_ids=[case.county_id], now=now)
        decision = check.decision
        case.location = check.acting_point
        _apply_routing(case, decision, now, check.decision_dict())
    else:
        query = PointQuery(lon=case.location.x, lat=case.location.y)
        decision = route(query, case.item.code, now=now, county_ids=[case.county_id])
        _apply_routing(case, decision, now)
    _set_supports(case, decision)
    return {"before": before, "after": _routing_changes(case)}


def case_reroute_after_import(*, case_id: int, bundle: str, team_before: str | None = None,
                              now=None) -> Case:
    """A territory `--replace --reassign` moved this open case's ground or team away: route it
    again through the router on the new territory, in the same state, and say so in the trail."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("item").get(pk=case_id)
        changes = _reroute(case, now)
        changes["before"]["team"] = team_before   # the importer had to detach it first
        changes["bundle"] = bundle
        case.version += 1
        case.updated_at = now
        case.save()
        append_event(case, kind="reroute", from_state=case.state, to_state=case.state, user=None,
                     role="importer", at=now, changes=changes,
                     note=f"territory replaced by bundle {bundle}: routed again")
    return case


def case_accept(*, case, user, version, note="", where=None, now=None):
    return _take("accept", case=case, user=user, version=version, note=note, where=where, now=now)


def case_return(*, case, user, version, note="", where=None, now=None):
    return _take("return", case=case, user=user, version=version, note=note, where=where, now=now)


def case_arrive(*, case, user, version, note="", where=None, now=None, photos=()):
    """到场: `where` is the phone's position; its distance from the case is recorded."""
    return _take("arrive", case=case, user=user, version=version, note=note, where=where, now=now,
                 photos=photos)


def case_handle(*, case, user, version, note="", where=None, now=None, photos=()):
    """处置: the note says what was done; `photos` are (before|after, Photo) pairs."""
    return _take("handle", case=case, user=user, version=version, note=note, where=where, now=now,
                 photos=photos)


def case_review(*, case, user, version, note="", where=None, now=None):
    return _take("review", case=case, user=user, version=version, note=note, where=where, now=now)


def case_send_back(*, case, user, version, note="", where=None, now=None):
    return _take("send_back", case=case, user=user, version=version, note=note, where=where, now=now)


def case_close(*, case, user, version, note="", where=None, now=None):
    return _take("close", case=case, user=user, version=version, note=note, where=where, now=now)


def case_archive(*, case, user, version, note="", where=None, now=None):
    return _take("archive", case=case, user=user, version=version, note=note, where=where, now=now)


def case_transfer(*, case, user, version, team_code, note="", where=None, now=None):
    return _take("transfer", case=case, user=user, version=version, note=note, where=where, now=now,
                 team_code=team_code)


def case_reroute(*, case, user, version, note="", where=None, now=None):
    return _take("reroute", case=case, user=user, version=version, note=note, where=where, now=now)


def case_reject(*, case, user, version, note="", where=None, now=None):
    return _take("reject", case=case, user=user, version=version, note=note, where=where, now=now)


def case_escalate(*, case, user, version, note="", where=None, now=None):
    return _take("escalate", case=case, user=user, version=version, note=note, where=where, now=now)


def case_report_for_duty(*, case, user, version, note="", where=None, now=None):
    return _take("report_for_duty", case=case, user=user, version=version, note=note, where=where, now=now)


STEP_FUNCTIONS = {
    "accept": case_accept, "return": case_return, "arrive": case_arrive, "handle": case_handle,
    "review": case_review, "send_back": case_send_back, "close": case_close, "archive": case_archive,
    "transfer": case_transfer, "reroute": case_reroute, "reject": case_reject,
    "escalate": case_escalate, "report_for_duty": case_report_for_duty,
}


# --- attachments -----------------------------------------------------------------------------

# What a phone or a scanner sends; identified by the bytes, not the client's word.
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"%PDF-", "application/pdf", ".pdf"))


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[4:8] == b"ftyp":
        return "video/mp4", ".mp4"
    return None


def attachment_add(*, case: Case, user, upload, now=None) -> Attachment:
    """Photos, videos and documents of a case: checked by size and by content."""
    now = now or timezone.now()
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if upload is None:
        raise StepError(400, "bad_parameter", "file: required", parameter="file")
    if upload.size > limit:
        raise StepError(400, "bad_parameter", f"file: {upload.size} bytes is over the limit of {limit}",
                        parameter="file")
    data = upload.read(limit + 1)
    kind = sniff(data[:16])
    if kind is None:
        raise StepError(400, "bad_parameter", "file: not a JPEG, PNG, PDF or MP4 file (checked by its "
                        "content)", parameter="file")
    with transaction.atomic():
        case = visible_cases(user).select_for_update(of=("self",)).filter(pk=case.pk).first()
        if case is None:
            raise StepError(404, "not_found", "no such case within this account's reach")
        if not (actor_kinds(user, case) or case.reporter_id == user.pk):
            raise StepError(403, "forbidden", "only the reporter, the acting team, a supporting "
                            "department or the command centre add attachments")
        digest = hashlib.sha256(data).hexdigest()
        name = (upload.name or "attachment").rsplit("/", 1)[-1][:100]
        attachment = Attachment(case=case, filename=name, content_type=kind[0], size=len(data),
                                sha256=digest, uploaded_by=user, uploaded_at=now)
        attachment.file.save(f"{digest[:16]}{kind[1]}", ContentFile(data), save=False)
        attachment.save()
        append_event(case, kind="attachment", from_state=case.state, to_state=case.state, user=user,
                     role=_role(user), at=now, changes={"attachment": attachment.pk, "sha256": digest,
                                                        "content_type": kind[0], "size": len(data)})
    return attachment


# --- 综合查一次 ------------------------------------------------------------------------------

@transaction.atomic
def joint_inspection_create(*, user, query: PointQuery, item_codes: list[str], name: str,
                            description: str, planned_at=None, now=None) -> JointInspection:
    """One visit to one place for several items: a case per item, one lead team."""
    now = now or timezone.now()
    member = _member(user)
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
