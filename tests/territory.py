"""Small generated territories for tests: a rectangular county cut into townships.

Layout: the county rectangle is `cols x rows` townships' worth of land plus a strip of sea
one township wide on the east. With `partition="lattice"` (the default) the land is a regular
lattice of townships, each split into 2x2 villages, each village into 2x2 grids; codes follow
the contract (6/9/12/15 digits), assigned in row-major order from the south-west, so the
smallest code sits at the south-west of every shared border.

With `partition="voronoi"` the land is cut into `cols * rows` Voronoi cells of random seeds
(`seed` fixes them) numbered in random order, each cut into villages and grids by the 2x2
quarters of its bounding box: a partition that is not a lattice, with slanted shared edges
and vertices where three townships meet.

The county's CountyPart and TownshipPart pieces are refreshed, as the bundle importer does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import math
import random

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon

from boundaries.models import County, Grid, HubArea, ProtectedArea, Township, Village
from boundaries.places import refresh_place_names
from boundaries.subdivide import refresh_county_parts
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
                   size=0.04, with_enforcement=True, partition="lattice", seed=0) -> Territory:
    """Create and return a generated county; `size` is one township's side in degrees."""
    x0, y0 = origin
    land = (x0, y0, x0 + cols * size, y0 + rows * size)
    sea = (land[2], y0, land[2] + size, land[3])
    county = County.objects.create(code=code, name=name, geom=box(land[0], land[1], sea[2], sea[3]))
    t = Territory(county=county, land_bbox=land, sea_bbox=sea)
    if partition == "voronoi":
        _voronoi_units(t, cols * rows, seed)
    elif partition == "lattice":
        _lattice_units(t, cols, rows, size)
    else:
        raise ValueError(f"unknown partition {partition!r}")
    refresh_county_parts(county)
    refresh_place_names(county)
    if with_enforcement:
        _enforcement(t)
    return t


def _lattice_units(t: Territory, cols: int, rows: int, size: float) -> None:
    county, code = t.county, t.county.code
    x0, y0 = t.land_bbox[:2]
    q = size / 4  # one grid's side; every coordinate is x0 + i * q, so shared edges are exact

    def cell(i, j, span):
        return box(x0 + i * q, y0 + j * q, x0 + (i + span) * q, y0 + (j + span) * q)

    n = 0
    for r in range(rows):
        for c in range(cols):
            n += 1
            township = Township.objects.create(
                code=f"{code}{n:03d}", name=f"第{n}镇", kind="town", county=county,
                geom=cell(4 * c, 4 * r, 4))
            t.townships.append(township)
            v = 0
            for vr in range(2):
                for vc in range(2):
                    v += 1
                    vi, vj = 4 * c + 2 * vc, 4 * r + 2 * vr
                    village = Village.objects.create(
                        code=f"{township.code}{v:03d}", name=f"{township.name}{v}村",
                        kind="village", township=township, county=county, geom=cell(vi, vj, 2))
                    t.villages.append(village)
                    g = 0
                    for gr in range(2):
                        for gc in range(2):
                            g += 1
                            t.grids.append(Grid.objects.create(
                                code=f"{village.code}{g:03d}", name=f"{village.name}{g}网格",
                                village=village, township=township, county=county,
                                geom=cell(vi + gc, vj + gr, 1)))


def _multipolygon(shape) -> MultiPolygon | None:
    """The polygonal part of a shapely geometry as a GEOS MultiPolygon (None if there is none)."""
    import shapely

    parts = [g for g in shapely.get_parts(shape) if g.geom_type == "Polygon" and g.area > 1e-14]
    if not parts:
        return None
    geom = GEOSGeometry(memoryview(shapely.MultiPolygon(parts).wkb), srid=4326)
    return geom


def _quarters(shape):
    """The shape cut by the 2x2 quarters of its bounding box (pieces with area only)."""
    import shapely

    minx, miny, maxx, maxy = shape.bounds
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    out = []
    for qx0, qy0, qx1, qy1 in [(minx, miny, mx, my), (mx, miny, maxx, my),
                               (minx, my, mx, maxy), (mx, my, maxx, maxy)]:
        piece = shapely.intersection(shape, shapely.box(qx0, qy0, qx1, qy1))
        if _multipolygon(piece) is not None:
            out.append(piece)
    return out


def _voronoi_units(t: Territory, n: int, seed: int) -> None:
    import shapely

    rng = random.Random(seed)
    x0, y0, x1, y1 = t.land_bbox
    land = shapely.box(x0, y0, x1, y1)
    seeds = shapely.MultiPoint([(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(n)])
    cells = [shapely.intersection(c, land) for c in
             shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=land))]
    cells = [c for c in cells if _multipolygon(c) is not None]
    numbers = list(range(1, len(cells) + 1))
    rng.shuffle(numbers)
    county, code = t.county, t.county.code
    for number, cell in sorted(zip(numbers, cells), key=lambda p: p[0]):
        township = Township.objects.create(code=f"{code}{number:03d}", name=f"第{number}镇",
                                           kind="town", county=county, geom=_multipolygon(cell))
        t.townships.append(township)
        for v, vpiece in enumerate(_quarters(cell), start=1):
            village = Village.objects.create(
                code=f"{township.code}{v:03d}", name=f"{township.name}{v}村", kind="village",
                township=township, county=county, geom=_multipolygon(vpiece))
            t.villages.append(village)
            for g, gpiece in enumerate(_quarters(vpiece), start=1):
                t.grids.append(Grid.objects.create(
                    code=f"{village.code}{g:03d}", name=f"{village.name}{g}网格",
                    village=village, township=township, county=county,
                    geom=_multipolygon(gpiece)))


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


def make_zone(county: County, code: str, zone: str, bbox, authority_code: str,
              kind="nature_reserve", level="national", name=None) -> ProtectedArea:
    """One protected-area zone over `bbox` (x0, y0, x1, y1); zones of one area share `code`."""
    return ProtectedArea.objects.create(county=county, code=code, name=name or f"保护区{code}",
                                        kind=kind, level=level, zone=zone,
                                        authority_code=authority_code, geom=box(*bbox))


def grant(township: Township, item: CatalogItem, authority: str, entrusting: Department | None = None):
    return Authority.objects.create(township=township, item=item, authority=authority,
                                    entrusting_department=entrusting)


def wavy_township(township: Township, vertices: int = 400) -> None:
    """Give the township a west edge of `vertices` points bulging up to 0.002 deg west."""
    x0, y0, x1, y1 = township.geom.extent
    west = [(x0 - 0.001 * (1 + math.sin(k * 0.37)), y0 + (y1 - y0) * k / (vertices - 1))
            for k in range(vertices)]
    ring = [(x0, y0), *west, (x0, y1), (x1, y1), (x1, y0), (x0, y0)]
    township.geom = MultiPolygon(Polygon(ring), srid=4326)
    township.save()
