// Offline visits: once For you has answered, the site's service worker is registered (if no page
// has done it yet: ahead.js) and asked to keep every file For you may read, the shards too
// (revalidated with the server: what this visit downloaded costs a 304), so the next visit
// needs no network. When a newer build has been installed beside the one in use, the visitor is
// offered it, rather than a page mixing files of two builds.

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
  const { active } = await navigator.serviceWorker.ready;
  if (await keepAll(active)) onReady();
}

/** Ask the active service worker to keep every file (the shards too); whether it did. */
function keepAll(worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => resolve(data === "kept");
    worker.postMessage("keep", [channel.port2]);
  });
}
