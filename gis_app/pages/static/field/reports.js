/* 我的上报: what waits on the phone, what was refused (and why), and each sent report's case
   with its state as the server knows it (the list is kept by the service worker for when
   there is no signal). */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const BADGES = {waiting: ["等待发送", "waiting"], refused: ["未被受理", "bad"], sent: ["已发送", "ok"]};

  function card(title, meta, badge, extra) {
    return Field.el("li", {class: "card report"},
      Field.el("div", {class: "head"}, Field.el("strong", {}, title),
        Field.el("span", {class: "badge " + badge[1]}, badge[0])),
      Field.el("div", {class: "meta"}, meta), extra || null);
  }

  async function render() {
    const local = await FieldOutbox.all();
    const pending = local.filter((r) => r.status !== "sent");
    $("pending").replaceChildren(...pending.map((r) => card(r.itemName || r.item,
      Field.time(r.createdAt) + " · " + r.description.slice(0, 40) + " · " + r.photos.length + " 张照片",
      BADGES[r.status],
      r.status === "refused" ? Field.el("div", {},
        Field.el("p", {class: "warn"}, r.error),
        Field.el("button", {type: "button", class: "small", onclick: async () => { await FieldOutbox.remove(r.key); render(); }}, "删除"))
        : (r.lastError ? Field.el("p", {class: "muted"}, r.lastError) : null))));
    $("pending-section").hidden = pending.length === 0;
    let cases = [];
    try {
      cases = (await Field.getJSON("/api/cases/?limit=50&geometry=none")).features || [];
      $("cases-note").hidden = true;
    } catch (e) {
      $("cases-note").textContent = "没有信号，显示的是上次看到的状态。";
      $("cases-note").hidden = false;
    }
    const sentHere = new Map(local.filter((r) => r.status === "sent").map((r) => [r.caseId, r]));
    $("cases").replaceChildren(...cases.map((f) => {
      const p = f.properties;
      return card(p.item.name, p.number + " · " + Field.time(p.created_at) + " · " + (p.team ? p.team.name : ""),
        [p.state_label, p.overdue ? "bad" : "ok"],
        sentHere.has(f.id) ? Field.el("div", {class: "muted"}, "已从本机发送") : null);
    }));
    $("cases-empty").hidden = cases.length > 0;
  }

  document.addEventListener("DOMContentLoaded", async () => {
    Field.registerWorker();
    FieldOutbox.onChange(render);
    window.addEventListener("online", render);
    await render();
    FieldOutbox.start();
    document.body.dataset.ready = "1";
  });
})();
