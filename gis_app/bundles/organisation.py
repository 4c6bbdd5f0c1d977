"""Writing a bundle's tables: departments, teams, 1+X hubs, the catalogue and authority.

Rows are upserted by their county-scoped code, so ids that members, cases and patrols hold
survive a re-import; rows the new bundle no longer has are deleted. Runs inside the
importer's transaction, after the territory is merged (teams and authority point at it).
"""
from __future__ import annotations

import pandas as pd
from django.contrib.gis.geos import Point

from boundaries.models import County, HubArea, Township
from gis_app.bundles.checks import split_list
from gis_app.enforcement.models import Authority, CatalogItem, Department, Team


def write_departments(county: County, frame: pd.DataFrame | None) -> dict[str, Department]:
    rows = [] if frame is None else [
        Department(county=county, code=r.code, name=r.name, kind=r.kind) for r in frame.itertuples()]
    _upsert(Department, rows, ["name", "kind"])
    Department.objects.filter(county=county).exclude(code__in=[d.code for d in rows]).delete()
    return {d.code: d for d in Department.objects.filter(county=county)}


def write_teams(county: County, frame: pd.DataFrame | None, departments: dict[str, Department]) -> int:
    townships = dict(Township.objects.filter(county=county).values_list("code", "id"))
    rows = [] if frame is None else [
        Team(county=county, code=r.code, name=r.name, kind=r.kind,
             township_id=townships.get(r.township_code) if r.township_code else None,
             department=departments.get(r.department_code) if r.department_code else None,
             base=None if pd.isna(r.x) else Point(float(r.x), float(r.y), srid=4326))
        for r in frame.itertuples()]
    _upsert(Team, rows, ["name", "kind", "township", "department", "base"])
    Team.objects.filter(county=county).exclude(code__in=[t.code for t in rows]).delete()
    return len(rows)


def write_hubs(county: County, frame: pd.DataFrame | None) -> int:
    townships = {t.code: t for t in Township.objects.filter(county=county)}
    hubs = [] if frame is None else [
        (townships[r.hub_township_code], split_list(r.covered_township_codes)) for r in frame.itertuples()]
    HubArea.objects.filter(county=county).exclude(hub__in=[h for h, _ in hubs]).delete()
    for hub, covered in hubs:
        area, _ = HubArea.objects.update_or_create(hub=hub, defaults={"county": county})
        area.covered.set([townships[c] for c in covered])
    return len(hubs)


def write_catalogue(county: County, frame: pd.DataFrame | None,
                    departments: dict[str, Department]) -> dict[str, CatalogItem]:
    rows = [] if frame is None else [
        CatalogItem(county=county, code=r.code, name=r.name, domain=r.domain,
                    action_type=r.action_type, legal_basis=r.legal_basis,
                    department=departments[r.department_code], whistle_kind=r.whistle_kind)
        for r in frame.itertuples()]
    _upsert(CatalogItem, rows, ["name", "domain", "action_type", "legal_basis", "department",
                                "whistle_kind"])
    CatalogItem.objects.filter(county=county).exclude(code__in=[i.code for i in rows]).delete()
    items = {i.code: i for i in CatalogItem.objects.filter(county=county)}
    through = CatalogItem.supporting_departments.through
    through.objects.filter(catalogitem__county=county).delete()
    if frame is not None:
        through.objects.bulk_create([
            through(catalogitem=items[r.code], department=departments[code])
            for r in frame.itertuples() for code in dict.fromkeys(split_list(r.supporting_department_codes))])
    return items


def write_authority(county: County, frame: pd.DataFrame | None, items: dict[str, CatalogItem],
                    departments: dict[str, Department]) -> int:
    """Authority rows carry no ids anyone keeps, so the county's set is simply replaced."""
    Authority.objects.filter(township__county=county).delete()
    if frame is None:
        return 0
    townships = dict(Township.objects.filter(county=county).values_list("code", "id"))
    Authority.objects.bulk_create([
        Authority(township_id=townships[r.township_code], item=items[r.item_code],
                  authority=r.authority,
                  entrusting_department=departments.get(r.entrusting_department_code))
        for r in frame.itertuples()], batch_size=2000)
    return len(frame)


def _upsert(model, rows, update_fields) -> None:
    if rows:
        model.objects.bulk_create(rows, update_conflicts=True, unique_fields=["county", "code"],
                                  update_fields=update_fields, batch_size=2000)
