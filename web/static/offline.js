// Offline visits: once For you has answered, the site's service worker is registered; it fills
// its cache with what this visit already downloaded (revalidated with the server: a 304 costs
// no bytes), so the next visit needs no network. When a newer build has been installed beside
// the one in use, the visitor is offered it, rather than a page mixing files of two builds.

/** Register the site's service worker (``url``: "" when the site has none, as with Pyodide
 * from the CDN); ``onReady`` once the files are kept, ``offerUpdate(accept)`` when a newer
 * build waits (``accept()`` switches to it and reloads). */
export async function keepForOffline(url, { onReady, offerUpdate }) {
  if (!url || !("serviceWorker" in navigator) || location.protocol === "file:") return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register(url);
  } catch (error) {
    // an enhancement only: the page works as it did, online
    console.warn(`This page cannot be kept for offline use: ${error.message}`);
    return;
  }
  const offer = (waiting) => offerUpdate(() => {
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload());
    waiting.postMessage("update");
  });
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const incoming = registration.installing;
    incoming?.addEventListener("statechange", () => {
      if (incoming.state === "installed" && navigator.serviceWorker.controller) offer(incoming);
    });
  });
  await navigator.serviceWorker.ready;
  onReady();
}
