"""Mapbox Vector Tiles built by PostGIS (ST_AsMVT / ST_AsMVTGeom), generated from the registry.

A tile's rows are the layer's own queryset (so the same permission rule as every other output),
compiled by the ORM once per layer, user and options (tile_sql.py) and wrapped in one ST_AsMVT
statement whose tile-dependent values (an indexed bounding-box filter on the tile's WGS84
envelope, clip box, zoom) are bound per tile. Per zoom, polygons and lines are clipped to the tile
(plus its buffer) and simplified to half a screen pixel before they are projected, so a county
coastline costs what the tile shows; features smaller than that vanish (thinning). Point layers
with `cluster_max_zoom` are aggregated at and below that zoom into at most 8 x 8 cells per
tile (count, overdue, escalated), which keeps a 200,000-case layer fast at county zooms.

A tile takes the rows that can draw into it: lines and polygons within half their stroke of it,
points within its buffer (row_margin). Raw SQL (wrapping the compiled queryset) because the ORM
has no MVT aggregate; all values are parameters. Tiles are in Web Mercator (EPSG:3857), as MVT
is; from TILE_LINEAR_MIN_ZOOM on, features are placed linearly in the tile's own lon/lat box
instead of being projected one by one (tile_sql.feature_statement says why and how close).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Polygon
from gis_app.replica import reading_connection

from layers import tile_sql
from layers.features import layer_queries
from layers.registry import POINT, Layer
from layers.tile_sql import BUFFER, CLUSTER_CELLS, EXTENT

MAX_ZOOM = 22
PREPARED_MIN_ZOOM = 13      # street zooms: statements prepared once per session (tile_sql.run)


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in WGS84 degrees."""
        n = 2 ** self.z

        def lon(x):
            return x / n * 360.0 - 180.0

        def lat(y):
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

        return lon(self.x), lat(self.y + 1), lon(self.x + 1), lat(self.y)

    def box(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """The tile in WGS84, grown by `margin` of its size on every side (clamped to the poles
        Web Mercator reaches). Plain arithmetic: each tile needs two, and building them as GEOS
        polygons cost about as much as the rest of a tile's Python."""
        w, s, e, n = self.bounds()
        dx, dy = (e - w) * margin, (n - s) * margin
        return w - dx, max(s - dy, -85.06), e + dx, min(n + dy, 85.06)

    def envelope(self, margin: float = 0.0) -> Polygon:
        """`box` as a polygon (queryset lookups)."""
        return Polygon.from_bbox(self.box(margin))

    def half_pixel_degrees(self) -> float:
        """Half a 256-pixel screen pixel of this zoom, in longitude degrees: the simplification
        tolerance (smaller detail cannot be seen)."""
        return 360.0 / (2 ** self.z * 256) / 2


TILE_PIXELS = 256           # a tile's side on screen
LEAFLET_WEIGHT = 3          # Leaflet's stroke width when a style names none


def row_margin(layer: Layer) -> float:
    """How far outside a tile (fraction of its side) a feature of `layer` may lie and still draw
    into it. Points: the whole buffer (a marker is drawn around its point). Lines and polygons:
    half their widest stroke (a stroke is drawn centred on the line), from the layer's style.

    Why not the buffer for all: a line or polygon beyond half its stroke draws no pixel of the
    tile, yet it cost its geometry work and its bytes; at the grids' 0.6 pixel stroke, the
    buffer's 4 pixels carried ~5% more features than the tile shows (those features are drawn
    by the tiles they lie in). Clipping keeps the buffer, so strokes crossing an edge are whole."""
    if layer.geometry_type == POINT:
        return BUFFER / EXTENT
    styles = [layer.style.base, *(rule.get("style", {}) for rule in layer.style.rules)]
    widest = max(style.get("weight", layer.style.base.get("weight", LEAFLET_WEIGHT)) for style in styles)
    return widest / 2 / TILE_PIXELS


def tile_values(tile: TileAddress, margin: float = BUFFER / EXTENT) -> dict:
    """The values of a compiled statement's slots (tile_sql.Slot) for this tile; rows are taken
    from the tile grown by `margin` (row_margin)."""
    w, s, e, n = tile.bounds()
    cw, cs, ce, cn = tile.box(BUFFER / EXTENT * 2)                  # clip box
    bw, bs, be, bn = tile.box(margin)                               # rows taken
    return {"z": tile.z, "x": tile.x, "y": tile.y, "w": w, "s": s, "e": e, "n": n,
            "cw": cw, "cs": cs, "ce": ce, "cn": cn, "bw": bw, "bs": bs, "be": be, "bn": bn,
            "kw": w, "ks": s, "ke": e, "kn": n,
            "half_pixel": tile.half_pixel_degrees(),
            "cell_w": (e - w) / CLUSTER_CELLS, "cell_h": (n - s) / CLUSTER_CELLS}


def narrowed(values: dict, box) -> dict | None:
    """`values` with the boxes that select rows (bw.. features, kw.. clusters) cut to `box`
    (the user's counties, tile_sql.counties_box); None when the tile lies outside it. Clip,
    projection and cluster cells keep the whole tile's values."""
    if box is None:
        return values
    out = dict(values)
    for w, s, e, n in (("bw", "bs", "be", "bn"), ("kw", "ks", "ke", "kn")):
        out[w], out[s] = max(values[w], box[0]), max(values[s], box[1])
        out[e], out[n] = min(values[e], box[2]), min(values[n], box[3])
        if out[w] > out[e] or out[s] > out[n]:
            return None
    return out


def build_tile(layer: Layer, user, options: dict, tile: TileAddress) -> bytes:
    """The tile's bytes (empty when nothing is there or the zoom is outside the layer's).

    The statement is compiled once per layer, user and options (tile_sql.py) and bound to the
    tile; a layer with its own `bbox_filter` (no plain geometry column) is narrowed to the
    tile's box in its queryset and compiled for each tile."""
    if not (layer.min_zoom <= tile.z <= layer.max_zoom):
        return b""
    clustered = layer.cluster_max_zoom is not None and tile.z <= layer.cluster_max_zoom
    linear = tile.z >= settings.TILE_LINEAR_MIN_ZOOM
    margin = row_margin(layer)
    if layer.bbox_filter is None:
        compiled = tile_sql.statement(layer, user, options, clustered, linear)
    else:
        rows = layer.within(layer.queryset_for(user, options), tile.envelope(0.0 if clustered else margin),
                            exact=False)
        compiled = (tile_sql.cluster_statement(layer, user, rows) if clustered
                    else tile_sql.feature_statement(layer, user, rows, linear))
    values = narrowed(tile_values(tile, margin), compiled.box)
    if values is None:
        return b""
    with layer_queries(layer, compiled.jit_off):
        data = tile_sql.run(reading_connection(), compiled, values, prepare=tile.z >= PREPARED_MIN_ZOOM)
    return bytes(data) if data else b""


def etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:24] + '"'
