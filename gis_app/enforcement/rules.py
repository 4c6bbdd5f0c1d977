"""DESIGN §4's rule table as pure functions: plain values in, the decision and its trace out.

No database, no settings, no clock: given the rows the router read for a point (its township
and acting unit, the township's authority for the item, the teams and departments involved,
the covering zones), these say

    (mode, subject, team, departments, severity, trace lines)

and nothing else decides them. `RuleBook` (rulebook.py) calls them once per distinct set of
arguments in a request and shares the answers (the batch speed-up is that cache).

| authority          | mode        | subject                      | team                               |
| statutory, granted | `township`  | the township                 | township's (or hub's) team         |
| entrusted          | `entrusted` | the entrusting department    | township's (or hub's) team         |
| county             | `county`    | the item's department        | township's (or hub's) team         |
| none (no row)      | `whistle`   | the item's department        | that department's team             |
| at sea             | `marine`    | the marine team's department | the county's marine team           |
Severity is the county's `severity` table (protected-area kind x zone x item domain;
default core = high, buffer = elevated, else normal: `severity_rule`, over severity.py's
rows), and the time limit its `deadlines` table on its working calendar (`deadline_rule`,
over deadlines.py's rows); departments to notify are the item's supporting departments plus
every covering zone's authority, each once, sorted by code.
"""
from __future__ import annotations

from dataclasses import dataclass

from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.deadlines import AppliedRule, DeadlineRow, ItemFacts, applied_rule
from gis_app.enforcement.locate import Unit
from gis_app.enforcement.models import Authority
from gis_app.enforcement.rows import DeptRow, ItemRow, TeamRow, ZoneRow
from gis_app.enforcement.severity import SeverityFinding, SeverityRow, severity_for
from gis_app.enforcement.worktime import WorkCalendar

OWN_NAME = (Authority.Kind.STATUTORY, Authority.Kind.GRANTED)


@dataclass(frozen=True)
class ZoneOutcome:
    """What the covering zones say: the answer's `protected_areas`, their authorities (to
    notify) and trace lines; `zones` as (code, kind, zone), what severity rows match on."""

    protected_areas: list[dict]
    departments: list[dict]
    trace: list[str]
    zones: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class AuthorityOutcome:
    """Who acts and in whose name: mode, subject, team (answer dicts) and trace lines."""

    mode: str
    subject: dict | None
    team: dict | None
    trace: list[str]


@dataclass(frozen=True)
class Decision:
    """The whole rule answer for one point and item."""

    mode: str
    subject: dict | None
    team: dict | None
    departments: list[dict]
    trace: list[str]


def zone_rule(zones: tuple[tuple[ZoneRow, DeptRow | None], ...]) -> ZoneOutcome:
    """Step 2: each covering zone with its authority department (None: the code names no
    department of the county). Zones come ordered by code and zone."""
    areas, depts, trace = [], [], []
    for zone, dept in zones:
        authority = dept.ref() if dept else {"code": zone.authority_code, "name": None}
        areas.append({"code": zone.code, "name": zone.name, "kind": zone.kind, "level": zone.level,
                      "zone": zone.zone, "authority": authority})
        depts.append(authority)
        line = Line("zone", code=zone.code, name=zone.name, zone=zone.zone, authority=zone.authority_code)
        if dept is None:
            line = line + Line("zone_authority_unknown", code=zone.authority_code)
        trace.append(line)
    if not zones:
        trace.append(Line("no_zone"))
    return ZoneOutcome(areas, depts, trace, tuple((z.code, z.kind, z.zone) for z, _ in zones))


def severity_rule(rows: tuple[SeverityRow, ...], zones: tuple[tuple[str, str, str], ...],
                  domain: str) -> SeverityFinding:
    """Step 2's severity: the county's `severity` rows for the covering zones (code, kind,
    zone) and the item's domain ("" without an item); the highest zone wins, the finding
    names the row (or default) that applied. The one rule for points and footprints."""
    return severity_for(rows, zones, domain)


def deadline_rule(rows: tuple[DeadlineRow, ...], item: ItemRow, severity: str,
                  calendar: WorkCalendar) -> AppliedRule:
    """Step 5's time limit: the county's most specific `deadlines` row for the item and the
    severity, else the whistle kind's default (calendar hours)."""
    return applied_rule(rows, ItemFacts(item.code, item.domain, item.action_type, item.whistle_kind,
                                        severity), calendar)


