/* 队员待办: the team's cases to act on, soonest deadline first, with the distance from where
   the member stands (measured by the server from the phone's WGS84 position). */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let position = null;

  async function load() {
    $("refresh").disabled = true;
    const q = new URLSearchParams();
    if (position) {
      q.set("lon", position.lon);
      q.set("lat", position.lat);
      q.set("crs", Field.CRS);
    }
    try {
      const data = await Field.getJSON("/api/cases/inbox/?" + q);
      $("inbox").replaceChildren(...data.cases.map((c) => Field.el("li", {class: "card case" + (c.overdue ? " overdue" : "")},
        Field.el("a", {href: "/field/cases/" + c.id + "/", class: "case-link"},
          Field.el("div", {class: "head"}, Field.el("strong", {}, c.item.name),
            Field.el("span", {class: "badge " + (c.overdue ? "bad" : "ok")}, c.state_label)),
          Field.el("div", {class: "meta"}, (c.overdue ? "已超期 · " : "") + "时限 " + Field.time(c.deadline)),
          Field.el("div", {class: "meta"}, [c.township && c.township.name, c.grid && c.grid.name].filter(Boolean).join(" · ")),
          Field.el("div", {class: "distance"}, c.distance_m === null ? "距离未知（未定位）" : "距您 " + Field.distance(c.distance_m)),
          Field.el("div", {class: "desc"}, c.description)))));
      $("empty").hidden = data.cases.length > 0;
      $("note").hidden = true;
    } catch (e) {
      $("note").textContent = e.status ? e.message : "没有信号，显示的是上次看到的待办。";
      $("note").hidden = false;
    } finally {
      $("refresh").disabled = false;
    }
  }

  async function locateAndLoad() {
    $("where").textContent = "正在定位……";
    try {
      position = await Field.locate("暂不显示距离");
      $("where").textContent = "您的位置精度约 ±" + Math.round(position.accuracy) + " 米（WGS84）";
    } catch (e) {
      $("where").textContent = e.message;
    }
    await load();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    Field.registerWorker();
    $("refresh").addEventListener("click", locateAndLoad);
    await locateAndLoad();
    document.body.dataset.ready = "1";
  });
})();
