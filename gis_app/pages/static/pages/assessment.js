/* 考核 charts: handled / on time / overdue bars and the on-time rate line, per township and team.
   SVG (labels are elements: tests/pages measure that none overlaps); labels laid out by
   chart_labels.js, team names without their county's; the axes' units in their labels (an
   axis name at the top ran into the legend). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("assessment-charts").textContent);
  function draw(id, title, d) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, {renderer: "svg"});
    var names = ChartLabels.shorten(d.names, data.county);
    var labels = ChartLabels.slanted(el, names, 110, 14);
    chart.setOption({
      title: {text: title, left: 10, top: 6, textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis"},
      legend: {top: 6, right: 10, data: ["处置", "按期处置", "超期", "按期处置率"]},
      grid: {left: ChartLabels.reach(labels, names), right: 10, top: 45, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: names, axisLabel: labels},
      yAxis: [{type: "value", minInterval: 1, axisLabel: {formatter: "{value} 件"}},
              {type: "value", max: 100, min: 0, axisLabel: {formatter: "{value}%"}}],
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
