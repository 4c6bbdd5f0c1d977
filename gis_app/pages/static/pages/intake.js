/* 一口受理: find the place (search or a click on the map), pick the item, see where the router
   sends it, open the case. Plain JS on Leaflet; everything through the API (session + CSRF). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var q = $("place-q"), results = $("place-results"), pointText = $("point-text");
  var item = $("intake-item"), description = $("intake-description"), submit = $("intake-submit");
  var preview = $("route-preview"), result = $("intake-result");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var LEVELS = {township: "乡镇", village: "村社区", grid: "网格", place: "地点"};
  var MATCHES = {name: "全名", prefix: "开头", fragment: "包含", initials: "拼音首字母", pinyin: "拼音", fuzzy: "相似"};
  var MODES = JSON.parse(document.getElementById("mode-labels").textContent);   // answer_text.MODES
  var point = null, marker = null, searching = null, previewing = null, timer = null, near = null;
  var OUTLINE = {color: "#5d6d7e", weight: 1, fill: false};

  var map = L.map("intake-map", {attributionControl: false});
  map.setView([30.7, 122.45], 10);
  var outlines = L.geoJSON(null, {style: OUTLINE, interactive: false}).addTo(map);
  fetch("/ogc/collections/townships/items?f=json&limit=1000", {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (data && data.features && data.features.length) {
        outlines.addData(data);
        if (!point) map.fitBounds(outlines.getBounds(), {padding: [20, 20]});
      }
    }).catch(function () { /* outlines are a help, not a need */ });

  function text(el, s) { el.textContent = s; return el; }
  function el(tag, cls, s) { var e = document.createElement(tag); if (cls) e.className = cls; if (s) e.textContent = s; return e; }

  function setPoint(lon, lat, label) {
    point = {lon: +lon.toFixed(7), lat: +lat.toFixed(7)};
    if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
    text(pointText, (label ? label + "：" : "位置：") + point.lon + ", " + point.lat + "（WGS84）");
    routePreview();
  }

  function search() {
    var s = q.value.trim();
    if (searching) searching.abort();
    results.innerHTML = "";
    if (!s) return;
    searching = new AbortController();
    fetch("/api/places?" + new URLSearchParams({q: s, limit: "12"}), {credentials: "same-origin", signal: searching.signal})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        if (!res.ok) { results.appendChild(el("li", "error", res.body.detail || "查询失败")); return; }
        if (!res.body.results.length) { results.appendChild(el("li", "muted", "没有找到，可在地图上点击位置")); return; }
        res.body.results.forEach(function (c) {
          var li = el("li"), b = el("button", null, c.name);
          b.type = "button";
          b.dataset.code = c.code;
          b.appendChild(el("span", "kind", (LEVELS[c.level] || c.level) + " · " + (MATCHES[c.match] || c.match)));
          b.addEventListener("click", function () {
            results.querySelectorAll("button.chosen").forEach(function (x) { x.classList.remove("chosen"); });
            b.classList.add("chosen");
            map.setView([c.lat, c.lon], c.level === "township" ? 13 : 15);
            setPoint(c.lon, c.lat, c.name);
          });
          li.appendChild(b);
          results.appendChild(li);
        });
      }).catch(function (e) { if (e.name !== "AbortError") results.appendChild(el("li", "error", "查询失败")); });
  }

  function routePreview() {
    submit.disabled = !(point && item.value && description.value.trim());
    preview.innerHTML = "";
    clearCandidates();
    if (!point || !item.value) return;
    if (previewing) previewing.abort();
    previewing = new AbortController();
    var params = new URLSearchParams({lon: point.lon, lat: point.lat, item: item.value});
    fetch("/api/route?" + params, {credentials: "same-origin", signal: previewing.signal})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        preview.innerHTML = "";
        if (!res.ok) { preview.appendChild(el("p", "error", res.body.detail || res.body.error)); submit.disabled = true; return; }
        var a = res.body, dl = el("dl");
        var where = [a.township, a.village, a.grid].filter(Boolean).map(function (u) { return u.name; }).join(" / ");
        [["位置", a.at_sea ? "海上" : where], ["承办队伍", a.team ? a.team.name : "（无）"],
         ["办理方式", MODES[a.mode] || a.mode], ["执法主体", a.subject ? a.subject.name : "（无）"]]
          .forEach(function (pair) { dl.appendChild(el("dt", null, pair[0])); dl.appendChild(el("dd", null, pair[1])); });
        preview.appendChild(dl);
        if (a.ambiguous) showCandidates(a);
      }).catch(function (e) { if (e.name !== "AbortError") preview.appendChild(el("p", "error", "无法预览派遣")); });
  }

  function clearCandidates() {
    if (near) { map.removeLayer(near); near = null; }
    window.BorderCandidates.reset(outlines, OUTLINE);
  }

  /* Near a border: every township (or the sea) within the tolerance, on the map and listed;
     the case will wait in the command centre's to-confirm queue (confirmed on the case page). */
  function showCandidates(a) {
    near = window.BorderCandidates.draw(map, a.candidates, {outlines: outlines});
    var box = el("div", "candidates"), ul = el("ul");
    box.id = "route-candidates";
    box.appendChild(el("p", "warn", "位于边界附近（" + a.tolerance_m + " 米内有 " + a.candidates.length +
                                    " 个候选），受理后进入“待确认”，由指挥中心确认或改派："));
    a.candidates.forEach(function (c) {
      var li = el("li", c.acting ? "acting" : null, window.BorderCandidates.label(c) + (c.acting ? "（当前派往）" : ""));
      li.dataset.code = c.code || "sea";
      ul.appendChild(li);
    });
    box.appendChild(ul);
    preview.appendChild(box);
    map.fitBounds(near.getBounds().extend(marker.getLatLng()), {padding: [60, 60], maxZoom: 19});
  }

  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
  map.on("click", function (e) { setPoint(e.latlng.lng, e.latlng.lat, "地图点选"); });
  item.addEventListener("change", routePreview);
  description.addEventListener("input", function () { submit.disabled = !(point && item.value && description.value.trim()); });

  $("intake-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!point) return;
    submit.disabled = true;
    result.innerHTML = "";
    fetch("/api/cases/", {method: "POST", credentials: "same-origin",
                          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                          body: JSON.stringify({lon: point.lon, lat: point.lat, crs: "EPSG:4326", item: item.value,
                                                description: description.value.trim()})})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        if (!res.ok) { result.appendChild(el("p", "error", res.body.detail || res.body.error)); submit.disabled = false; return; }
        var p = res.body.properties || res.body, ok = el("p", "ok", "已受理：" + p.number + "，派往 " +
          (p.team ? p.team.name : "（无队伍）") + "，时限 " + (p.deadline || "").replace("T", " ").slice(0, 16));
        ok.id = "intake-done";
        var link = el("a", null, "查看案件");
        link.href = "/cases/" + (res.body.id || p.id) + "/";
        result.appendChild(ok);
        result.appendChild(link);
        description.value = "";
      }).catch(function () { result.appendChild(el("p", "error", "提交失败，请重试")); submit.disabled = false; });
  });
})();
