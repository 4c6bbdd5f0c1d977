"""Views of the map outputs, the part they share, and vector tiles with their TileJSON.

Thin: authentication and permission (the API's: the session for pages and the tiles they
load, `Authorization: Token ...` or HTTP Basic over HTTPS for desktop GIS and scripts; never a
credential in a URL, which would end up in pages, links and logs), parameters, caching
headers; the work is in tiles.py. `LayerView` is the base of these and of the OGC API views
(ogc_views.py); the map pages are map_views.py. Anonymous: 401 for tiles and JSON, a redirect
to the login page for HTML.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_vary_headers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from gis_app.api.access import HasCountyAccess
from gis_app.web.auth import HTTPSBasicAuthentication, TokenAuthentication
from gis_app.web.errors import BadParameter, NotFound
from gis_app.web.params import check_known
from gis_app.replica import StaleReadsView
from layers import ogc, tiles
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
