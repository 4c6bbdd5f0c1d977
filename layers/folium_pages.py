"""The map pages' HTML, built with folium from the layer registry and the page declarations
of pages.py (map_views.py imports this module only when a page is rendered: folium is heavy).

Every layer on a page is a vector-tile layer of ours styled by its registry declaration; every
JavaScript, CSS and font file is served from /static/vendor/ (folium's defaults point at public
CDNs: the `IntranetMap` and `VectorTiles` classes replace them).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import folium
from branca.element import MacroElement
from jinja2 import Template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from folium.plugins import VectorGridProtobuf

from boundaries.models import ProtectedArea
from gis_app.enforcement.answer_text import MODES, SEVERITIES
from layers.ogc import spatial_extent
from layers.pages import PageSpec
from layers.catalogue import layers
from layers.registry import Layer

VENDOR_JS = [
    ("leaflet", "vendor/leaflet/leaflet.js"),
    ("metric_scale", "layers/metric-scale.js"),  # the map's scale, metric only (folium's adds miles)
    ("jquery", "vendor/jquery/jquery.min.js"),
    ("bootstrap", "vendor/bootstrap/bootstrap.bundle.min.js"),
    ("awesome_markers", "vendor/awesome-markers/leaflet.awesome-markers.js"),
]
VENDOR_CSS = [
    ("leaflet_css", "vendor/leaflet/leaflet.css"),
    ("bootstrap_css", "vendor/bootstrap/bootstrap.min.css"),
    ("glyphicons_css", "vendor/glyphicons/css/glyphicons.css"),
    ("awesome_markers_font_css", "vendor/fontawesome/css/all.min.css"),
    ("awesome_markers_css", "vendor/awesome-markers/leaflet.awesome-markers.css"),
    ("awesome_rotate_css", "layers/awesome-rotate.css"),
    ("layers_css", "layers/maps.css"),
]


def _local(assets):
    return [(name, static(path)) for name, path in assets]


class IntranetMap(folium.Map):
    """folium.Map whose JS/CSS come from this server, not from CDNs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js = _local(VENDOR_JS)
        self.default_css = _local(VENDOR_CSS)


class VectorTiles(VectorGridProtobuf):
    """folium's Leaflet.VectorGrid layer with the plugin served locally, plus our page glue."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js = _local([("vectorGrid", "vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js"),
                                  ("layers_js", "layers/maps.js")])


def tile_url(layer: Layer, params: dict) -> str:
    """Same-origin tile URL: the browser's session cookie authenticates it, never a token."""
    query = dict(params)
    suffix = f"?{urlencode(query)}" if query else ""
    return f"/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.pbf{suffix}"


def _layer_options(layer: Layer) -> str:
    """Leaflet.VectorGrid options as JavaScript: the style is a function of each feature's
    properties, built by maps.js from the registry's declaration."""
    spec = json.dumps(layer.style.as_json(), ensure_ascii=False)
    return ("{vectorTileLayerStyles: {" + json.dumps(layer.id) + ": LayersPage.styleFunction(" + spec + ")},"
            " interactive: true, maxNativeZoom: " + str(layer.max_zoom) + ", minZoom: " + str(layer.min_zoom)
            + ", getFeatureId: function (f) { return f.id; }}")


def _legend(shown: list[Layer]) -> str:
    parts = ['<details class="map-legend" open><summary><b>图例</b></summary>']
    for layer in shown:
        parts.append(f"<h4>{escape(layer.title)}</h4>")
        base = layer.style.base
        rules = [r for r in layer.style.rules if r.get("label")]
        if not rules:
            parts.append(_swatch(base, layer.title))
        for rule in rules:
            parts.append(_swatch({**base, **rule["style"]}, rule["label"]))
    parts.append("</details>")
    return "".join(parts)


