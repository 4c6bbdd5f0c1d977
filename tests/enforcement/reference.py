"""An independent computation of the router's answer, for property tests.

Deliberately written the plain way, sharing no code with `gis_app.enforcement`: shapely
`covers` on the stored geometries (read back as WKB, so coordinates are bit-identical) with
the smallest code at each level among the children of the unit chosen one level up, and the
DESIGN §4 rules read straight off the ORM objects.

Why among the children: real (and generated) boundaries are cut from one another in floating
point, so a village can overhang its township by 1e-16 degree. A point in that sliver is in
township B but also "in" a village of township A; the answer must stay one branch (B and a
village of B), never a village of another township.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import shapely
from django.conf import settings

from boundaries.models import County, Grid, HubArea, ProtectedArea, Township, Village
from gis_app.enforcement.models import Authority, CatalogItem, Team


def _shape(geom):
    return shapely.from_wkb(bytes(geom.wkb))


@dataclass
class Expected:
    county: str | None
    township: str | None
    village: str | None
    grid: str | None
    zones: list[tuple[str, str]]

    @property
    def at_sea(self) -> bool:
        return self.county is not None and self.township is None


class Reference:
    """Snapshot of every county's units, zones and organisation rows, as plain Python."""

    def __init__(self):
        self.counties = [(c.code, c.pk, _shape(c.geom)) for c in County.objects.all()]
        # (code, parent code, shape) per level
        self.townships = [(u.code, u.county.code, _shape(u.geom)) for u in
                          Township.objects.select_related("county")]
        self.villages = [(u.code, u.township.code, _shape(u.geom)) for u in
                         Village.objects.select_related("township")]
        self.grids = [(u.code, u.village.code, _shape(u.geom)) for u in
                      Grid.objects.select_related("village")]
        self.zones = [(z.code, z.zone, z.county_id, z.authority_code, _shape(z.geom))
                      for z in ProtectedArea.objects.all()]

    @staticmethod
    def _smallest(candidates, point, parent_code):
        if parent_code is None:
            return None
        codes = [code for code, parent, shape in candidates
                 if parent == parent_code and shape.covers(point)]
        return min(codes) if codes else None

    def locate(self, lon: float, lat: float) -> Expected:
        point = shapely.Point(lon, lat)
        covering = [(code, pk) for code, pk, shape in self.counties if shape.covers(point)]
        if not covering:
            return Expected(None, None, None, None, [])
        county_code, county_id = min(covering)
        township = self._smallest(self.townships, point, county_code)
        village = self._smallest(self.villages, point, township)
        grid = self._smallest(self.grids, point, village)
        zones = sorted((code, zone) for code, zone, cid, _, shape in self.zones
                       if cid == county_id and shape.covers(point))
        return Expected(county_code, township, village, grid, zones)

    def route(self, lon: float, lat: float, item_code: str, now) -> dict | None:
        """The expected decision fields (codes only); None outside every county."""
        where = self.locate(lon, lat)
        if where.county is None:
            return None
        county = County.objects.get(code=where.county)
        item = CatalogItem.objects.get(county=county, code=item_code)
        zone_rows = [ProtectedArea.objects.get(county=county, code=c, zone=z) for c, z in where.zones]
        departments = {d.code for d in item.supporting_departments.all()}
        departments |= {z.authority_code for z in zone_rows}
        hub = None
        if where.at_sea:
            team = Team.objects.filter(county=county, kind="marine").order_by("code").first()
            mode, subject = "marine", team.department.code
        else:
            township = Township.objects.get(code=where.township)
            area = HubArea.objects.filter(covered=township).order_by("hub__code").first()
            hub = area.hub.code if area else None
            acting = area.hub if area else township
            row = Authority.objects.filter(township=township, item=item).first()
            kind = row.authority if row else "none"
            local = Team.objects.filter(kind="township_team", township=acting).order_by("code").first()
            if kind in ("statutory", "granted"):
                mode, subject, team = "township", township.code, local
            elif kind == "entrusted":
                mode, subject, team = "entrusted", row.entrusting_department.code, local
            elif kind == "county":
                mode, subject, team = "county", item.department.code, local
            else:
                mode, subject = "whistle", item.department.code
                # The department's own team; a marine department's team is of kind marine.
                team = Team.objects.filter(kind__in=["department", "marine"],
                                           department=item.department).order_by("code").first()
        return {
            "county": where.county, "township": where.township, "village": where.village,
            "grid": where.grid, "at_sea": where.at_sea, "hub": hub, "mode": mode,
            "subject": subject, "team": team.code if team else None,
            "severity": ("high" if any(z == "core" for _, z in where.zones) else
                         "elevated" if any(z == "buffer" for _, z in where.zones) else "normal"),
            "zones": where.zones,
            "departments": sorted(departments),
            "deadline": now + timedelta(hours=settings.WHISTLE_DEADLINE_HOURS[item.whistle_kind]),
        }


def codes_of(decision: dict) -> dict:
    """The router's JSON answer reduced to the fields `Reference.route` computes."""
    def code(obj):
        return obj["code"] if obj else None

    return {
        "county": code(decision["county"]), "township": code(decision["township"]),
        "village": code(decision["village"]), "grid": code(decision["grid"]),
        "at_sea": decision["at_sea"], "hub": code(decision["hub"]), "mode": decision["mode"],
        "subject": code(decision["subject"]), "team": code(decision["team"]),
        "severity": decision["severity"],
        "zones": [(z["code"], z["zone"]) for z in decision["protected_areas"]],
        "departments": [d["code"] for d in decision["departments"]],
    }

