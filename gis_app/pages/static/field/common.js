/* Field pages (phones): what every field page shares — requests with the session and its
   CSRF token, Chinese explanations of the server's refusals, the phone's position, times in
   Asia/Shanghai. Positions from the browser's geolocation are WGS84: every request says
   crs=EPSG:4326. */
(function () {
  "use strict";
  const CRS = "EPSG:4326";
  let csrfToken = null;

  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
  }

  function csrf() {
    if (csrfToken) return csrfToken;
    const meta = document.querySelector('meta[name="csrf-token"]');
    return cookie("csrftoken") || (meta ? meta.content : "");
  }

  /* A page cached by the service worker may carry a token from before the last login:
     ask the server for the current one (only when online). */
  async function refreshCsrf() {
    const r = await fetch("/field/csrf/", {credentials: "same-origin", cache: "no-store"});
    if (r.ok) csrfToken = (await r.json()).token;
    return csrfToken;
  }

  async function getJSON(url) {
    const r = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(explain(r.status, body)), {status: r.status, body});
    return body;
  }

  /* POST a FormData (or plain object) with the session's CSRF token; a stale token is
     refreshed once. Resolves {status, body}; rejects only when the network failed. */
  async function post(url, data, headers) {
    const form = data instanceof FormData ? data : toForm(data);
    const send = () => fetch(url, {method: "POST", body: form, credentials: "same-origin",
      headers: Object.assign({"X-CSRFToken": csrf(), Accept: "application/json"}, headers || {})});
    let r = await send();
    let body = await r.json().catch(() => ({}));
    if (r.status === 403 && /CSRF/i.test(body.detail || "")) {
      await refreshCsrf();
      r = await send();
      body = await r.json().catch(() => ({}));
    }
    return {status: r.status, body: body};
  }

  function toForm(data) {
    const form = new FormData();
    Object.entries(data).forEach(([k, v]) => { if (v !== null && v !== undefined) form.append(k, v); });
    return form;
  }

  const PARAMETERS = {item: "事项", description: "问题描述", lon: "位置", lat: "位置", crs: "坐标系",
    note: "说明", version: "案件版本", photos: "照片", before: "处置前照片", after: "处置后照片",
    media_url: "照片链接", "Idempotency-Key": "上报编号"};

  /* The server's refusal in words a grid member understands. */
  function explain(status, body) {
    body = body || {};
    const file = body.file ? "“" + body.file + "”" : "";
    switch (body.error) {
      case "outside_jurisdiction": {
        const near = body.nearest && body.nearest.name
          ? "，离最近的" + body.nearest.name + "约" + distance(body.distance_m) : "";
        return "这个位置不在本县辖区内" + near + "。请检查定位，或在地图上重新选点。";
      }
      case "outside_own_grids":
        return "这个位置不在您负责的网格内。请在地图上您的网格（蓝色区域）内选点。";
      case "not_an_image": return "照片" + file + "不是可以识别的图片，请重新拍摄或选择。";
      case "photo_too_large": return "照片" + file + "太大，请重新拍摄（手机会自动压缩）。";
      case "photo_type_not_allowed": return "照片" + file + "的格式不支持，请使用 JPEG 或 PNG 照片。";
      case "too_many_photos": return "照片太多了，请减少几张后再提交。";
      case "idempotency_key_reused": return "这份上报与已提交的另一份上报编号相同，请重新填写。";
      case "media_unreachable": return "照片链接无法下载，请稍后再试。";
      case "no_membership": return "此账号还没有分配所属单位，请联系管理员。";
      case "wrong_state": case "conflict": return "案件状态已经变化，请刷新页面后再操作。";
      case "forbidden": return "您没有权限进行此操作。";
      case "not_found": return "找不到这个案件，或它不在您的范围内。";
    }
    if (status === 401 || status === 403 && /credentials|认证|登录/i.test(body.detail || "")) {
      return "登录已过期，请重新登录后再提交。";
    }
    if (body.parameter && PARAMETERS[body.parameter]) return PARAMETERS[body.parameter] + "填写有误：" + (body.detail || "");
    if (status >= 500) return "服务器暂时出错（" + status + "），稍后会自动重试。";
    return "提交失败（" + status + "）：" + (body.detail || "未知原因");
  }

  function distance(m) {
    if (m === null || m === undefined) return "";
    if (m < 1000) return Math.round(m) + " 米";
    return (m < 10000 ? (m / 1000).toFixed(1) : Math.round(m / 1000)) + " 公里";
  }

  const timeFormat = new Intl.DateTimeFormat("zh-CN", {timeZone: "Asia/Shanghai", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false});

  function time(iso) {
    return iso ? timeFormat.format(new Date(iso)) : "";
  }

  /* The phone's position (WGS84), with its accuracy in metres. Refused with why and `instead`,
     what the member can do on this page without it (only the report page has a map to tap). */
  function locate(instead) {
    const refuse = (why) => new Error(why + "，" + instead + "。");
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(refuse("此浏览器不能定位")); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy, crs: CRS}),
        (e) => reject(refuse(e.code === 1 ? "没有定位权限（请在浏览器设置中允许本网站定位）" : "定位失败，请到开阔处重试")),
        {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000});
    });
  }

  /* Opens the position in the phone's map app (Android: geo:; iOS Safari hands geo: to Maps). */
  function geoLink(lat, lon, label) {
    const q = lat.toFixed(6) + "," + lon.toFixed(6);
    return "geo:" + q + "?q=" + q + "(" + encodeURIComponent(label || "案件位置") + ")";
  }

  /* A random key made once per report (works without HTTPS, unlike crypto.randomUUID). */
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "r-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => { if (c !== null && c !== undefined) node.append(c); });
    return node;
  }

  /* The service worker keeps this page and everything it loaded from this server (the page
     shell's assets too) for use without signal. */
  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/field/sw.js", {scope: "/field/"}).catch(() => {});
    navigator.serviceWorker.ready.then((registration) => {
      const loaded = performance.getEntriesByType("resource")
        .filter((e) => ["link", "script", "img", "css"].includes(e.initiatorType))
        .map((e) => new URL(e.name)).filter((u) => u.origin === location.origin && u.pathname.startsWith("/static/"))
        .map((u) => u.href);
      registration.active.postMessage({cache: [location.href, ...loaded]});
    });
  }

  window.Field = {CRS, csrf, refreshCsrf, getJSON, post, explain, distance, time, locate, geoLink,
    newKey, el, registerWorker};
})();
