/* Glue of the map pages (layers/pages.py): styles from the layer registry, popups, labels,
   auto-refresh of live layers, and the protected-area map's click -> /api/locate or /api/route.
   Served by the server itself like every other asset (intranet: nothing from outside). */
(function () {
  "use strict";

  function matches(when, p) {
    for (var k in when) { if (Object.prototype.hasOwnProperty.call(when, k) && p[k] !== when[k]) return false; }
    return true;
  }

  function styleFunction(spec) {
    return function (properties) {
      var s;
      if (properties.cluster) {
        s = Object.assign({}, spec.cluster || spec.base);
        s.radius = Math.min(30, 6 + 3 * Math.log2(Math.max(1, properties.count)));
        return s;
      }
      s = Object.assign({}, spec.base);
      (spec.rules || []).forEach(function (r) { if (matches(r.when, properties)) Object.assign(s, r.style); });
      return s;
    };
  }

  function escapeHtml(v) {
    return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function table(properties) {
    var rows = Object.keys(properties).map(function (k) {
      return "<tr><th>" + escapeHtml(k) + "</th><td>" + escapeHtml(properties[k]) + "</td></tr>";
    });
    return '<table class="feature-props">' + rows.join("") + "</table>";
  }

  function headers(config) {
    // Same origin: the session cookie authenticates; no credential is ever in the page.
    return {"Accept": "application/json"};
  }

  /* Leaflet 1.9 takes a clicked layer with getLatLng() and a radius of at most 10 px for a
     marker and asks it for its position; Leaflet.VectorGrid's point symbolizers are such
     circle markers, but drawn in tile pixels with no latlng, so every click on a small point
     (a case, a team) threw "Cannot read properties of undefined (reading 'lat')" before any
     handler ran. Without getLatLng they are clicked where the mouse is, like polygons. */
  function fixPointClicks() {
    if (!L.VectorGrid || !L.VectorGrid.prototype._createLayer) return;
    var probe = L.VectorGrid.prototype._createLayer.call({options: {interactive: false}},
      {type: 1, geometry: [[{x: 0, y: 0}]], properties: {}}, L.point(1, 1));
    Object.getPrototypeOf(probe).getLatLng = null;
  }
  fixPointClicks();

  var drawn = {};  // layer id -> features drawn so far (tests and the status bar read it)
  window.LayersPage = {drawn: drawn, styleFunction: styleFunction};

  function countFeatures(id, layer) {
    layer.on("tileload", function (e) {
      var tile = e.tile;
      var n = tile && tile.querySelectorAll ? tile.querySelectorAll("path").length : 0;
      drawn[id] = (drawn[id] || 0) + n;
    });
  }

  /* The largest part of a (multi)polygon: island townships label their main island, not the
     middle of the sea between their islands. */
  function labelPoint(f) {
    var best = null, bestArea = -1;
    L.geoJSON(f).eachLayer(function (layer) {
      var rings = layer.getLatLngs();
      (Array.isArray(rings[0][0]) ? rings : [rings]).forEach(function (poly) {
        var b = L.latLngBounds(poly[0]), area = (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());
        if (area > bestArea) { bestArea = area; best = b; }
      });
    });
    return best ? {centre: best.getCenter(), area: bestArea} : null;
  }

  /* Labels never print over each other: bigger units first; a label that would overlap one
     already shown is hidden at this zoom and comes back when there is room. */
  function declutter(labels) {
    var shown = [];
    labels.forEach(function (m) {
      var el = m.getElement();
      if (!el) return;
      el.style.visibility = "hidden";
      el.style.display = "";
      var r = el.getBoundingClientRect();
      var clash = shown.some(function (s) {
        return r.left < s.right + 4 && r.right + 4 > s.left && r.top < s.bottom + 2 && r.bottom + 2 > s.top;
      });
      if (clash) { el.style.display = "none"; } else { shown.push(r); }
      el.style.visibility = "";
    });
    drawn.labelsShown = shown.length;
  }

  function addLabels(map, config, layerId, attribute) {
    var group = L.layerGroup().addTo(map);
    var labels = [];
    fetch(config.ogc + "/collections/" + layerId + "/items?limit=1000", {headers: headers(config), credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        var places = [];
        (fc.features || []).forEach(function (f) {
          if (!f.geometry) return;
          var at = labelPoint(f);
          if (at) places.push({f: f, at: at});
        });
        places.sort(function (a, b) { return b.at.area - a.at.area; });
        places.forEach(function (p) {
          labels.push(L.marker(p.at.centre, {interactive: false, keyboard: false, icon: L.divIcon({
            className: "unit-label", html: escapeHtml(p.f.properties[attribute]), iconSize: null})}).addTo(group));
        });
        declutter(labels);
        map.on("zoomend moveend", function () { declutter(labels); });
        drawn[layerId + ":labels"] = (fc.features || []).length;
      });
  }

  /* The legend folds away (and starts folded on phones). */
  function legend() {
    var box = document.querySelector("details.map-legend");
    if (box && window.innerWidth < 700) box.open = false;
  }

  /* On a phone the title box wraps to the screen's width, and the controls on the right start
     below it instead of covering its end (the title's height depends on the page's header). */
  function clearTitle() {
    var title = document.querySelector(".map-title");
    var right = document.querySelector(".leaflet-top.leaflet-right");
    if (!title || !right) return;
    var place = function () {
      right.style.top = window.innerWidth < 700 ? (title.offsetTop + title.offsetHeight) + "px" : "";
    };
    place();
    window.addEventListener("resize", place);
  }

  function stamp() {
    var el = document.getElementById("refreshed-at");
    if (el) el.textContent = new Date().toLocaleTimeString("zh-CN", {hour12: false});
  }

  function routePopup(body, ok, item) {
    if (!ok) return '<div class="route-error">' + escapeHtml(body.detail || body.error || "错误") + "</div>";
    var p = {};
    ["county", "township", "village", "grid", "hub", "team", "subject"].forEach(function (k) {
      if (body[k]) p[k] = body[k].name + " (" + body[k].code + ")";
    });
    if (body.at_sea !== undefined) p.at_sea = body.at_sea ? "是（海上）" : "否";
    if (body.protected_areas) {
      p.protected_areas = body.protected_areas.map(function (z) { return z.name + " · " + z.zone; }).join("；") || "无";
    }
    ["mode", "severity", "deadline"].forEach(function (k) { if (body[k] !== undefined) p[k] = body[k]; });
    if (body.departments) p.departments = body.departments.map(function (d) { return d.name; }).join("、");
    var title = item ? "派单结果（事项 " + escapeHtml(item) + "）" : "位置查询";
    return "<b>" + title + "</b>" + table(p);
  }

  function enableRouting(map, config) {
    var select = document.getElementById("route-item");
    if (select) {
      fetch("/api/catalogue?limit=1000", {headers: headers(config), credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (page) {
          (page.results || []).forEach(function (it) {
            var o = document.createElement("option");
            o.value = it.code; o.textContent = it.name + " (" + it.code + ")";
            select.appendChild(o);
          });
        });
    }
    map.on("click", function (e) {
      var lon = e.latlng.lng.toFixed(7), lat = e.latlng.lat.toFixed(7);
      var item = select && select.value;
      var url = item ? "/api/route?lon=" + lon + "&lat=" + lat + "&item=" + encodeURIComponent(item)
                     : "/api/locate?lon=" + lon + "&lat=" + lat;
      var popup = L.popup().setLatLng(e.latlng).setContent("查询中…").openOn(map);
      fetch(url, {headers: headers(config), credentials: "same-origin"})
        .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
        .then(function (res) { popup.setContent(routePopup(res.body, res.ok, item)); window.LayersPage.lastAnswer = res; });
    });
  }

  function wire(map, config, id, layer) {
    var spec = config.layers[id];
    countFeatures(id, layer);
    if (config.click !== "route") {
      layer.on("click", function (e) {
        var props = e.layer && e.layer.properties ? e.layer.properties : {};
        var open = id === "cases" && props.code && !props.cluster
          ? '<p><a href="/workspace/?q=' + encodeURIComponent(props.code) + '">在工作台中打开</a></p>' : "";
        L.popup().setLatLng(e.latlng).setContent("<b>" + escapeHtml(spec.title) + "</b>" + table(props) + open).openOn(map);
      });
    }
  }

  /* A live layer is refreshed by drawing a fresh copy on top and removing the old one once
     the copy has loaded: no blank moment on a wall display (tiles revalidate by ETag). */
  function refresh(map, config, layers, control, id) {
    var old = layers[id];
    if (!old || !map.hasLayer(old)) return;
    var fresh = L.vectorGrid.protobuf(old._url, old.options);
    wire(map, config, id, fresh);
    fresh.once("load", function () {
      map.removeLayer(old);
      if (control) { control.removeLayer(old); control.addOverlay(fresh, config.layers[id].title); }
      drawn[id + ":refreshed"] = (drawn[id + ":refreshed"] || 0) + 1;
    });
    fresh.addTo(map);
    layers[id] = fresh;
  }

  window.LayersPage.setup = function (map, layers, config, control) {
    Object.keys(layers).forEach(function (id) {
      wire(map, config, id, layers[id]);
      if (config.layers[id].label) addLabels(map, config, id, config.layers[id].label);
    });
    if (config.click === "route") enableRouting(map, config);
    legend();
    stamp();
    clearTitle();
    if (config.refresh && config.refreshSeconds > 0) {
      setInterval(function () {
        config.refresh.forEach(function (id) { refresh(map, config, layers, control, id); });
        stamp();
      }, config.refreshSeconds * 1000);
    }
    window.LayersPage.map = map;
    window.LayersPage.ready = true;
  };
})();