def dept_label(dept: DeptRow | None, dept_id: int) -> Line:
    """A department for the trace; says so when the row is not in the point's county."""
    return Line("dept", code=dept.code, name=dept.name) if dept else Line("dept_elsewhere", id=dept_id)


def _subject(dept: DeptRow | None) -> dict | None:
    return dept.as_subject if dept is not None else None


def authority_rule(*, township: Unit, acting: Unit, item_code: str, kind: str | None,
                   entrusting: DeptRow | None, item_department: DeptRow | None,
                   item_department_id: int, local_team: TeamRow | None,
                   department_team: TeamRow | None) -> AuthorityOutcome:
    """Steps 3-4 on land: the township's authority `kind` for the item (None: no row) decides
    mode and subject; `acting` is the township or, in a 1+X area, its hub; `local_team` is the
    acting township's team, `department_team` the item's department's team."""
    item_dept_label = dept_label(item_department, item_department_id)
    if kind in OWN_NAME:
        mode, team = "township", local_team
        subject = {"code": township.code, "name": township.name, "type": "township"}
        suffix = Line("mode_township")
    elif kind == Authority.Kind.ENTRUSTED:
        mode, subject, team = "entrusted", _subject(entrusting), local_team
        suffix = (Line("mode_entrusted", code=entrusting.code, name=entrusting.name) if entrusting
                  else Line("mode_entrusted_unknown"))
    elif kind == Authority.Kind.COUNTY:
        mode, subject, team = "county", _subject(item_department), local_team
        suffix = Line("mode_county", dept=item_dept_label)
    else:
        mode, subject, team = "whistle", _subject(item_department), department_team
        suffix = Line("mode_whistle", dept=item_dept_label)
    if mode != "whistle":
        if team:
            team_line = Line("team", code=team.code, name=team.name)
            if acting.id != township.id:
                team_line = team_line + Line("team_via_hub", hub=acting.name)
        else:
            team_line = Line("team_none", name=acting.name, code=acting.code)
    elif team:
        team_line = Line("team_department", code=team.code, name=team.name)
    else:
        team_line = Line("team_department_none", dept=item_dept_label)
    held = (Line("holds", township=township.name, item=item_code, kind=kind) if kind else
            Line("no_authority_row", township=township.name, item=item_code))
    return AuthorityOutcome(mode, subject, team.as_ref if team else None, [held + suffix, team_line])


def marine_rule(*, county: Unit, marine_team: TeamRow | None,
                marine_department: DeptRow | None) -> AuthorityOutcome:
    """At sea: the county's marine team, in its department's name."""
    trace = [Line("at_sea")]
    if marine_team:
        trace.append(Line("team_marine", code=marine_team.code, name=marine_team.name))
    else:
        trace.append(Line("team_marine_none", code=county.code))
    if marine_department:
        trace.append(Line("subject_marine", code=marine_department.code, name=marine_department.name))
    else:
        trace.append(Line("subject_marine_none"))
    return AuthorityOutcome("marine", _subject(marine_department),
                            marine_team.as_ref if marine_team else None, trace)


def departments_rule(supporting: tuple[DeptRow, ...],
                     zone_departments: list[dict]) -> tuple[list[dict], str]:
    """Step 5: (departments to notify sorted by code, trace line): the item's supporting
    departments plus the covering zones' authorities, each once."""
    departments = {}
    for dept in supporting:
        departments[dept.code] = dept.ref()
    for ref in zone_departments:
        departments.setdefault(ref["code"], ref)
    codes = ", ".join(sorted(departments))
    return ([departments[c] for c in sorted(departments)],
            Line("departments", codes=codes) if codes else Line("departments_none"))


def decide(*, zones: ZoneOutcome, authority: AuthorityOutcome, supporting: tuple[DeptRow, ...]) -> Decision:
    """The rule answer for a point and item from its zones' and authority's outcomes."""
    departments, line = departments_rule(supporting, zones.departments)
    return Decision(authority.mode, authority.subject, authority.team, departments,
                    [*zones.trace, *authority.trace, line])
