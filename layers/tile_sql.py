"""Tile statements compiled once per layer, permission scope and options, then bound per tile.

Why: compiling a layer's queryset (permission filter, attributes, joins) through the ORM cost
about a millisecond per tile, the same work for every tile a user's map asks for. Here the
tile does not enter the queryset at all: the layer's rows (what `user` may see, with the
attributes `user` gets, and the raw geometry) are compiled once, and the tile (box filter,
clip, simplification, ST_TileEnvelope) is added around them in SQL whose parameters are
slots filled per tile. PostgreSQL pushes the box filter on the geometry column down into the
layer's rows, so the spatial index is used as before.

A compiled statement is kept for TILE_SQL_CACHE_SECONDS per (layer, kind of tile, user,
options) and database session. What it embeds from Python is the user's scope: their county
and role (Member), team and its township id (Team), department and its code, superuser flag;
and, for county-scoped layers, the box of their counties' geometry (County, counties_box).
Nothing else is read before the statement runs (a hub's covered townships, names, overdue
are read by it). The database announces every change to those tables (tokens migrations
0002, 0003 and 0004: `import_bundle --replace` updates the county row), and before a kept
statement is used the session's notices are read (gis_app/web/rights_notices.py, the
listener the token cache uses too, no round trip): any notice, or a save or delete of those
models in this process, drops every kept statement, so a change made anywhere counts from the
next tile request in every worker.

TILE_SQL_CACHE_SECONDS still bounds one lag: with a read replica (gis_app/replica.py) the
team, department and county box are read from the replica, which may replay a change after
its notice has reached this session from the primary; a statement recompiled in between
embeds the old values and is kept under the new stamp until the next notice, or until it
expires. Without a replica no change waits for it.

Layers whose rows are filtered by their own `bbox_filter` (hubs: a computed union) have no
plain geometry column to push a box onto and are compiled per tile (tiles.py).
"""
from __future__ import annotations

import hashlib
import re
import time
import weakref
from dataclasses import dataclass, replace
from functools import cached_property

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import F, QuerySet

from boundaries.models import County
from gis_app.api.access import visible_county_ids
from gis_app.web import rights_notices
from layers.features import RawGeometry, with_attributes
from layers.registry import BOOLEAN, DATETIME, POINT, Layer

EXTENT = 4096  # MVT coordinate units per tile side
BUFFER = 64  # units of buffer around the tile (clipping margin for strokes)
CLUSTER_CELLS = 8  # clusters per tile side at clustered zooms


class Slot:
    """A tile-dependent parameter in a compiled statement, filled by `Statement.bind`."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"<slot {self.name}>"


def _slots(*names: str) -> list[Slot]:
    return [Slot(n) for n in names]


@dataclass(frozen=True)
class Statement:
    """One ST_AsMVT statement with %s placeholders; `params` mixes fixed values (the layer
    name, the permission filter's values) and Slots."""

    sql: str
    params: tuple
    jit_off: bool
    box: tuple[float, float, float, float] | None = None    # the user's counties (county_box)

    def bind(self, values: dict[str, float | int]) -> list:
        return [values[p.name] if isinstance(p, Slot) else p for p in self.params]

    @cached_property
    def name(self) -> str:
        """The prepared statement's name: one per SQL text (users of one scope share it)."""
        return "tile_" + hashlib.sha1(self.sql.encode()).hexdigest()[:24]

    @cached_property
    def numbered_sql(self) -> str:
        """The SQL with PostgreSQL's $1, $2 .. parameters (PREPARE), `%%` back to `%`."""
        count = iter(range(1, len(self.params) + 1))
        return _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else f"${next(count)}", self.sql)


_PLACEHOLDER = re.compile(r"%s|%%")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(alias: str, attribute) -> str:
    """Datetimes as ISO 8601 text (JSON's spelling), not PostgreSQL's default output."""
    if attribute.type == DATETIME:
        return f"to_json(q.{alias}) #>> '{{}}'"
    return f"q.{alias}"


_BOX = "q.mvt_g && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"   # slots bw.. (features) or kw.. (clusters)
# OFFSET 0 keeps the "mvt_geom IS NOT NULL" filter from being pushed into the query that
# computes mvt_geom, where PostgreSQL computed ST_AsMVTGeom twice per row (filter, then
# output): a z10 grids tile of 4,000 features took 100 ms, 60 ms with this (same bytes).
_ONCE = "OFFSET 0"
# Features go into the tile in the order of their ids (clusters: of their placed points). Why: the
# rows come in the order of whatever plan read them, and the plan changes with the tables'
# statistics (autovacuum analysing between two tiles, more often under load): the same rows
# then made other bytes, another ETag, and a flaky byte comparison in the tests.
_IN_ORDER = "ORDER BY t.mvt_id"


