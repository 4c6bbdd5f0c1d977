"""The router's answers: the point asked about, a refusal, a placement (`/api/locate`) and a
routing decision (`/api/route`, each batch point), and their JSON fields.

Answers are read-only and share their parts (unit and team dicts, zone and department lists)
with every other answer of the same call: a batch names the same township thousands of times.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.utils import timezone

from gis_app.enforcement.answer_text import Line, point_text
from gis_app.enforcement.deadlines import AppliedRule
from gis_app.enforcement.locate import Location, Nearest, Unit
from gis_app.enforcement.severity import SeverityFinding

WGS84 = "EPSG:4326"
OUTSIDE = "outside_jurisdiction"


class PointQuery(NamedTuple):
    """A point as the client sent it and as stored (WGS84), for the `query` echo.
    Immutable; a named tuple, not a frozen dataclass (like locate.Location): a batch makes
    10,000, and a frozen dataclass sets its five fields one call each (1.0 us a point; this
    0.4 us, measured)."""

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

    def describe(self) -> Line:
        """The trace's first line: the point as stored (and as received, when converted)."""
        stored = {"lon": f"{self.lon:.7f}", "lat": f"{self.lat:.7f}", "crs": WGS84}
        if self.received_crs == WGS84:
            return Line.single("point", lon=stored["lon"], lat=stored["lat"], crs=WGS84)
        return Line.single("point_converted", received_lon=self.received_lon,
                    received_lat=self.received_lat, received_crs=self.received_crs, **stored)

    def describe_text(self, english: bool) -> str:
        """`describe()` as plain text in English or Chinese, made without a Line for a point
        received in WGS84 (a batch writes 10,000 of these)."""
        if self.received_crs == WGS84:
            return point_text(self.lon, self.lat, WGS84, english)
        line = self.describe()
        return line if english else line.zh


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
            "trace": [*self.trace, Line("severity", finding=self.severity_finding.text)],
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
        return answer_dict(head, loc, p.hub, self.team, self.subject, self.mode,
                           self.severity_finding or p.severity_finding, p.protected_areas,
                           self.departments,
                           self.deadline_text or timezone.localtime(self.deadline).isoformat(),
                           self.deadline_rule, self.item, self.trace, p.query.as_dict())


def answer_dict(head: dict, loc: Location, hub, team, subject, mode, severity: SeverityFinding,
                protected_areas, departments, deadline_text: str, deadline_rule, item, trace,
                query) -> dict:
    """A routing answer's JSON fields in order, after `head` (the one home of its shape: the
    single route's and, once per decision key, the batch's, batch_answers.py)."""
    return {
        **head,
        "county": _ref(loc.county), "township": _ref(loc.township, kind=True),
        "village": _ref(loc.village, kind=True), "grid": _ref(loc.grid), "hub": _ref(hub),
        "team": team,
        "subject": subject,
        "at_sea": loc.at_sea,
        "mode": mode,
        "severity": severity.severity,
        "severity_rule": severity.shared_dict,
        "protected_areas": protected_areas,
        "departments": departments,
        "deadline": deadline_text,
        "deadline_rule": deadline_rule.shared_dict if deadline_rule else None,
        "item": item,
        "trace": trace,
        "query": query,
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

