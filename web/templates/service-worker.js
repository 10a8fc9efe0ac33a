// The site's service worker (rendered by the build). It is registered by any page of the site
// once that page is idle (ahead.js; not when the browser asks to save data) and by For you after
// its first answer (offline.js). Installing, it keeps what For you needs to start (the page, its
// scripts, the Python runtime, the model's start files), so that For you opens warm; asked by
// For you, it keeps the rest (the shards), so that the next visit needs no network and For you
// works offline.
// - One cache per build, named by a digest of every file kept: a new build installs beside the
//   old one, and replaces it only once no page of the old build is open (or the page asks, when
//   the visitor accepts the update), so a page never mixes files of two builds.
// - The kept files are revalidated with the server when kept (a 304 costs no bytes) and served
//   from the cache first (one not kept yet is fetched and kept); every other page of the site
//   goes to the network first and is kept for offline reading.
const VERSION = {{ version|tojson }};
const CACHE = `staticrec-${VERSION}`;
const absolute = (path) => new URL(path, self.registration.scope).href;
const START = {{ start|tojson }}.map(absolute);
const KEPT = new Set([...START, ...{{ rest|tojson }}.map(absolute)]);

const revalidated = (urls) => urls.map((url) => new Request(url, { cache: "no-cache" }));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(revalidated(START))));
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
  // "keep": every kept file, for offline visits; the reply on the port given says when
  else if (event.data === "keep") event.waitUntil(keepAll(event.ports[0]));
});

/** Keep every file not kept yet, then say "kept" on ``port`` ("failed" if the network fails). */
async function keepAll(port) {
  try {
    const cache = await caches.open(CACHE);
    const kept = new Set((await cache.keys()).map((request) => request.url));
    await cache.addAll(revalidated([...KEPT].filter((url) => !kept.has(url))));
    port?.postMessage("kept");
  } catch (error) {
    port?.postMessage("failed");
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  // a kept file whatever its query: For you's (?user=105&favorite=1)
  const path = url.origin + url.pathname;
  event.respondWith(KEPT.has(path) ? fromCache(path, request) : fromNetwork(request));
});

/** A kept file from this build's cache (fetched and kept if it is not there yet), answered as
 * a new response: it then carries the request's own URL, query included, which For you
 * reads its view from. */
async function fromCache(url, request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(url);
  if (kept) return new Response(kept.body, kept);
  const response = await fetch(request);
  if (response.ok && response.type === "basic") cache.put(url, response.clone());
  return response;
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
