"""The footprint check: which units and protected zones an area touches, how much of each,
and who acts on it (the natural-resources officer's question about a building or a farm).

A footprint is a polygon, not a point, so the router's point rules are applied to it this way:
- every county, township, village and grid, and every protected-area zone, whose land the
  footprint overlaps with a positive area is listed with `overlap_m2` and `share` (of the
  footprint); units it only touches along a border are not listed;
- areas are true areas on the WGS84 ellipsoid (PostGIS `ST_Area` of a geography), never
  square degrees; the overlaps are `ST_Intersection` in PostGIS;
- severity is the worst zone's by the same rule as a point's (rules.severity_rule over the
  county's `severity` table: default core = high, buffer = elevated; with an item, rows for
  its domain apply), and the answer says which row applied (`severity_rule`);
- with an item, the township holding the largest share acts (ties: the smallest code): the
  router routes a point inside that township's part of the footprint, and the decision's
  zones, severity and departments to notify are widened to every zone the footprint touches.
  A footprint on the land of several townships says so (`split`) and lists them; one on no
  township's land (at sea) goes to the marine team as a point at sea would.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.gis.db.models.functions import Intersection
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.db.models import F, FloatField, Func

from boundaries.models import County, Grid, ProtectedArea, Township, Village
from gis_app.enforcement.access import in_counties
from gis_app.enforcement.county_rules import apply_county_rules
from gis_app.enforcement.models import CatalogItem, Department
from gis_app.enforcement.rules import severity_rule
from gis_app.enforcement.severity import LEVELS, SeverityFinding, county_rows
from gis_app.enforcement.routing import OUTSIDE, PointQuery, Refusal, Refused, RoutingDecision, route

#: An overlap smaller than this (m²) is a shared border drawn twice, not land in common.
MIN_OVERLAP_M2 = 0.01


class GeodeticArea(Func):
    """Square metres on the WGS84 ellipsoid of the polygons of a geometry (lines and points of
    an intersection along a border have no area): ST_Area of the geography."""

    template = "ST_Area(ST_CollectionExtract(%(expressions)s, 3)::geography)"
    output_field = FloatField()


class PointInside(Func):
    """A point certainly inside the polygons of a geometry (ST_PointOnSurface)."""

    template = "ST_PointOnSurface(ST_CollectionExtract(%(expressions)s, 3))"


def footprint_area_m2(geom: GEOSGeometry) -> float:
    """The footprint's own area on the ellipsoid. Raw SQL: a value, not a row of any model
    to annotate; the geometry goes as a parameter."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [memoryview(geom.ewkb)])
        return float(cursor.fetchone()[0])


class FootprintRefused(Refused):
    """The footprint cannot be checked (too large, outside, not this user's county)."""


def _refuse(status: int, error: str, detail: str, parameter: str | None = None):
    raise FootprintRefused(Refusal(status, error, detail, parameter=parameter))


def check_limits(geom: GEOSGeometry) -> None:
    """Refuse footprints beyond the settings' size limits (400 naming `geometry`)."""
    if geom.num_coords > settings.FOOTPRINT_MAX_VERTICES:
        _refuse(400, "bad_parameter", f"geometry: {geom.num_coords} vertices; at most "
                f"{settings.FOOTPRINT_MAX_VERTICES} (FOOTPRINT_MAX_VERTICES)", "geometry")


@dataclass
class Overlap:
    """One unit or zone the footprint overlaps."""

    id: int
    county_id: int
    code: str
    name: str
    overlap_m2: float
    share: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, **self.extra,
                "overlap_m2": round(self.overlap_m2, 2), "share": round(self.share, 6)}


