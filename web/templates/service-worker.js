// The site's service worker (rendered by the build): after one visit to For you, the page, its
// scripts, the Python runtime and the model come from this browser's cache, so the next visit
// needs no network and For you works offline.
// - One cache per build, named by a digest of every file kept: a new build installs beside the
//   old one, and replaces it only once no page of the old build is open (or the page asks, when
//   the visitor accepts the update), so a page never mixes files of two builds.
// - The kept files are revalidated with the server when installing (a 304 costs no bytes) and
//   served from the cache first; every other page of the site goes to the network first and is
//   kept for offline reading.
const VERSION = {{ version|tojson }};
const CACHE = `staticrec-${VERSION}`;
const KEPT = {{ files|tojson }}.map((path) => new URL(path, self.registration.scope).href);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(KEPT.map((url) => new Request(url, { cache: "no-cache" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("staticrec-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  // a kept file whatever its query: For you's (?user=105) and the worker's (?config=...)
  const path = url.origin + url.pathname;
  event.respondWith(KEPT.includes(path) ? fromCache(path, request) : fromNetwork(request));
});

/** A kept file from this build's cache (the network only if it went missing), answered as
 * a new response: it then carries the request's own URL, query included, which the worker
 * reads its settings from. */
async function fromCache(url, request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(url);
  return kept ? new Response(kept.body, kept) : fetch(request);
}

/** The network first (and keep a copy for offline reading); the copy when offline. */
async function fromNetwork(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (error) {
    const copy = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (copy) return copy;
    throw error;
  }
}
