/* 队员办案: one case on the phone — what, where (opens in the phone's map app), by when, its
   photos and steps so far — and a button for each step this member may take now:
   受理, 退回 (with a reason), 到场 (sends the phone's position; the server measures the
   distance and flags it when too far), 处置 (note, before/after photos), 部门报到. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const caseId = document.getElementById("field-case").dataset.caseId;
  const STEPS = {accept: "受理", "return": "退回", arrive: "到场", handle: "处置", report_for_duty: "部门报到"};
  const EVENTS = {reported: "上报", routed: "派遣", accept: "受理", "return": "退回", arrive: "到场",
    handle: "处置", report_for_duty: "部门报到", attachment: "照片", review: "复核", close: "办结",
    escalate: "督办", transfer: "转办", reroute: "重新派遣", send_back: "复核不通过", reject: "不予受理",
    archive: "归档"};
  // Events no person took (routed by the router, escalated by the clock) name the machine (labels.py).
  const MACHINES = JSON.parse(document.getElementById("machine-words").textContent);
  let current = null;
  let handlePhotos = {};

  function message(text, kind) {
    $("message").textContent = text || "";
    $("message").className = "message " + (kind || "");
    $("message").hidden = !text;
  }

  function row(label, value) {
    return Field.el("div", {class: "row"}, Field.el("span", {class: "label"}, label), Field.el("span", {}, value || "—"));
  }

  function arrivalText(changes) {
    if (!changes || changes.distance_m === null || changes.distance_m === undefined) return null;
    const text = "到场位置距案件 " + Field.distance(changes.distance_m);
    return changes.far ? text + "，超过 " + Field.distance(changes.limit_m) + "，已标记" : text;
  }

  function render(c) {
    const p = c.properties;
    const [lon, lat] = c.geometry.coordinates;
    $("title").textContent = p.item.name;
    $("number").textContent = p.number;
    $("state").textContent = p.state_label;
    $("state").className = "badge " + (p.overdue ? "bad" : "ok");
    $("facts").replaceChildren(
      row("办理时限", Field.time(p.deadline) + (p.overdue ? "（已超期）" : "")),
      row("问题描述", p.description),
      row("乡镇 / 网格", [p.township && p.township.name, p.grid && p.grid.name].filter(Boolean).join(" / ")),
      row("承办队伍", p.team && p.team.name),
      row("执法主体", p.subject && p.subject.name),
      row("位置", lon.toFixed(6) + ", " + lat.toFixed(6) + "（WGS84）"));
    $("maplink").href = Field.geoLink(lat, lon, p.item.name);
    const arrival = p.events.filter((e) => e.kind === "arrive").pop();
    const text = arrival && arrivalText(arrival.changes);
    $("arrival").textContent = text || "";
    $("arrival").className = "arrival " + (arrival && arrival.changes.far ? "bad" : "ok");
    $("arrival").hidden = !text;
    $("photos").replaceChildren(...p.attachments.map((a) => a.link
      ? Field.el("a", {href: a.url, class: "link", target: "_blank", rel: "noopener"}, "照片链接：" + a.filename)
      : Field.el("figure", {class: "thumb"}, Field.el("img", {src: a.url, alt: a.filename, loading: "lazy"}),
        Field.el("figcaption", {}, {report: "上报", before: "处置前", after: "处置后"}[a.stage] || ""))));
    $("events").replaceChildren(...p.events.slice().reverse().map((e) => Field.el("li", {},
      Field.el("strong", {}, EVENTS[e.kind] || e.kind), " ", Field.time(e.at), " ", MACHINES[e.role] || e.actor,
      e.note && e.kind !== "routed" ? Field.el("div", {class: "muted"}, e.note) : null,
      e.kind === "routed" && e.changes.team ? Field.el("div", {class: "muted"}, "派给 " + (p.team ? p.team.name : e.changes.team)) : null,
      e.kind === "arrive" && arrivalText(e.changes) ? Field.el("div", {class: e.changes.far ? "warn" : "muted"}, arrivalText(e.changes)) : null)));
    const steps = p.allowed_steps.filter((s) => s in STEPS);
    $("steps").replaceChildren(...steps.map((s) => Field.el("button", {type: "button", class: "big step " + s,
      "data-step": s, onclick: () => open(s)}, STEPS[s])));
    $("no-steps").hidden = steps.length > 0;
    ["return", "handle"].forEach((s) => { $("panel-" + s).hidden = true; });
  }

  async function load() {
    try {
      current = await Field.getJSON("/api/cases/" + caseId + "/");
      render(current);
    } catch (e) {
      message(e.status ? e.message : "没有信号，无法读取案件。", "bad");
    }
  }

  function open(step) {
    message("");
    if (step === "return" || step === "handle") {
      $("panel-" + step).hidden = false;
      $("panel-" + step).scrollIntoView({behavior: "smooth"});
      return;
    }
    take(step, {});
  }

  async function take(step, fields, files) {
    const form = new FormData();
    form.append("version", current.properties.version);
    Object.entries(fields).forEach(([k, v]) => form.append(k, v));
    Object.entries(files || {}).forEach(([field, list]) => list.forEach((p) => form.append(field, p.blob, p.name)));
    if (step === "arrive" || step === "handle") {
      try {
        const here = await Field.locate("到场需要记录您的位置");
        form.append("lon", here.lon);
        form.append("lat", here.lat);
        form.append("crs", Field.CRS);
      } catch (e) {
        if (step === "arrive") return message(e.message, "bad");
      }
    }
    document.querySelectorAll("#steps button, .panel button").forEach((b) => { b.disabled = true; });
    let answer;
    try {
      answer = await Field.post("/api/cases/" + caseId + "/" + step + "/", form);
    } catch (e) {
      message("没有信号，" + STEPS[step] + "未提交，请有信号时再试。", "bad");
      return;
    } finally {
      document.querySelectorAll("#steps button, .panel button").forEach((b) => { b.disabled = false; });
    }
    if (answer.status !== 200) return message(Field.explain(answer.status, answer.body), "bad");
    current = answer.body;
    render(current);
    message("已" + STEPS[step] + "。", "ok");  // 到场's distance stands in its own banner
  }

  document.addEventListener("DOMContentLoaded", async () => {
    Field.registerWorker();
    handlePhotos = {before: FieldPhotos.picker($("before"), (t) => message(t, "bad")),
      after: FieldPhotos.picker($("after"), (t) => message(t, "bad"))};
    $("return-send").addEventListener("click", () => {
      const note = $("return-note").value.trim();
      if (!note) return message("请写明退回原因。", "bad");
      take("return", {note});
    });
    $("handle-send").addEventListener("click", () => {
      const note = $("handle-note").value.trim();
      if (!note) return message("请写明处置情况。", "bad");
      if (!handlePhotos.after.photos.length) return message("请至少拍一张处置后的照片。", "bad");
      take("handle", {note}, {before: handlePhotos.before.photos, after: handlePhotos.after.photos});
    });
    await load();
    document.body.dataset.ready = "1";
  });
})();