def feature_statement(layer: Layer, user, rows: QuerySet, linear: bool = False) -> Statement:
    """Features of `layer` among `rows` in a tile: clipped (with the buffer) and simplified to
    half a pixel first for lines and polygons, placed in the tile, quantised; the primary key
    as feature id.

    Placed in the tile: projected to Web Mercator, or with `linear` (zooms from
    TILE_LINEAR_MIN_ZOOM on) lon/lat mapped straight onto the tile's own lon/lat box. Why:
    projecting each feature was about a tenth of a zoom-10 grids tile's time (thousands of
    small polygons), while inside one tile Mercator's latitude scale is so nearly constant that
    the linear placement is at most 2.5 of 4096 units off at zoom 10 up to 54 N (0.16 pixel),
    half that at every further zoom, and exact on the tile's edges, so tiles still meet."""
    rows, named = with_attributes(layer, user, rows)
    rows = rows.annotate(mvt_g=RawGeometry(layer.geometry_expression()), mvt_id=F("pk"))
    inner, inner_params = rows.values("mvt_id", *named, "mvt_g").query.sql_with_params()
    geom, geom_params = "q.mvt_g", []
    if layer.geometry_type != POINT:
        geom = f"ST_Simplify(ST_ClipByBox2D({geom}, ST_MakeEnvelope(%s, %s, %s, %s, 4326)), %s)"
        geom_params = _slots("cw", "cs", "ce", "cn", "half_pixel")
    if linear:
        placed, place_params = f"{geom}, ST_MakeBox2D(ST_Point(%s, %s), ST_Point(%s, %s))", _slots("w", "s", "e", "n")
    else:
        placed, place_params = f"ST_Transform({geom}, 3857), ST_TileEnvelope(%s, %s, %s)", _slots("z", "x", "y")
    columns = "".join(f"{_column(alias, a)} AS {_quote(a.name)}, " for alias, a in named.items())
    sql = (f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'mvt_geom', 'mvt_id' {_IN_ORDER}) FROM ("
           f"SELECT q.mvt_id, {columns}"
           f"ST_AsMVTGeom({placed}, {EXTENT}, {BUFFER}, true)"
           f" AS mvt_geom FROM ({inner}) q WHERE {_BOX} {_ONCE}) t WHERE t.mvt_geom IS NOT NULL")
    params = (layer.id, *geom_params, *place_params, *inner_params, *_slots("bw", "bs", "be", "bn"))
    return Statement(sql, params, layer.jit_off)


def cluster_statement(layer: Layer, user, rows: QuerySet) -> Statement:
    """Points of `layer` among `rows` in a tile aggregated into CLUSTER_CELLS x CLUSTER_CELLS cells: each
    cell with points becomes one point at their mean position with `count` and, for each
    boolean attribute (e.g. overdue, escalated), how many are true. Points are taken from the
    tile itself (no buffer), so every point is counted in exactly one tile."""
    rows, named = with_attributes(layer, user, rows)
    flags = {alias: a for alias, a in named.items() if a.type == BOOLEAN}
    rows = rows.annotate(mvt_g=RawGeometry(layer.geometry_expression()))
    inner, inner_params = rows.values("mvt_g", *flags).query.sql_with_params()
    sums = "".join(f", sum(CASE WHEN q.{alias} THEN 1 ELSE 0 END)::int AS {_quote(a.name)}"
                   for alias, a in flags.items())
    sql = (f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'mvt_geom' ORDER BY t.mvt_geom, t.count) FROM ("
           f"SELECT count(*)::int AS count{sums}, true AS cluster, ST_AsMVTGeom(ST_Transform("
           f"ST_SetSRID(ST_MakePoint(avg(ST_X(q.mvt_g)), avg(ST_Y(q.mvt_g))), 4326), 3857), "
           f"ST_TileEnvelope(%s, %s, %s), {EXTENT}, {BUFFER}, true) AS mvt_geom "
           f"FROM ({inner}) q WHERE {_BOX} "
           f"GROUP BY floor((ST_X(q.mvt_g) - %s) / %s), floor((ST_Y(q.mvt_g) - %s) / %s) {_ONCE}"
           f") t WHERE t.mvt_geom IS NOT NULL")
    params = (layer.id, *_slots("z", "x", "y"), *inner_params, *_slots("kw", "ks", "ke", "kn"),
              *_slots("w", "cell_w", "s", "cell_h"))
    return Statement(sql, params, True)


# --- the cache ---------------------------------------------------------------------------------

def _options_key(options: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in options.items()))


def statement(layer: Layer, user, options: dict, clustered: bool, linear: bool = False) -> Statement:
    """The compiled tile statement of `layer` for `user` and `options` (cached, see above);
    `linear`: features placed linearly in the tile (feature_statement)."""
    linear = linear and not clustered
    key = (layer.id, layer.county_box, clustered, linear, getattr(user, "pk", None), _options_key(options))
    ttl = settings.TILE_SQL_CACHE_SECONDS
    kept, keep = _session_statements(ttl)
    now = time.monotonic()
    hit = kept.get(key) if kept is not None else None
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = layer.queryset_for(user, options)
    compiled = cluster_statement(layer, user, rows) if clustered else feature_statement(layer, user, rows, linear)
    if layer.county_box:
        compiled = replace(compiled, box=counties_box(user))
    if keep:
        if len(kept) >= settings.TILE_SQL_CACHE_ENTRIES:
            kept.clear()
        kept[key] = (now + ttl, compiled)
    return compiled


