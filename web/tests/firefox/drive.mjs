// Drives the built site in one browser through puppeteer-core and prints what the page shows as
// one JSON object on stdout: Firefox ESR over WebDriver BiDi (no geckodriver), or Chromium over
// CDP, with the same steps, so tests/browser/test_firefox.py can hold both engines to one answer.
//
//   node web/tests/firefox/drive.mjs '{"engine": "firefox", "executable": "/usr/bin/firefox-esr",
//     "task": "for-you", "url": "http://127.0.0.1:8000/for-you/?user=105"}'
//
// Tasks: "for-you" (wait for the first answer), "import" (then load "csv" through the page's file
// input and wait for the next answer), "movie" (a movie page's lists and links), "click" (a
// movie page kept warm, then its "link" clicked: For you in the same document, then Back). The
// report always carries the page's uncaught errors; "failure" says why a task could not finish.
import puppeteer from "puppeteer-core";

const POLL_MS = 100;
const WAIT_S = 60; // as tests/browser/browsing.py's wait_for_results: a guard against hanging

// Firefox's own background connections, off: the tests stay on 127.0.0.1. (puppeteer-core's
// profile already turns off updates, Safe Browsing, data reporting and the blocklist.)
const FIREFOX_PREFS = {
  "app.update.auto": false,
  "app.update.enabled": false,
  "app.shield.optoutstudies.enabled": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "browser.safebrowsing.provider.google4.updateURL": "",
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "browser.newtabpage.activity-stream.feeds.telemetry": false,
  "browser.newtabpage.activity-stream.telemetry": false,
  "browser.ping-centre.telemetry": false,
  "captivedetect.canonicalURL": "",
  "datareporting.policy.dataSubmissionEnabled": false,
  "dom.push.connection.enabled": false,
  "dom.push.serverURL": "",
  "extensions.blocklist.enabled": false,
  "extensions.systemAddon.update.enabled": false,
  "geo.provider.network.url": "",
  "media.gmp-gmpopenh264.enabled": false,
  "messaging-system.rsexperimentloader.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.dns.localDomains": "dummy.test", // puppeteer-core's stand-in host: no DNS query for it
  "network.prefetch-next": false,
  "network.trr.mode": 5, // no DNS over HTTPS
  // Firefox's own test value: Remote Settings never syncs (honoured with the variable below)
  "services.settings.server": "data:,#remote-settings-dummy/v1",
  "toolkit.telemetry.archive.enabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.server": "",
  "toolkit.telemetry.unified": false,
};

function launchOptions(request) {
  if (request.engine === "firefox") {
    return {
      browser: "firefox",
      protocol: "webDriverBiDi",
      executablePath: request.executable,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      // puppeteer-core makes a fresh profile in a temporary folder for each launch
      env: { ...process.env, MOZ_HEADLESS: "1", MOZ_DISABLE_NONLOCAL_CONNECTIONS: "1" },
    };
  }
  return { browser: "chrome", executablePath: request.executable, headless: true, args: request.args ?? [] };
}