def _swatch(style: dict, label: str) -> str:
    fill = style.get("fillColor", "transparent") if style.get("fill", False) else "transparent"
    edge = style.get("color", "#555")
    dashed = ";border-style:dashed" if style.get("dashArray") else ""
    return (f'<div><span class="swatch" style="background:{escape(fill)};border-color:{escape(edge)}{dashed}">'
            f"</span>{escape(label)}</div>")


#: The coded values of a route answer (/api/route, /api/locate) the route popup shows as words.
ROUTE_WORDS = {"mode": MODES, "severity": SEVERITIES, "zone": dict(ProtectedArea.Zone.choices)}


def _layer_config(layer: Layer, user) -> dict:
    """What maps.js needs of a layer: its title, the attribute it labels the map with, and per
    attribute the user gets its Chinese label, type and words (the popup; times are shown in
    the page's `timeZone`, the county's, not the browser's)."""
    return {"title": layer.title, "label": layer.style.label,
            "attributes": {a.name: a.popup() for a in layer.attributes_for(user)}}


class PageGlue(MacroElement):
    """Calls maps.js's LayersPage.setup once the map and its layers exist (added last, so its
    script comes after theirs)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        LayersPage.setup({{ this._parent.get_name() }}, {{ this.layer_vars }}, {{ this.config }},
                         {{ this.control }});
        {% endmacro %}
    """)

    def __init__(self, created: dict, config: dict, control):
        super().__init__()
        self._name = "PageGlue"
        self.control = control.get_name()
        self.layer_vars = "{" + ", ".join(f"{json.dumps(i)}: {vt.get_name()}" for i, vt in created.items()) + "}"
        self.config = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def render_page(spec: PageSpec, user, *, layer_params: dict | None = None,
                header_html: str = "") -> str:
    """The page's HTML. `layer_params` maps a layer id to its own query parameters (e.g. the
    coverage period). Its tile and API requests are same-origin and carry the session cookie;
    no credential is ever written into the page."""
    registry = layers()
    shown = [registry.get(i) for i in spec.layer_ids if registry.get(i).visible(user)]
    bounds = spatial_extent(user) or [73.5, 18.0, 135.0, 53.5]
    m = IntranetMap(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=10,
                    tiles=None, control_scale=False)
    if settings.MAP_BASEMAP_URL:
        folium.TileLayer(tiles=settings.MAP_BASEMAP_URL, attr=settings.MAP_BASEMAP_ATTRIBUTION or "basemap",
                         name="底图", overlay=False, control=True).add_to(m)
    params = layer_params or {}
    created = {}
    for layer in shown:
        vt = VectorTiles(tile_url(layer, params.get(layer.id, {})), name=layer.title,
                         options=_layer_options(layer), show=layer.id not in spec.hidden)
        vt.add_to(m)
        created[layer.id] = vt
    control = folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])

    config = {
        "ogc": "/ogc",
        "click": spec.click,
        "refresh": [i for i in spec.refresh if i in created],
        "refreshSeconds": settings.MAP_REFRESH_SECONDS,
        "timeZone": settings.TIME_ZONE,
        "layers": {layer.id: _layer_config(layer, user) for layer in shown},
    }
    if spec.click == "route":
        config["routeWords"] = ROUTE_WORDS
    PageGlue(created, config, control).add_to(m)

    who = escape(getattr(user, "username", ""))
    # A map page has no page header (the map fills the screen): the title's 首页 link is the way
    # back to the role's home on a phone, where there is no browser bar to rely on.
    title = (f'<div class="map-title"><a class="map-home" href="/" title="返回首页">‹ 首页</a>'
             f'<b>{escape(spec.title)}</b><small>{who} · 刷新于 '
             f'<span id="refreshed-at"></span></small>{header_html}</div>')
    m.get_root().html.add_child(folium.Element(title))
    m.get_root().html.add_child(folium.Element(_legend(shown)))
    m.get_root().header.add_child(folium.Element(f"<title>{escape(spec.title)}</title>"))
    return m.get_root().render()
