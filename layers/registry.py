"""The layer registry: one declaration per map layer, and the one registry every output iterates.

A `Layer` is a provider in pygeoapi's sense: it names its rows (a queryset of what one user
may see), the attributes each feature carries, the geometry, the style, who may see it at
all, the datetime field(s) OGC `datetime` filters on, and whether points are clustered at
low zoom. Vector tiles (tiles.py), OGC API - Features (ogc.py) and the folium pages
(folium_pages.py) are generated from these declarations alone: adding a layer is adding one
`Layer(...)` to `REGISTRY` in catalogue.py.

This module is the declarations' vocabulary only and imports nothing of the project's but the
parameter kit: catalogue.py imports it, never the reverse. The outputs read the loaded registry
through `layers.catalogue.layers()`; only their views import the catalogue (it reads the API's
access rules and parameters), so django.setup(), commands and upload workers that never draw a
map do not load it.

Every feature carries `code` and `name`. Geometry is stored in WGS84 (EPSG:4326).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Expression, F, QuerySet

from gis_app.web.params import Param

STRING, INTEGER, NUMBER, BOOLEAN, DATETIME = "string", "integer", "number", "boolean", "datetime"
POLYGON, POINT, LINESTRING = "MultiPolygon", "Point", "MultiLineString"


@dataclass(frozen=True)
class Attribute:
    """One property of every feature: its name, where it comes from (a field path or an ORM
    expression), its type (for TileJSON, OGC schemas and GDAL), and whether it is a detail
    that summary readers (see `Layer.summary_only`) do not get.

    `label` is what people read (the map popups' row heading, the OGC schema's `title`), in
    Chinese; `words` maps a coded value to its Chinese word (e.g. a case state), taken from
    the vocabulary's one home (a model's `choices`, the router's word tables), never
    written here again."""

    name: str
    source: str | Expression | Callable[[], Expression] | None = None
    type: str = STRING
    description: str = ""
    detail: bool = False
    label: str = ""
    words: Mapping[str, str] | None = field(default=None, compare=False)

    @property
    def plain(self) -> bool:
        """A model field or annotation of the same name, selected as it is."""
        return self.source is None or self.source == self.name

    def popup(self) -> dict:
        """What a map page needs to show this attribute to people (maps.js reads it)."""
        return {"label": self.label or self.name, "type": self.type, "words": dict(self.words or {})}

    def expression(self):
        """The ORM expression (a callable source is built per query, e.g. one reading settings)."""
        if self.source is None or isinstance(self.source, str):
            return F(self.source or self.name)
        return self.source() if callable(self.source) else self.source


@dataclass(frozen=True)
class Style:
    """How pages draw a layer: `base` Leaflet path options, then each rule whose `when`
    (attribute -> value) matches is merged on top, in order; a rule's `label` makes a legend
    entry. `cluster` styles the aggregated points of clustered low-zoom tiles."""

    base: dict
    rules: tuple[dict, ...] = ()
    label: str | None = None  # attribute drawn as a text label (pages), e.g. "name"
    cluster: dict | None = None

    def as_json(self) -> dict:
        return {"base": self.base, "rules": list(self.rules), "label": self.label,
                "cluster": self.cluster}


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Layer:
    """One map layer. `rows(user, options)` is the permission hook: it returns only the rows
    `user` may see (raising NotAMember for an account without a county), with the attribute
    expressions not yet applied; `visible(user)` says whether the role may open the layer at
    all (403 otherwise). `options` are the layer's own query parameters (`params`), parsed by
    `parse_options(query_params)`.
    """

    id: str
    title: str
    description: str
    geometry_type: str
    rows: Callable[..., QuerySet]
    attributes: tuple[Attribute, ...]
    style: Style
    geometry: str | Callable[[], Expression] = "geom"
    id_field: str = "pk"
    id_type: str = INTEGER
    visible: Callable[[Any], bool] = _everyone
    summary_only: Callable[[Any], bool] = lambda user: False
    datetime: tuple[str, str | None] | None = None  # (start field, end field or None: instant)
    cluster_max_zoom: int | None = None  # tiles at or below this zoom aggregate points
    min_zoom: int = 0
    max_zoom: int = 20
    params: tuple[Param, ...] = ()
    parse_options: Callable[[Any], dict] = lambda query_params: {}
    bbox_filter: Callable[[QuerySet, GEOSGeometry, bool], QuerySet] | None = None
    ordering: tuple[str, ...] = ("pk",)
    max_age: int = 300  # seconds clients may reuse a tile or page of this layer unchecked
    jit_off: bool = False  # per-row subqueries inflate estimates: run its queries without JIT
    # Every row lies in its county's bounding box: a tile reads only the part of its box that
    # overlaps the user's counties' (tiles.py), not the neighbours' rows beside them.
    county_box: bool = False
    extra: dict = field(default_factory=dict)

    # --- what a user gets -------------------------------------------------------------------

    def attributes_for(self, user) -> tuple[Attribute, ...]:
        if self.summary_only(user):
            return tuple(a for a in self.attributes if not a.detail)
        return self.attributes

    def geometry_expression(self):
        return F(self.geometry) if isinstance(self.geometry, str) else self.geometry()

    def geometry_field(self) -> str | None:
        """The geometry column when the geometry is a plain field (indexed lookups)."""
        return self.geometry if isinstance(self.geometry, str) else None

    def queryset_for(self, user, options: dict | None = None) -> QuerySet:
        """The rows `user` may see, unordered (callers order or aggregate)."""
        return self.rows(user, options or {}).order_by()

    def within(self, queryset: QuerySet, polygon: GEOSGeometry, exact: bool = True) -> QuerySet:
        """Rows whose geometry intersects `polygon` (WGS84); `exact=False` compares bounding
        boxes only (&&), enough for tiles, which ST_AsMVTGeom clips anyway. Both use the GiST
        index of the geometry column."""
        if self.bbox_filter is not None:
            return self.bbox_filter(queryset, polygon, exact)
        lookup = "intersects" if exact else "bboverlaps"
        return queryset.filter(**{f"{self.geometry_field()}__{lookup}": polygon})

    def property_types(self, user=None) -> dict[str, str]:
        attributes = self.attributes if user is None else self.attributes_for(user)
        return {a.name: a.type for a in attributes}


class Registry:
    """Layers by id, in declaration order (the order pages and OGC collections list them)."""

    def __init__(self):
        self._layers: dict[str, Layer] = {}

    def register(self, layer: Layer) -> Layer:
        if layer.id in self._layers:
            raise ValueError(f"layer {layer.id!r} is declared twice")
        names = [a.name for a in layer.attributes]
        for required in ("code", "name"):
            if required not in names:
                raise ValueError(f"layer {layer.id!r}: every feature needs `{required}`")
        if len(set(names)) != len(names):
            raise ValueError(f"layer {layer.id!r}: attribute names repeat")
        self._layers[layer.id] = layer
        return layer

    def get(self, layer_id: str) -> Layer | None:
        return self._layers.get(layer_id)

    def __iter__(self):
        return iter(self._layers.values())

    def ids(self) -> list[str]:
        return list(self._layers)

    def visible_to(self, user) -> list[Layer]:
        return [layer for layer in self if layer.visible(user)]


REGISTRY = Registry()