def _session_statements(ttl: float) -> tuple[dict | None, bool]:
    """(the statements the default database session keeps, whether one compiled now may join
    them); (None, False) with no cache, inside a transaction or on a broken session.

    Kept under the session's rights_notices stamp (a new session starts to listen here). A
    statement compiled while the stamp has just changed is not kept: the user's scope was read
    when the request was authenticated, before the notices were read, so it may predate the
    change they announce; the next request reads it again and keeps its statement."""
    if ttl <= 0:
        return None, False
    return rights_notices.session_cache(connections[DEFAULT_DB_ALIAS], "_tile_statements")


def counties_box(user) -> tuple[float, float, float, float] | None:
    """The bounding box of the counties `user` may see, grown by TILE_COUNTY_BOX_MARGIN
    degrees; None for every county (superuser) or none with a geometry.

    Why: the permission filter keeps a tile to the user's counties, but PostgreSQL finds the
    rows in the tile's box through the geometry index first, the neighbours' too, and drops
    them by county afterwards: a z10 tile over a border read twice the rows it drew. A tile
    narrowed to this box skips them (and a tile wholly outside it costs no query). Cases also
    have a GiST index on (county_id, location) (btree_gist; usable since the county filter is
    bigint-typed, enforcement.access.in_counties); grids gained nothing from one
    (docs/scaling.md)."""
    ids = visible_county_ids(user)
    if ids is None:
        return None
    box = County.objects.filter(pk__in=ids).aggregate(e=Extent("geom"))["e"]
    if box is None:
        return None
    margin = settings.TILE_COUNTY_BOX_MARGIN
    return box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin


# --- running a statement ------------------------------------------------------------------------

_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # raw connection -> names on it
# Prepared tile statements run their generic plan from the first EXECUTE. Why: PostgreSQL plans
# the first five executions for their values and keeps the generic plan only if it is estimated
# no dearer than those; over a province's 1M grids it never was (bench/province_bench.py, 100
# counties: 40 z14 grids tiles, 40 custom plans), so every street tile was planned again, the
# cost PREPARE is there to save. Measured at 100 counties, build_tile interleaved over 150
# tiles (p50, three runs): grids z14 0.72-0.76x, z13 0.69-0.75x; at 1 county, where PostgreSQL
# chose the generic plan itself, 0.99-1.06x (the set_config). The setting is local to the EXECUTE's own implicit
# transaction (one string, one round trip), so other statements of the session keep theirs.
GENERIC_PLAN = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true); "
_unpreparable: set[str] = set()


def run(connection, compiled: Statement, values: dict, prepare: bool = True):
    """The tile's bytes from `compiled` bound to `values`, on `connection` (a Django connection).

    With `prepare` (tiles.py: street zooms), outside a transaction, the statement is PREPAREd
    once per database session and EXECUTEd after. Why: PostgreSQL planned the statement (four
    tables for grids) on every tile, about half a millisecond, as much as a street-zoom tile's
    execution (grids z14: 0.63x with it). Not for wide tiles: PostgreSQL soon settles on one
    generic plan, which suits a tile of twenty rows and not one of thousands (grids z10/z11
    measured 1.1x slower prepared). Inside a transaction (layers that set the time zone or
    JIT) a failing PREPARE would abort it, so those run plain; so does everything with
    TILE_PREPARED_STATEMENTS off (a transaction-mode connection pooler does not keep them)."""
    params = compiled.bind(values)
    with connection.cursor() as cursor:
        name = compiled.name
        if (not prepare or connection.in_atomic_block or not settings.TILE_PREPARED_STATEMENTS
                or name in _unpreparable):
            cursor.execute(compiled.sql, params)
            return cursor.fetchone()[0]
        names = _prepared.setdefault(connection.connection, set())
        if name not in names:
            if len(names) >= settings.TILE_SQL_CACHE_ENTRIES:
                cursor.execute("DEALLOCATE ALL")
                names.clear()
            try:
                cursor.execute(f"PREPARE {name} AS {compiled.numbered_sql}")
            except DatabaseError:       # a parameter whose type PostgreSQL cannot infer: run plain
                _unpreparable.add(name)
                cursor.execute(compiled.sql, params)
                return cursor.fetchone()[0]
            names.add(name)
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
        cursor.execute(GENERIC_PLAN + execute, params)
        return cursor.fetchone()[0]


def forget_statements(**kwargs) -> None:
    """Drop the compiled tile statements of every session of this process (and whatever else
    is kept under rights_notices' stamps)."""
    rights_notices.forget()
