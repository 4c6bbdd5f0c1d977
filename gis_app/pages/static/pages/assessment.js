/* 考核 charts: handled / on time / overdue bars and the on-time rate line, per township and team. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("assessment-charts").textContent);
  function draw(id, title, d) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption({
      title: {text: title, left: 10, top: 6, textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis"},
      legend: {top: 6, right: 10, data: ["处置", "按期处置", "超期", "按期处置率"]},
      grid: {left: 45, right: 50, top: 45, bottom: 60},
      xAxis: {type: "category", data: d.names, axisLabel: {interval: 0, rotate: d.names.length > 6 ? 30 : 0}},
      yAxis: [{type: "value", name: "件", minInterval: 1}, {type: "value", name: "%", max: 100, min: 0}],
      series: [
        {name: "处置", type: "bar", data: d.handled, itemStyle: {color: "#2e86c1"}},
        {name: "按期处置", type: "bar", data: d.on_time, itemStyle: {color: "#27ae60"}},
        {name: "超期", type: "bar", data: d.overdue, itemStyle: {color: "#c0392b"}},
        {name: "按期处置率", type: "line", yAxisIndex: 1, data: d.rate, connectNulls: false, itemStyle: {color: "#8e44ad"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.drawn = "1";
  }
  draw("chart-township", "乡镇", data.township);
  draw("chart-team", "队伍", data.team);
})();