def _overlaps(queryset, geom: GEOSGeometry, area_m2: float, county_field: str,
              extra: tuple[str, ...] = ()) -> list[Overlap]:
    """Rows of `queryset` whose land the footprint overlaps, largest overlap first (then code)."""
    rows = (queryset.filter(geom__intersects=geom)
            .annotate(overlap_m2=GeodeticArea(Intersection("geom", geom)), county_ref=F(county_field))
            .values("id", "county_ref", "code", "name", "overlap_m2", *extra))
    out = [Overlap(r["id"], r["county_ref"], r["code"], r["name"], r["overlap_m2"],
                   r["overlap_m2"] / area_m2 if area_m2 else 0.0, {k: r[k] for k in extra})
           for r in rows if r["overlap_m2"] > MIN_OVERLAP_M2]
    return sorted(out, key=lambda o: (-o.overlap_m2, o.code))


@dataclass
class FootprintCheck:
    """The answer of `check_footprint`."""

    geometry: GEOSGeometry
    area_m2: float
    counties: list[Overlap]
    townships: list[Overlap]
    villages: list[Overlap]
    grids: list[Overlap]
    zones: list[Overlap]
    severity_finding: SeverityFinding
    acting_point: Point | None = None
    decision: RoutingDecision | None = None
    trace: list[str] = field(default_factory=list)
    now: datetime | None = None

    @property
    def severity(self) -> str:
        return self.severity_finding.severity

    @property
    def split(self) -> bool:
        return len(self.townships) > 1

    @property
    def county_id(self) -> int:
        return self.counties[0].county_id

    def zone_dicts(self) -> list[dict]:
        return [z.as_dict() for z in self.zones]

    def departments_to_notify(self) -> list[dict]:
        """The routed item's departments plus every touched zone's authority, by code."""
        found = {d["code"]: d for d in (self.decision.departments if self.decision else [])}
        for zone in self.zones:
            found.setdefault(zone.extra["authority"]["code"], zone.extra["authority"])
        return [found[code] for code in sorted(found)]

    def decision_dict(self) -> dict | None:
        if self.decision is None:
            return None
        answer = self.decision.as_dict()
        acting = self.townships[0] if self.townships else None
        answer.update({
            "protected_areas": self.zone_dicts(),
            "departments": self.departments_to_notify(),
            "acting_township": acting.as_dict() if acting else None,
            "split": self.split,
            "trace": [*self.trace, *answer["trace"]],
        })
        # The footprint's zones are wider than its acting point's: severity (and the deadline
        # that depends on it) again, by the same rules, over every zone it touches.
        return apply_county_rules(answer, self.county_id, self.now)

    def as_dict(self) -> dict:
        return {
            "area_m2": round(self.area_m2, 2),
            "area_ha": round(self.area_m2 / 10_000, 4),
            "counties": [o.as_dict() for o in self.counties],
            "townships": [o.as_dict() for o in self.townships],
            "villages": [o.as_dict() for o in self.villages],
            "grids": [o.as_dict() for o in self.grids],
            "protected_areas": self.zone_dicts(),
            "severity": self.severity,
            "severity_rule": self.severity_finding.as_dict(),
            "split": self.split,
            "decision": self.decision_dict(),
            "trace": self.trace,
        }


def _zones(geom: GEOSGeometry, area_m2: float, county_ids) -> list[Overlap]:
    zones = ProtectedArea.objects.all()
    if county_ids is not None:
        zones = zones.filter(in_counties(county_ids))
    found = _overlaps(zones, geom, area_m2, "county_id",
                      ("kind", "level", "zone", "authority_code"))
    codes = {(z.county_id, z.extra["authority_code"]) for z in found}
    names = {(d.county_id, d.code): d.name for d in Department.objects.filter(
        county_id__in={c for c, _ in codes}, code__in={code for _, code in codes})}
    for zone in found:
        code = zone.extra.pop("authority_code")
        zone.extra["authority"] = {"code": code, "name": names.get((zone.county_id, code))}
    return found


