// For you opened in the document of the page before (a movie page holding a recommender:
// warm.js): on a plain left click on a link to For you, its HTML (kept by the service worker)
// replaces this page's <main>, title and settings, the address becomes For you's, and For
// you's script starts with the recommender this page holds. Whatever fails before For you's
// script starts ends in an ordinary navigation to the link: never a blank page. Back and
// Forward load their page again (their documents were replaced).
import { handOver } from "./recommender-client.js";

/** Open For you in this document when a link to it is clicked plainly, while ``held`` has not
 * failed (a failed one: the click navigates, and For you starts its own). */
export function openOnClick(config, held) {
  const forYou = new URL("for-you/", config.root);
  const onClick = (event) => {
    const link = plainLinkTo(event, forYou);
    if (!link || held.failed) return;
    event.preventDefault();
    document.removeEventListener("click", onClick);
    open(new URL(link.href), held).catch((error) => {
      console.warn(`For you opens as a new page: ${error.message}`);
      location.assign(link.href);
    });
  };
  document.addEventListener("click", onClick);
}

/** The link clicked, if it goes to ``forYou`` and the click asks for nothing else (a new tab
 * or window, a download: those stay the browser's). */
function plainLinkTo(event, forYou) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = event.target.closest?.("a[href]");
  if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return null;
  const url = new URL(link.href);
  return url.origin === forYou.origin && url.pathname === forYou.pathname ? link : null;
}

/** For you's page, parsed; rejected if it is not the page For you's script expects. */
async function fetchPage(url) {
  const response = await fetch(url.href);
  if (!response.ok) throw new Error(`For you's page: HTTP ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  if (!page.querySelector("main #results")) throw new Error("For you's page is not as expected");
  return page;
}

async function open(url, held) {
  const page = await fetchPage(url);
  show(page);
  history.pushState(null, "", url.href);
  // the page Back leads to was replaced: load it again (a fragment of For you's stays here)
  addEventListener("popstate", () => {
    if (location.pathname !== url.pathname) location.reload();
  });
  handOver(held);
  try {
    await import("./for-you.js");
  } catch (error) {
    console.warn(`For you's script failed here: ${error.message}`);
    location.reload(); // the address is For you's: For you opens as a page of its own
  }
}

/** Put For you's content, title, description and settings in place of this page's, then
 * move the focus to its heading, as a new page would start there. */
function show(page) {
  const main = document.adoptNode(page.querySelector("main"));
  // its script is imported by ``open`` (with the recommender handed over), not run from here
  main.querySelectorAll("script[src]").forEach((script) => script.remove());
  document.querySelector("main").replaceWith(main);
  document.title = page.title;
  const description = page.querySelector("meta[name=description]")?.content;
  if (description !== undefined) document.querySelector("meta[name=description]")?.setAttribute("content", description);
  for (const { name } of [...document.body.attributes]) {
    if (!page.body.hasAttribute(name)) document.body.removeAttribute(name);
  }
  for (const { name, value } of page.body.attributes) document.body.setAttribute(name, value);
  scrollTo(0, 0);
  const heading = main.querySelector("h1");
  heading.tabIndex = -1;
  heading.focus();
}
