"""The generated levels under a county, shared by both demo counties: the data classes of a
demo territory and how villages, grids and reserve zones are drawn under rough township land.

Why a module of its own: build.py says what each county is (its real outline, seats and
facts) and bundle_files.py how a bundle is written; this is the generator between them, the
part that makes everything below township level (nothing here is surveyed). Deterministic:
every random draw is seeded from a code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from boundaries.demo.geometry import LocalFrame, blob, finalize, partition, union
from boundaries.demo.tables import Township


@dataclass
class Unit:
    code: str
    name: str
    geom: MultiPolygon
    kind: str = ""
    parent_code: str = ""


@dataclass
class Zone:
    code: str
    name: str
    kind: str
    level: str
    zone: str
    authority: str
    geom: MultiPolygon


@dataclass
class Territory:
    code: str
    name: str
    county_seat: Township
    townships_spec: list[Township]
    county: Unit
    townships: list[Unit]
    villages: list[Unit]
    grids: list[Unit]
    zones: list[Zone] = field(default_factory=list)
    hubs: list[tuple[str, list[str]]] = field(default_factory=list)


def hierarchy(frame: LocalFrame, county_code: str, specs: list[Township], rough_townships: dict,
              village_area: float, grid_area: float, named: dict[str, tuple[tuple, str]] | None = None):
    """Villages and grids under rough township land (metre frame), then one exact noding.

    Villages are numbered from the township seat outwards: in a town (镇) the village at
    the seat is a community (社区, codes 001..), others are villages (村, codes 201..);
    `named` gives a real name (e.g. 安上村) to the village of a township at a point.
    """
    named = named or {}
    plan = []  # (township spec, [(kind, name, [rough grid geoms])])
    rough_grids = []
    for spec in specs:
        rng = np.random.default_rng(int(spec.code))
        seat = frame.point_m(*spec.seat)
        cells = partition(rough_townships[spec.code], village_area, rng)
        cells.sort(key=lambda c: (round(c.distance(seat), 3), c.centroid.distance(seat)))
        communities = 3 if spec.code == f"{county_code}100" else (1 if spec.kind == "town" else 0)
        special = None
        if spec.code in named:
            (lon, lat), special_name = named[spec.code]
            point = frame.point_m(lon, lat)
            special = min(range(len(cells)), key=lambda i: (cells[i].distance(point), i))
        villages = []
        n_comm = n_vill = 0
        for i, cell in enumerate(cells):
            if i == special:
                kind, name = "village", special_name
            elif i < communities:
                n_comm += 1
                kind, name = "community", f"{spec.name}第{n_comm}社区"
            else:
                n_vill += 1
                kind, name = "village", f"{spec.name}第{n_vill}村"
            grid_rng = np.random.default_rng(int(spec.code) * 1000 + i)
            grids = partition(cell, grid_area, grid_rng)
            grids.sort(key=lambda g: (-round(g.representative_point().y, -2), g.representative_point().x))
            index = []
            for g in grids:
                index.append(len(rough_grids))
                rough_grids.append(frame.to_deg(g))
            villages.append((kind, name, index))
        plan.append((spec, villages))

    exact = finalize(rough_grids)

    townships, villages_out, grids_out = [], [], []
    for spec, villages in plan:
        town_villages = []
        next_code = {"community": 1, "village": 201}
        for kind, name, index in villages:
            cells = [exact[i] for i in index if not exact[i].is_empty]
            if not cells:
                continue
            code = f"{spec.code}{next_code[kind]:03d}"
            next_code[kind] += 1
            vgrids = [Unit(f"{code}{n:03d}", f"{name}第{n}网格", g, parent_code=code)
                      for n, g in enumerate(cells, start=1)]
            village = Unit(code, name, union(g.geom for g in vgrids), kind=kind, parent_code=spec.code)
            town_villages.append(village)
            grids_out.extend(vgrids)
        villages_out.extend(town_villages)
        townships.append(Unit(spec.code, spec.name, union(v.geom for v in town_villages),
                              kind=spec.kind, parent_code=county_code))
    return townships, sorted(villages_out, key=lambda u: u.code), sorted(grids_out, key=lambda u: u.code)


def ringed_zones(frame: LocalFrame, clip, centre: tuple, radii: tuple, seed: int) -> list[MultiPolygon]:
    """Nested irregular blobs as disjoint rings (core, buffer, experimental), inside `clip`
    (degrees) by 2 m so no zone strays over the county line when coordinates are rounded."""
    inner = frame.to_m(clip).buffer(-2.0)
    c = frame.point_m(*centre)
    blobs = [blob(c, r, seed) for r in radii]
    rings = [blobs[0]] + [outer.difference(inner_b) for inner_b, outer in zip(blobs, blobs[1:])]
    return finalize([frame.to_deg(shapely.intersection(r, inner)) for r in rings])
