"""Which territory generation and rule version are current for a county (numbers recorded
by the importer, gis_app/bundles/generations.py); a county never imported has none."""
from __future__ import annotations

from django.db.models import Max

from boundaries.models import TerritoryGeneration
from gis_app.enforcement.models import RuleVersion


def current_versions(county_id: int) -> tuple[int | None, int | None]:
    generation = TerritoryGeneration.objects.filter(county_id=county_id).aggregate(n=Max("number"))["n"]
    version = RuleVersion.objects.filter(county_id=county_id).aggregate(n=Max("number"))["n"]
    return generation, version
