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

  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  /* [label, text] pairs as the popup's table; an empty value shows a dash, never a blank. */
  function table(rows) {
    return '<table class="feature-props">' + rows.map(function (r) {
      var text = r[1] === null || r[1] === undefined || r[1] === "" ? "—" : r[1];
      return "<tr><th>" + escapeHtml(r[0]) + "</th><td>" + escapeHtml(text) + "</td></tr>";
    }).join("") + "</table>";
  }

  /* A time in the county's zone (the page's config.timeZone), whatever the browser's own. */
  function formatTime(value, timeZone) {
    var d = new Date(value);
    if (typeof value !== "string" || isNaN(d.getTime())) return value;
    return new Intl.DateTimeFormat("zh-CN", {timeZone: timeZone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).format(d);
  }

  var numbers = new Intl.NumberFormat("zh-CN", {maximumFractionDigits: 1});

  /* One value as people read it, by its attribute's declaration (label, type, words in the
     page config, from the layer registry): coded values as their words, booleans 是/否, times
     in the county's zone; a value the declaration does not know stays as it is. */
  function showValue(value, attribute, config) {
    if (!attribute) return value;
    if (attribute.words && has(attribute.words, value)) return attribute.words[value];
    if (attribute.type === "boolean" && (value === true || value === false)) return value ? "是" : "否";
    if (attribute.type === "datetime") return formatTime(value, config.timeZone);
    if (attribute.type === "number" && typeof value === "number") return numbers.format(value);
    return value;
  }

  /* The rows of a feature: its declared attributes in declaration order with their Chinese
     labels, then any property the declaration does not name, as it came. */
  function featureRows(props, spec, config) {
    var attributes = spec.attributes || {};
    var rows = [];
    Object.keys(attributes).forEach(function (k) {
      if (has(props, k)) rows.push([attributes[k].label, showValue(props[k], attributes[k], config)]);
    });
    Object.keys(props).forEach(function (k) { if (!has(attributes, k)) rows.push([k, props[k]]); });
    return rows;
  }

  /* A clustered low-zoom point: how many features are here and how many of each flag
     (the layer's boolean attributes, e.g. 超期, 督办), then: zoom in. */
  function clusterText(props, spec) {
    var attributes = spec.attributes || {};
    var flags = Object.keys(attributes).filter(function (k) {
      return attributes[k].type === "boolean" && has(props, k);
    }).map(function (k) { return attributes[k].label + " " + props[k]; });
    return "此处 " + props.count + " 件" + spec.title + (flags.length ? "（" + flags.join("，") + "）" : "") + "，放大查看";
  }

  function featurePopup(config, id, props) {
    var spec = config.layers[id] || {};
    if (props.cluster) return '<p class="cluster-popup">' + escapeHtml(clusterText(props, spec)) + "</p>";
    var open = id === "cases" && props.code
      ? '<p><a href="/workspace/?q=' + encodeURIComponent(props.code) + '">在工作台中打开</a></p>' : "";
    return "<b>" + escapeHtml(spec.title) + "</b>" + table(featureRows(props, spec, config)) + open;
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
  window.LayersPage = {drawn: drawn, styleFunction: styleFunction, featurePopup: featurePopup};

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

  /* A popup opens clear of what floats over the map's top (the title box, and on a phone the
     layer switch below it): Leaflet pans the map until the popup lies below their lowest edge,
     and no wider than the screen leaves. */
  function popupOptions() {
    var top = 10;
    document.querySelectorAll(".map-title, .leaflet-top.leaflet-right .leaflet-control").forEach(function (el) {
      top = Math.max(top, el.getBoundingClientRect().bottom + 10);
    });
    return {autoPanPaddingTopLeft: L.point(10, top), autoPanPaddingBottomRight: L.point(10, 30),
            maxWidth: Math.min(320, window.innerWidth - 50)};
  }

  function stamp() {
    var el = document.getElementById("refreshed-at");
    if (el) el.textContent = new Date().toLocaleTimeString("zh-CN", {hour12: false});
  }

  /* The route answer's fields as the popup's rows; coded values as the words the page config
     carries (config.routeWords: the router's own word tables). */
  var UNITS = [["county", "县"], ["township", "乡镇"], ["village", "村（社区）"], ["grid", "网格"],
               ["hub", "1+X 片区中心"], ["team", "承办队伍"], ["subject", "执法主体"]];

  function routePopup(body, ok, item, config) {
    if (!ok) return '<div class="route-error">' + escapeHtml(body.detail || body.error || "错误") + "</div>";
    var words = config.routeWords || {}, rows = [];
    var word = function (kind, code) { return (words[kind] || {})[code] || code; };
    UNITS.forEach(function (u) { if (body[u[0]]) rows.push([u[1], body[u[0]].name + "（" + body[u[0]].code + "）"]); });
    if (body.at_sea !== undefined) rows.push(["海上", body.at_sea ? "是" : "否"]);
    if (body.protected_areas) {
      rows.push(["保护地分区", body.protected_areas.map(function (z) { return z.name + " " + word("zone", z.zone); }).join("；") || "无"]);
    }
    if (body.mode !== undefined) rows.push(["办理方式", word("mode", body.mode)]);
    if (body.severity !== undefined) rows.push(["严重程度", word("severity", body.severity)]);
    if (body.deadline !== undefined) rows.push(["办理时限", formatTime(body.deadline, config.timeZone)]);
    if (body.departments) rows.push(["告知部门", body.departments.map(function (d) { return d.name; }).join("、") || "无"]);
    var title = item ? "派单结果（事项 " + escapeHtml(item) + "）" : "位置查询";
    return "<b>" + title + "</b>" + table(rows);
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
      var popup = L.popup(popupOptions()).setLatLng(e.latlng).setContent("查询中…").openOn(map);
      fetch(url, {headers: headers(config), credentials: "same-origin"})
        .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
        .then(function (res) { popup.setContent(routePopup(res.body, res.ok, item, config)); window.LayersPage.lastAnswer = res; });
    });
  }

  function wire(map, config, id, layer) {
    countFeatures(id, layer);
    if (config.click !== "route") {
      layer.on("click", function (e) {
        var props = e.layer && e.layer.properties ? e.layer.properties : {};
        L.popup(popupOptions()).setLatLng(e.latlng).setContent(featurePopup(config, id, props)).openOn(map);
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
    window.LayersPage.config = config;
    window.LayersPage.ready = true;
  };
})();
