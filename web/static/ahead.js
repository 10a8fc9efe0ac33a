// Every page but For you: once the page is idle, the site's service worker is registered, and
// installing, it keeps what For you needs to start (the page, its scripts, the Python runtime,
// the model's start files), so that a visitor who goes on to For you finds them here and the
// recommender answers within seconds. Not when the browser asks to save data (Save-Data, a 2G
// connection), nor on a site without a service worker (Pyodide from the CDN).
import { siteConfig } from "./page.js";

/** The longest the fetch waits for an idle moment once the page has loaded. */
const IDLE_TIMEOUT_MS = 2000;

/** Whether the browser asks for as few bytes as possible: data saver on, or a 2G link. */
export function savingData(connection = navigator.connection) {
  return Boolean(connection?.saveData) || /(^|-)2g$/.test(connection?.effectiveType ?? "");
}

/** ``task`` once the page has loaded and the main thread is idle (or after ``IDLE_TIMEOUT_MS``). */
function whenIdle(task) {
  const idle = () => (self.requestIdleCallback
    ? requestIdleCallback(task, { timeout: IDLE_TIMEOUT_MS })
    : setTimeout(task, IDLE_TIMEOUT_MS));
  if (document.readyState === "complete") idle();
  else addEventListener("load", idle, { once: true });
}

/** Once the page's controller is the active service worker: it claims the page on activating,
 * so a worker started from now on reads the kept files, not the network. */
function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
  });
}

async function fetchAhead(url) {
  await new Promise(whenIdle);
  performance.mark("staticrec:ahead");
  try {
    await navigator.serviceWorker.register(url);
  } catch (error) {
    // an enhancement only: For you starts from the network instead
    console.warn(`For you cannot be fetched ahead: ${error.message}`);
    return false;
  }
  await navigator.serviceWorker.ready; // installed: For you's start is kept
  return controlled();
}

const { serviceWorker } = siteConfig();
const wanted = serviceWorker && "serviceWorker" in navigator && location.protocol !== "file:" && !savingData();

/** Whether For you's start has been fetched ahead and this page is served from it (pending until
 * then; false at once when nothing is fetched ahead). */
export const fetchedAhead = wanted ? fetchAhead(serviceWorker) : Promise.resolve(false);
