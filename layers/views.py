"""Views of the map outputs: vector tiles, TileJSON, OGC API - Features (JSON and HTML), pages.

Thin: authentication and permission (the API's: the session for pages and the tiles they
load, `Authorization: Token ...` or HTTP Basic over HTTPS for desktop GIS and scripts; never a
credential in a URL, which would end up in pages, links and logs), parameters, caching
headers; the work is in tiles.py, ogc.py and pages.py. Anonymous: 401 for tiles and JSON, a
redirect to the login page for HTML.
"""
from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from gis_app.api.access import HasCountyAccess, NoMembership, visible_county_ids
from gis_app.web.auth import HTTPSBasicAuthentication, TokenAuthentication
from gis_app.web.errors import BadParameter, NotFound
from gis_app.web.params import check_known
from gis_app.web.renderers import JSONOnly
from gis_app.replica import StaleReadsView
from gis_app.incidents.models import OPEN_STATES
from gis_app.incidents.querysets import overdue_q
from gis_app.incidents import access
from layers import ogc, ogc_crs, pages, paging, tiles
from layers.features import no_jit
from layers.catalogue import layers
from layers.registry import Layer

# The kit's token authentication loads the Member row with the user: one query, not two.
AUTHENTICATION = [TokenAuthentication, HTTPSBasicAuthentication, SessionAuthentication]


def refuse_url_credentials(request) -> None:
    """A `token` query parameter was accepted once; say why it no longer is rather than
    "unknown parameter"."""
    for name in ("token", "api_key"):
        if name in request.GET:
            raise BadParameter(name, "credentials are not accepted in URLs (they end up in pages, "
                                     "links and logs): send `Authorization: Token KEY` or HTTP Basic, "
                                     "or log in (pages and their tiles use the session)")


def wants_html(request) -> bool:
    """`f=html|json` decides; otherwise the Accept header (browsers ask for text/html)."""
    values = request.GET.getlist("f")
    if len(values) > 1:
        raise BadParameter("f", "given more than once")
    if values:
        if values[0] not in ("json", "html"):
            raise BadParameter("f", f"{values[0]!r} is not one of: json, html")
        return values[0] == "html"
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


