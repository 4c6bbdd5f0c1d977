"""What a `--replace` would cut loose, found before anything is deleted.

A replacing bundle that leaves out a township, village, grid, team, department or item
would, through the foreign keys' delete rules, set an open case's township to NULL for
good (no team sees it again), delete a team's GPS tracks and patrol plans, leave members
without their team or grids, or stop the import with a ProtectedError. So the importer
asks here first, inside its transaction, after the new territory is staged:

- open cases in dropped territory or assigned to a dropped team are refused, naming their
  numbers, unless `--reassign`: then they are detached now and re-routed through the router
  once the new territory is in place (`reroute_detached`), each with an audit event;
- cases (open or closed) of a dropped department or item, closed cases of a dropped team,
  tracks and plans of a dropped team, and members of a dropped team, department or grid are
  always refused, named: history cannot be re-routed; keep those rows in the bundle.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from boundaries.models import County, Grid, Township, Village
from gis_app.bundles import staging
from gis_app.bundles.problems import Report
from gis_app.enforcement.models import CatalogItem, Department, Member, Team
from gis_app.incidents.models import OPEN_STATES, Case, CaseSupport
from gis_app.patrols.models import PatrolPlan, Track

_SHOWN = 20  # names listed per problem; the count is always complete


@dataclass
class Dropped:
    """Ids of the county's rows the new bundle no longer has."""

    townships: list[int] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)
    grids: list[int] = field(default_factory=list)
    teams: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    items: list[int] = field(default_factory=list)


def dropped_rows(cursor, county: County, org: dict) -> Dropped:
    """Compare what is stored for `county` with the staged territory and the new tables."""
    def codes(name):
        frame = org.get(name)
        return set() if frame is None else set(frame["code"])

    def ids(queryset, keep):
        return list(queryset.exclude(code__in=keep).values_list("id", flat=True))

    return Dropped(
        townships=ids(Township.objects.filter(county=county), staging.staged_codes(cursor, "township")),
        villages=ids(Village.objects.filter(county=county), staging.staged_codes(cursor, "village")),
        grids=ids(Grid.objects.filter(county=county), staging.staged_codes(cursor, "grid")),
        teams=ids(Team.objects.filter(county=county), codes("teams")),
        departments=ids(Department.objects.filter(county=county), codes("departments")),
        items=ids(CatalogItem.objects.filter(county=county), codes("catalogue")))


def _listed(label: str, names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return f"{len(names)} {label}: {shown}{more}"


def orphaned_open_cases(d: Dropped):
    """Open cases the drop would leave without their territory or their team."""
    return Case.objects.filter(state__in=OPEN_STATES).filter(
        Q(township_id__in=d.townships) | Q(village_id__in=d.villages) | Q(grid_id__in=d.grids)
        | Q(hub_id__in=d.townships) | Q(team_id__in=d.teams))


def check(d: Dropped, report: Report, *, reassign: bool) -> None:
    """Name every row the drop would orphan; `reassign` lets open cases be re-routed."""
    def problem(table: str, what: str, names) -> None:
        names = [str(n) for n in names]
        if names:
            report.problem(table, "", "", f"{what}; {_listed('affected', names)}")

    if not reassign:
        problem("replace", "open cases lie in territory or belong to teams this bundle drops "
                "(use --reassign to re-route them through the router)",
                orphaned_open_cases(d).order_by("number").values_list("number", flat=True))
    problem("catalogue", "cases use catalogue items this bundle drops (keep the items)",
            Case.objects.filter(item_id__in=d.items).order_by("number").values_list("number", flat=True))
    problem("departments", "cases are the responsibility of departments this bundle drops "
            "(keep the departments)",
            Case.objects.filter(Q(department_id__in=d.departments) | Q(
                pk__in=CaseSupport.objects.filter(department_id__in=d.departments).values("case_id")))
            .order_by("number").values_list("number", flat=True))
    problem("teams", "closed cases belong to teams this bundle drops (keep the teams)",
            Case.objects.exclude(state__in=OPEN_STATES).filter(team_id__in=d.teams)
            .order_by("number").values_list("number", flat=True))
    problem("teams", "GPS tracks belong to teams this bundle drops (keep the teams)",
            [f"track {pk} ({team})" for pk, team in Track.objects.filter(team_id__in=d.teams)
             .order_by("pk").values_list("pk", "team__code")])
    problem("teams", "patrol plans belong to teams this bundle drops (keep the teams)",
            [f"plan {pk} {name}" for pk, name in PatrolPlan.objects.filter(team_id__in=d.teams)
             .order_by("pk").values_list("pk", "name")])
    problem("teams", "members belong to teams or departments this bundle drops",
            Member.objects.filter(Q(team_id__in=d.teams) | Q(department_id__in=d.departments))
            .order_by("user__username").values_list("user__username", flat=True))
    problem("grids", "grid members are assigned grids this bundle drops",
            Member.objects.filter(grids__in=d.grids).distinct().order_by("user__username")
            .values_list("user__username", flat=True))


def detach_open_cases(d: Dropped) -> dict[int, str | None]:
    """With --reassign: take dropped teams off open cases (their PROTECT would stop the
    delete); territory goes by SET_NULL. The cases are re-routed after the merge; returns
    each one's team code before, for its audit event."""
    before = dict(orphaned_open_cases(d).values_list("pk", "team__code"))
    Case.objects.filter(pk__in=list(before), team_id__in=d.teams).update(team=None)
    return before
