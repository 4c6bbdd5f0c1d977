/* 大屏: draws the counters, map, overdue list and ECharts charts from /screen/data.json and
   reads it again every minute (the page itself never reloads). */
(function () {
  "use strict";
  var box = document.getElementById("screen");
  var refreshMs = Math.max(10, parseInt(box.dataset.refreshSeconds, 10) || 60) * 1000;
  var text = {color: "#d6e4f5"};
  var charts = {};
  var map = L.map("screen-map", {zoomControl: false, attributionControl: false,
                                    scalePosition: "bottomright"});  // the legend holds bottom left
  var outlines = L.geoJSON(null, {style: {color: "#4f79a8", weight: 1.2, fillColor: "#16345c", fillOpacity: 0.5,
                                          className: "township-outline"},
                                  interactive: false}).addTo(map);
  var markers = L.layerGroup().addTo(map);
  // The view frames the townships (the whole jurisdiction) whenever their outlines come, even
  // after the cases' markers framed it first; the markers frame it only while there are no
  // outlines. Once the operator moves or zooms the map, nothing moves it again.
  var fittedTo = null;          // null, "markers" or "outlines"
  var operatorMoved = false;
  ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
    map.getContainer().addEventListener(name, function () { operatorMoved = true; }, {passive: true});
  });

  function chart(id) {
    if (!charts[id]) {
      // SVG: crisp on a wall screen scaled by its player, and its labels are elements (tests/pages
      // measure that none overlaps).
      charts[id] = echarts.init(document.getElementById(id), null, {renderer: "svg"});
      window.addEventListener("resize", function () { charts[id].resize(); });
    }
    return charts[id];
  }

  function base(title) {
    return {title: {text: title, left: 10, top: 6, textStyle: {color: "#fff", fontSize: 16}},
            tooltip: {trigger: "axis"}, textStyle: text,
            grid: {left: 12, right: 20, top: 42, bottom: 8, containLabel: true}};
  }

  var FONT = ChartLabels.FONT;

  function slanted(id, names) {
    var axis = ChartLabels.slanted(document.getElementById(id), names, 80, 7);
    axis.color = "#9fc0e4";
    return axis;
  }

  function bars(id, title, rows, series) {
    var option = base(title);
    option.legend = {top: 6, right: 10, textStyle: text};
    var names = ChartLabels.shorten(rows.map(function (r) { return r.name; }), box.dataset.county);
    option.xAxis = {type: "category", data: names, axisLabel: slanted(id, names)};
    option.grid.left = ChartLabels.reach(option.xAxis.axisLabel, names);
    option.yAxis = {type: "value", minInterval: 1, axisLabel: {color: "#9fc0e4"}, splitLine: {lineStyle: {color: "#1f3d63"}}};
    option.series = series.map(function (s) {
      return {name: s.name, type: s.type || "bar", data: rows.map(function (r) { return r[s.key]; }),
              itemStyle: {color: s.color}, smooth: true};
    });
    chart(id).setOption(option, true);
  }

  function rate(id, title, rows) {
    var option = base(title);
    var names = ChartLabels.shorten(rows.map(function (r) { return r.name; }), box.dataset.county);
    option.xAxis = {type: "category", data: names, axisLabel: slanted(id, names)};
    option.grid.left = ChartLabels.reach(option.xAxis.axisLabel, names);
    option.yAxis = {type: "value", min: 0, max: 100, axisLabel: {color: "#9fc0e4", formatter: "{value}%"},
                    splitLine: {lineStyle: {color: "#1f3d63"}}};
    option.grid.top = 58;               // a full bar's "100%" above it stays clear of the title
    option.series = [{name: "按期办结率", type: "bar", data: rows.map(function (r) { return r.rate; }),
                      itemStyle: {color: "#5fd38a"}, label: {show: true, position: "top", color: "#fff", formatter: "{c}%"}}];
    chart(id).setOption(option, true);
  }

  // The teams' on-time rates as a ranking: a bar per team, its name beside it, as many as the
  // panel holds a line each, lowest rate first (teams with nothing due yet last). Why: a team's
  // name is ten or more characters, so twenty-six of them under a column chart were unreadable.
  function ranking(id, title, rows) {
    var fits = Math.max(1, Math.floor((document.getElementById(id).clientHeight - 50) / (FONT + 5)));
    var short = ChartLabels.shorten(rows.map(function (r) { return r.name; }), box.dataset.county);
    rows = rows.map(function (r, i) { return {name: short[i], rate: r.rate}; });
    var ranked = rows.slice().sort(function (a, b) {
      return (a.rate === null) - (b.rate === null) || (a.rate || 0) - (b.rate || 0) || (a.name < b.name ? -1 : 1);
    }).slice(0, fits);
    var option = base(ranked.length < rows.length ? title + "（最低 " + ranked.length + " 支）" : title);
    option.grid.right = 4 * FONT;       // room for a full bar's "100%" beside it
    option.yAxis = {type: "category", inverse: true, data: ranked.map(function (r) { return r.name; }),
                    axisLabel: {color: "#9fc0e4", interval: 0, fontSize: FONT, width: 14 * FONT, overflow: "truncate"}};
    option.xAxis = {type: "value", min: 0, max: 100, axisLabel: {color: "#9fc0e4", formatter: "{value}%"},
                    splitLine: {lineStyle: {color: "#1f3d63"}}};
    option.series = [{name: "按期办结率", type: "bar", barMaxWidth: FONT, data: ranked.map(function (r) { return r.rate; }),
                      itemStyle: {color: "#5fd38a"}, label: {show: true, position: "right", color: "#fff", formatter: "{c}%"}}];
    chart(id).setOption(option, true);
  }

  function pie(id, title, rows) {
    var option = base(title);
    option.tooltip = {trigger: "item"};
    option.series = [{type: "pie", radius: ["35%", "65%"], center: ["50%", "57%"],
                      data: rows.map(function (r) { return {name: r.name, value: r.total}; }),
                      label: {color: "#d6e4f5"}}];
    chart(id).setOption(option, true);
  }

  function draw(d) {
    Object.keys(d.counters).forEach(function (k) {
      var el = document.getElementById("c-" + k);
      if (el) el.textContent = d.counters[k];
    });
    document.getElementById("screen-updated").textContent = d.now;
    var list = document.getElementById("overdue-list");
    list.innerHTML = "";
    d.overdue.forEach(function (c) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/cases/" + c.id + "/"; a.textContent = c.number;
      var what = document.createElement("span");
      what.textContent = c.township + " · " + c.item + (c.escalated ? " · " : "");
      if (c.escalated) { var esc = document.createElement("b"); esc.className = "esc"; esc.textContent = "督办"; what.appendChild(esc); }
      var late = document.createElement("span"); late.className = "late"; late.textContent = c.late;
      li.appendChild(a); li.appendChild(what); li.appendChild(late);
      list.appendChild(li);
    });
    if (!d.overdue.length) list.innerHTML = "<li>暂无超期案件</li>";
    markers.clearLayers();
    var bounds = [];
    d.markers.forEach(function (m) {
      var ll = [m.lat, m.lon];
      L.circleMarker(ll, {radius: 6, weight: m.escalated ? 3 : 1, color: m.escalated ? "#d39bff" : "#0b1a2e",
                          fillColor: m.overdue ? "#ff4d3d" : "#3da5ff", fillOpacity: 0.95})
        .bindTooltip(m.number + " " + m.item).addTo(markers);
      bounds.push(ll);
    });
    if (!fittedTo && !operatorMoved && bounds.length) {
      map.fitBounds(bounds, {padding: [40, 40], maxZoom: 13});
      fittedTo = "markers";
    }
    bars("chart-township", "各乡镇案件", d.townships, [
      {name: "总数", key: "total", color: "#3da5ff"}, {name: "在办", key: "open", color: "#f5b041"},
      {name: "超期", key: "overdue", color: "#ff4d3d"}]);
    pie("chart-item", "事项分布（前十）", d.items);
    bars("chart-month", "每月案件", d.months, [{name: "案件数", key: "total", color: "#3da5ff", type: "line"}]);
    rate("chart-rate-township", "各乡镇按期办结率", d.townships);
    ranking("chart-rate-team", "各队伍按期办结率", d.teams);
    box.dataset.loaded = String((parseInt(box.dataset.loaded || "0", 10) + 1));
  }

  function load() {
    return fetch(box.dataset.url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(draw)
      .catch(function (err) { console.warn("大屏刷新失败", err); });
  }

  fetch("/ogc/collections/townships/items?f=json&limit=1000", {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      outlines.addData(data);
      if (fittedTo !== "outlines" && !operatorMoved && outlines.getLayers().length) {
        map.fitBounds(outlines.getBounds());
        fittedTo = "outlines";
      }
    })
    .catch(function () {});
  map.setView([30.7, 122.45], 10);
  load();
  setInterval(load, refreshMs);
})();
