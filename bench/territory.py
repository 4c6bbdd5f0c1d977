"""Real-shaped bench territories: Voronoi grids in an irregular county, never a lattice.

A lattice county flatters every spatial shortcut: its grids are equal squares whose edges are
bit-identical to their villages' and townships', so every grid is "settled" and every lookup
takes the fast path. Real county data is not like that: grids of every size and shape,
villages and townships digitised (or simplified) on their own so that their borders cut a
little into their grids and overlap their neighbours by slivers, a jagged coastline, and a
few percent of the points people send from just across the border. This module generates
such a county, deterministically from a seed:

- the land is an irregular blob (a radius made of a few random harmonics);
- grids are the Voronoi cells of random seeds in the land, clipped to it, at 1e-7 degree;
- each grid goes to the township / village whose seed is nearest to its own seed, so units
  are contiguous (nearly always) and of uneven size;
- villages and townships are the union of their grids, then simplified on their own
  (`unit_tolerance` degrees): borders between neighbours no longer agree exactly, as in
  real bundles (slivers well under the importer's 1 % overlap tolerance);
- an optional band of sea east of the land belongs to the county but to no township.

`voronoi_layers` returns features per layer in the shape `tests.bundle_writer.lattice` does,
so `write_bundle` writes it and `import_bundle` loads it like any county's bundle.
`sample_points` draws points over it: land, sea and a share just outside the county.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from boundaries.demo.geometry import _sample_inside   # uniform points inside a shape


def _blob(rng, centre, radius, vertices=360) -> Polygon:
    """An irregular, star-shaped outline around `centre` (degrees)."""
    cx, cy = centre
    theta = np.linspace(0, 2 * math.pi, vertices, endpoint=False)
    r = np.ones_like(theta)
    for k, amplitude in ((2, 0.12), (3, 0.08), (5, 0.05), (9, 0.03), (17, 0.015)):
        r += amplitude * np.sin(k * theta + rng.uniform(0, 2 * math.pi))
    # Latitude degrees are longer than longitude degrees away from the equator.
    xs = cx + radius * r * np.cos(theta) / math.cos(math.radians(cy))
    ys = cy + radius * r * np.sin(theta)
    return shapely.make_valid(Polygon(np.column_stack([xs, ys])))


def _nearest(seeds, points):
    """Index of the nearest of `seeds` for each of `points` (planar: units are small)."""
    best = np.zeros(len(points), dtype=int)
    dist = np.full(len(points), np.inf)
    for k, (sx, sy) in enumerate(seeds):
        d = (points[:, 0] - sx) ** 2 + (points[:, 1] - sy) ** 2
        closer = d < dist
        best[closer], dist[closer] = k, d[closer]
    return best


def _polygonal(geom):
    """The polygons of `geom` (clipping may leave stray lines or points), as a MultiPolygon."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(parts) if parts else None


