/* 足迹核查: draw or upload a footprint, check it (POST /api/footprint), show zones and units on
   the map and in tables, open a case that keeps the footprint (POST /api/cases/). */
(function () {
  "use strict";
  var D = window.DrawMap;
  var WORDS = JSON.parse(document.getElementById("area-words").textContent);   // ProtectedArea's choices
  var ZONE_LABEL = WORDS.zone;
  var ZONE_COLOUR = {core: "#c0392b", buffer: "#e67e22", experimental: "#f1c40f", general: "#27ae60"};
  var LEVEL_LABEL = WORDS.level;
  var map = D.makeMap("map");
  var drawn = L.featureGroup().addTo(map);
  var overlaps = L.featureGroup().addTo(map);
  var footprint = null;   // the GeoJSON geometry last checked (WGS84)
  var last = null;        // the last answer

  D.api(document.getElementById("map").dataset.protectedUrl).then(function (r) {
    if (!r.ok) return;
    L.geoJSON(r.data, {style: function (f) {
      return {color: ZONE_COLOUR[f.properties.zone] || "#555", weight: 1, fillOpacity: 0.12};
    }, onEachFeature: function (f, layer) {
      layer.bindTooltip(f.properties.name + " " + (ZONE_LABEL[f.properties.zone] || ""));
    }}).addTo(map).bringToBack();
  });

  map.pm.addControls({position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
                      drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false});
  map.pm.setLang("zh");
  map.on("pm:create", function (e) {
    drawn.clearLayers();
    drawn.addLayer(e.layer);
    e.layer.on("pm:edit", function () { check(e.layer.toGeoJSON().geometry); });
    check(e.layer.toGeoJSON().geometry);
  });

  document.getElementById("fp-item").addEventListener("change", function () { if (footprint) check(footprint); });
  document.getElementById("fp-upload").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var file = document.getElementById("fp-file").files[0];
    if (!file) { showError("请选择文件"); return; }
    var form = new FormData();
    form.append("file", file);
    var crs = document.getElementById("fp-crs").value;
    if (crs) form.append("crs", crs);
    var item = document.getElementById("fp-item").value;
    if (item) form.append("item", item);
    var r = await D.api("/api/footprint", {method: "POST", body: form});
    if (!r.ok) { showError(D.errorText(r)); return; }
    drawn.clearLayers();
    drawn.addLayer(L.geoJSON(r.data.geometry, {style: {color: "#2c3e50", weight: 3, fill: false}}));
    show(r.data);
  });

  async function check(geometry) {
    var body = {geometry: geometry};
    var item = document.getElementById("fp-item").value;
    if (item) body.item = item;
    var r = await D.api("/api/footprint", {method: "POST", json: body});
    if (!r.ok) { showError(D.errorText(r)); return; }
    show(r.data);
  }

  function showError(text) { document.getElementById("fp-error").textContent = text; }

  function show(data) {
    showError("");
    last = data;
    footprint = data.geometry;
    document.getElementById("fp-result").hidden = false;
    document.getElementById("fp-summary").textContent = "占地 " + D.ha(data.area_m2) + " 公顷（" +
      Math.round(data.area_m2).toLocaleString("zh-CN") + " 平方米）";
    var sev = document.getElementById("fp-severity");
    sev.textContent = data.severity === "high" ? "涉及核心区：严重程度 高" :
      (data.protected_areas.length ? "涉及保护地（非核心区）" : "未涉及保护地");
    sev.className = data.severity === "high" ? "sev-high" : "";
    var zones = document.querySelector("#fp-zones tbody");
    zones.innerHTML = "";
    data.protected_areas.forEach(function (z) {
      var tr = D.row(zones, [z.name, ZONE_LABEL[z.zone] || z.zone, LEVEL_LABEL[z.level] || z.level,
                             D.ha(z.overlap_m2), D.pct(z.share), (z.authority.name || z.authority.code)]);
      tr.dataset.zone = z.zone;
    });
    if (!data.protected_areas.length) D.row(zones, ["—", "", "", "", "", ""]);
    var units = document.querySelector("#fp-units tbody");
    units.innerHTML = "";
    [["县", data.counties], ["乡镇", data.townships], ["村（社区）", data.villages], ["网格", data.grids]]
      .forEach(function (level) {
        level[1].forEach(function (u) { D.row(units, [level[0], u.name, D.ha(u.overlap_m2), D.pct(u.share)]); });
      });
    drawOverlaps(data);
    var decision = data.decision;
    document.getElementById("fp-decision").hidden = !decision;
    document.getElementById("fp-created").textContent = "";
    if (decision) {
      var modes = JSON.parse(document.getElementById("mode-labels").textContent);
      var acting = decision.acting_township ? decision.acting_township.name : "（海域）";
      var text = "所在乡镇：" + acting + (decision.split ? "（占比最大）" : "") +
        "；方式：" + (modes[decision.mode] || decision.mode) +
        "；承办队伍：" + (decision.team ? decision.team.name : "未登记") +
        (decision.subject ? "；执法主体：" + decision.subject.name : "");
      if (decision.split) text += "。范围跨 " + data.townships.length + " 个乡镇：" +
        data.townships.map(function (t) { return t.name + " " + D.pct(t.share); }).join("，");
      document.getElementById("fp-acting").textContent = text;
      document.getElementById("fp-departments").textContent =
        decision.departments.map(function (d) { return d.name || d.code; }).join("、") || "无";
    }
  }

  function drawOverlaps(data) {
    overlaps.clearLayers();
    var shape = L.geoJSON(data.geometry, {style: {color: "#1b2631", weight: 3, dashArray: "6 4", fillOpacity: 0.05}});
    overlaps.addLayer(shape);
    map.fitBounds(shape.getBounds(), {maxZoom: 16, padding: [30, 30]});
  }

  document.getElementById("fp-create").addEventListener("click", async function () {
    if (!last || !last.decision) return;
    var body = {footprint: last.geometry, item: last.decision.item.code,
                description: document.getElementById("fp-description").value};
    var r = await D.api("/api/cases/", {method: "POST", json: body});
    var out = document.getElementById("fp-created");
    if (!r.ok) { out.textContent = D.errorText(r); out.className = "error"; return; }
    out.className = "";
    out.innerHTML = "";
    var a = document.createElement("a");
    a.href = "/cases/" + r.data.id + "/";
    a.textContent = "已创建案件 " + r.data.properties.number;
    out.appendChild(a);
  });
})();
