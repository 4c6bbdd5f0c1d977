"""Rows of a layer as features: the attribute columns every output selects the same way.

Attribute names such as `team` or `county` are also foreign keys of the models, which the ORM
refuses as annotation names, so each attribute is selected under an alias (`a0`, `a1`, ...)
and renamed on the way out (GeoJSON properties here, MVT columns in tiles.py).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import BinaryField, F, Func, QuerySet

from django.utils import timezone

from gis_app.replica import reading_alias, reading_connection
from layers.registry import DATETIME, Attribute, Layer


class RawGeometry(Func):
    """The geometry column as PostGIS sees it: GeoDjango would cast a selected geometry to
    bytea for Python, but tile SQL wraps this column in further PostGIS calls."""

    template = "%(expressions)s"
    output_field = BinaryField()


def aliases(attributes: tuple[Attribute, ...]) -> dict[str, Attribute]:
    return {f"a{i}": attribute for i, attribute in enumerate(attributes)}


def with_attributes(layer: Layer, user, queryset: QuerySet) -> tuple[QuerySet, dict[str, Attribute]]:
    """`queryset` annotated with the attributes `user` gets, each under its alias."""
    named = aliases(layer.attributes_for(user))
    return queryset.annotate(**{alias: a.expression() for alias, a in named.items()}), named


def id_expression(layer: Layer):
    return F(layer.id_field)


def json_value(value):
    """A property value as JSON writes it: datetimes in ISO 8601 with their offset."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def properties(row: dict, named: dict[str, Attribute]) -> dict:
    return {a.name: json_value(row[alias]) for alias, a in named.items()}


@contextmanager
def no_jit(needed: bool = True):
    """A transaction with PostgreSQL's JIT compiler off, when `needed`. Layer queries are
    short, but a per-row subquery (a hub area's union, the coverage segments) or an aggregate
    over many points inflates the planner's estimate past jit_above_cost, and compiling then
    costs most of a second for a query that runs in milliseconds. Other layers skip the three
    extra round trips (BEGIN, SET, COMMIT)."""
    if not needed:
        yield
        return
    with transaction.atomic(using=reading_alias()):
        with reading_connection().cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def has_times(layer: Layer) -> bool:
    return any(a.type == DATETIME for a in layer.attributes)


@contextmanager
def layer_queries(layer: Layer, jit_off: bool | None = None):
    """Where a layer's features are written by PostgreSQL (OGC JSON, tile attributes): JIT off
    when the layer needs it (see no_jit), and datetimes written in the output time zone (the
    county's, Asia/Shanghai, unless the client asked for `tz=UTC`; gis_app/api/timezones.py),
    since PostgreSQL writes a timestamptz in its session time zone, which Django keeps at UTC.
    A layer without datetimes and JIT needs no transaction."""
    jit_off = layer.jit_off if jit_off is None else jit_off
    if not (jit_off or has_times(layer)):
        yield
        return
    with transaction.atomic(using=reading_alias()):
        with reading_connection().cursor() as cursor:
            if jit_off:
                cursor.execute("SET LOCAL jit = off")
            if has_times(layer):
                cursor.execute("SELECT set_config('TimeZone', %s, true)",
                               [timezone.get_current_timezone_name()])
        yield
