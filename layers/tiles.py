"""Mapbox Vector Tiles built by PostGIS (ST_AsMVT / ST_AsMVTGeom), generated from the registry.

A tile's rows are the layer's own queryset (so the same permission rule as every other output),
narrowed by an indexed bounding-box lookup on the tile's WGS84 envelope, compiled by the ORM
and wrapped in one ST_AsMVT statement. Per zoom, polygons and lines are clipped to the tile
(plus its buffer) and simplified to half a screen pixel before they are projected, so a county
coastline costs what the tile shows; features smaller than that vanish (thinning). Point layers
with `cluster_max_zoom` are aggregated at and below that zoom into at most 8 x 8 cells per
tile (count, overdue, escalated), which keeps a 200,000-case layer fast at county zooms.

Raw SQL (wrapping the compiled queryset) because the ORM has no MVT aggregate; all values are
parameters. Tiles are in Web Mercator (EPSG:3857), as MVT is.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from gis_app.replica import reading_connection
from django.db.models import BinaryField, F, Func, QuerySet

from layers.features import RawGeometry, layer_queries, no_jit, with_attributes
from layers.registry import BOOLEAN, DATETIME, POINT, Layer

EXTENT = 4096  # MVT coordinate units per tile side
BUFFER = 64  # units of buffer around the tile (clipping margin for strokes)
CLUSTER_CELLS = 8  # clusters per tile side at clustered zooms
MAX_ZOOM = 22


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

    def envelope(self, margin: float = 0.0) -> Polygon:
        """The tile in WGS84, grown by `margin` of its size on every side (clamped to the poles
        Web Mercator reaches)."""
        w, s, e, n = self.bounds()
        dx, dy = (e - w) * margin, (n - s) * margin
        return Polygon.from_bbox((w - dx, max(s - dy, -85.06), e + dx, min(n + dy, 85.06)))

    def half_pixel_degrees(self) -> float:
        """Half a 256-pixel screen pixel of this zoom, in longitude degrees: the simplification
        tolerance (smaller detail cannot be seen)."""
        return 360.0 / (2 ** self.z * 256) / 2


class TileGeometry(Func):
    """ST_AsMVTGeom of a WGS84 geometry: clip (with the buffer) and simplify in degrees first for
    lines and polygons, then project to Web Mercator and quantise to the tile grid."""

    output_field = BinaryField()

    def __init__(self, expression, tile: TileAddress, simplify: bool):
        super().__init__(expression)
        self.tile, self.simplify = tile, simplify

    def as_sql(self, compiler, connection, **extra):
        geom, params = compiler.compile(self.source_expressions[0])
        t = self.tile
        if self.simplify:
            w, s, e, n = self.tile.envelope(BUFFER / EXTENT * 2).extent
            geom = f"ST_Simplify(ST_ClipByBox2D({geom}, ST_MakeEnvelope(%s, %s, %s, %s, 4326)), %s)"
            params = [*params, w, s, e, n, t.half_pixel_degrees()]
        sql = (f"ST_AsMVTGeom(ST_Transform({geom}, 3857), ST_TileEnvelope(%s, %s, %s), "
               f"{EXTENT}, {BUFFER}, true)")
        return sql, [*params, t.z, t.x, t.y]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(alias: str, attribute) -> str:
    """Datetimes as ISO 8601 text (JSON's spelling), not PostgreSQL's default output."""
    if attribute.type == DATETIME:
        return f"to_json(q.{alias}) #>> '{{}}'"
    return f"q.{alias}"


def feature_tile(layer: Layer, user, rows: QuerySet, tile: TileAddress) -> bytes:
    """One MVT layer named after `layer.id` holding `rows` inside the tile, with the attributes
    `user` gets and the row's primary key as the feature id."""
    rows = layer.within(rows, tile.envelope(BUFFER / EXTENT), exact=False)
    rows, named = with_attributes(layer, user, rows)
    geometry = TileGeometry(layer.geometry_expression(), tile, simplify=layer.geometry_type != POINT)
    rows = rows.annotate(mvt_geom=geometry, mvt_id=F("pk")).values("mvt_id", *named, "mvt_geom")
    inner, params = rows.query.sql_with_params()
    columns = ", ".join(f"{_column(alias, a)} AS {_quote(a.name)}" for alias, a in named.items())
    return _as_mvt(f"SELECT q.mvt_id, {columns}, q.mvt_geom FROM ({inner}) q WHERE q.mvt_geom IS NOT NULL",
                   list(params), layer.id, with_id=True, jit_off=layer.jit_off, layer=layer)


def cluster_tile(layer: Layer, user, rows: QuerySet, tile: TileAddress) -> bytes:
    """Points aggregated into CLUSTER_CELLS x CLUSTER_CELLS cells of the tile: each cell with
    points becomes one point at their mean position with `count` and, for each boolean
    attribute (e.g. overdue, escalated), how many are true. Points are taken from the tile
    itself (no buffer), so every point is counted in exactly one tile."""
    rows = layer.within(rows, tile.envelope(0.0), exact=False)
    rows, named = with_attributes(layer, user, rows)
    flags = {alias: a for alias, a in named.items() if a.type == BOOLEAN}
    rows = rows.annotate(g=RawGeometry(layer.geometry_expression())).values("g", *flags)
    inner, params = rows.query.sql_with_params()
    w, s, e, n = tile.bounds()
    sums = "".join(f", sum(CASE WHEN q.{alias} THEN 1 ELSE 0 END)::int AS {_quote(a.name)}"
                   for alias, a in flags.items())
    sql = f"""
        SELECT count(*)::int AS count{sums}, true AS cluster,
               ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(avg(ST_X(q.g)), avg(ST_Y(q.g))), 4326), 3857),
                            ST_TileEnvelope(%s, %s, %s), {EXTENT}, {BUFFER}, true) AS mvt_geom
        FROM ({inner}) q
        GROUP BY floor((ST_X(q.g) - %s) / %s), floor((ST_Y(q.g) - %s) / %s)
    """
    params = [tile.z, tile.x, tile.y, *params, w, (e - w) / CLUSTER_CELLS, s, (n - s) / CLUSTER_CELLS]
    return _as_mvt(f"SELECT * FROM ({sql}) c WHERE c.mvt_geom IS NOT NULL", params, layer.id, with_id=False,
                   jit_off=True)


def _as_mvt(rows_sql: str, params: list, name: str, with_id: bool, jit_off: bool,
            layer: Layer | None = None) -> bytes:
    """The one statement that encodes: ST_AsMVT over `rows_sql` (a column `mvt_geom`, and
    `mvt_id` as feature id when `with_id`)."""
    id_arg = ", 'mvt_id'" if with_id else ""
    sql = f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'mvt_geom'{id_arg}) FROM ({rows_sql}) t"
    session = layer_queries(layer, jit_off) if layer is not None else no_jit(jit_off)
    with session, reading_connection().cursor() as cursor:
        cursor.execute(sql, [name, *params])  # the layer name's placeholder comes first
        data = cursor.fetchone()[0]
    return bytes(data) if data else b""


def build_tile(layer: Layer, user, options: dict, tile: TileAddress) -> bytes:
    """The tile's bytes (empty when nothing is there or the zoom is outside the layer's)."""
    if not (layer.min_zoom <= tile.z <= layer.max_zoom):
        return b""
    rows = layer.queryset_for(user, options)
    if layer.cluster_max_zoom is not None and tile.z <= layer.cluster_max_zoom:
        return cluster_tile(layer, user, rows, tile)
    return feature_tile(layer, user, rows, tile)


def etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:24] + '"'
