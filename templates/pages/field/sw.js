/* Field service worker (scope /field/): the field pages, their assets, the catalogue and the
   member's grids stay on the phone, so the pages open and a report can be made without signal.
   Pages, data and the case lists: network first, the cached copy when there is no network.
   Static assets: cached first (their URLs change with their content's version here).
   Writes (POST) are never cached: the page's outbox (IndexedDB) keeps unsent reports. */
const CACHE = "field-{{ version }}";
const PRECACHE = {{ precache|safe }};
const NETWORK_FIRST = /^\/(field\/|api\/cases\/)/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(PRECACHE.map((url) => cache.add(url).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("field-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

/* A page tells what it loaded (assets of the page shell included), to keep for offline use. */
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(urls.map((url) =>
    cache.match(url, {ignoreVary: true}).then((hit) => hit || cache.add(url).catch(() => null))))));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    // ignoreVary: the API varies on Accept, and the copy kept at install was asked with another
    const hit = await cache.match(request, {ignoreVary: true}) ||
      await cache.match(request, {ignoreSearch: true, ignoreVary: true});
    if (hit) return hit;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, {ignoreVary: true});
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/field/sw.js") return;
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (NETWORK_FIRST.test(url.pathname)) event.respondWith(networkFirst(request));
});
