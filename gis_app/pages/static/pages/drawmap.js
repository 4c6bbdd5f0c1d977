/* Shared by the drawing pages: a Leaflet map with no basemap (intranets), CSRF-aware fetch,
   the visible counties as the backdrop, number formatting. */
(function () {
  "use strict";
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  async function api(url, options) {
    options = options || {};
    var headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    if (options.method && options.method !== "GET") headers["X-CSRFToken"] = csrf();
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    var response = await fetch(url, Object.assign({}, options, {headers: headers, credentials: "same-origin"}));
    var data = null;
    var text = await response.text();
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = {detail: text}; }
    return {ok: response.ok, status: response.status, data: data};
  }
  function makeMap(id) {
    var map = L.map(id, {preferCanvas: false}).setView([35.4, 112.4], 10);
    window.pageMap = map;  // for the browser tests (pixel positions of coordinates) and the console
    api("/ogc/collections/counties/items?limit=50").then(function (r) {
      if (!r.ok || !r.data.features.length) return;
      var counties = L.geoJSON(r.data, {style: {color: "#34495e", weight: 2, fill: false}, interactive: false}).addTo(map);
      map.fitBounds(counties.getBounds());
      counties.bringToBack();
    });
    return map;
  }
  function ha(m2) { return (m2 / 10000).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2}); }
  function pct(share) { return (share * 100).toFixed(1) + "%"; }
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  function row(tbody, values) {
    var tr = document.createElement("tr");
    values.forEach(function (v) { tr.appendChild(cell(v)); });
    tbody.appendChild(tr);
    return tr;
  }
  function errorText(r) {
    var d = r.data || {};
    return "（" + r.status + "）" + (d.detail || d.error || "请求失败") + (d.parameter ? "［" + d.parameter + "］" : "");
  }
  window.DrawMap = {api: api, makeMap: makeMap, ha: ha, pct: pct, row: row, errorText: errorText};
})();
