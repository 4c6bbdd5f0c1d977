"""Views of OGC API - Features (JSON and HTML): landing page, conformance, API definition,
collections, schemas, queryables, items and one item.

Thin, like the tile views (views.py, whose `LayerView` authenticates and refuses): known
parameters, JSON or HTML by `f` or the Accept header, links, caching headers; the documents
are built in ogc.py and the pages of features in ogc_items.py. Anonymous: 401 for JSON, a
redirect to the login page for HTML.
"""
from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render

from gis_app.web.errors import NotFound
from gis_app.web.params import check_known
from gis_app.web.renderers import JSONOnly
from layers import ogc, ogc_crs, ogc_items, paging
from layers.catalogue import layers
from layers.views import LayerView, cache_headers, wants_html


class OGCView(LayerView):
    html_capable = True
    params: tuple = tuple(p for p in ogc_items.ITEM_PARAMS if p.name == "f")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_known(request, self.known_params(**kwargs))

    with_layer_params = False  # the collection, its items and an item also take the layer's own filters

    def known_params(self, layer_id=None, **kwargs):
        layer = layers().get(layer_id) if self.with_layer_params and layer_id else None
        return self.params + (layer.params if layer else ())

    def json_document(self, doc: dict, media_type=ogc.JSON, max_age=60):
        return cache_headers(HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=media_type), max_age)

    def respond(self, doc: dict, kind: str, media_type=ogc.JSON, title="", max_age=60, **context):
        if wants_html(self.request):
            response = render(self.request, "layers/ogc.html", {
                "kind": kind, "doc": doc, "title": title or doc.get("title", ""),
                "json_url": self.url(self.request.path, **{k: v for k, v in self.request.GET.items()
                                                           if k != "f"}),
                **context})
            return cache_headers(response, max_age)
        return self.json_document(doc, media_type, max_age)


class LandingView(OGCView):
    def get(self, request):
        return self.respond(ogc.landing(self.url), "landing")


class ConformanceView(OGCView):
    def get(self, request):
        return self.respond(ogc.conformance(), "conformance", title="Conformance")


class APIDefinitionView(OGCView):
    params = ()

    def get(self, request):
        doc = ogc.openapi(layers().visible_to(request.user), self.url)
        return self.json_document(doc, ogc.OPENAPI)


class CollectionsView(OGCView):
    def get(self, request):
        doc = ogc.collections(layers().visible_to(request.user), request.user, self.url)
        return self.respond(doc, "collections", title="Collections")


class CollectionView(OGCView):
    with_layer_params = True

    def get(self, request, layer_id):
        layer = self.layer(layer_id)
        doc = ogc.collection(layer, request.user, self.url, layer.parse_options(request),
                             ogc.spatial_extent(request.user))
        return self.respond(doc, "collection", title=layer.title)


class SchemaView(OGCView):
    """GET /ogc/collections/{layer}/schema: the JSON Schema of a feature (`describedby`)."""

    params = ()
    content_negotiation_class = JSONOnly  # clients ask for application/schema+json

    def get(self, request, layer_id):
        layer = self.layer(layer_id)
        doc = ogc.feature_schema(layer, request.user, self.url)
        return self.json_document(doc, ogc.SCHEMA)


class QueryablesView(OGCView):
    """GET /ogc/collections/{layer}/queryables: what `items` filters on."""

    params = ()
    content_negotiation_class = JSONOnly  # clients ask for application/schema+json

    def get(self, request, layer_id):
        doc = ogc.queryables(self.layer(layer_id), self.url)
        return self.json_document(doc, ogc.SCHEMA)


class ItemsView(OGCView):
    params = ogc_items.ITEM_PARAMS
    with_layer_params = True

    def get(self, request, layer_id):
        layer = self.layer(layer_id)
        options = layer.parse_options(request)
        crs, flip = ogc_crs.output_crs(request)
        polygon = ogc_crs.bbox_polygon(request)
        interval = ogc_items.parse_datetime(request, layer)
        limit, offset = ogc_items.parse_limit(request), ogc_items.parse_offset(request)
        cursor = paging.parse_cursor(request, layer)
        page = ogc_items.items(layer, request.user, options, polygon=polygon, interval=interval,
                         limit=limit, offset=offset, cursor=cursor, crs=crs, flip=flip)
        query = {k: v for k, v in request.GET.items() if k not in ("offset", "cursor", "f")}
        here = {"cursor": request.GET["cursor"]} if cursor else {"offset": offset}
        path = request.path
        links = [ogc.link(self.url(path, **query, **here), "self", ogc.GEOJSON, "this page"),
                 ogc.link(self.url(path, **query, **here, f="html"), "alternate", ogc.HTML,
                          "this page as HTML")]
        if page.next is not None:
            links.append(ogc.link(self.url(path, **query, cursor=page.next.encode(layer)), "next",
                                  ogc.GEOJSON, "next page"))
        if page.prev is not None:
            links.append(ogc.link(self.url(path, **query, cursor=page.prev.encode(layer)), "prev",
                                  ogc.GEOJSON, "previous page"))
        elif cursor is None and offset > 0:
            links.append(ogc.link(self.url(path, **query, offset=max(0, offset - limit)), "prev",
                                  ogc.GEOJSON, "previous page"))
        links.append(ogc.link(self.url(f"/ogc/collections/{layer.id}"), "collection", ogc.JSON, layer.title))
        doc = page.document(links=links)
        if wants_html(request):
            response = self.respond(page.parsed(doc), "items", title=layer.title, max_age=layer.max_age,
                                    layer=layer, offset=None if cursor else offset, limit=limit,
                                    next=next((l["href"] for l in links if l["rel"] == "next"), None),
                                    prev=next((l["href"] for l in links if l["rel"] == "prev"), None))
        else:
            response = cache_headers(HttpResponse(page.dumps(doc), content_type=ogc.GEOJSON), layer.max_age)
        response["Content-Crs"] = ogc_crs.content_crs(crs, flip)
        return response


class ItemView(OGCView):
    params = ogc_items.ITEM_PARAMS_OF_ONE
    with_layer_params = True

    def get(self, request, layer_id, feature_id):
        layer = self.layer(layer_id)
        crs, flip = ogc_crs.output_crs(request)
        doc = ogc_items.item(layer, request.user, layer.parse_options(request), feature_id, crs, flip)
        if doc is None:
            raise NotFound(f"no feature {feature_id!r} in collection {layer.id!r} among what you may see")
        base = f"/ogc/collections/{layer.id}"
        doc["links"] = [ogc.link(self.url(f"{base}/items/{feature_id}"), "self", ogc.GEOJSON, "this feature"),
                        ogc.link(self.url(f"{base}/items/{feature_id}", f="html"), "alternate", ogc.HTML,
                                 "this feature as HTML"),
                        ogc.link(self.url(base), "collection", ogc.JSON, layer.title)]
        response = self.respond(doc, "item", media_type=ogc.GEOJSON, title=f"{layer.title} {feature_id}",
                                max_age=layer.max_age, layer=layer)
        response["Content-Crs"] = ogc_crs.content_crs(crs, flip)
        return response
