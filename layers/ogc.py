"""OGC API - Features, Part 1 Core + GeoJSON (+ HTML), generated from the layer registry:
the documents about the data (landing page, conformance, collections, feature schemas,
queryables, the API definition). The items themselves are in ogc_items.py.

Documents are built here as plain dicts; ogc_views.py authenticates, negotiates JSON or HTML and
renders. One collection per layer, the same id as its tiles. Rules followed (OGC 17-069r4):
- landing page links to the API definition (service-desc), conformance and collections;
- any other query parameter is a 400 naming it (requirement /req/core/query-param-unknown);
- coordinates are WGS84 longitude/latitude (CRS84) unless `crs` asks for another output CRS,
  e.g. `crs=GCJ02` for Amap/Tencent basemaps; the response says which in its `crs` member and
  the `Content-Crs` header.
"""
from __future__ import annotations

from types import SimpleNamespace

from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min
from django.http import QueryDict

from gis_app.api.access import visible_counties
from gis_app.web.params import Param
from layers.features import no_jit
from layers.ogc_crs import CRS84, advertised
from layers.ogc_items import DEFAULT_LIMIT, ITEM_PARAMS, ITEM_PARAMS_OF_ONE, MAX_LIMIT, local_iso
from layers.registry import Layer

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"


# --- documents --------------------------------------------------------------------------------

