"""Geometry on the way out: which CRS, how much detail, and how every response states it.

Geometries are stored in WGS84. PostGIS simplifies (tolerance in metres, in the feature's
own UTM zone), transforms to an EPSG output CRS and writes the GeoJSON text, so Python
never walks coordinates, except for GCJ-02: it has no EPSG code and PostGIS has no
formula for it, so boundaries/crs.py shifts the coordinates of each feature.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Func, TextField, Value
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boundaries.crs import ACCEPTED, GCJ02, WGS84, CRS, from_wgs84
from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, parse_choice, parse_crs_param, parse_number

FULL, SIMPLIFIED, NONE = "full", "simplified", "none"
GEOMETRY_MODES = (FULL, SIMPLIFIED, NONE)
DEFAULT_SIMPLIFY_M = 100.0
MAX_SIMPLIFY_M = 10_000.0

CRS_PARAM = Param("crs", f"CRS of every coordinate in the response (and of `bbox` unless "
                         f"`bbox-crs` says otherwise). Accepted: {ACCEPTED}. Coordinates are "
                         f"always x/longitude first.")
GEOMETRY_PARAM = Param("geometry", "Geometry detail: `full` (stored vertices), `simplified` "
                                   "(see `simplify`) or `none` (geometry null, properties only).",
                       enum=GEOMETRY_MODES)
SIMPLIFY_PARAM = Param("simplify", "Simplification tolerance in metres (0 < t <= 10000), "
                                   "implies `geometry=simplified`. Each feature is simplified on "
                                   "its own, so shared borders may no longer match exactly. "
                                   f"Default for `geometry=simplified`: {DEFAULT_SIMPLIFY_M:g} m.",
                       type=OpenApiTypes.NUMBER)
OUTPUT_PARAMS = (CRS_PARAM, GEOMETRY_PARAM, SIMPLIFY_PARAM)


class SimplifyMetres(Func):
    """ST_SimplifyPreserveTopology with a tolerance in metres.

    Raw SQL because the ORM's Transform takes a constant SRID, and the metric CRS here
    depends on the row: the UTM zone (WGS84, EPSG:326xx/327xx) of the geometry's centroid,
    where a metre is a metre within 0.1%. The result is back in WGS84, and ST_Multi keeps
    it MultiPolygon (GEOS may hand back a Polygon; every simplified layer here is areas).
    """

    output_field = GeometryField(srid=4326)

    def __init__(self, expression, tolerance_m: float):
        super().__init__(expression)
        self.tolerance_m = float(tolerance_m)

    def as_sql(self, compiler, connection, **extra):
        geom, params = compiler.compile(self.source_expressions[0])
        # The derived table names the geometry once, so an expensive source (a hub's union
        # subquery) is computed once per row, not once per use.
        utm = ("(CASE WHEN ST_Y(ST_Centroid(s.g)) >= 0 THEN 32600 ELSE 32700 END"
               " + LEAST(60, GREATEST(1, floor((ST_X(ST_Centroid(s.g)) + 180) / 6)::int + 1)))")
        sql = (f"(SELECT ST_Multi(ST_Transform(ST_SimplifyPreserveTopology("
               f"ST_Transform(s.g, {utm}), %s), 4326)) FROM (SELECT {geom} AS g) AS s)")
        return sql, [self.tolerance_m, *params]


def crs_urn(crs: CRS) -> str:
    """The name a GeoJSON `crs` member gives: OGC CRS84 for WGS84 (lon/lat order)."""
    if crs.name == WGS84:
        return "urn:ogc:def:crs:OGC:1.3:CRS84"
    if crs.is_gcj02:
        return GCJ02
    return f"urn:ogc:def:crs:EPSG::{crs.epsg}"


def crs_member(crs: CRS) -> dict:
    return {"type": "name", "properties": {"name": crs_urn(crs)}}


def content_crs(crs: CRS) -> str:
    """`Content-Crs` header value as OGC API - Features Part 2 writes it (GCJ-02 has no URI)."""
    if crs.name == WGS84:
        return "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    if crs.is_gcj02:
        return GCJ02
    return f"<http://www.opengis.net/def/crs/EPSG/0/{crs.epsg}>"


@dataclass(frozen=True)
class GeometryOutput:
    """How geometries leave this request: CRS, detail mode, tolerance in metres."""

    crs: CRS
    mode: str = FULL
    tolerance_m: float | None = None
    flip: bool = False  # y first (an EPSG CRS's own axis order, OGC API Part 2: layers/ogc_crs.py)

    @classmethod
    def from_request(cls, request, default_mode: str = FULL) -> "GeometryOutput":
        crs = parse_crs_param(request, "crs")
        mode = parse_choice(request, "geometry", GEOMETRY_MODES)
        tolerance = parse_number(request, "simplify", 0.0, MAX_SIMPLIFY_M)
        if tolerance is not None:
            if tolerance <= 0:
                raise BadParameter("simplify", "must be greater than 0 metres")
            if mode in (FULL, NONE):
                raise BadParameter("simplify", f"cannot be combined with geometry={mode}")
            mode = SIMPLIFIED
        mode = mode or default_mode
        if mode == SIMPLIFIED and tolerance is None:
            tolerance = DEFAULT_SIMPLIFY_M
        return cls(crs=crs, mode=mode, tolerance_m=tolerance)

    @property
    def precision(self) -> int:
        """Decimal places: 7 for degrees (about 1 cm), 3 for metres."""
        return 7 if self.crs.is_geographic else 3

    def expression(self, geom="geom"):
        """GeoJSON text of `geom` (a field name or expression) as this output asks, or NULL."""
        if self.mode == NONE:
            return Value(None, output_field=TextField())
        expr = geom
        if self.mode == SIMPLIFIED:
            expr = SimplifyMetres(expr, self.tolerance_m)
        if not self.crs.is_geographic:
            expr = Transform(expr, self.crs.epsg)
        if self.flip:
            expr = Func(expr, function="ST_FlipCoordinates", output_field=GeometryField(srid=0))
        return AsGeoJSON(expr, precision=self.precision)

    def annotate(self, queryset, geom="geom", name="geom_json"):
        return queryset.annotate(**{name: self.expression(geom)})


def _positions(geometry, out: list) -> None:
    """Append every [x, y] position list of a GeoJSON geometry to `out`."""
    if geometry is None:
        return
    if geometry["type"] == "GeometryCollection":
        for part in geometry["geometries"]:
            _positions(part, out)
        return
    stack = [geometry["coordinates"]]
    while stack:
        coords = stack.pop()
        if coords and isinstance(coords[0], (int, float)):
            out.append(coords)
        else:
            stack.extend(coords)


def shift_to_gcj02(geometries) -> None:
    """Shift GeoJSON geometries from WGS84 to GCJ-02 in place, all positions in one numpy call
    (a page of 1,600 grids: one conversion instead of 1,600)."""
    positions: list = []
    for geometry in geometries:
        _positions(geometry, positions)
    if not positions:
        return
    lon = np.fromiter((p[0] for p in positions), dtype=float, count=len(positions))
    lat = np.fromiter((p[1] for p in positions), dtype=float, count=len(positions))
    x, y = from_wgs84(lon, lat, GCJ02)
    for position, px, py in zip(positions, np.round(x, 7).tolist(), np.round(y, 7).tolist()):
        position[0], position[1] = px, py


def finish(data: dict, crs: CRS) -> dict:
    """A serialized Feature or FeatureCollection in `crs`, with its `crs` member after `type`.

    EPSG outputs were transformed by PostGIS already; GCJ-02 is applied here.
    """
    if crs.is_gcj02:
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        shift_to_gcj02(feature["geometry"] for feature in features)
    out = {"type": data["type"], "crs": crs_member(crs)}
    out.update((key, value) for key, value in data.items() if key not in ("type", "crs"))
    return out


@extend_schema_field(OpenApiTypes.OBJECT)
class OutputGeometryField(serializers.Field):
    """Reads the `geom_json` annotation made by GeometryOutput (WGS84 or the EPSG output CRS;
    `finish` shifts a whole response to GCJ-02 when asked)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "geom_json")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else json.loads(value)
