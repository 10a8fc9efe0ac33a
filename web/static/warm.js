// Movie pages: Python kept warm for For you. Once the page is idle, where For you's start is
// fetched ahead (ahead.js: not when the browser asks to save data) and the device has memory to
// spare, the recommender starts in the background, as For you starts it. A plain click on a
// link to For you then opens For you in this document with that recommender (transition.js):
// a navigation would throw Python away, and starting it again takes seconds on a phone.
import { fetchesAhead, holdAhead, pageIdle } from "./ahead.js";
import { mark, siteConfig } from "./page.js";

/** Below this much memory (GB, where the browser says: navigator.deviceMemory), a Python kept
 * for a page the visitor may never open costs the page in front of them too much. */
const MIN_MEMORY_GB = 2;

const lowMemory = (memory = navigator.deviceMemory) => memory !== undefined && memory < MIN_MEMORY_GB;

/** Start the recommender for For you, and open For you with it on a plain click. Its state is
 * in ``<body data-warm>``: "starting", then "ready" (or "failed": For you is then navigated to). */
export async function keepWarm(config = siteConfig()) {
  if (!fetchesAhead || lowMemory()) return;
  // Not served by the service worker yet (a first visit): the recommender downloads For you's
  // start, Python starting as it arrives, and the service worker is registered once it is up.
  // Waiting for the service worker to keep the files first would start Python seconds later.
  const release = navigator.serviceWorker.controller ? () => {} : holdAhead();
  try {
    await pageIdle();
    const [{ holdRecommender }, { openOnClick }] = await Promise.all([
      import("./recommender-client.js"), import("./transition.js"),
    ]);
    const held = holdRecommender(config);
    document.body.dataset.warm = "starting";
    // a recommender still starting is handed over too: it answers sooner than a new one would
    openOnClick(config, held);
    held.ready.then(() => {
      document.body.dataset.warm = "ready";
      mark("warm-ready");
    }, (error) => {
      document.body.dataset.warm = "failed";
      console.warn(`For you will start on its own: ${error.message}`);
    }).finally(release);
  } catch (error) {
    release();
    throw error;
  }
}
