"""Pruning old generations from the archive: only by an explicit command (`prune_generations`).

Old generations stay queryable (archive.py) until someone decides otherwise. Pruning a
generation deletes the archived townships, villages, grids and zones no kept generation
spans, drops its organisation, and drops the rule tables of every rule version no kept
generation (or kept case) was decided with. It never prunes:
- the current generation and rule version (today's answers);
- a generation or rule version a case records, unless told (`include_referenced`): its
  replay would lose the re-run (it then falls back to the answer recorded on the case);
- the county outlines: a question about a pruned date is still placed in its county and
  refused by name (410 `not_archived`, enforcement/as_of.py), not mistaken for the sea.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from boundaries.models import ArchivedUnit, ArchivedZone, County, TerritoryGeneration
from gis_app.enforcement.as_of import day_end
from gis_app.enforcement.models import RuleVersion


@dataclass
class PrunePlan:
    """What pruning would remove (and what it keeps because cases record it)."""

    county: County
    generations: list[int] = field(default_factory=list)
    referenced: list[int] = field(default_factory=list)     # left because cases record them
    rule_versions: list[int] = field(default_factory=list)  # their tables dropped
    unit_ids: list[int] = field(default_factory=list)
    zone_ids: list[int] = field(default_factory=list)


def _recorded_by_cases(county: County) -> tuple[set[int], set[int]]:
    from gis_app.incidents.models import Case

    rows = Case.objects.filter(county=county).values_list("territory_generation", "rule_version").distinct()
    return {g for g, _ in rows if g is not None}, {v for _, v in rows if v is not None}


def _spanned(rows, kept: set[int]) -> list[int]:
    """Ids of (id, low, high) rows that no kept generation falls in."""
    return [pk for pk, low, high in rows if not any(low <= k <= high for k in kept)]


def plan_pruning(county: County, *, before: date | None = None, keep: int | None = None,
                 include_referenced: bool = False) -> PrunePlan:
    """`before`: the generations no longer in force when that day began; `keep`: all but the
    newest `keep` (at least 1). Neither touches the current generation."""
    if (before is None) == (keep is None):
        raise ValueError("give exactly one of before, keep")
    generations = list(TerritoryGeneration.objects.filter(county=county).order_by("number"))
    if keep is not None:
        candidates = generations[:-max(keep, 1)]
    else:
        start = day_end(before - timedelta(days=1))      # when `before` began, local time
        candidates = [g for g, successor in zip(generations, generations[1:]) if successor.imported_at < start]
    candidates = [g for g in candidates if g.pruned_at is None]
    cases_generations, cases_versions = _recorded_by_cases(county)
    out = PrunePlan(county)
    for g in candidates:
        (out.referenced if g.number in cases_generations and not include_referenced
         else out.generations).append(g.number)
    pruned = set(out.generations) | {g.number for g in generations if g.pruned_at is not None}
    kept = {g.number for g in generations} - pruned
    out.unit_ids = _spanned(ArchivedUnit.objects.filter(county=county).exclude(level="county")
                            .values_list("id", "generation_low", "generation_high"), kept)
    out.zone_ids = _spanned(ArchivedZone.objects.filter(county=county)
                            .values_list("id", "generation_low", "generation_high"), kept)
    versions = list(RuleVersion.objects.filter(county=county).order_by("number"))
    needed = {versions[-1].number} if versions else set()
    for g in generations:
        if g.number in kept:
            in_force = [v.number for v in versions if v.created_at <= g.imported_at]
            needed.update(in_force[-1:])
    if not include_referenced:
        needed |= cases_versions
    out.rule_versions = [v.number for v in versions if v.number not in needed and v.tables is not None]
    return out


def prune(plan: PrunePlan, now=None) -> None:
    """Apply a plan, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        ArchivedUnit.objects.filter(pk__in=plan.unit_ids).delete()
        ArchivedZone.objects.filter(pk__in=plan.zone_ids).delete()
        TerritoryGeneration.objects.filter(county=plan.county, number__in=plan.generations).update(
            pruned_at=now, organisation=None)
        RuleVersion.objects.filter(county=plan.county, number__in=plan.rule_versions).update(tables=None)
