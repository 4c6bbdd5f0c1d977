"""The rule rows the router reads with its points, by name.

`locate.read_territory` fetches them in one statement as JSON arrays (smaller and faster to
parse than objects); each class here names the columns of one array, in the order the SQL
builds it (`dims` in locate.py), and `from_dims` is the only place that reads positions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from datetime import date

from gis_app.enforcement.deadlines import DeadlineRow
from gis_app.enforcement.locate import Unit, built_once
from gis_app.enforcement.severity import SeverityRow


@dataclass(frozen=True)
class DeptRow:
    """A department: dims["departments"] = [id, county_id, code, name, kind]."""

    id: int
    county_id: int
    code: str
    name: str
    kind: str

    def ref(self) -> dict:
        return {"code": self.code, "name": self.name}

    @built_once
    def as_subject(self) -> dict:
        """The department as an answer's `subject`; built once, shared (read-only)."""
        return {"code": self.code, "name": self.name, "type": "department"}


@dataclass(frozen=True)
class TeamRow:
    """A team: dims["teams"] = [county_id, id, code, name, kind, township_id, department_id]."""

    county_id: int
    id: int
    code: str
    name: str
    kind: str
    township_id: int | None
    department_id: int | None

    @built_once
    def as_ref(self) -> dict:
        """The team as an answer's `team`; built once, shared (read-only)."""
        return {"code": self.code, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class ItemRow:
    """A catalogue item: dims["items"] = [id, county_id, code, name, whistle_kind,
    department_id, supporting department ids, domain, action_type] (domain and action type:
    what the county's severity and deadline rows may match on)."""

    id: int
    county_id: int
    code: str
    name: str
    whistle_kind: str
    department_id: int
    supporting_ids: tuple[int, ...]
    domain: str = ""
    action_type: str = ""

    @built_once
    def as_ref(self) -> dict:
        """The item as an answer's `item`; built once, shared (read-only)."""
        return {"code": self.code, "name": self.name, "whistle_kind": self.whistle_kind}


class AuthorityRow(NamedTuple):
    """A township's authority for an item: dims["authorities"] = [township_id, item_id,
    kind, entrusting department id]. A named tuple: a batch reads one per township and item
    (~8,000), and a frozen dataclass costs 3x as much to make."""

    township_id: int
    item_id: int
    kind: str
    entrusting_id: int | None


@dataclass(frozen=True)
class HubRow:
    """A township in a 1+X hub area: dims["hubs"] = [township_id, hub id, code, name, kind]."""

    township_id: int
    hub: Unit


@dataclass(frozen=True)
class ZoneRow:
    """A protected-area zone: dims["zones"] = [id, code, name, kind, level, zone, authority_code]."""

    id: int
    code: str
    name: str
    kind: str
    level: str
    zone: str
    authority_code: str


def from_dims(dims: dict) -> dict[str, list]:
    """The rows of `dims` as named rows, per table. The county rule tables (`severity`,
    `deadlines`, `calendar`) come as (county_id, row) pairs, rows of severity.py and
    deadlines.py."""
    return {
        "departments": [DeptRow(*row) for row in dims.get("departments", ())],
        "teams": [TeamRow(*row) for row in dims.get("teams", ())],
        "items": [ItemRow(i, c, code, name, w, d, tuple(s), *rest)
                  for i, c, code, name, w, d, s, *rest in dims.get("items", ())],
        "authorities": [AuthorityRow(*row) for row in dims.get("authorities", ())],
        "hubs": [HubRow(t, Unit(*hub)) for t, *hub in dims.get("hubs", ())],
        "zones": [ZoneRow(*row) for row in dims.get("zones", ())],
        "severity": [(c, SeverityRow(*row)) for c, *row in dims.get("severity") or ()],
        "deadlines": [(c, DeadlineRow(*row)) for c, *row in dims.get("deadlines") or ()],
        "calendar": [(c, date.fromisoformat(day), workday)
                     for c, day, workday in dims.get("calendar") or ()],
    }


def stamps(dims: dict) -> dict[int, int]:
    """dims["stamps"] = [county_id, rules stamp] -> {county_id: stamp} (decision_cache.py)."""
    return dict(dims.get("stamps") or ())
