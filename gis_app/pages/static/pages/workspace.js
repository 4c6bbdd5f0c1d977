/* 指挥中心工作台: the list and the map in step, filters without reloading, refresh that keeps
   the user's page, selection and scroll. Plain JS on Leaflet (served from /static/vendor/). */
(function () {
  "use strict";
  var form = document.getElementById("queue-filters");
  var box = document.getElementById("queue");
  var rowsUrl = box.dataset.rowsUrl;
  var refreshMs = Math.max(5, parseInt(box.dataset.refreshSeconds, 10) || 30) * 1000;
  var selected = null;
  var markers = {};
  var map = L.map("queue-map", {zoomControl: true, attributionControl: false});
  var markerLayer = L.layerGroup().addTo(map);
  var outlines = L.geoJSON(null, {style: {color: "#5d6d7e", weight: 1, fill: false}, interactive: false}).addTo(map);
  var fitted = false;

  function query(extra) {
    var params = new URLSearchParams(new FormData(form));
    var page = box.querySelector("#queue-page");
    if (page && !(extra && "page" in extra)) params.set("page", page.textContent.trim());
    Object.keys(extra || {}).forEach(function (k) {
      if (extra[k] === null) params.delete(k); else params.set(k, extra[k]);
    });
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    if (params.get("page") === "1") params.delete("page");
    return params;
  }

  function style(row, on) {
    var overdue = row.dataset.overdue === "1", escalated = row.dataset.escalated === "1";
    return {radius: on ? 11 : 7, weight: escalated ? 4 : 1.5, color: escalated ? "#8e44ad" : "#1b2631",
            fillColor: overdue ? "#c0392b" : "#2e86c1", fillOpacity: 0.9};
  }

  function drawMarkers() {
    markerLayer.clearLayers();
    markers = {};
    var bounds = [];
    box.querySelectorAll("#queue-rows tr[data-case]").forEach(function (row) {
      var ll = [parseFloat(row.dataset.lat), parseFloat(row.dataset.lon)];
      var m = L.circleMarker(ll, style(row, row.dataset.case === selected));
      m.bindTooltip(row.dataset.number + " " + row.dataset.item);
      m.on("click", function () { select(row.dataset.case, true); });
      m.addTo(markerLayer);
      markers[row.dataset.case] = m;
      bounds.push(ll);
    });
    if (!fitted && bounds.length) { map.fitBounds(bounds, {padding: [30, 30], maxZoom: 14}); fitted = true; }
    if (!bounds.length && !fitted) map.setView([30.7, 122.45], 10);
    Object.keys(markers).forEach(function (id) {  // paths exist once the map has a view
      var el = markers[id].getElement();
      if (el) el.setAttribute("data-case", id);
    });
  }

  function select(id, fromMap) {
    selected = id;
    box.querySelectorAll("#queue-rows tr.selected").forEach(function (r) { r.classList.remove("selected"); });
    var row = box.querySelector('#queue-rows tr[data-case="' + id + '"]');
    Object.keys(markers).forEach(function (k) {
      var r = box.querySelector('#queue-rows tr[data-case="' + k + '"]');
      markers[k].setStyle(style(r, k === id));
    });
    if (!row) return;
    row.classList.add("selected");
    var m = markers[id];
    if (m) { m.bringToFront(); m.openTooltip(); if (!fromMap) map.panTo(m.getLatLng()); }
    if (fromMap) row.scrollIntoView({block: "nearest"});
  }

  function exports(params) {
    params.delete("page");
    var q = params.toString();
    document.getElementById("export-csv").href = "/workspace/export.csv" + (q ? "?" + q : "");
    document.getElementById("export-xlsx").href = "/workspace/export.xlsx" + (q ? "?" + q : "");
  }

  var loading = null;
  function load(params, keepPlace) {
    if (loading) loading.abort();
    loading = new AbortController();
    var wrap = box.querySelector(".table-wrap");
    var scroll = keepPlace && wrap ? wrap.scrollTop : 0, windowScroll = window.scrollY;
    return fetch(rowsUrl + "?" + params.toString(), {credentials: "same-origin", signal: loading.signal,
                                                     headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        box.innerHTML = html;
        var w = box.querySelector(".table-wrap");
        if (w) w.scrollTop = scroll;
        if (keepPlace) window.scrollTo(0, windowScroll);
        history.replaceState(null, "", "/workspace/" + (params.toString() ? "?" + params.toString() : ""));
        exports(new URLSearchParams(params));
        drawMarkers();
        if (selected) select(selected, false);
        box.dispatchEvent(new CustomEvent("queue:loaded", {bubbles: true}));
      })
      .catch(function (err) { if (err.name !== "AbortError") console.warn("刷新失败", err); });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); load(query({page: null}), false); });
  // Facet controls live in the refreshed fragment and join the form by their `form` attribute.
  document.addEventListener("change", function (e) {
    if (e.target.form === form) load(query({page: null}), false);
  });
  box.addEventListener("click", function (e) {
    var pager = e.target.closest("a[data-page]");
    if (pager) { e.preventDefault(); load(query({page: pager.dataset.page}), false); return; }
    var row = e.target.closest("tr[data-case]");
    if (row && !e.target.closest("a")) select(row.dataset.case, false);
  });
  setInterval(function () { load(query(), true); }, refreshMs);

  fetch("/ogc/collections/townships/items?f=json&limit=1000", {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) { if (data) outlines.addData(data); })
    .catch(function () {});
  exports(query());
  drawMarkers();
})();
