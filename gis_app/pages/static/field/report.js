/* 网格员上报: position first (GPS or a tap on the map of the member's grids, the map within
   a phone's first screen), then the item, description, photos; a preview of the router's
   decision before sending; the report goes through the outbox, so it is kept on the phone and
   sent when there is no signal. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const MODES = JSON.parse(document.getElementById("mode-labels").textContent);   // answer_text.MODES
  const state = {items: [], recent: [], gridCodes: new Set(), item: null, point: null, preview: null};
  let map, marker, accuracyCircle, previewTimer;

  function message(text, kind, link) {
    const box = $("message");
    box.replaceChildren(text || "");
    if (link) box.append(" ", Field.el("a", {href: link.href}, link.text));
    box.className = "message " + (kind || "");
    box.hidden = !text;
  }

  /* --- 1. the item ------------------------------------------------------------------------ */
  function matches(item, q) {
    return !q || item.name.includes(q) || item.code.toLowerCase().includes(q) || item.domain.includes(q) ||
      item.initials.includes(q);
  }

  /* Before any search only the first SHORT items (recent first) and a button for the rest:
     the list follows the map, and a long one pushed the description and photos far down. */
  const SHORT = 5, FOUND = 30;
  let showAll = false;

  function renderItems() {
    const q = $("item-search").value.trim().toLowerCase();
    const rank = (item) => { const i = state.recent.indexOf(item.code); return i < 0 ? 1e6 : i; };
    const matching = state.items.filter((i) => matches(i, q))
      .sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
    const found = matching.slice(0, q || showAll ? FOUND : SHORT);
    $("item-list").replaceChildren(...found.map((item) => Field.el("li", {},
      Field.el("button", {type: "button", class: "item", "data-code": item.code, onclick: () => choose(item)},
        Field.el("span", {class: "name"}, item.name),
        Field.el("span", {class: "meta"}, item.code + " · " + item.domain +
          (state.recent.includes(item.code) ? " · 最近使用" : ""))))));
    $("item-empty").hidden = found.length > 0;
    const more = !q && !showAll && matching.length > found.length;
    $("item-more").hidden = !more;
    $("item-more").textContent = more ? "显示更多事项（共 " + matching.length + " 项，也可搜索）" : "";
  }

  function choose(item) {
    state.item = item;
    $("item-chosen-name").textContent = item.name;
    $("item-chosen-meta").textContent = item.code + " · " + item.domain + " · " + item.whistle_label;
    $("item-chosen").hidden = false;
    $("item-picker").hidden = true;
    schedulePreview();
  }

  function unchoose() {
    state.item = null;
    $("item-chosen").hidden = true;
    $("item-picker").hidden = false;
    $("item-search").focus();
    schedulePreview();
  }

  /* --- 2. the position -------------------------------------------------------------------- */
  function setPoint(point, how) {
    state.point = point;
    const ll = [point.lat, point.lon];
    if (!marker) marker = L.marker(ll).addTo(map); else marker.setLatLng(ll);
    if (accuracyCircle) { accuracyCircle.remove(); accuracyCircle = null; }
    if (point.accuracy) accuracyCircle = L.circle(ll, {radius: point.accuracy, weight: 1}).addTo(map);
    map.setView(ll, Math.max(map.getZoom(), 15));
    $("where").textContent = how + "：" + point.lon.toFixed(6) + ", " + point.lat.toFixed(6) +
      (point.accuracy ? "，精度约 ±" + Math.round(point.accuracy) + " 米" : "") + "（WGS84）";
    $("where").className = "where set";
    schedulePreview();
  }

  async function locate() {
    $("locate").disabled = true;
    $("where").textContent = "正在定位……";
    try {
      setPoint(await Field.locate("或在下方地图上点选位置"), "手机定位");
    } catch (e) {
      $("where").textContent = e.message;
    } finally {
      $("locate").disabled = false;
    }
  }

  function initMap(grids) {
    map = L.map("map", {zoomControl: true, attributionControl: false});
    window.pageMap = map;  // for the browser tests (pixel positions of coordinates) and the console
    const basemap = $("field-report").dataset.basemap;
    if (basemap) L.tileLayer(basemap, {maxZoom: 19}).addTo(map);
    const layer = L.geoJSON(grids, {style: {color: "#1769aa", weight: 2, fillOpacity: 0.12},
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name, {permanent: false})}).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), {padding: [10, 10]});
    else map.setView([30, 120], 10);
    map.on("click", (e) => setPoint({lon: e.latlng.lng, lat: e.latlng.lat, accuracy: null, crs: Field.CRS}, "地图选点"));
  }

  /* --- 5. what the router will decide ---------------------------------------------------- */
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
  }

  function row(label, value) {
    return Field.el("div", {class: "row"}, Field.el("span", {class: "label"}, label), Field.el("span", {}, value || "—"));
  }

  async function preview() {
    const body = $("preview-body");
    state.preview = null;
    if (!state.item || !state.point) {
      body.replaceChildren("定好位置、选好事项后，这里会显示案件将派给谁、以谁的名义办理、何时到期。");
      body.className = "";
      return;
    }
    if (!navigator.onLine) {
      body.replaceChildren("现在没有信号，无法预览派遣结果。仍可提交：上报会保存在手机上，有信号时自动发送。");
      body.className = "muted";
      return;
    }
    const q = new URLSearchParams({lon: state.point.lon, lat: state.point.lat, item: state.item.code, crs: Field.CRS});
    try {
      const d = await Field.getJSON("/api/route?" + q);
      state.preview = d;
      const outside = d.grid && state.gridCodes.size && !state.gridCodes.has(d.grid.code);
      body.replaceChildren(...[
        row("乡镇（街道）", d.township && d.township.name + (d.hub ? "（由" + d.hub.name + "片区兼管）" : "")),
        row("网格", d.grid ? d.grid.name : (d.at_sea ? "海上" : "")),
        row("承办队伍", d.team && d.team.name),
        row("执法主体", d.subject && d.subject.name),
        row("办理方式", MODES[d.mode] || d.mode),
        row("办理时限", Field.time(d.deadline)),
        outside || (!d.grid && state.gridCodes.size)
          ? Field.el("p", {class: "warn"}, Field.explain(403, {error: "outside_own_grids"})) : null].filter(Boolean));
      body.className = outside ? "bad" : "ok";
    } catch (e) {
      body.replaceChildren(e.status ? e.message : "暂时无法预览（网络不稳定），仍可提交。");
      body.className = e.status ? "bad" : "muted";
    }
  }

  /* --- sending ---------------------------------------------------------------------------- */
  async function submit(event) {
    event.preventDefault();
    const description = $("description").value.trim();
    if (!state.point) return message("请先定位，或在地图上点选问题位置。", "bad");
    if (!state.item) return message("请先选择事项。", "bad");
    if (!description) return message("请简单描述问题。", "bad");
    $("submit").disabled = true;
    try {
      const report = await FieldOutbox.add({lon: state.point.lon, lat: state.point.lat, crs: Field.CRS,
        accuracy: state.point.accuracy, item: state.item.code, itemName: state.item.name, description},
        photos.photos);
      await FieldOutbox.flush();
      const after = await FieldOutbox.get(report.key);
      if (after.status === "sent") {
        message("已上报，案件编号 " + after.number + "。", "ok", {href: "/field/reports/", text: "查看我的上报"});
        reset();
      } else if (after.status === "refused") {
        message(after.error, "bad");
        await FieldOutbox.remove(report.key);
      } else {
        message("现在没有信号：上报已保存在手机上，有信号时会自动发送，不会重复上报。", "waiting",
          {href: "/field/reports/", text: "查看等待发送的上报"});
        reset();
      }
    } finally {
      $("submit").disabled = false;
      counts();
    }
  }

  function reset() {
    $("description").value = "";
    photos.clear();
  }

  async function counts() {
    const reports = await FieldOutbox.all();
    const waiting = reports.filter((r) => r.status === "waiting").length;
    $("outbox-count").textContent = waiting ? waiting + " 份上报等待发送" : "";
    $("outbox-count").hidden = !waiting;
  }

  function connectivity() {
    $("signal").textContent = navigator.onLine ? "在线" : "离线";
    $("signal").className = "signal " + (navigator.onLine ? "online" : "offline");
  }

  let photos;

  async function init() {
    Field.registerWorker();
    connectivity();
    window.addEventListener("online", () => { connectivity(); schedulePreview(); });
    window.addEventListener("offline", connectivity);
    photos = FieldPhotos.picker($("photos"), (text) => message(text, "bad"));
    $("item-search").addEventListener("input", renderItems);
    $("item-more").addEventListener("click", () => { showAll = true; renderItems(); });
    $("item-change").addEventListener("click", unchoose);
    $("locate").addEventListener("click", locate);
    $("report").addEventListener("submit", submit);
    FieldOutbox.onChange(counts);
    const data = await Field.getJSON("/field/data/report.json");
    state.items = data.items;
    state.recent = data.recent;
    state.gridCodes = new Set(data.grids.features.map((f) => f.properties.code));
    renderItems();
    initMap(data.grids);
    FieldOutbox.start();
    counts();
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => {
    init().catch((e) => message(e.message || "页面加载失败，请刷新。", "bad"));
  });
})();
