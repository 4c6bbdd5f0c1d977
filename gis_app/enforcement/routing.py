"""The router: who is responsible at a point, in whose name they act, who is told, by when.

DESIGN §4, step by step, with a trace of why:
1. locate the point (`locate.py`: county, township, village, grid; smallest code on shared
   borders; in the county but on no township = at sea -> the marine team, mode `marine`);
2. protected-area zones covering it: their authority departments are told; severity from the
   county's `severity` table (default core -> `high`, buffer -> `elevated`), naming the row;
3. the township's own team, or its 1+X hub township's team (`hub` names the hub);
4. mode, subject and team from the township's authority for the item (no row = none):
   statutory/granted -> township; entrusted -> the entrusting department; county -> the
   item's department through the local team; none -> whistle to the item's department's team
   (the table itself, as pure functions: `rules.py`);
5. departments = supporting departments + zone authorities (deduplicated, sorted by code);
   deadline = now + the limit of the county's `deadlines` row for the item and severity, on its
   working calendar (no row: the whistle kind's hours, settings.WHISTLE_DEADLINE_HOURS).

One code path serves one point or ten thousand: one statement locates all points and fetches
every rule row they may need (`locate.read_territory`: one snapshot, one round trip), and the
rules are applied in Python over those small tables (`RuleBook`). Parts shared by many
points (zones, trace lines, the authority answer of a township for an item, the answer's
unit and team dicts) are computed once per call and shared: answers are read-only.
Batches of more than `locate.PIECE_POINTS` points are read in pieces from one snapshot
(`locate.read_territory_pieces`), so that the rules of one piece run while the database
reads the next.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from gis_app.enforcement import rows, rules
from gis_app.enforcement.deadlines import AppliedRule, due
from gis_app.enforcement.locate import (PIECE_POINTS, Location, Nearest, TerritoryRead, Unit,
                                        read_territory, read_territory_pieces)
from gis_app.enforcement.models import Team
from gis_app.enforcement.rows import AuthorityRow, DeptRow, ItemRow, TeamRow, ZoneRow
from gis_app.enforcement.severity import SeverityFinding
from gis_app.enforcement.worktime import WorkCalendar, parse_working_hours

WGS84 = "EPSG:4326"
MAX_BATCH = 10_000


@contextmanager
def gc_paused(enabled: bool = True):
    """Pause the cyclic garbage collector while a batch allocates its ~10^5 small objects.

    Nothing a batch builds is cyclic (reference counting frees it all); yet each 700 new
    containers trigger a collection that walks the growing heap: 0.5 s of a 10,000-point
    batch, measured. Nesting-safe: only the outermost pause re-enables.
    """
    if not enabled or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- what goes in and what comes out -----------------------------------------------------

@dataclass(frozen=True)
class PointQuery:
    """A point as the client sent it and as stored (WGS84), for the `query` echo."""

    lon: float
    lat: float
    received_lon: float | None = None
    received_lat: float | None = None
    received_crs: str = WGS84

    def as_dict(self) -> dict:
        stored = {"lon": self.lon, "lat": self.lat, "crs": WGS84}
        lon = self.lon if self.received_lon is None else self.received_lon
        lat = self.lat if self.received_lat is None else self.received_lat
        if self.received_crs == WGS84 and lon == self.lon and lat == self.lat:
            return {"received": stored, "stored": stored}     # the same, shared (read-only)
        return {"received": {"lon": lon, "lat": lat, "crs": self.received_crs}, "stored": stored}

    def describe(self) -> str:
        stored = f"({self.lon:.7f}, {self.lat:.7f}) {WGS84}"
        if self.received_crs == WGS84:
            return f"point {stored}"
        return (f"point ({self.received_lon}, {self.received_lat}) {self.received_crs} "
                f"converted to {stored}")


@dataclass(frozen=True)
class Refusal:
    """Why a point gets no decision: status 400 (bad input), 403 (not this user's county)
    or 422 (outside every county, naming the nearest unit and its distance in metres)."""

    status: int
    error: str
    detail: str
    parameter: str | None = None
    nearest: Nearest | None = None

    def as_dict(self) -> dict:
        out = {"error": self.error, "detail": self.detail}
        if self.parameter:
            out["parameter"] = self.parameter
        if self.nearest is not None:
            out.update(self.nearest.as_dict())
        elif self.error == OUTSIDE:
            out.update({"nearest": None, "distance_m": None})
        return out


class Refused(Exception):
    """Raised by the single-point functions; carries the Refusal."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.detail)
        self.refusal = refusal


OUTSIDE = "outside_jurisdiction"


@dataclass(slots=True)
class Placement:
    """Where a point is, what protects it and whose hub it is in (the `/api/locate` answer)."""

    query: PointQuery
    location: Location
    hub: Unit | None
    protected_areas: list[dict]
    zone_departments: list[dict]
    severity_finding: SeverityFinding     # without an item: rows with a domain do not apply
    trace: list[str]                      # without the severity line (it depends on the item)

    @property
    def severity(self) -> str:
        return self.severity_finding.severity

    def as_dict(self) -> dict:
        loc = self.location
        return {
            **_unit_refs(loc, self.hub),
            "at_sea": loc.at_sea,
            "severity": self.severity,
            "severity_rule": self.severity_finding.as_dict(),
            "protected_areas": self.protected_areas,
            "trace": [*self.trace, f"severity: {self.severity_finding.text}"],
            "query": self.query.as_dict(),
        }


@dataclass(slots=True)
class RoutingDecision:
    """The router's answer for one point and item (DESIGN §4 response fields)."""

    placement: Placement
    item: dict
    team: dict | None
    subject: dict | None
    mode: str
    departments: list[dict]
    deadline: datetime
    trace: list[str] = field(default_factory=list)
    deadline_text: str | None = None      # ISO 8601 in local time, when already formatted
    severity_finding: SeverityFinding | None = None   # for the item's domain (None: the placement's)
    deadline_rule: AppliedRule | None = None

    @property
    def at_sea(self) -> bool:
        return self.placement.location.at_sea

    @property
    def severity(self) -> str:
        return (self.severity_finding or self.placement.severity_finding).severity

    def as_dict(self, **head) -> dict:
        """The answer's JSON fields, after `head` (e.g. a batch's index, id and status).
        Parts shared with other answers (unit, team and department objects, lists of zones and
        departments) are shared objects: read the answer, do not change it in place."""
        p = self.placement
        loc = p.location
        return {
            **head,
            **_unit_refs(loc, p.hub),
            "team": self.team,
            "subject": self.subject,
            "at_sea": loc.at_sea,
            "mode": self.mode,
            "severity": self.severity,
            "severity_rule": (self.severity_finding or p.severity_finding).as_dict(),
            "protected_areas": p.protected_areas,
            "departments": self.departments,
            "deadline": self.deadline_text or timezone.localtime(self.deadline).isoformat(),
            "deadline_rule": self.deadline_rule.as_dict() if self.deadline_rule else None,
            "item": self.item,
            "trace": self.trace,
            "query": p.query.as_dict(),
        }


def _unit_refs(loc, hub) -> dict:
    """The located units and the hub, as both the locate and the route answers give them."""
    return {"county": _ref(loc.county), "township": _ref(loc.township, kind=True),
            "village": _ref(loc.village, kind=True), "grid": _ref(loc.grid), "hub": _ref(hub)}


def _ref(unit: Unit | None, kind: bool = False) -> dict | None:
    """The unit as an answer field: one dict per unit, shared by every answer that names it
    (answers are read-only; a batch names the same township thousands of times)."""
    if unit is None:
        return None
    return unit.ref_with_kind if kind else unit.ref_plain


# --- the rule tables involved, fetched once ------------------------------------------------

@dataclass
class RuleBook:
    """The small dimension tables the rules need for a set of located points (departments,
    teams, items, authority rows, hubs and zones of the counties and townships involved, as
    named rows), indexed for the lookups the rules make, and a cache of the rules' answers.

    The rules themselves are `rules.py`'s pure functions; a batch meets the same township and
    item, zone set or whistle kind again and again, so each answer is computed once per
    distinct arguments (keyed by the rows' ids) and shared: answers are read-only.
    """

    departments: dict[int, DeptRow] = field(default_factory=dict)
    department_by_code: dict[tuple[int, str], DeptRow] = field(default_factory=dict)
    township_teams: dict[int, TeamRow] = field(default_factory=dict)
    department_teams: dict[int, TeamRow] = field(default_factory=dict)
    marine_teams: dict[int, TeamRow] = field(default_factory=dict)
    items: dict[tuple[int, str], ItemRow] = field(default_factory=dict)
    authorities: dict[tuple[int, int], AuthorityRow] = field(default_factory=dict)
    hubs: dict[int, Unit] = field(default_factory=dict)
    zones: dict[int, ZoneRow] = field(default_factory=dict)
    # The counties' own rule tables, by county id (small; empty without a table).
    severity_rows: dict[int, list] = field(default_factory=dict)
    deadline_rows: dict[int, list] = field(default_factory=dict)
    calendar_days: dict[int, dict] = field(default_factory=dict)
    # The cache of rule answers and of pieces shared by many points, per call.
    _zone_memo: dict = field(default_factory=dict)
    _rule_memo: dict = field(default_factory=dict)
    _deadline_memo: dict = field(default_factory=dict)
    _line_memo: dict = field(default_factory=dict)
    _severity_memo: dict = field(default_factory=dict)
    _calendar_memo: dict = field(default_factory=dict)
    _departments_memo: dict = field(default_factory=dict)
    _place_memo: dict = field(default_factory=dict)

    @classmethod
    def from_dims(cls, dims: dict) -> "RuleBook":
        """Index the rule rows `locate.read_territory` fetched with the points."""
        book = cls()
        named = rows.from_dims(dims)
        for dept in named["departments"]:
            book.departments[dept.id] = dept
            book.department_by_code[(dept.county_id, dept.code)] = dept
        # Teams come ordered by code: where data holds two candidates, the smallest code wins.
        for team in named["teams"]:
            if team.kind == Team.Kind.TOWNSHIP_TEAM and team.township_id:
                book.township_teams.setdefault(team.township_id, team)
            elif team.kind == Team.Kind.DEPARTMENT and team.department_id:
                book.department_teams.setdefault(team.department_id, team)
            elif team.kind == Team.Kind.MARINE:
                book.marine_teams.setdefault(team.county_id, team)
                if team.department_id:  # it is also its department's team, for whistles on land
                    book.department_teams.setdefault(team.department_id, team)
        for item in named["items"]:
            book.items[(item.county_id, item.code)] = item
        for row in named["authorities"]:
            book.authorities[(row.township_id, row.item_id)] = row
        # Hubs come ordered by hub code: a township in two hub areas goes to the smaller.
        for row in named["hubs"]:
            book.hubs.setdefault(row.township_id, row.hub)
        for zone in named["zones"]:
            book.zones[zone.id] = zone
        for county_id, row in named["severity"]:
            book.severity_rows.setdefault(county_id, []).append(row)
        for county_id, row in named["deadlines"]:
            book.deadline_rows.setdefault(county_id, []).append(row)
        for county_id, day, workday in named["calendar"]:
            book.calendar_days.setdefault(county_id, {})[day] = workday
        return book

    # --- the rules' answers, cached by their arguments ---------------------------------------

    def zone_facts(self, county_id: int, zone_ids: tuple[int, ...]) -> rules.ZoneOutcome:
        """rules.zone_rule for the covering zones (with their authority departments)."""
        key = (county_id, zone_ids)
        found = self._zone_memo.get(key)
        if found is None:
            zones = tuple((z, self.department_by_code.get((county_id, z.authority_code)))
                          for z in (self.zones[i] for i in zone_ids))
            found = self._zone_memo[key] = rules.zone_rule(zones)
        return found

    def authority_rule(self, township: Unit, acting: Unit, item: ItemRow) -> rules.AuthorityOutcome:
        """rules.authority_rule for the township's authority row for the item."""
        key = (township.id, acting.id, item.id)
        found = self._rule_memo.get(key)
        if found is None:
            row = self.authorities.get((township.id, item.id))
            kind, entrusting_id = (row.kind, row.entrusting_id) if row else (None, None)
            found = self._rule_memo[key] = rules.authority_rule(
                township=township, acting=acting, item_code=item.code, kind=kind,
                entrusting=self.departments.get(entrusting_id) if entrusting_id else None,
                item_department=self.departments.get(item.department_id),
                item_department_id=item.department_id,
                local_team=self.township_teams.get(acting.id),
                department_team=self.department_teams.get(item.department_id))
        return found

    def marine_rule(self, county: Unit) -> rules.AuthorityOutcome:
        """rules.marine_rule for the county's marine team and its department."""
        key = ("marine", county.id)
        found = self._rule_memo.get(key)
        if found is None:
            team = self.marine_teams.get(county.id)
            dept = self.departments.get(team.department_id) if team and team.department_id else None
            found = self._rule_memo[key] = rules.marine_rule(county=county, marine_team=team,
                                                             marine_department=dept)
        return found

    def departments_to_notify(self, item: ItemRow, county_id: int, zone_ids, zone_departments):
        """rules.departments_rule: (departments sorted by code, trace line)."""
        key = (item.id, county_id, zone_ids)
        found = self._departments_memo.get(key)
        if found is None:
            supporting = tuple(d for d in (self.departments.get(i) for i in item.supporting_ids) if d)
            found = self._departments_memo[key] = rules.departments_rule(supporting, zone_departments)
        return found

    def severity(self, county_id: int, zone_ids: tuple[int, ...], zones: rules.ZoneOutcome,
                 domain: str) -> SeverityFinding:
        """rules.severity_rule with the county's severity rows, per zone set and domain."""
        key = (county_id, zone_ids, domain)
        found = self._severity_memo.get(key)
        if found is None:
            found = self._severity_memo[key] = rules.severity_rule(
                self.severity_rows.get(county_id, ()), zones.zones, domain)
        return found

    def severity_line(self, finding: SeverityFinding) -> str:
        found = self._line_memo.get(finding)
        if found is None:
            found = self._line_memo[finding] = f"severity: {finding.text}"
        return found

    def calendar(self, county_id: int) -> WorkCalendar:
        """The county's working calendar (national days, its `calendar` rows, the hours setting)."""
        found = self._calendar_memo.get(county_id)
        if found is None:
            found = self._calendar_memo[county_id] = WorkCalendar(
                parse_working_hours(settings.WORKING_HOURS), timezone.get_default_timezone(),
                self.calendar_days.get(county_id, {}))
        return found

    def deadline(self, county_id: int, item: ItemRow, severity: str, now: datetime):
        """(applied rule, deadline, its ISO 8601 text, trace line) for an item and severity in
        a county (rules.deadline_rule); worked out once per call, not once per point."""
        key = (county_id, item.id, severity)
        found = self._deadline_memo.get(key)
        if found is None:
            calendar = self.calendar(county_id)
            rule = rules.deadline_rule(self.deadline_rows.get(county_id, ()), item, severity, calendar)
            deadline = due(rule, calendar, now)
            found = self._deadline_memo[key] = (
                rule, deadline, timezone.localtime(deadline).isoformat(), f"deadline: {rule.text}")
        return found


# --- placing and routing -------------------------------------------------------------------

def _unit_line(level: str, unit: Unit, n: int) -> str:
    line = f"{level} {unit.code} {unit.name} covers the point"
    if n > 1:
        line += f" (on a border shared by {n} {level}s: the smallest code wins)"
    return line


def _location_lines(loc: Location) -> tuple[list[str], bool]:
    """The trace lines for county, township and village, and whether a grid line follows."""
    lines = [_unit_line("county", loc.county, 1)]
    if loc.township is None:
        lines.append("no township covers the point")
        return lines, False
    lines.append(_unit_line("township", loc.township, loc.covering_townships))
    if loc.village is None:
        lines.append("no village of the chosen unit covers the point")
        return lines, False
    lines.append(_unit_line("village", loc.village, loc.covering_villages))
    return lines, True


def _place(query: PointQuery, loc: Location, book: RuleBook) -> Placement:
    """Where the point is, what protects it, whose hub it is in. All but the point's own trace
    line and its grid's are shared by the points of one village and zone set: computed once."""
    t, v = loc.township, loc.village
    key = (loc.county.id, t.id if t else None, loc.covering_townships,
           v.id if v else None, loc.covering_villages, loc.zone_ids)
    shared = book._place_memo.get(key)
    if shared is None:
        head, grid_follows = _location_lines(loc)
        zones = book.zone_facts(loc.county.id, loc.zone_ids)
        areas, zone_depts = zones.protected_areas, zones.departments
        severity = book.severity(loc.county.id, loc.zone_ids, zones, "")
        tail = list(zones.trace)
        hub = book.hubs.get(t.id) if t else None
        if hub:
            tail.append(f"{t.name} is covered by hub {hub.code} {hub.name} (1+X): "
                        f"the hub's team serves it")
        shared = book._place_memo[key] = (head, grid_follows, tail, hub, areas, zone_depts, severity)
    head, grid_follows, tail, hub, areas, zone_depts, severity = shared
    if grid_follows:
        g = loc.grid
        gkey = (g.id, loc.covering_grids) if g else None
        line = book._line_memo.get(gkey)
        if line is None:
            line = book._line_memo[gkey] = (_unit_line("grid", g, loc.covering_grids) if g
                                            else "no grid of the chosen unit covers the point")
        trace = [query.describe(), *head, line, *tail]
    else:
        trace = [query.describe(), *head, *tail]
    return Placement(query, loc, hub, areas, zone_depts, severity, trace)


def _decide(placement: Placement, item: ItemRow, book: RuleBook, now: datetime) -> RoutingDecision:
    loc = placement.location
    township = loc.township
    if township is None:                    # at sea (the county is known here)
        rule = book.marine_rule(loc.county)
    else:
        rule = book.authority_rule(township, placement.hub or township, item)
    departments, departments_line = book.departments_to_notify(item, loc.county.id, loc.zone_ids,
                                                               placement.zone_departments)
    county_id = loc.county.id
    severity = book.severity(county_id, loc.zone_ids, book.zone_facts(county_id, loc.zone_ids),
                             item.domain)
    deadline_rule, deadline, deadline_text, deadline_line = book.deadline(county_id, item,
                                                                          severity.severity, now)
    return RoutingDecision(placement, item.as_ref, rule.team, rule.subject, rule.mode, departments,
                           deadline, [*placement.trace, *rule.trace, departments_line,
                                      book.severity_line(severity), deadline_line],
                           deadline_text, severity, deadline_rule)


def _allowed(loc: Location, county_ids) -> bool:
    return county_ids is None or loc.county.id in county_ids


def _forbidden(loc: Location) -> Refusal:
    return Refusal(403, "forbidden", f"the point is in county {loc.county.code} "
                                     f"{loc.county.name}, which this account may not act in")


def _refusals(locations: list[Location], county_ids) -> dict[int, Refusal]:
    """Points outside every county (422) or outside the caller's counties (403), by index."""
    refusals: dict[int, Refusal] = {}
    for i, loc in enumerate(locations):
        if not loc.inside:
            near = loc.nearest
            where = (f"{near.distance_m:.2f} m from {near.level} {near.unit.code} {near.unit.name}"
                     if near else "no county is loaded")
            refusals[i] = Refusal(422, OUTSIDE, f"the point is outside every county ({where})",
                                  nearest=near)
        elif not _allowed(loc, county_ids):
            refusals[i] = _forbidden(loc)
    return refusals


def _read(queries: list[PointQuery], item_codes, county_ids):
    """Locate every point and fetch the rule rows (one statement); refuse those outside every
    county (422) or outside the caller's counties (403). Returns (locations, refusals by
    index, RuleBook)."""
    read = read_territory([q.lon for q in queries], [q.lat for q in queries], item_codes)
    return read.locations, _refusals(read.locations, county_ids), RuleBook.from_dims(read.dims)


def _route_read(queries, item_codes, read: TerritoryRead, now: datetime,
                county_ids) -> list[RoutingDecision | Refusal]:
    """The answers for points whose territory and rule rows `read` holds, in order."""
    refusals = _refusals(read.locations, county_ids)
    book = RuleBook.from_dims(read.dims)
    out: list[RoutingDecision | Refusal] = []
    for i, (query, loc, code) in enumerate(zip(queries, read.locations, item_codes)):
        if i in refusals:
            out.append(refusals[i])
            continue
        item = book.items.get((loc.county.id, code)) if code else None
        if item is None:
            reason = (f"unknown item {code!r} in the catalogue of county {loc.county.code} "
                      f"{loc.county.name}") if code else "required"
            out.append(Refusal(400, "bad_parameter", f"item: {reason}", parameter="item"))
            continue
        out.append(_decide(_place(query, loc, book), item, book, now))
    return out


def iter_route_points(queries: list[PointQuery], item_codes: list[str | None],
                      now: datetime | None = None, county_ids=None):
    """`route_points`, one answer at a time. A batch of more than `PIECE_POINTS` points is
    read in pieces from one snapshot (`locate.read_territory_pieces`): the database reads the
    next piece while the answers of this one are worked out and consumed, so a caller that
    turns each answer into JSON as it comes overlaps its work with the database's too."""
    if len(queries) != len(item_codes):
        raise ValueError("one item code per point")
    now = now or timezone.now()
    lons, lats = [q.lon for q in queries], [q.lat for q in queries]
    if len(queries) > PIECE_POINTS and not connection.in_atomic_block:
        for offset, read in read_territory_pieces(lons, lats, item_codes):
            end = offset + len(read.locations)
            yield from _route_read(queries[offset:end], item_codes[offset:end], read, now,
                                   county_ids)
    else:
        yield from _route_read(queries, item_codes, read_territory(lons, lats, item_codes), now,
                               county_ids)


def route_from_read(queries: list[PointQuery], item_codes: list[str | None], read: TerritoryRead,
                    now: datetime, county_ids=None) -> list[RoutingDecision | Refusal]:
    """The answers for points whose territory and rule rows `read` holds: a live read, or an
    archived generation's (enforcement/archive_locate.py: replay and `?at=`), decided by the
    same rules."""
    return _route_read(queries, item_codes, read, now, county_ids)


def route_points(queries: list[PointQuery], item_codes: list[str | None],
                 now: datetime | None = None, county_ids=None) -> list[RoutingDecision | Refusal]:
    """Route many points at once; one RoutingDecision or Refusal per point, in order.

    `item_codes[i]` is looked up in the county covering point i; `county_ids` limits where
    the caller may act (None: anywhere). `now` fixes the clock for deadlines.
    """
    with gc_paused(len(queries) > 100):
        return list(iter_route_points(queries, item_codes, now=now, county_ids=county_ids))


def route(query: PointQuery, item_code: str, now: datetime | None = None,
          county_ids=None) -> RoutingDecision:
    """Route one point; raises Refused (400 / 403 / 422) when there is no decision."""
    result = route_points([query], [item_code], now=now, county_ids=county_ids)[0]
    if isinstance(result, Refusal):
        raise Refused(result)
    return result


def place_points(queries: list[PointQuery], county_ids=None) -> list[Placement | Refusal]:
    """The units, zones and hub at each point, without an item (the map screen's locate)."""
    locations, refusals, book = _read(queries, (), county_ids)
    return [refusals[i] if i in refusals else _place(q, loc, book)
            for i, (q, loc) in enumerate(zip(queries, locations))]


def place(query: PointQuery, county_ids=None) -> Placement:
    result = place_points([query], county_ids)[0]
    if isinstance(result, Refusal):
        raise Refused(result)
    return result
