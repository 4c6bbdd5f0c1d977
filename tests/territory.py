"""Small generated territories for tests: a rectangular county cut into a regular lattice.

Layout (cell = township): the county rectangle is `cols x rows` townships of land plus a
strip of sea one township wide on the east. Each township is split into 2x2 villages, each
village into 2x2 grids. Codes follow the contract: 6/9/12/15 digits, assigned in row-major
order from the south-west, so the smallest code sits at the south-west of every shared border.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from boundaries.models import County, Grid, HubArea, Township, Village
from gis_app.enforcement.models import Authority, CatalogItem, Department, Team


def box(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@dataclass
class Territory:
    county: County
    townships: list[Township] = field(default_factory=list)
    villages: list[Village] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    items: dict[str, CatalogItem] = field(default_factory=dict)
    land_bbox: tuple = ()
    sea_bbox: tuple = ()


def make_territory(code="990101", name="测试县", origin=(120.0, 30.0), cols=2, rows=2,
                   size=0.04, with_enforcement=True) -> Territory:
    """Create and return a generated county; `size` is one township's side in degrees."""
    x0, y0 = origin
    land = (x0, y0, x0 + cols * size, y0 + rows * size)
    sea = (land[2], y0, land[2] + size, land[3])
    county = County.objects.create(code=code, name=name, geom=box(land[0], land[1], sea[2], sea[3]))
    t = Territory(county=county, land_bbox=land, sea_bbox=sea)
    n = 0
    for r in range(rows):
        for c in range(cols):
            n += 1
            tx, ty = x0 + c * size, y0 + r * size
            township = Township.objects.create(
                code=f"{code}{n:03d}", name=f"第{n}镇", kind="town", county=county,
                geom=box(tx, ty, tx + size, ty + size))
            t.townships.append(township)
            half = size / 2
            v = 0
            for vr in range(2):
                for vc in range(2):
                    v += 1
                    vx, vy = tx + vc * half, ty + vr * half
                    village = Village.objects.create(
                        code=f"{township.code}{v:03d}", name=f"{township.name}{v}村",
                        kind="village", township=township, county=county,
                        geom=box(vx, vy, vx + half, vy + half))
                    t.villages.append(village)
                    q = half / 2
                    g = 0
                    for gr in range(2):
                        for gc in range(2):
                            g += 1
                            gx, gy = vx + gc * q, vy + gr * q
                            t.grids.append(Grid.objects.create(
                                code=f"{village.code}{g:03d}", name=f"{village.name}{g}网格",
                                village=village, township=township, county=county,
                                geom=box(gx, gy, gx + q, gy + q)))
    if with_enforcement:
        _enforcement(t)
    return t


def _enforcement(t: Territory) -> None:
    county = t.county
    for code, name, kind in [("ZHZF", "县综合行政执法局", "bureau"), ("SCJG", "县市场监管局", "department"),
                             ("STHJ", "县生态环境局", "department"), ("ZYGH", "县资源规划局", "department"),
                             ("HYZF", "县海洋执法大队", "marine")]:
        t.departments[code] = Department.objects.create(county=county, code=code, name=name, kind=kind)
    for township in t.townships:
        c = township.geom.centroid
        t.teams[township.code] = Team.objects.create(
            county=county, code=f"T{township.code}", name=f"{township.name}综合行政执法队",
            kind="township_team", township=township, base=Point(c.x, c.y, srid=4326))
    for dept in t.departments.values():
        kind = "marine" if dept.kind == "marine" else "department"
        t.teams[dept.code] = Team.objects.create(county=county, code=f"T{dept.code}",
                                                 name=f"{dept.name}执法队", kind=kind, department=dept)
    for code, name, dept, whistle in [("I001", "占道经营", "ZHZF", "quick"), ("I002", "无证经营", "SCJG", "tough"),
                                      ("I003", "非法排污", "STHJ", "emergency"),
                                      ("I004", "非法占用林地", "ZYGH", "tough")]:
        item = CatalogItem.objects.create(county=county, code=code, name=name, domain="综合",
                                          action_type="penalty", department=t.departments[dept],
                                          whistle_kind=whistle)
        t.items[code] = item
    t.items["I003"].supporting_departments.add(t.departments["ZYGH"])


def make_hub(hub: Township, covered: list[Township]) -> HubArea:
    area = HubArea.objects.create(hub=hub, county=hub.county)
    area.covered.set(covered)
    return area


def grant(township: Township, item: CatalogItem, authority: str, entrusting: Department | None = None):
    return Authority.objects.create(township=township, item=item, authority=authority,
                                    entrusting_department=entrusting)
