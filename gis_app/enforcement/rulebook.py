"""The rule tables a routing call needs, indexed, and the cache of the rules' answers.

`locate.read_territory` fetches the small dimension rows with the points (one statement);
`RuleBook` indexes them for the lookups DESIGN §4's rules make and calls `rules.py`'s pure
functions once per distinct arguments in a call: a batch meets the same township and item,
zone set or whistle kind again and again, and shares the answers (read-only).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from gis_app.enforcement import rows, rules
from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.deadlines import due
from gis_app.enforcement.locate import Unit
from gis_app.enforcement.models import Team
from gis_app.enforcement.rows import AuthorityRow, DeptRow, ItemRow, TeamRow, ZoneRow
from gis_app.enforcement.severity import SeverityFinding
from gis_app.enforcement.worktime import WorkCalendar, parse_working_hours


#: rules.authority_rule's answers by the values of its arguments, as plain tuples (codes,
#: names, ids: the row objects' generated hashing, in Python, cost what the cache saved), kept
#: across requests: a county's requests meet the same township, item, authority and teams
#: again and again. A renamed team or a changed authority row is another key. Cleared whole
#: when full.
OUTCOME_CACHE_ENTRIES = 50_000
_outcomes: dict[tuple, rules.AuthorityOutcome] = {}


def _named(row, *more) -> tuple | None:
    """A department's or team's values as the rules use them (None: no row)."""
    return None if row is None else (row.code, row.name, *more)


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
            entrusting = self.departments.get(entrusting_id) if entrusting_id else None
            department = self.departments.get(item.department_id)
            local_team = self.township_teams.get(acting.id)
            department_team = self.department_teams.get(item.department_id)
            values = (township.id, township.code, township.name, acting.id, acting.code,
                      acting.name, item.code, kind, _named(entrusting), _named(department),
                      item.department_id, local_team and _named(local_team, local_team.kind),
                      department_team and _named(department_team, department_team.kind))
            found = _outcomes.get(values)
            if found is None:
                if len(_outcomes) >= OUTCOME_CACHE_ENTRIES:
                    _outcomes.clear()
                found = _outcomes[values] = rules.authority_rule(
                    township=township, acting=acting, item_code=item.code, kind=kind,
                    entrusting=entrusting, item_department=department,
                    item_department_id=item.department_id, local_team=local_team,
                    department_team=department_team)
            self._rule_memo[key] = found
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
        return finding.trace_line

    def calendar(self, county_id: int) -> WorkCalendar:
        """The county's working calendar (national days, its `calendar` rows, the hours setting)."""
        found = self._calendar_memo.get(county_id)
        if found is None:
            found = self._calendar_memo[county_id] = WorkCalendar(
                parse_working_hours(settings.WORKING_HOURS), timezone.get_default_timezone(),
                self.calendar_days.get(county_id, {}))
        return found

    def deadline(self, county_id: int, item: ItemRow, severity: str, now: datetime | None):
        """(applied rule, deadline, its ISO 8601 text, trace line) for an item and severity in
        a county (rules.deadline_rule); worked out once per call, not once per point. With
        `now` None the deadline and its text are None: the batch's kept decisions work it out
        per request (batch_answers.py)."""
        key = (county_id, item.id, severity, now is None)
        found = self._deadline_memo.get(key)
        if found is None:
            calendar = self.calendar(county_id)
            rule = rules.deadline_rule(self.deadline_rows.get(county_id, ()), item, severity, calendar)
            found = self._deadline_memo[key] = (
                rule, *(due_at(rule, calendar, now) if now is not None else (None, None)),
                Line("deadline", rule=rule.text))
        return found


def due_at(rule, calendar: WorkCalendar, now: datetime) -> tuple[datetime, str]:
    """(the deadline of `rule` started at `now`, its ISO 8601 text in local time)."""
    deadline = due(rule, calendar, now)
    return deadline, timezone.localtime(deadline).isoformat()

