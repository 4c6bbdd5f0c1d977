/* 巡查规划: plans drawn on the map (PUT/POST/DELETE /api/patrol-plans/), track uploads with the
   cleaning report (POST /api/tracks/), plan against tracks (comparison + tracks + missed grids),
   1+X reach (GET /api/hub-coverage?format=geojson) coloured by minutes. */
(function () {
  "use strict";
  var D = window.DrawMap;
  var map = D.makeMap("map");
  var drawing = L.featureGroup().addTo(map);     // the plan being drawn or edited
  var plansLayer = L.featureGroup().addTo(map);  // saved plans
  var overlay = L.featureGroup().addTo(map);     // comparison or reach results
  var plans = [];
  var $ = function (id) { return document.getElementById(id); };
  var REASONS = {duplicate: "文件内重复", out_of_order: "时间倒序", same_time: "同一时刻两地", too_fast: "速度过快",
                 already_uploaded: "已上传过"};

  function error(text) { $("planner-error").textContent = text || ""; }

  // --- tabs ------------------------------------------------------------------------------------
  document.querySelectorAll(".tabs button").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".tabs button").forEach(function (b) { b.classList.toggle("active", b === button); });
      ["plans", "upload", "compare", "reach"].forEach(function (t) { $("tab-" + t).hidden = t !== button.dataset.tab; });
      overlay.clearLayers();
      error("");
    });
  });

  // --- drawing plans ---------------------------------------------------------------------------
  map.pm.addControls({position: "topleft", drawMarker: false, drawCircleMarker: false, drawCircle: false,
                      drawRectangle: true, drawText: false, cutPolygon: false, rotateMode: false});
  map.pm.setLang("zh");
  map.on("pm:create", function (e) { drawing.addLayer(e.layer); describeDrawing(); });
  map.on("pm:remove", function (e) { drawing.removeLayer(e.layer); describeDrawing(); });

  function drawnGeometry() {
    var lines = [], polygons = [];
    drawing.eachLayer(function (layer) {
      var g = layer.toGeoJSON().geometry;
      if (g.type === "LineString") lines.push(g.coordinates);
      if (g.type === "MultiLineString") lines = lines.concat(g.coordinates);
      if (g.type === "Polygon") polygons.push(g.coordinates);
      if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
    });
    return {route: lines.length ? {type: "MultiLineString", coordinates: lines} : null,
            area: polygons.length ? {type: "MultiPolygon", coordinates: polygons} : null};
  }
  function describeDrawing() {
    var g = drawnGeometry();
    $("plan-drawn").textContent = (g.route ? "路线 " + g.route.coordinates.length + " 段" : "无路线") + "，" +
      (g.area ? "区域 " + g.area.coordinates.length + " 块" : "无区域");
  }

  function resetForm() {
    $("plan-id").value = ""; $("plan-name").value = ""; $("plan-start").value = ""; $("plan-end").value = "";
    $("plan-from").value = ""; $("plan-to").value = "";
    document.querySelectorAll("input[name=weekday]").forEach(function (c) { c.checked = false; });
    drawing.clearLayers(); describeDrawing();
    $("plan-save").textContent = "保存计划";
  }
  $("plan-new").addEventListener("click", resetForm);

  $("plan-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var g = drawnGeometry();
    var body = {name: $("plan-name").value, team: $("plan-team").value, route: g.route, area: g.area,
                weekdays: Array.from(document.querySelectorAll("input[name=weekday]:checked")).map(function (c) { return +c.value; }),
                start_time: $("plan-start").value || null, end_time: $("plan-end").value || null,
                valid_from: $("plan-from").value || null, valid_to: $("plan-to").value || null};
    var id = $("plan-id").value;
    var r = await D.api(id ? "/api/patrol-plans/" + id + "/" : "/api/patrol-plans/", {method: id ? "PUT" : "POST", json: body});
    if (!r.ok) { $("plan-message").textContent = D.errorText(r); $("plan-message").className = "error"; return; }
    $("plan-message").className = "";
    $("plan-message").textContent = (id ? "已修改：" : "已保存：") + r.data.name;
    resetForm();
    loadPlans();
  });

  function schedule(p) {
    var days = p.weekdays.length ? "周" + p.weekdays.map(function (d) { return "一二三四五六日"[d - 1]; }).join("") : "每天";
    return days + (p.start_time ? " " + p.start_time.slice(0, 5) + "–" + p.end_time.slice(0, 5) : "");
  }

  async function loadPlans() {
    var r = await D.api("/api/patrol-plans/?limit=1000");
    if (!r.ok) { error(D.errorText(r)); return; }
    plans = r.data.results;
    plansLayer.clearLayers();
    var tbody = document.querySelector("#plan-table tbody");
    tbody.innerHTML = "";
    var select = $("compare-plan");
    select.innerHTML = "";
    plans.forEach(function (p) {
      [p.route, p.area].forEach(function (g) {
        if (g) plansLayer.addLayer(L.geoJSON(g, {style: {color: "#2e86c1", weight: 3, fillOpacity: 0.1}})
                                   .bindTooltip(p.name));
      });
      var tr = D.row(tbody, [p.name, p.team_name, schedule(p), (p.valid_from || p.valid_to) ? (p.valid_from || "…") + " 至 " + (p.valid_to || "…") : "长期", ""]);
      var actions = tr.lastChild;
      var edit = document.createElement("button"); edit.type = "button"; edit.textContent = "编辑";
      edit.addEventListener("click", function () { editPlan(p); });
      var del = document.createElement("button"); del.type = "button"; del.textContent = "删除"; del.className = "secondary";
      del.addEventListener("click", async function () {
        if (!window.confirm("删除计划「" + p.name + "」？")) return;
        var d = await D.api("/api/patrol-plans/" + p.id + "/", {method: "DELETE"});
        if (!d.ok) { error(D.errorText(d)); return; }
        loadPlans();
      });
      actions.appendChild(edit); actions.appendChild(del);
      var option = document.createElement("option");
      option.value = p.id; option.textContent = p.name + "（" + p.team_name + "）";
      select.appendChild(option);
    });
  }

  function editPlan(p) {
    resetForm();
    $("plan-id").value = p.id; $("plan-name").value = p.name; $("plan-team").value = p.team;
    $("plan-start").value = p.start_time ? p.start_time.slice(0, 5) : "";
    $("plan-end").value = p.end_time ? p.end_time.slice(0, 5) : "";
    $("plan-from").value = p.valid_from || ""; $("plan-to").value = p.valid_to || "";
    document.querySelectorAll("input[name=weekday]").forEach(function (c) { c.checked = p.weekdays.indexOf(+c.value) >= 0; });
    [p.route, p.area].forEach(function (g) {
      if (!g) return;
      L.geoJSON(g).eachLayer(function (layer) { layer.setStyle({color: "#8e44ad"}); drawing.addLayer(layer); layer.pm.enable(); });
    });
    describeDrawing();
    $("plan-save").textContent = "保存修改";
    if (drawing.getLayers().length) map.fitBounds(drawing.getBounds(), {maxZoom: 15});
  }

  // --- uploads ---------------------------------------------------------------------------------
  $("track-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var file = $("track-file").files[0];
    var out = $("track-report");
    out.innerHTML = "";
    if (!file) { error("请选择轨迹文件"); return; }
    var form = new FormData();
    form.append("file", file); form.append("team", $("track-team").value);
    if ($("track-crs").value) form.append("crs", $("track-crs").value);
    var r = await D.api("/api/tracks/", {method: "POST", body: form});
    if (r.status === 409) { error("这份轨迹已上传过（轨迹 " + r.data.duplicate_of + "），未重复保存"); return; }
    if (!r.ok) {
      error(D.errorText(r));
      (r.data.problems || []).forEach(function (p) { var li = document.createElement("p"); li.className = "muted";
        li.textContent = (p.line ? "第 " + p.line + " 行 " : "") + (p.field || "") + "：" + p.reason; out.appendChild(li); });
      return;
    }
    error("");
    var rep = r.data.properties.report;
    var table = document.createElement("table"); table.className = "data"; table.id = "track-report-table";
    var tbody = document.createElement("tbody"); table.appendChild(tbody);
    D.row(tbody, ["收到定位点", rep.received]); D.row(tbody, ["保留", rep.kept]); D.row(tbody, ["剔除", rep.dropped]);
    Object.keys(rep.dropped_by_reason).forEach(function (k) { D.row(tbody, ["　" + (REASONS[k] || k), rep.dropped_by_reason[k]]); });
    if (rep.line) D.row(tbody, ["轨迹长度（米）", rep.line.length_m]);
    out.appendChild(table);
    overlay.clearLayers();
    if (r.data.geometry) {
      var line = L.geoJSON(r.data.geometry, {style: {color: "#27ae60", weight: 4}});
      overlay.addLayer(line); map.fitBounds(line.getBounds(), {maxZoom: 16});
    }
  });

  // --- plan against tracks ---------------------------------------------------------------------
  $("compare-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var plan = plans.filter(function (p) { return String(p.id) === $("compare-plan").value; })[0];
    if (!plan) { error("请先建立计划"); return; }
    var period = "from=" + $("compare-from").value + "&to=" + $("compare-to").value;
    var r = await D.api("/api/patrol-plans/" + plan.id + "/comparison?" + period);
    if (!r.ok) { error(D.errorText(r)); return; }
    error("");
    overlay.clearLayers();
    [plan.route, plan.area].forEach(function (g) {
      if (g) overlay.addLayer(L.geoJSON(g, {style: {color: "#2e86c1", weight: 5, opacity: 0.6, fillOpacity: 0.05}}));
    });
    var tracks = await D.api("/api/tracks/?team=" + encodeURIComponent(plan.team) + "&" + period + "&limit=1000");
    if (tracks.ok) overlay.addLayer(L.geoJSON(tracks.data, {style: {color: "#27ae60", weight: 3}}));
    var missed = r.data.grids.missed;
    if (missed.length) {
      var bounds = overlay.getBounds();
      var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].join(",");
      var grids = await D.api("/ogc/collections/grids/items?limit=10000&bbox=" + bbox);
      if (grids.ok) {
        var wanted = {}; missed.forEach(function (c) { wanted[c] = true; });
        overlay.addLayer(L.geoJSON({type: "FeatureCollection", features: grids.data.features.filter(function (f) { return wanted[f.properties.code]; })},
          {style: {color: "#c0392b", weight: 2, fillColor: "#e74c3c", fillOpacity: 0.35}})
          .bindTooltip(function (l) { return "未巡：" + l.feature.properties.name; }));
      }
    }
    if (overlay.getLayers().length) map.fitBounds(overlay.getBounds(), {maxZoom: 15});
    var out = $("compare-result"); out.innerHTML = "";
    var table = document.createElement("table"); table.className = "data"; table.id = "compare-table";
    var tbody = document.createElement("tbody"); table.appendChild(tbody);
    D.row(tbody, ["计划时段（小时）", (r.data.scheduled_seconds / 3600).toFixed(1)]);
    D.row(tbody, ["轨迹数", r.data.tracks]);
    D.row(tbody, ["巡查时长（小时）", (r.data.seconds_on_patrol / 3600).toFixed(1)]);
    if (r.data.route) D.row(tbody, ["路线走过", D.pct(r.data.route.share_walked) + "（" + Math.round(r.data.route.walked_m) + " / " + Math.round(r.data.route.planned_m) + " 米）"]);
    D.row(tbody, ["计划网格", r.data.grids.planned]);
    D.row(tbody, ["已巡网格", r.data.grids.patrolled]);
    D.row(tbody, ["未巡网格", missed.join("，") || "无"]);
    out.appendChild(table);
  });

  // --- 1+X reach -------------------------------------------------------------------------------
  function colour(minutes, limit) {
    if (minutes === null) return "#7f8c8d";
    var t = minutes / limit;
    return t < 0.5 ? "#27ae60" : (t < 0.8 ? "#f1c40f" : (t <= 1 ? "#e67e22" : "#c0392b"));
  }
  $("reach-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var limit = +$("reach-minutes").value;
    var query = "format=geojson&speed_kmh=" + $("reach-speed").value + "&detour=" + $("reach-detour").value + "&max_minutes=" + limit;
    var r = await D.api("/api/hub-coverage?" + query, {headers: {"Accept": "application/geo+json, application/json"}});
    if (!r.ok) { error(D.errorText(r)); return; }
    error("");
    overlay.clearLayers();
    var layer = L.geoJSON(r.data, {style: function (f) {
      var p = f.properties, minutes = p.network_minutes !== null ? p.network_minutes : p.straight_minutes;
      return {color: p.beyond ? "#7b241c" : "#555", weight: p.beyond ? 3 : 1, dashArray: p.beyond ? "4 3" : null,
              fillColor: colour(minutes, limit), fillOpacity: 0.55};
    }}).bindTooltip(function (l) {
      var p = l.feature.properties, minutes = p.network_minutes !== null ? p.network_minutes : p.straight_minutes;
      return p.name + "：" + minutes.toFixed(1) + " 分钟" + (p.beyond ? "（超出响应时限）" : "");
    });
    overlay.addLayer(layer);
    if (r.data.features.length) map.fitBounds(layer.getBounds(), {maxZoom: 13});
    $("reach-legend").innerHTML = "";
    [["#27ae60", "< 50%"], ["#f1c40f", "50–80%"], ["#e67e22", "80–100%"], ["#c0392b", "超时"]].forEach(function (c) {
      var s = document.createElement("span"); s.innerHTML = "<span class='legend-swatch' style='background:" + c[0] + "'></span>" + c[1] + "　";
      $("reach-legend").appendChild(s);
    });
    var out = $("reach-result"); out.innerHTML = "";
    var beyond = r.data.features.filter(function (f) { return f.properties.beyond; });
    var names = {};
    var townships = await D.api("/ogc/collections/townships/items?limit=1000");
    if (townships.ok) townships.data.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
    var p = document.createElement("p");
    p.textContent = "共 " + r.data.features.length + " 个网格，超出 " + limit + " 分钟：" + beyond.length + " 个" +
      (r.data.network ? "（按路网计算）" : "（按直线估算）");
    out.appendChild(p);
    var table = document.createElement("table"); table.className = "data"; table.id = "reach-table";
    var thead = document.createElement("thead"); table.appendChild(thead);
    D.row(thead, ["超时网格", "乡镇", "分钟"]);
    var tbody = document.createElement("tbody"); table.appendChild(tbody);
    beyond.forEach(function (f) {
      var q = f.properties, minutes = q.network_minutes !== null ? q.network_minutes : q.straight_minutes;
      D.row(tbody, [q.name, names[q.township] || q.township, minutes.toFixed(1)]);
    });
    out.appendChild(table);
  });

  loadPlans();
})();
