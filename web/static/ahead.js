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

/** Once the page has loaded and the main thread is idle (or ``IDLE_TIMEOUT_MS`` after the load). */
export function pageIdle() {
  return new Promise((resolve) => {
    const idle = () => (self.requestIdleCallback
      ? requestIdleCallback(resolve, { timeout: IDLE_TIMEOUT_MS })
      : setTimeout(resolve, IDLE_TIMEOUT_MS));
    if (document.readyState === "complete") idle();
    else addEventListener("load", idle, { once: true });
  });
}

const { serviceWorker } = siteConfig();

/** Whether this page fetches For you's start ahead. */
export const fetchesAhead = Boolean(serviceWorker) && "serviceWorker" in navigator
  && location.protocol !== "file:" && !savingData();

let held = Promise.resolve();

/**
 * Register the service worker only once ``release()`` is called: a movie page whose recommender
 * downloads For you's start itself (warm.js) registers it after, and installing, it keeps the
 * files from the browser's HTTP cache (a 304 each) rather than downloading them a second time
 * beside the recommender. Called before the page is idle.
 */
export function holdAhead() {
  let release;
  held = new Promise((resolve) => { release = resolve; });
  return release;
}

if (fetchesAhead) {
  pageIdle().then(() => held).then(() => {
    performance.mark("staticrec:ahead");
    return navigator.serviceWorker.register(serviceWorker);
  }).catch((error) => {
    // an enhancement only: For you starts from the network instead
    console.warn(`For you cannot be fetched ahead: ${error.message}`);
  });
}
