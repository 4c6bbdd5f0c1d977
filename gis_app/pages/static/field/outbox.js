/* The outbox: reports kept on the phone (IndexedDB) until the server has them.

A report is written here first, with the idempotency key generated for it, then sent. Without
signal it waits and is sent when the signal returns (the `online` event, the page opening,
and a retry every RETRY_MS while something waits). The server makes one case per key, so a
report whose answer was lost and that is sent again is not a second case. A refusal (4xx)
stops the retries and keeps the report, with the reason, for the member to see. */
(function () {
  "use strict";
  const DB = "field-outbox";
  const STORE = "reports";
  const RETRY_MS = 20000;
  const KEEP_SENT = 20;  // sent reports kept on the phone, with their photos, for "my reports"
  let dbPromise = null;
  let flushing = null;
  const listeners = [];

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB, 1);
        open.onupgradeneeded = () => open.result.createObjectStore(STORE, {keyPath: "key"});
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }

  async function tx(mode, work) {
    const conn = await db();
    return new Promise((resolve, reject) => {
      const t = conn.transaction(STORE, mode);
      const result = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      t.onerror = () => reject(t.error);
    });
  }

  /* A phone may be shared: each report belongs to the account that made it, and is only
     listed and sent while that account is logged in. */
  const owner = () => (document.querySelector("[data-user]") || {dataset: {}}).dataset.user || "";
  const all = async () => (await tx("readonly", (s) => s.getAll()))
    .filter((r) => r.owner === owner())
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const get = (key) => tx("readonly", (s) => s.get(key));
  const put = (report) => tx("readwrite", (s) => s.put(report));
  const remove = (key) => tx("readwrite", (s) => s.delete(key));

  function changed() { listeners.forEach((f) => f()); }

  /* Keep a new report (fields + photos as blobs) and try to send it now. */
  async function add(fields, photos) {
    const report = Object.assign({}, fields, {key: Field.newKey(), owner: owner(), createdAt: new Date().toISOString(),
      status: "waiting", photos: photos.map((p) => ({name: p.name, blob: p.blob}))});
    await put(report);
    changed();
    return report;
  }

  function form(report) {
    const data = new FormData();
    ["lon", "lat", "crs", "item", "description"].forEach((k) => data.append(k, report[k]));
    report.photos.forEach((p) => data.append("photos", p.blob, p.name));
    return data;
  }

  /* Send one report; its outcome is written back. Returns the new status. */
  async function send(report) {
    let answer;
    try {
      answer = await Field.post("/api/cases/", form(report), {"Idempotency-Key": report.key});
    } catch (e) {
      return "waiting";  // no network: stays for the next try
    }
    const {status, body} = answer;
    if (status === 200 || status === 201) {
      const props = body.properties || {};
      Object.assign(report, {status: "sent", sentAt: report.sentAt || new Date().toISOString(),
        caseId: body.id, number: props.number, replayed: status === 200, error: null});
    } else if (status >= 400 && status < 500 && ![401, 408, 429].includes(status) &&
               !(status === 403 && /CSRF/i.test(body.detail || ""))) {
      Object.assign(report, {status: "refused", error: Field.explain(status, body), errorCode: body.error});
    } else {
      report.lastError = Field.explain(status, body);  // server trouble or login: try again later
    }
    await put(report);
    changed();
    return report.status;
  }

  /* Send every waiting report, one at a time; overlapping calls share one pass. */
  function flush() {
    if (flushing) return flushing;
    const pass = (async () => {
      if (!navigator.onLine) return;
      for (const report of await all()) {
        if (report.status === "waiting") await send(report);
      }
      await prune();
    })();
    flushing = pass.finally(() => { flushing = null; });
    return flushing;
  }

  /* Send a stored report again as it is (what a phone does when an answer was lost). */
  async function resend(key) {
    const report = await get(key);
    return report ? send(report) : null;
  }

  async function prune() {
    const sent = (await all()).filter((r) => r.status === "sent");
    for (const report of sent.slice(KEEP_SENT)) await remove(report.key);
  }

  function start() {
    window.addEventListener("online", () => { flush(); });
    setInterval(async () => {
      if ((await all()).some((r) => r.status === "waiting")) flush();
    }, RETRY_MS);
    flush();
  }

  window.FieldOutbox = {add, all, get, remove, send, resend, flush, start,
    onChange: (f) => listeners.push(f)};
})();