/** Wait until For you shows its ``answered``-th answer; the page's error if it shows one first. */
async function waitForAnswer(page, answered) {
  const deadline = Date.now() + WAIT_S * 1000;
  while (Date.now() < deadline) {
    const [shown, error, text] = await page.evaluate(() => [
      Number(document.getElementById("results").dataset.answered || 0),
      document.body.dataset.error === "true",
      document.getElementById("error").textContent,
    ]);
    if (shown >= answered) return null;
    if (error && shown === 0) return `the page shows an error: ${text}`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const status = await page.evaluate(() => document.getElementById("status").textContent);
  return `no answer ${answered} within ${WAIT_S}s: status ${JSON.stringify(status)}`;
}

/** Poll ``read`` in the page until ``done(value)``; the last value (a page being replaced in
 * between reads as undefined). */
async function waitUntil(page, read, done) {
  const deadline = Date.now() + 2 * WAIT_S * 1000;
  let value;
  while (Date.now() < deadline) {
    value = await page.evaluate(read).catch(() => undefined);
    if (done(value)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return value;
}

const count = (page, mark) => page.evaluate((name) => performance.getEntriesByName(`staticrec:${name}`).length, mark);

const listIds = (page, selector) =>
  page.$$eval(`${selector} li[data-movie-id]`, (items) => items.map((li) => Number(li.dataset.movieId)));

/** What For you shows: its fused list, the visitor's ratings and the page's start-up marks. */
async function forYouReport(page) {
  return {
    state: await page.$eval("#results", (results) => results.dataset.state),
    mode: await page.$eval("#results", (results) => results.dataset.mode),
    hybrid: await listIds(page, "#hybrid"),
    myRatings: await listIds(page, "#my-ratings"),
    // milliseconds from the navigation's start, as the page marked them (performance.mark)
    marks: await page.evaluate(() =>
      Object.fromEntries(
        performance
          .getEntriesByType("mark")
          .filter((m) => m.name.startsWith("staticrec:"))
          .map((m) => [m.name.slice("staticrec:".length), Math.round(m.startTime)]),
      ),
    ),
  };
}

const tasks = {
  async "for-you"(page, request) {
    await page.goto(request.url);
    const failure = await waitForAnswer(page, 1);
    return { failure, ...(await forYouReport(page)) };
  },

  async import(page, request) {
    await page.goto(request.url);
    let failure = await waitForAnswer(page, 1);
    if (failure) return { failure };
    const input = await page.$("#import-ratings");
    await input.uploadFile(request.csv);
    failure = await waitForAnswer(page, 2);
    return {
      failure,
      ...(await forYouReport(page)),
      importStatus: await page.$eval("#import-status", (status) => status.textContent),
    };
  },

  async click(page, request) {
    await page.goto(request.url);
    const warm = await waitUntil(page, () => document.body.dataset.warm, (v) => v === "ready" || v === "failed");
    if (warm !== "ready") return { failure: `the movie page's recommender is not ready: ${warm}` };
    await page.click(request.link);
    await waitUntil(page, () => Boolean(document.getElementById("results")), Boolean);
    const failure = await waitForAnswer(page, 1);
    const report = {
      failure,
      ...(await forYouReport(page)),
      url: page.url(),
      title: await page.title(),
      focused: await page.evaluate(() => document.activeElement.matches("main h1")),
      // the same document (the movie page's mark is here), with one Python in it
      warmReady: await count(page, "warm-ready"),
      recommenders: await count(page, "recommender-start"),
    };
    await page.goBack();
    const heading = await waitUntil(page, () => document.querySelector("article.movie h1")?.textContent,
      (text) => text !== undefined && text !== null);
    return { ...report, back: { url: page.url(), heading } };
  },

  async movie(page, request) {
    await page.goto(request.url);
    return {
      failure: null,
      title: await page.$eval("h1", (h1) => h1.textContent),
      // each list of movies on the page, under its section's heading
      lists: await page.$$eval("article.movie ol.movies", (lists) =>
        lists.map((list) => ({
          heading: list.closest("section")?.querySelector("h2")?.textContent ?? "",
          ids: [...list.querySelectorAll("li[data-movie-id]")].map((li) => Number(li.dataset.movieId)),
          links: [...list.querySelectorAll("li[data-movie-id] a")].map((a) => a.getAttribute("href")),
        })),
      ),
      links: await page.$$eval("article.movie a", (links) =>
        links.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute("href") })),
      ),
      // movie.js shows the rating form: the page's script ran
      rateFormShown: await page.$eval("#rate-this", (form) => !form.hidden),
    };
  },
};

async function main() {
  const request = JSON.parse(process.argv[2]);
  const task = tasks[request.task];
  if (!task) throw new Error(`unknown task ${JSON.stringify(request.task)}`);
  const browser = await puppeteer.launch(launchOptions(request));
  // the browser's own messages go to stderr (stdout is the report's): Firefox names there each
  // connection beyond this machine that it refused
  for (const stream of [browser.process()?.stdout, browser.process()?.stderr]) stream?.pipe(process.stderr);
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(String(error?.message ?? error)));
    const started = Date.now();
    const report = await task(page, request);
    Object.assign(report, {
      engine: request.engine,
      version: await browser.version(),
      taskMs: Date.now() - started,
      pageErrors,
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await browser.close();
  }
}

await main();