def cache_headers(response, max_age: int):
    """Per-user content: private; live layers revalidate every time (ETag makes that cheap)."""
    response["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


class LayerView(StaleReadsView, APIView):
    """Authenticated members only (401 anonymous, 403 without a county), errors as JSON; GET
    reads from the read replica when there is one (gis_app/replica.py)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, HasCountyAccess]
    renderer_classes = [JSONRenderer]
    html_capable = False
    schema = None  # not part of the REST API's schema: OGC API has its own (/ogc/api), tiles TileJSON

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated) and self.html_capable:
            try:
                html = wants_html(self.request)
            except BadParameter:
                html = False
            if html:
                return redirect_to_login(self.request.get_full_path(), settings.MAP_LOGIN_URL)
        return super().handle_exception(exc)

    def layer(self, layer_id: str) -> Layer:
        layer = layers().get(layer_id)
        if layer is None:
            raise NotFound(f"no layer {layer_id!r}; layers: {', '.join(layers().ids())}")
        if not layer.visible(self.request.user):
            raise PermissionDenied(f"your role may not see the layer {layer_id!r}")
        return layer

    def initial(self, request, *args, **kwargs):
        refuse_url_credentials(request)
        super().initial(request, *args, **kwargs)

    def url(self, path: str, **query) -> str:
        """Absolute link to `path` (no credential: the client authenticates each request itself)."""
        absolute = self.request.build_absolute_uri(path)
        return f"{absolute}?{urlencode(query)}" if query else absolute


# --- vector tiles -------------------------------------------------------------------------------

class TileView(LayerView):
    """GET /tiles/{layer}/{z}/{x}/{y}.pbf: a Mapbox Vector Tile (Web Mercator), 204 when empty."""

    def get(self, request, layer_id, z, x, y):
        layer = self.layer(layer_id)
        check_known(request, layer.params)
        if not 0 <= z <= tiles.MAX_ZOOM:
            raise BadParameter("z", f"zoom must be 0..{tiles.MAX_ZOOM}")
        for name, value in (("x", x), ("y", y)):
            if not 0 <= value < 2 ** z:
                raise BadParameter(name, f"must be 0..{2 ** z - 1} at zoom {z}")
        data = tiles.build_tile(layer, request.user, layer.parse_options(request), tiles.TileAddress(z, x, y))
        if not data:
            return cache_headers(HttpResponse(status=204), layer.max_age)
        tag = tiles.etag(data)
        if tag in request.META.get("HTTP_IF_NONE_MATCH", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
        response["ETag"] = tag
        return cache_headers(response, layer.max_age)


TILEJSON_TYPES = {"string": "String", "integer": "Number", "number": "Number", "boolean": "Boolean",
                  "datetime": "String"}


class TileJSONView(LayerView):
    """GET /tiles/{layer}.json: TileJSON 3.0 (tile URL template, zooms, bounds, fields)."""

    def get(self, request, layer_id):
        layer = self.layer(layer_id)
        check_known(request, layer.params)
        layer.parse_options(request)  # a bad layer parameter is a 400 here too
        own = {p.name: request.query_params[p.name] for p in layer.params if p.name in request.query_params}
        template = self.url(f"/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.pbf", **own)
        template = template.replace("%7Bz%7D", "{z}").replace("%7Bx%7D", "{x}").replace("%7By%7D", "{y}")
        bounds = ogc.spatial_extent(request.user) or [-180, -85.0511, 180, 85.0511]
        fields = {name: TILEJSON_TYPES[kind] for name, kind in layer.property_types(request.user).items()}
        if layer.cluster_max_zoom is not None:
            fields.update({"count": "Number", "cluster": "Boolean"})
        doc = {
            "tilejson": "3.0.0",
            "name": layer.title,
            "description": layer.description + " Tiles are Mapbox Vector Tiles in Web Mercator "
                           "(EPSG:3857); bounds and center are WGS84 lon/lat."
                           + (f" At zoom {layer.cluster_max_zoom} and below, points are clustered: "
                              f"features with `cluster`, `count` and per-flag counts."
                              if layer.cluster_max_zoom is not None else ""),
            "version": "1.0.0",
            "scheme": "xyz",
            "tiles": [template],
            "minzoom": layer.min_zoom,
            "maxzoom": layer.max_zoom,
            "bounds": bounds,
            "center": [round((bounds[0] + bounds[2]) / 2, 6), round((bounds[1] + bounds[3]) / 2, 6),
                       max(layer.min_zoom, 9)],
            "crs": "EPSG:3857",
            "vector_layers": [{"id": layer.id, "description": layer.title, "minzoom": layer.min_zoom,
                               "maxzoom": layer.max_zoom, "fields": fields}],
        }
        return cache_headers(JsonResponse(doc, json_dumps_params={"ensure_ascii": False}), 60)


# --- OGC API - Features -------------------------------------------------------------------------

class OGCView(LayerView):
    html_capable = True
    params: tuple = tuple(p for p in ogc.ITEM_PARAMS if p.name == "f")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_known(request, self.known_params(**kwargs))

    def known_params(self, **kwargs):
        return self.params

    def respond(self, doc: dict, kind: str, media_type=ogc.JSON, title="", max_age=60, **context):
        if wants_html(self.request):
            response = render(self.request, "layers/ogc.html", {
                "kind": kind, "doc": doc, "title": title or doc.get("title", ""),
                "json_url": self.url(self.request.path, **{k: v for k, v in self.request.GET.items()
                                                           if k != "f"}),
                **context})
        else:
            response = HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=media_type)
        return cache_headers(response, max_age)


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
        return cache_headers(HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=ogc.OPENAPI), 60)


class CollectionsView(OGCView):
    def get(self, request):
        doc = ogc.collections(layers().visible_to(request.user), request.user, self.url)
        return self.respond(doc, "collections", title="Collections")


class CollectionView(OGCView):
    def known_params(self, layer_id, **kwargs):
        layer = layers().get(layer_id)
        return self.params + (layer.params if layer else ())

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
        return cache_headers(HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=ogc.SCHEMA), 60)


class QueryablesView(OGCView):
    """GET /ogc/collections/{layer}/queryables: what `items` filters on."""

    params = ()
    content_negotiation_class = JSONOnly  # clients ask for application/schema+json

    def get(self, request, layer_id):
        doc = ogc.queryables(self.layer(layer_id), self.url)
        return cache_headers(HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=ogc.SCHEMA), 60)


class ItemsView(OGCView):
    def known_params(self, layer_id, **kwargs):
        layer = layers().get(layer_id)
        return ogc.ITEM_PARAMS + (layer.params if layer else ())

    def get(self, request, layer_id):
        layer = self.layer(layer_id)
        options = layer.parse_options(request)
        crs, flip = ogc_crs.output_crs(request)
        polygon = ogc_crs.bbox_polygon(request)
        interval = ogc.parse_datetime(request, layer)
        limit, offset = ogc.parse_limit(request), ogc.parse_offset(request)
        cursor = paging.parse_cursor(request, layer)
        page = ogc.items(layer, request.user, options, polygon=polygon, interval=interval,
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
    params = ogc.ITEM_PARAMS_OF_ONE

    def known_params(self, layer_id, **kwargs):
        layer = layers().get(layer_id)
        return self.params + (layer.params if layer else ())

    def get(self, request, layer_id, feature_id):
        layer = self.layer(layer_id)
        crs, flip = ogc_crs.output_crs(request)
        doc = ogc.item(layer, request.user, layer.parse_options(request), feature_id, crs, flip)
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


# --- map pages ----------------------------------------------------------------------------------

def _page_user(request):
    """The session's user, or None: pages are for people, who log in; a page never carries a
    token (it would be written into the page and every tile URL)."""
    return request.user if request.user.is_authenticated else None


def _page_refusal(status: int, message: str) -> HttpResponse:
    return HttpResponse(render_to_string("layers/refusal.html", {"title": "无法打开地图", "message": message}),
                        status=status)


def render_page(spec: pages.PageSpec, user, **kwargs) -> str:
    """The page's HTML. folium_pages (folium, branca and pandas: ~0.6 s and ~100k objects a
    worker keeps for life) is imported here, when a page is first rendered, not when the URLs
    load: workers that only answer the API, tiles and OGC never import it."""
    from layers import folium_pages

    return folium_pages.render_page(spec, user, **kwargs)


def map_page(key: str):
    """A view for page `key` of pages.PAGES: login redirect, 403 without county or role."""
    spec = pages.PAGES[key]

    def view(request):
        if "token" in request.GET:
            return _page_refusal(400, "地址中不接受令牌，请登录后打开地图 (no token in URLs: log in; "
                                      "the page and its tiles use the session)")
        user = _page_user(request)
        if user is None:
            return redirect_to_login(request.get_full_path(), settings.MAP_LOGIN_URL)
        try:
            visible_county_ids(user)
            if spec.readers == "patrols" and not access.may_read_patrols(user):
                return _page_refusal(403, "你的角色不能查看巡查数据 (your role may not read patrol data)")
            drf_request = Request(request)
            check_known(drf_request, PAGE_PARAMS.get(key, ()))
            layer_params, header = _page_extras(key, drf_request, user)
        except NoMembership as exc:
            return _page_refusal(403, str(exc.detail))
        except BadParameter as exc:
            return _page_refusal(400, exc.detail)
        html = render_page(spec, user, layer_params=layer_params, header_html=header)
        response = HttpResponse(html)
        return cache_headers(response, 0)

    view.__name__ = f"map_{key}"
    view.__doc__ = f"The {spec.title} map page."
    return view


PAGE_PARAMS = {"coverage": tuple(layers().get("coverage").params)}


def _page_extras(key: str, request, user) -> tuple[dict, str]:
    """Per page: the layers' own parameters and a line of figures for the title bar."""
    registry = layers()
    if key == "coverage":
        coverage = registry.get("coverage")
        options = coverage.parse_options(request)
        own = {p.name: request.query_params[p.name] for p in coverage.params if p.name in request.query_params}
        rows = coverage.queryset_for(user, options)
        with no_jit():
            total, done = rows.count(), rows.filter(patrolled=True).count()
        local = [timezone.localtime(options["start"]), timezone.localtime(options["end"])]
        header = (f'<form method="get">从 <input type="date" name="from" value="{local[0]:%Y-%m-%d}"> 到 '
                  f'<input type="date" name="to" value="{(local[1] - timedelta(seconds=1)):%Y-%m-%d}"> '
                  f'<button type="submit">查看</button></form>'
                  f'<small>已巡查 <b id="patrolled-count">{done}</b> / {total} 个网格</small>')
        return {"coverage": own}, header
    if key == "command":
        cases = registry.get("cases").queryset_for(user, {})
        with no_jit():
            counts = cases.aggregate(open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                                     overdue=Count("pk", filter=overdue_q()),
                                     escalated=Count("pk", filter=Q(escalated_at__isnull=False, state__in=OPEN_STATES)))
        return {}, (f'<small>在办 <b id="open-count">{counts["open"]}</b> · 超期 '
                    f'<b id="overdue-count">{counts["overdue"]}</b> · 督办 {counts["escalated"]}</small>')
    if key == "protected":
        return ({"cases": {"protected-area": "any"}},
                '<small>点击地图任意位置查询归属；选择事项后给出派单结果：</small>'
                '<select id="route-item"><option value="">（仅定位）</option></select>')
    return {}, ""


command_map = map_page("command")
protected_areas_map = map_page("protected")
coverage_map = map_page("coverage")