def check_footprint(geom: GEOSGeometry, *, item_code: str | None = None, county_ids=None,
                    now: datetime | None = None) -> FootprintCheck:
    """Overlaps, zones, severity and (with `item_code`) the routing decision of a footprint in
    WGS84. `county_ids` limits where the caller may act (None: anywhere). Raises Refused:
    422 outside every county, 403 in no county of the caller, 400 unknown item or too large."""
    check_limits(geom)
    area_m2 = footprint_area_m2(geom)
    if area_m2 > settings.FOOTPRINT_MAX_AREA_M2:
        _refuse(400, "bad_parameter", f"geometry: {area_m2 / 1e6:.2f} km²; at most "
                f"{settings.FOOTPRINT_MAX_AREA_M2 / 1e6:g} km² (FOOTPRINT_MAX_AREA_M2)", "geometry")
    counties = _overlaps(County.objects.all(), geom, area_m2, "id")
    if not counties:
        _refuse(422, OUTSIDE, "the footprint overlaps no county")
    if county_ids is not None:
        counties = [c for c in counties if c.id in set(county_ids)]
        if not counties:
            _refuse(403, "forbidden", "the footprint lies in no county this account may act in")
    ids = [c.id for c in counties]
    townships = _overlaps(Township.objects.filter(in_counties(ids)), geom, area_m2, "county_id")
    villages = _overlaps(Village.objects.filter(in_counties(ids)), geom, area_m2, "county_id")
    grids = _overlaps(Grid.objects.filter(in_counties(ids)), geom, area_m2, "county_id")
    zones = _zones(geom, area_m2, ids)
    check = FootprintCheck(geom, area_m2, counties, townships, villages, grids, zones,
                           _severity(zones, item_code), now=now)
    check.trace = _trace(check)
    check.acting_point = _acting_point(check)
    if item_code:
        lon, lat = check.acting_point.x, check.acting_point.y
        check.decision = route(PointQuery(lon=lon, lat=lat), item_code, now=now, county_ids=ids)
    return check


def _severity(zones: list[Overlap], item_code: str | None) -> SeverityFinding:
    """The highest of each touched zone's severity under its county's `severity` rows (and the
    item's domain, when routing an item): rules.severity_rule, the point's rule."""
    found = SeverityFinding("normal", "none")
    for county_id in sorted({z.county_id for z in zones}):
        domain = (CatalogItem.objects.filter(county_id=county_id, code=item_code)
                  .values_list("domain", flat=True).first() or "") if item_code else ""
        mine = tuple((z.code, z.extra["kind"], z.extra["zone"]) for z in zones if z.county_id == county_id)
        finding = severity_rule(tuple(county_rows(county_id)), mine, domain)
        if found.source == "none" or LEVELS.index(finding.severity) > LEVELS.index(found.severity):
            found = finding
    return found


def _acting_point(check: FootprintCheck) -> Point:
    """A point inside the acting township's part of the footprint (at sea: inside the
    footprint's part of the county): where the router is asked, and where a case is pinned."""
    if check.townships:
        rows = Township.objects.filter(pk=check.townships[0].id)
    else:
        rows = County.objects.filter(pk=check.counties[0].id)
    point = rows.annotate(p=PointInside(Intersection("geom", check.geometry))).values_list("p", flat=True)[0]
    return GEOSGeometry(point, srid=4326) if not isinstance(point, GEOSGeometry) else point


def _trace(check: FootprintCheck) -> list[str]:
    lines = [f"footprint of {check.area_m2:,.1f} m² ({check.area_m2 / 10_000:.4f} ha) on the "
             f"WGS84 ellipsoid"]
    if not check.townships:
        lines.append("the footprint lies on no township's land (at sea) -> routed as a point at sea")
    elif check.split:
        parts = ", ".join(f"{t.code} {t.name} {t.share:.1%}" for t in check.townships)
        lines.append(f"split between {len(check.townships)} townships ({parts}): "
                     f"{check.townships[0].name}, holding the largest share, acts")
    else:
        t = check.townships[0]
        lines.append(f"township {t.code} {t.name} holds {t.share:.1%} of the footprint and acts")
    for z in check.zones:
        lines.append(f"protected area {z.code} {z.name}, zone {z.extra['zone']}: "
                     f"{z.overlap_m2:,.1f} m² ({z.share:.1%}); notify {z.extra['authority']['code']}")
    if not check.zones:
        lines.append("no protected-area zone overlaps the footprint")
    lines.append(f"severity: {check.severity_finding.text}")
    return lines
