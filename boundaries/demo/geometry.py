"""Geometry for the generated demo territory: seeded partitions, exact noding, blobs.

Partitions are built roughly in a local metre frame (so Voronoi cells and areas are not
stretched by degrees of longitude being ~14% short of degrees of latitude at these
latitudes), then `finalize` nodes every boundary of the finest level together on the
output precision grid and rebuilds all levels from the same faces. That makes children
tile their parent exactly and siblings share identical edges, after rounding, which
intersecting each cell separately and rounding afterwards does not guarantee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.strtree import STRtree

GRID_SIZE = 1e-7  # output precision in degrees (~1 cm)


@dataclass(frozen=True)
class LocalFrame:
    """Equirectangular metres around (lon0, lat0); good to well under 1% over a county."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return 111320.0 * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        return 110574.0

    def to_m(self, geom):
        return affinity.affine_transform(
            geom, [self.kx, 0, 0, self.ky, -self.lon0 * self.kx, -self.lat0 * self.ky])

    def to_deg(self, geom):
        return affinity.affine_transform(
            geom, [1 / self.kx, 0, 0, 1 / self.ky, self.lon0, self.lat0])

    def point_m(self, lon: float, lat: float) -> Point:
        return Point((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)


def polygons(geom) -> list[Polygon]:
    """The non-empty polygon parts of any geometry (collections included)."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in polygons(g)]


def as_multipolygon(geom) -> MultiPolygon:
    return MultiPolygon(polygons(geom))


# --- rough partitions (metre frame) ----------------------------------------------------------

def _sample_inside(poly: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` uniform random points inside `poly` by rejection from its bounding box."""
    x0, y0, x1, y1 = poly.bounds
    shapely.prepare(poly)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
        out = np.vstack([out, cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]])
    return out[:n]


