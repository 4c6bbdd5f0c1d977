"""Keyset paging of OGC API items: the `next` and `prev` links carry a cursor, not an offset.

Why: `ORDER BY ... OFFSET k` makes PostgreSQL read and drop the k rows before the page, and
when a province shares the tables it reads them through an index over every county: the
cases page of one county grew 11x from 1 to 10 counties (bench/province_bench.py). A cursor
holds the ordering key of the row beside the page (the layer's `ordering`, then the primary
key), and the page is the rows after (or, for `prev`, before) that key among what the user may
see, ORDER BY the key LIMIT n: with an index that starts with the county and goes on with the
key (cases (county_id, id), grids (county_id, code)) a page costs what it returns.

The cursor is opaque to clients and signed (django.core.signing, salted with the collection):
it only says where a page starts, never what may be seen, since it narrows the user's own
rows; a cursor that was not given out for this collection is a 400 naming `cursor`. `offset`
is still accepted for clients that send it (its page is read as before; the links from it
carry cursors onward).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import BooleanField, F, Func, QuerySet, Value

from gis_app.web.errors import BadParameter
from gis_app.web.params import get_one
from layers.registry import Layer

SALT = "layers.ogc.cursor"
PARAM = "cursor"


@dataclass(frozen=True)
class Cursor:
    """The ordering key of a row beside a page: the page holds the rows after it (`before`
    False: a next link) or the rows before it (`before` True: a prev link)."""

    key: tuple
    before: bool = False

    def encode(self, layer: Layer) -> str:
        values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in self.key]
        return signing.dumps([layer.id, int(self.before), values], salt=SALT, compress=True)

    @classmethod
    def decode(cls, layer: Layer, text: str) -> Cursor:
        try:
            layer_id, before, values = signing.loads(text, salt=SALT)
            if layer_id != layer.id:
                raise ValueError
            key = tuple(datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in values)
        except (signing.BadSignature, ValueError, TypeError, KeyError):
            raise refusal(layer) from None
        return cls(key, bool(before))


def refusal(layer: Layer) -> BadParameter:
    return BadParameter(PARAM, f"not a page cursor of collection {layer.id!r}: follow the "
                               f"next/prev links as given (or page with offset)")


def parse_cursor(request, layer: Layer) -> Cursor | None:
    text = get_one(request, PARAM)
    if text is None:
        return None
    if PARAM in request.query_params and "offset" in request.query_params:
        raise BadParameter("offset", "cannot be combined with cursor (a cursor says where its page starts)")
    return Cursor.decode(layer, text)


def key_fields(layer: Layer, model) -> list[tuple[str, bool]]:
    """(field, descending) of the layer's ordering and then the primary key (the tie-break),
    `id` spelt `pk` so that a layer ordered by id pages by one column, and no tie-break after
    one unique field (grids by code: the (county_id, code) index then gives the page in
    order and stops at its end)."""
    ordering = [name.lstrip("-") for name in layer.ordering]
    if len(ordering) == 1 and "__" not in ordering[0] and ordering[0] not in ("pk", "id"):
        field = model._meta.get_field(ordering[0])
        if getattr(field, "unique", False):
            return [(ordering[0], layer.ordering[0].startswith("-"))]
    out = []
    for name in (*layer.ordering, "pk"):
        descending, field = name.startswith("-"), name.lstrip("-")
        field = "pk" if field == "id" else field
        if field not in (f for f, _ in out):
            out.append((field, descending))
    return out


class RowCompare(Func):
    """(a, b, ...) > (x, y, ...) (or <): one comparison of the whole key, which a btree index on
    the key's columns (after the county's equality) answers as a range, where the spelled-out
    `a > x OR (a = x AND b > y)` would be a filter over every row."""

    output_field = BooleanField()

    def __init__(self, columns, values, operator: str):
        self.operator = operator
        super().__init__(*columns, *values)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            parts.append(sql)
            params += p
        n = len(parts) // 2
        return f"({', '.join(parts[:n])}) {self.operator} ({', '.join(parts[n:])})", params


def _after(rows: QuerySet, fields, key: tuple, backwards: bool) -> QuerySet:
    """`rows` beyond `key` in the key's order (before it when `backwards`)."""
    directions = {descending for _, descending in fields}
    if len(directions) == 1:
        greater = directions == {False}
        operator = ">" if greater != backwards else "<"
        columns = [F(f"page_k{i}") for i in range(len(fields))]
        return rows.filter(RowCompare(columns, [Value(v) for v in key], operator))
    # Mixed directions (tracks: newest first, then id): the comparison spelled out.
    from django.db.models import Q
    condition = Q()
    for i, (_, descending) in enumerate(fields):
        step = Q(**{f"page_k{j}": key[j] for j in range(i)})
        lookup = "gt" if descending == backwards else "lt"
        condition |= step & Q(**{f"page_k{i}__{lookup}": key[i]})
    return rows.filter(condition)


@dataclass
class Window:
    """A page's feature texts and the cursors of the pages beside it (None: no such page)."""

    features: list[str]
    next: Cursor | None
    prev: Cursor | None


def page(layer: Layer, rows: QuerySet, column: str, limit: int, offset: int, cursor: Cursor | None) -> Window:
    """One page of `rows` (already the user's, filtered, with `column` the feature text):
    after or before `cursor`, or at `offset` when there is none. One row more than the page is
    read to know whether a further page exists in the direction read."""
    fields = key_fields(layer, rows.model)
    if cursor is not None and len(cursor.key) != len(fields):
        raise refusal(layer)
    rows = rows.annotate(**{f"page_k{i}": F(f) for i, (f, _) in enumerate(fields)})
    backwards = cursor is not None and cursor.before
    order = [("-" if descending != backwards else "") + f"page_k{i}" for i, (_, descending) in enumerate(fields)]
    names = [f"page_k{i}" for i in range(len(fields))]
    rows = rows.order_by(*order).values_list(column, *names)
    if cursor is not None:
        found = list(_after(rows, fields, cursor.key, backwards)[:limit + 1])
    else:
        found = list(rows[offset:offset + limit + 1])
    more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
    keys = [tuple(r[1:]) for r in found]
    if backwards:      # read towards the start: rows exist after it (the cursor's own row)
        nxt = Cursor(keys[-1]) if keys else None
        prev = Cursor(keys[0], before=True) if more else None
    else:              # an offset page's prev link is an offset (the view's), as before
        nxt = Cursor(keys[-1]) if more else None
        prev = Cursor(keys[0], before=True) if keys and cursor is not None else None
    return Window([r[0] for r in found], nxt, prev)
