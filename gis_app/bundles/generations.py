"""Generations: each import of a county is a territory generation; each change of its rule
tables (catalogue, authority, deadlines, severity, calendar) a new rule version. Recorded by
the importer in its transaction; cases record the numbers current at intake (incidents
services), so a decision can be told as made and replayed as it would be made today.

Like MapIt's generations, but per county: the numbers name versions; the rows of earlier
generations are replaced (an import swaps the county), so a replay compares the answer as
recorded on the case with the router's answer today.
"""
from __future__ import annotations

import hashlib

from django.db.models import Max
from django.utils import timezone

from boundaries.models import County, TerritoryGeneration
from gis_app.enforcement.models import (Authority, CalendarDay, CatalogItem, DeadlineRule, RuleVersion,
                                        SeverityRule)


def rules_digest(county: County) -> str:
    """A fingerprint of the county's rule tables, as codes and values (not row ids)."""
    parts = [
        sorted(CatalogItem.objects.filter(county=county).values_list(
            "code", "name", "domain", "action_type", "whistle_kind", "department__code")),
        sorted(Authority.objects.filter(item__county=county).values_list(
            "township__code", "item__code", "authority", "entrusting_department__code")),
        sorted(DeadlineRule.objects.filter(county=county).values_list(
            "row", "item_code", "domain", "action_type", "whistle_kind", "severity", "limit", "unit")),
        sorted(SeverityRule.objects.filter(county=county).values_list("row", "kind", "zone", "domain",
                                                                      "severity")),
        sorted(CalendarDay.objects.filter(county=county).values_list("day", "workday")),
    ]
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


def record_import(county: County, *, bundle_name: str, bundle_version: str, now=None) -> tuple[int, int]:
    """A new territory generation; a new rule version if the rules changed. Their numbers."""
    now = now or timezone.now()
    last = TerritoryGeneration.objects.filter(county=county).aggregate(n=Max("number"))["n"] or 0
    generation = TerritoryGeneration.objects.create(county=county, number=last + 1, bundle_name=bundle_name,
                                                    bundle_version=bundle_version, imported_at=now)
    digest = rules_digest(county)
    current = RuleVersion.objects.filter(county=county).order_by("-number").first()
    if current is None or current.digest != digest:
        current = RuleVersion.objects.create(county=county, number=(current.number if current else 0) + 1,
                                             digest=digest, created_at=now)
    return generation.number, current.number