def seeds_inside(poly: Polygon, k: int, rng: np.random.Generator, iterations: int = 12) -> np.ndarray:
    """`k` well-spread seed points inside `poly`: Lloyd iterations (k-means) over uniform
    samples, so cells come out of similar area instead of the clumps raw random points give;
    each seed is then moved to its cluster's nearest sample so it stays inside the shape."""
    samples = _sample_inside(poly, 60 * k, rng)
    centres = samples[rng.choice(len(samples), size=k, replace=False)]
    for _ in range(iterations):
        labels = np.argmin(((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
        for j in range(k):
            members = samples[labels == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    labels = np.argmin(((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    result = []
    for j in range(k):
        members = samples[labels == j] if np.any(labels == j) else samples
        result.append(members[np.argmin(((members - centres[j]) ** 2).sum(-1))])
    return np.array(result)


def voronoi_cells(seeds: np.ndarray, envelope) -> list:
    """Voronoi cells in seed order, extended to cover `envelope`."""
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope.buffer(1000.0),
                                     ordered=True)
    return list(cells.geoms)


def consolidate(pieces: list, seeds: np.ndarray) -> list:
    """A Voronoi cell clipped to a ragged coastline can fall apart (a cell reaching across
    a bay); keep each cell's part nearest its seed and give stray parts to the neighbour
    sharing the longest border, so villages and grids are contiguous where the land is."""
    mains, strays = [], []
    for piece, seed in zip(pieces, seeds):
        parts = polygons(piece)
        if not parts:
            mains.append(None)
            continue
        seed_pt = Point(seed)
        parts.sort(key=lambda p: (p.distance(seed_pt), -p.area))
        mains.append(parts[0])
        strays.extend(parts[1:])
    extra: dict[int, list] = {}
    for stray in strays:
        best, best_len = None, 0.0
        for i, main in enumerate(mains):
            if main is None:
                continue
            shared = stray.boundary.intersection(main.boundary).length
            if shared > best_len:
                best, best_len = i, shared
        if best is None:
            best = min((i for i, m in enumerate(mains) if m is not None),
                       key=lambda i: mains[i].distance(stray))
        extra.setdefault(best, []).append(stray)
    out = []
    for i, main in enumerate(mains):
        if main is None:
            continue
        out.append(shapely.union_all([main, *extra.get(i, [])]))
    return out


def partition(parent, target_area: float, rng: np.random.Generator,
              min_split: float = 0.5) -> list:
    """Cut `parent` (metre frame) into cells of about `target_area` m².

    Each connected part of at least `min_split` x target gets round(area / target) cells
    (at least one) from a Voronoi diagram of seeded points; smaller parts (islets) are
    not split but join the nearest cell. A parent with no large part stays one cell.
    """
    parts = sorted(polygons(parent), key=lambda p: (-p.area, p.bounds))
    big = [p for p in parts if p.area >= min_split * target_area]
    small = [p for p in parts if p.area < min_split * target_area]
    if not big:
        return [shapely.union_all(parts)]
    cells = []
    for part in big:
        k = max(1, int(round(part.area / target_area)))
        if k == 1:
            cells.append(part)
            continue
        seeds = seeds_inside(part, k, rng)
        pieces = [shapely.intersection(cell, part) for cell in voronoi_cells(seeds, part.envelope)]
        cells.extend(consolidate(pieces, seeds))
    attached: dict[int, list] = {}
    for islet in small:
        nearest = min(range(len(cells)), key=lambda i: (cells[i].distance(islet), i))
        attached.setdefault(nearest, []).append(islet)
    return [shapely.union_all([c, *attached.get(i, [])]) for i, c in enumerate(cells)]


def blob(centre: Point, radius: float, seed: int, wobble: float = 0.18, n: int = 72) -> Polygon:
    """A star-shaped, irregular outline around `centre` (metre frame). Blobs with the same
    seed and centre are nested when their radii are, which makes zone rings disjoint."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    shape = np.ones(n)
    for harmonic in (2, 3, 5):
        shape += wobble / harmonic * np.sin(harmonic * angles + rng.uniform(0, 2 * np.pi))
    xs = centre.x + radius * shape * np.cos(angles)
    ys = centre.y + radius * shape * np.sin(angles)
    return Polygon(np.column_stack([xs, ys]))


# --- exact final geometry (degrees) ---------------------------------------------------------

def finalize(rough: list) -> list[MultiPolygon]:
    """Snap a rough partition (degrees) to the output grid without gaps or overlaps.

    All boundaries are noded together on the grid and polygonized; each face goes to the
    rough cell it overlaps most (slivers left by rounding included) and each cell becomes
    the union of its faces. Faces overlapping no cell lie outside the partition and are
    dropped. Shared edges are therefore identical in every neighbour, and any coarser level
    rebuilt as the union of these cells tiles its own parent exactly.
    """
    lines = shapely.union_all([g.boundary for g in rough], grid_size=GRID_SIZE)
    faces = polygons(shapely.polygonize(polygons_lines(lines)))
    tree = STRtree(rough)
    owned: dict[int, list] = {}
    for face in faces:
        candidates = tree.query(face, predicate="intersects")
        if len(candidates) == 0:
            continue
        point = face.representative_point()
        inside = [int(i) for i in candidates if rough[int(i)].contains(point)]
        if len(inside) == 1:
            owner = inside[0]
        else:
            overlaps = [(rough[int(i)].intersection(face).area, -int(i)) for i in candidates]
            best_area, neg_i = max(overlaps)
            if best_area <= 0.0:
                continue
            owner = -neg_i
        owned.setdefault(owner, []).append(face)
    result = []
    for i in range(len(rough)):
        merged = shapely.union_all(owned.get(i, []), grid_size=GRID_SIZE)
        result.append(as_multipolygon(merged))
    return result


def polygons_lines(lines) -> list:
    """Line parts of a noded linework, as a list for polygonize."""
    if lines.geom_type in ("LineString", "LinearRing"):
        return [lines]
    return [g for g in lines.geoms if g.geom_type in ("LineString", "LinearRing")]


def union(geoms) -> MultiPolygon:
    """Union on the output grid: children that share identical edges merge cleanly."""
    return as_multipolygon(shapely.union_all(list(geoms), grid_size=GRID_SIZE))


def snap(geom) -> MultiPolygon:
    return as_multipolygon(shapely.set_precision(geom, GRID_SIZE))