def voronoi_layers(code="990950", name="沃罗诺伊县", centre=(114.5, 28.5), *, townships=100,
                   villages=4, grids=25, radius=0.25, sea=True, unit_tolerance=2e-5,
                   seed=1) -> dict[str, list[dict]]:
    """Features per layer (WGS84 shapely geometry + attributes), about
    townships x villages x grids grids; `radius` in degrees of latitude."""
    rng = np.random.default_rng(seed)
    land = _blob(rng, centre, radius)
    n_grids = townships * villages * grids
    grid_seeds = _sample_inside(land, n_grids, rng)
    cells = shapely.voronoi_polygons(shapely.multipoints(grid_seeds), extend_to=land.buffer(radius),
                                     ordered=True)
    cells = shapely.set_precision(shapely.intersection(shapely.get_parts(cells), land), 1e-7)
    keep = [k for k, c in enumerate(cells) if not c.is_empty and _polygonal(c) is not None]
    grid_seeds, cells = grid_seeds[keep], [_polygonal(cells[k]) for k in keep]

    township_of = _nearest(_sample_inside(land, townships, rng), grid_seeds)
    layers = {"townships": [], "villages": [], "grids": []}
    n_township = 0
    for t in range(townships):
        members = np.flatnonzero(township_of == t)
        if not len(members):
            continue
        n_township += 1
        tcode, tname = f"{code}{n_township:03d}", f"第{n_township}{'乡' if n_township % 3 == 0 else '镇'}"
        picks = rng.choice(members, size=min(villages, len(members)), replace=False)
        village_of = _nearest(grid_seeds[picks], grid_seeds[members])
        township_cells = []
        n_village = 0
        for v in range(len(picks)):
            own = members[village_of == v]
            if not len(own):
                continue
            n_village += 1
            vcode = f"{tcode}{n_village:03d}"
            own_cells = [cells[k] for k in own]
            township_cells += own_cells
            for n_grid, cell in enumerate(own_cells, start=1):
                layers["grids"].append({"code": f"{vcode}{n_grid:03d}",
                                        "name": f"{tname}{n_village}村{n_grid}网格", "geometry": cell})
            layers["villages"].append({"code": vcode, "name": f"{tname}{n_village}村",
                                       "geometry": _simplified(own_cells, unit_tolerance)})
        layers["townships"].append({"code": tcode, "name": tname,
                                    "geometry": _simplified(township_cells, 2 * unit_tolerance)})
    county = land
    if sea:
        x0, y0, x1, y1 = land.bounds
        county = shapely.union(land, box((x0 + x1) / 2, y0, x1 + radius / 3, y1))
    layers["county"] = [{"code": code, "name": name, "geometry": _polygonal(county)}]
    layers["protected_areas"] = _protected_areas(code, layers["townships"])
    from tests.bundle_writer import network
    layers["network"] = network(layers["townships"], sea_x=land.bounds[2] + radius / 6 if sea else None)
    return {k: layers[k] for k in ("county", "townships", "villages", "grids", "protected_areas",
                                   "network")}


def _simplified(cells, tolerance):
    """The union of `cells`, simplified on its own: its border no longer follows its grids'
    edges exactly (nor its neighbour's), as in bundles digitised level by level."""
    union = shapely.coverage_union_all(cells)
    return _polygonal(shapely.make_valid(shapely.simplify(union, tolerance, preserve_topology=True)))


def _protected_areas(code, townships):
    """A reserve (core inside buffer) in the middle of the first township."""
    t0 = townships[0]["geometry"]
    c = t0.representative_point()
    r = math.sqrt(t0.area) / 6
    core, outer = c.buffer(r, 16), c.buffer(2 * r, 16)
    base = {"code": f"PA{code}01", "name": "样例自然保护区", "kind": "nature_reserve",
            "level": "provincial", "authority": "ZYGH"}
    return [{**base, "zone": "core", "geometry": core},
            {**base, "zone": "buffer", "geometry": outer.difference(core)}]


def sample_points(layers, n, *, outside_share=0.02, sea_share=0.05, seed=42,
                  outside_band_deg=0.02):
    """n (lon, lat) points: `outside_share` just outside the county (within
    `outside_band_deg` of it, as a phone across the border), `sea_share` in its sea, the rest
    on land; shuffled. Returns an (n, 2) array."""
    rng = np.random.default_rng(seed)
    county = layers["county"][0]["geometry"]
    land = shapely.union_all([t["geometry"] for t in layers["townships"]])
    n_out = int(round(n * outside_share))
    sea = county.difference(land)
    n_sea = int(round(n * sea_share)) if sea.area > 0 else 0
    parts = [_sample_inside(land, n - n_out - n_sea, rng)]
    if n_sea:
        parts.append(_sample_inside(sea, n_sea, rng))
    if n_out:
        parts.append(_sample_inside(county.buffer(outside_band_deg).difference(county), n_out, rng))
    points = np.vstack(parts)
    rng.shuffle(points)
    return points