def link(href, rel, type_, title=None) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def landing(url) -> dict:
    """`url(path, **query)` makes absolute links."""
    return {
        "title": "网格化执法地图服务 · OGC API - Features",
        "description": "Territory, teams, cases and patrols of the counties you may see, as "
                       "OGC API - Features collections (GeoJSON, HTML). Coordinates: WGS84 "
                       "lon/lat (CRS84) unless `crs` says otherwise.",
        "links": [
            link(url("/ogc/"), "self", JSON, "this document"),
            link(url("/ogc/", f="html"), "alternate", HTML, "this document as HTML"),
            link(url("/ogc/api"), "service-desc", OPENAPI, "the API definition (OpenAPI 3.0)"),
            link(url("/api/docs/"), "service-doc", HTML, "REST API documentation"),
            link(url("/ogc/conformance"), "conformance", JSON, "conformance classes"),
            link(url("/ogc/collections"), "data", JSON, "the collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def spatial_extent(user) -> list[float] | None:
    box = visible_counties(user).aggregate(e=Extent("geom"))["e"]
    return [round(v, 7) for v in box] if box else None


def temporal_extent(layer: Layer, user, options: dict) -> list | None:
    if layer.datetime is None:
        return None
    start, end = layer.datetime
    rows = layer.queryset_for(user, options)
    with no_jit(layer.jit_off):
        found = rows.aggregate(lo=Min(start), hi=Max(end or start))
    return [local_iso(found["lo"]), local_iso(found["hi"])]


def collection(layer: Layer, user, url, options: dict, bbox=None) -> dict:
    base = f"/ogc/collections/{layer.id}"
    extent = {"spatial": {"bbox": [bbox] if bbox else [[-180, -90, 180, 90]], "crs": CRS84}}
    temporal = temporal_extent(layer, user, options)
    if temporal is not None:
        extent["temporal"] = {"interval": [temporal], "trs": GREGORIAN}
    description = layer.description
    if layer.params:
        description += " Parameters of this collection: " + "; ".join(
            f"`{p.name}`: {p.description}" for p in layer.params)
    return {
        "id": layer.id,
        "title": layer.title,
        "description": description,
        "itemType": "feature",
        "extent": extent,
        "crs": advertised(user),
        "storageCrs": CRS84,
        "links": [
            link(url(base), "self", JSON, layer.title),
            link(url(base, f="html"), "alternate", HTML, f"{layer.title} (HTML)"),
            link(url(f"{base}/items"), "items", GEOJSON, f"{layer.title}: features"),
            link(url(f"{base}/items", f="html"), "items", HTML, f"{layer.title}: features (HTML)"),
            link(url(f"{base}/schema"), "describedby", SCHEMA, f"{layer.title}: the schema of a feature"),
            # The same link as GDAL up to 3.6 spells the relation (link relations are
            # case-insensitive, RFC 8288; GDAL compared case-sensitively).
            link(url(f"{base}/schema"), "describedBy", SCHEMA, f"{layer.title}: the schema of a feature"),
            link(url(f"{base}/queryables"), QUERYABLES_REL, SCHEMA, f"{layer.title}: queryables"),
            link(url(f"/tiles/{layer.id}.json"), TILESETS_REL, JSON, "TileJSON of the vector tiles"),
        ],
    }


def collections(layers: list[Layer], user, url) -> dict:
    bbox = spatial_extent(user)
    return {
        "links": [link(url("/ogc/collections"), "self", JSON, "collections"),
                  link(url("/ogc/collections", f="html"), "alternate", HTML, "collections (HTML)")],
        "collections": [collection(layer, user, url, _default_options(layer), bbox) for layer in layers],
    }


def _default_options(layer: Layer) -> dict:
    """A layer's options when its own parameters are absent (e.g. coverage: today)."""
    return layer.parse_options(SimpleNamespace(query_params=QueryDict()))


# --- schemas: what a feature holds, even when there is none -------------------------------------

JSON_SCHEMA_TYPES = {"string": {"type": "string"}, "integer": {"type": "integer"},
                     "number": {"type": "number"}, "boolean": {"type": "boolean"},
                     "datetime": {"type": "string", "format": "date-time"}}
GEOMETRY_FORMATS = {"MultiPolygon": "geometry-multipolygon", "Point": "geometry-point",
                    "MultiLineString": "geometry-multilinestring"}
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _property(attribute) -> dict:
    out = dict(JSON_SCHEMA_TYPES[attribute.type])
    out["title"] = attribute.label or attribute.name  # what people read (QGIS shows it as the field's alias)
    if attribute.description:
        out["description"] = attribute.description
    return out


def feature_schema(layer: Layer, user, url) -> dict:
    """The JSON Schema of one GeoJSON feature of the collection (the `describedby` link): GDAL
    and QGIS build the layer's fields from it, so an empty collection keeps its fields."""
    return {
        "$schema": DRAFT, "$id": url(f"/ogc/collections/{layer.id}/schema"),
        "title": layer.title, "description": layer.description, "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer" if layer.id_type == "integer" else "string"},
            "geometry": {"format": GEOMETRY_FORMATS[layer.geometry_type], "type": "object"},
            "properties": {"type": "object", "properties": {
                a.name: _property(a) for a in layer.attributes_for(user)}},
        },
    }


def queryables(layer: Layer, url) -> dict:
    """What `items` filters on (OGC API - Features Part 3 queryables): the geometry (`bbox`) and,
    for collections with time, the instant or interval (`datetime`). Attribute filters are not
    offered; the schema of every property is the `describedby` document."""
    properties = {"geometry": {"format": GEOMETRY_FORMATS[layer.geometry_type],
                               "x-ogc-role": "primary-geometry", "description": "filter with `bbox`"}}
    if layer.datetime is not None:
        start, end = layer.datetime
        titles = {a.name: a.label for a in layer.attributes if a.label}
        roles = [(start, "primary-instant" if end is None else "primary-interval-start")]
        if end:
            roles.append((end, "primary-interval-end"))
        for name, role in roles:
            properties[name] = {"type": "string", "format": "date-time", "x-ogc-role": role,
                                "title": titles.get(name, name), "description": "filter with `datetime`"}
    return {"$schema": DRAFT, "$id": url(f"/ogc/collections/{layer.id}/queryables"),
            "title": f"{layer.title}: queryables", "type": "object", "properties": properties,
            "additionalProperties": False}


# --- the API definition -----------------------------------------------------------------------

def openapi(layers: list[Layer], url) -> dict:
    """OpenAPI 3.0 for the OGC endpoints, one items path per collection with its parameters."""
    def parameter(p: Param, where="query", required=False):
        schema = {"type": "integer"} if p.type is int else {"type": "string"}
        if p.name == "limit":
            schema.update(minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
        if p.name == "offset":
            schema.update(minimum=0, default=0)
        return {"name": p.name, "in": where, "required": required, "description": p.description,
                "schema": schema}

    ok = {"200": {"description": "OK"}, "400": {"description": "a parameter is wrong (named)"},
          "401": {"description": "authentication required"}, "403": {"description": "not for your role"}}
    paths = {
        "/": {"get": {"summary": "Landing page", "operationId": "landing", "responses": ok}},
        "/conformance": {"get": {"summary": "Conformance classes", "operationId": "conformance",
                                 "responses": ok}},
        "/collections": {"get": {"summary": "Collections", "operationId": "collections", "responses": ok}},
    }
    for layer in layers:
        base = f"/collections/{layer.id}"
        oid = layer.id.replace("-", "_")
        paths[base] = {"get": {"summary": layer.title, "operationId": f"{oid}_collection", "responses": ok}}
        params = [parameter(p) for p in ITEM_PARAMS if p.name != "datetime" or layer.datetime]
        params += [parameter(p) for p in layer.params]
        paths[f"{base}/items"] = {"get": {"summary": f"{layer.title}: features", "description": layer.description,
                                          "operationId": f"{oid}_items", "parameters": params,
                                          "responses": ok}}
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "summary": f"{layer.title}: one feature", "operationId": f"{oid}_item",
            "parameters": [parameter(Param("featureId", f"the feature's `{layer.id_field}`"), "path", True),
                           *[parameter(p) for p in ITEM_PARAMS_OF_ONE]],
            "responses": {**ok, "404": {"description": "no such feature you may see"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "OGC API - Features of the map server", "version": "1.0.0",
                 "description": "Authenticate with a session, `Authorization: Token ...` or HTTP Basic over "
                                "HTTPS (QGIS: Basic authentication); never with a token in the URL."},
        "servers": [{"url": url("/ogc").rstrip("/")}],
        "paths": paths,
    }
