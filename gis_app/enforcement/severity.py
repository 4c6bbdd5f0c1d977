"""Severity as data: protected-area kind x zone (x item domain) -> normal | elevated | high.

The county's optional `severity` table (SeverityRule rows) decides; blank keys match
anything and the most specific matching row applies (domain, then kind, then zone; on equal
specificity the earlier row). Without a matching row the default stays: a core zone is
`high`, a buffer zone `elevated` (building there is forbidden too), any other zone `normal`.
A point in several zones takes the highest; the answer says which row (or default) applied.

Pure functions over plain rows, tested row by row; `county_rows` reads the county's table.
"""
from __future__ import annotations

from dataclasses import dataclass

from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.locate import built_once

LEVELS = ("normal", "elevated", "high")
DEFAULT_BY_ZONE = {"core": "high", "buffer": "elevated"}


@dataclass(frozen=True)
class SeverityRow:
    row: int
    severity: str
    kind: str = ""
    zone: str = ""
    domain: str = ""

    def matches(self, kind: str, zone: str, domain: str) -> bool:
        return ((not self.kind or self.kind == kind) and (not self.zone or self.zone == zone)
                and (not self.domain or self.domain == domain))

    @property
    def specificity(self) -> tuple[bool, bool, bool]:
        return bool(self.domain), bool(self.kind), bool(self.zone)


@dataclass(frozen=True)
class SeverityFinding:
    """The severity of a point and why: the row (or default) and the zone that decided it."""

    severity: str
    source: str  # "table", "default" or "none" (no zone covers the point)
    row: int | None = None
    zone_code: str | None = None
    zone: str | None = None

    def as_dict(self) -> dict:
        return {"severity": self.severity, "source": self.source, "row": self.row,
                "zone_code": self.zone_code, "zone": self.zone}

    @built_once
    def shared_dict(self) -> dict:
        """`as_dict()` built once and shared by the router's answers (read-only)."""
        return self.as_dict()

    @built_once
    def trace_line(self) -> Line:
        """The trace's severity line, made once per finding (a batch names it per point)."""
        return Line("severity", finding=self.text)

    @property
    def text(self) -> Line:
        """Why, in words (answer_text.py's templates: English text, Chinese on demand)."""
        if self.source == "none":
            return Line("severity_none")
        return Line("severity_row" if self.source == "table" else "severity_default",
                    code=self.zone_code, zone=self.zone, severity=self.severity, row=self.row)


def zone_severity(rows, kind: str, zone: str, domain: str) -> tuple[str, int | None]:
    """(severity, row number or None for the default) for one covering zone."""
    best = None
    for row in rows:
        if row.matches(kind, zone, domain) and (best is None or row.specificity > best.specificity):
            best = row
    if best is not None:
        return best.severity, best.row
    return DEFAULT_BY_ZONE.get(zone, "normal"), None


def severity_for(rows, zones, domain: str) -> SeverityFinding:
    """`zones`: (code, kind, zone) of every zone covering the point; the highest wins (the
    first such zone, in the order given, names the reason)."""
    found = SeverityFinding("normal", "none")
    for code, kind, zone in zones:
        level, row = zone_severity(rows, kind, zone, domain)
        if found.source == "none" or LEVELS.index(level) > LEVELS.index(found.severity):
            found = SeverityFinding(level, "table" if row else "default", row, code, zone)
    return found


def county_rows(county_id: int) -> list[SeverityRow]:
    from gis_app.enforcement.models import SeverityRule

    return [SeverityRow(r.row, r.severity, r.kind, r.zone, r.domain)
            for r in SeverityRule.objects.filter(county_id=county_id)]
