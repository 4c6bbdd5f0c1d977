"""Generations: each import of a county is a territory generation; each change of its rule
tables (catalogue, authority, deadlines, severity, calendar) a new rule version. Recorded by
the importer in its transaction; cases record the numbers current at intake (incidents
services), so a decision can be told as made and replayed.

Like MapIt's generations, per county: the live tables hold today's county; every generation
stays queryable in the archive (archive.py: units and zones spanning generation_low..high,
the organisation per generation, the rule tables per version) until `prune_generations`.
"""
from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from boundaries.models import County, TerritoryGeneration
from gis_app.bundles import archive
from gis_app.enforcement.models import RuleVersion


def record_import(county: County, *, bundle_name: str, bundle_version: str, now=None) -> tuple[int, int]:
    """A new territory generation (archived); a new rule version (archived) if the rules
    changed. Their numbers."""
    now = now or timezone.now()
    last = TerritoryGeneration.objects.filter(county=county).aggregate(n=Max("number"))["n"] or 0
    generation = TerritoryGeneration.objects.create(
        county=county, number=last + 1, bundle_name=bundle_name, bundle_version=bundle_version,
        imported_at=now, organisation=archive.organisation_snapshot(county.pk))
    archive.archive_territory(county.pk, generation.number)
    tables = archive.rule_tables_snapshot(county.pk)
    digest = archive.rules_digest(tables)
    current = RuleVersion.objects.filter(county=county).order_by("-number").first()
    if current is None or current.digest != digest:
        current = RuleVersion.objects.create(county=county, number=(current.number if current else 0) + 1,
                                             digest=digest, created_at=now, tables=tables)
    elif current.tables is None:    # recorded before tables were archived: the same tables
        current.tables = tables
        current.save(update_fields=["tables"])
    return generation.number, current.number
