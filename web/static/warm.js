// Movie pages: Python kept warm for For you. Once For you's start has been fetched ahead
// (ahead.js: after the page is idle, and not when the browser asks to save data) and the device
// has memory to spare, the recommender starts in the background, as For you starts it, reading
// the kept files (no bytes from the network). A plain click on a link to For you then opens For
// you in this document with that recommender (transition.js): a navigation would throw Python
// away, and starting it again takes seconds on a phone.
import { fetchedAhead, savingData } from "./ahead.js";
import { mark, siteConfig } from "./page.js";

/** Below this much memory (GB, where the browser says: navigator.deviceMemory), a Python kept
 * for a page the visitor may never open costs the page in front of them too much. */
const MIN_MEMORY_GB = 2;

const lowMemory = (memory = navigator.deviceMemory) => memory !== undefined && memory < MIN_MEMORY_GB;

/** Start the recommender for For you, and open For you with it on a plain click. Its state is
 * in ``<body data-warm>``: "starting", then "ready" (or "failed": For you is then navigated to). */
export async function keepWarm(config = siteConfig()) {
  if (!(await fetchedAhead) || savingData() || lowMemory()) return;
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
  });
}
