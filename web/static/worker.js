// The recommender, off the main thread: boots Pyodide while the page downloads and checks the
// artifacts; receives their decoded columns (typed arrays, transferred without copying), hands
// them to staticrec.scoring (the same Python files the build runs), then answers requests.
// The site's settings arrive as the worker's name (JSON), so that Pyodide's download starts the
// moment this script runs, not one message later, and the script's own URL stays one the page
// can fetch ahead. The messages in and out are declared in messages.js; how long the page waits
// for each stage, in recommender-client.js.
//
// Small static imports: a module worker runs only after its whole import graph has arrived.
import { SiteError } from "./errors.js";
import { CheckedDownload, serveChecked } from "./download.js";
import * as messages from "./messages.js";

const { Stage, Type } = messages;

const LOCK = "pyodide-lock.json";
const FACTORS = "item_factors";
const STDLIB = "python_stdlib.zip";

let deliverData;
const dataArrived = new Promise((resolve) => { deliverData = resolve; });

const progress = (stage, text) => postMessage(messages.progress(stage, text));
const mark = (name) => performance.mark(`staticrec:${name}`);

const engine = boot(JSON.parse(self.name));
engine.catch((error) => postMessage(messages.failure(null, describe(error))));

self.onmessage = ({ data: message }) => {
  if (message.type === Type.DATA_PORT) message.port.onmessage = ({ data }) => deliverData(data);
  else if (message.type === Type.RECOMMEND) inTurn(() => answer(message));
  else if (message.type === Type.IMPORT) inTurn(() => importRatings(message));
};

let turn = Promise.resolve();
/** Run ``task`` after every earlier one: answers come in the order asked, and a user's shard
 * is fetched once however many requests wait for it. */
function inTurn(task) {
  turn = turn.then(task, task);
}

/** Milliseconds from the worker's start to each of its marks. */
function timings() {
  return Object.fromEntries(performance.getEntriesByType("mark")
    .filter((entry) => entry.name.startsWith("staticrec:"))
    .map((entry) => [entry.name.slice("staticrec:".length), Math.round(entry.startTime)]));
}

async function boot(config) {
  const py = await startPython(config);
  progress(Stage.IMPORT, "starting numpy");
  py.pyimport("numpy");
  mark("numpy");
  const api = py.pyimport("staticrec.scoring.api");
  mark("import");
  const data = await dataArrived;
  mark("data");
  progress(Stage.MODEL, "preparing the model");
  const columns = py.toPy(data.columns);
  let recommender;
  try {
    recommender = api.load(columns, data.manifestText);
  } catch (error) {
    throw new SiteError(`The model files could not be loaded: ${lastLine(error.message)}`);
  } finally {
    columns.destroy();
  }
  const ready = {
    py, api, recommender, config, manifestText: data.manifestText,
    manifest: JSON.parse(data.manifestText), userShard: null,
    // the movie factors, left for later when the first answer reads none (no ratings):
    // whether they are here, and their download once started (ensureFactors)
    factorsHere: FACTORS in data.columns,
    factors: null,
  };
  if (Object.keys(data.shards ?? {}).length) {
    // the shards the page's first request will read, fetched ahead by the decoder
    await intoPython(ready, data.shards, (shards) => api.load_shards(ready.recommender, shards),
      "The movies' neighbours could not be loaded");
  }
  mark("model");
  postMessage(messages.ready(timings()));
  return ready;
}

/**
 * Make sure the recommender holds ``userId``: the user tables are sharded by userId (consecutive
 * users, about 50,000 ratings to a shard), and the recommender keeps one shard at a time, so a
 * visit downloads the shard of the user it asks for and nothing of the others. A userId in no
 * shard is left to the scoring core, which names it unknown.
 */
async function ensureUser(ready, userId) {
  const shards = ready.manifest.tables.user_ratings?.shards;
  if (!shards) throw new SiteError("manifest.json does not list the user shards; rebuild the site.");
  const number = shards.findIndex((shard) => shard.first <= userId && userId <= shard.last);
  if (number < 0 || number === ready.userShard) return 0;
  const tables = Object.keys(ready.manifest.tables)
    .filter((table) => ready.manifest.tables[table].shard_key === "userId");
  const loaded = await fetchShards(ready, Object.fromEntries(tables.map((table) => [table, [number]])));
  await intoPython(ready, Object.fromEntries(tables.map((table) => [table, loaded[table][number]])),
    (columns) => ready.api.load_users(ready.recommender, columns),
    `The ratings of user ${userId} could not be loaded`);
  ready.userShard = number;
  return tables.length;
}

/**
 * Load the neighbour shards an answer named as missing (``{table: [number, ...]}``: its rated
 * movies' rows and its favourites', by movie in popularity order). The recommender keeps every
 * shard it was given. Returns how many files that fetched.
 */
async function loadRows(ready, missing) {
  await intoPython(ready, await fetchShards(ready, missing),
    (shards) => ready.api.load_shards(ready.recommender, shards),
    "The movies' neighbours could not be loaded");
  return Object.values(missing).reduce((sum, numbers) => sum + numbers.length, 0);
}

/**
 * Make sure the recommender holds the movie factors if ``request`` reads them (a known user,
 * ratings): the page leaves them for later when its first answer reads none. Returns how many
 * files that fetched.
 */
async function ensureFactors(ready, request) {
  if (ready.factorsHere || !ready.api.factors_needed(ready.recommender, JSON.stringify(request))) return 0;
  await loadFactors(ready); // or the download already under way
  return 1;
}

/** Fetch and load the movie factors, once (again after a failure, when an answer reads them). */
function loadFactors(ready) {
  ready.factors ??= (async () => {
    const { loadTable } = await loadDataModule();
    const columns = await loadTable(ready.config.dataUrl, ready.manifest, FACTORS);
    await intoPython(ready, { [FACTORS]: columns },
      (proxy) => ready.api.load_factors(ready.recommender, proxy, ready.manifestText),
      "The movie factors could not be loaded");
    ready.factorsHere = true;
  })().catch((error) => {
    ready.factors = null;
    throw error;
  });
  return ready.factors;
}

/** data.js and the Parquet reader it imports (25 small modules), loaded once Python has
 * started (then the first answer's shards need not wait for them; before, they would take the
 * link from Python's start files). */
let dataModule = null;
const loadDataModule = () => (dataModule ??= import("./data.js"));

async function fetchShards(ready, wanted) {
  const { loadShards } = await loadDataModule();
  return loadShards(ready.config.dataUrl, ready.manifest, wanted);
}

/** The recommender ``load`` gives from ``columns`` (handed to Python, then freed). */
async function intoPython(ready, columns, load, failure) {
  const proxy = ready.py.toPy(columns);
  try {
    ready.recommender = load(proxy);
  } catch (error) {
    throw new SiteError(`${failure}: ${lastLine(error.message)}`);
  } finally {
    proxy.destroy();
  }
}

/**
 * Start Python while its files stream in: the scripts Pyodide imports are checked first; then
 * Pyodide starts, taking the WebAssembly, the standard library and the lock as they arrive
 * (each response ends once its file is checked: download.js); the package wheels are
 * downloaded once the start files are in, so that they do not slow them down. The first failed
 * download fails the start at once (Pyodide would wait on it forever).
 */
async function startPython(config) {
  progress(Stage.DOWNLOAD, "downloading Python (Pyodide)");
  const runtime = downloadRuntime(config);
  const failed = new Promise((_, reject) => runtime.all.catch(reject));
  const race = (promise) => Promise.race([promise, failed]);
  serveChecked(runtime.served);
  await race(Promise.all(runtime.scripts.map((file) => file.bytes)));
  mark("scripts-checked");
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(new URL("pyodide.mjs", config.pyodideIndex).href));
  } catch (error) {
    throw new SiteError(`Python (Pyodide) could not be loaded from ${config.pyodideIndex}: ${error.message}`);
  }
  const options = {
    indexURL: config.pyodideIndex,
    lockFileURL: new URL(LOCK, config.pyodideIndex).href,
    stdLibURL: new URL(STDLIB, config.pyodideIndex).href,
  };
  const starting = loadPyodide(options).catch((error) => {
    throw new SiteError(`Python (Pyodide) failed to start: ${describe(error)}`);
  });
  await race(runtime.started);
  progress(Stage.START, "starting Python");
  const py = await race(starting);
  mark("python");
  loadDataModule().catch(() => {}); // a failure is reported when a shard is needed
  const packages = await race(runtime.packages);
  mark("runtime-checked");
  progress(Stage.PACKAGES, "loading numpy and the scoring code");
  const failures = [];
  const callbacks = { messageCallback: () => {}, errorCallback: (text) => failures.push(text) };
  if (config.pyodideMode === "self-host") {
    // The site's lock lists the scoring wheel with numpy as its dependency: one call loads both.
    await py.loadPackage(config.scoringPackage, callbacks);
  } else {
    await py.loadPackage("numpy", callbacks);
    py.unpackArchive(packages.wheel, "wheel");
  }
  const expected = config.pyodideMode === "self-host" ? ["numpy", config.scoringPackage] : ["numpy"];
  const missing = expected.filter((name) => !(name in py.loadedPackages));
  if (failures.length || missing.length) {
    throw new SiteError(`Python packages failed to load: ${failures.join("; ") || missing.join(", ")}`);
  }
  mark("packages");
  return py;
}

/**
 * Download every file of the runtime, each checked by SHA-256 before Pyodide uses it: its core
 * files against the hashes the page was built with, the package wheels against the checked
 * lock (and, from the CDN, the scoring wheel against the page). The start files first, all at
 * once; the wheels once those have arrived; then the page is told that the link is free for
 * the model files. A missing or damaged file is named; progress counts the bytes as they arrive.
 * Returns ``served`` (absolute URL -> download, for Pyodide's fetches), ``scripts`` (the two
 * it imports), and promises: ``started`` (the start files checked), ``packages`` (the wheels
 * checked: ``{wheel}`` holds the scoring wheel's bytes from the CDN), ``all``.
 */
function downloadRuntime(config) {
  let received = 0;
  let shown = 0;
  const onBytes = (n) => {
    received += n;
    if (received - shown >= 256 * 1024) {
      shown = received;
      progress(Stage.DOWNLOAD, `downloading Python (Pyodide): ${(received / 1e6).toFixed(1)} MB`);
    }
  };
  const served = new Map();
  const get = (name, sha256, url = new URL(name, config.pyodideIndex).href) => {
    if (!sha256) throw new SiteError(`This page does not list the SHA-256 of ${name}; rebuild the site.`);
    const file = new CheckedDownload(url, sha256, name, { onBytes });
    if (!/\.m?js$/.test(url)) served.set(url, file); // scripts are imported, never fetched
    return file;
  };
  const core = Object.entries(config.pyodideFiles).map(([name, sha256]) => get(name, sha256));
  const lock = core.find((file) => file.label === LOCK);
  const scripts = core.filter((file) => /\.m?js$/.test(file.label));
  const started = Promise.all(core.map((file) => file.bytes));
  const wanted = config.pyodideMode === "self-host" ? config.scoringPackage : "numpy";
  const packages = Promise.all([lock.bytes, ...core.map((file) => file.arrived)])
    .then(([bytes]) => {
      const wheels = closure(JSON.parse(new TextDecoder().decode(bytes)), wanted)
        .map((pkg) => get(pkg.file_name, pkg.sha256));
      const wheel = config.pyodideMode === "self-host"
        ? null : get(config.wheelName, config.wheelSha256, config.wheelUrl);
      Promise.all([...wheels, wheel].filter(Boolean).map((file) => file.arrived))
        .then(() => postMessage(messages.downloaded()), () => {});
      return Promise.all([wheel?.bytes, ...wheels.map((file) => file.bytes)]);
    })
    .then(([wheel]) => ({ wheel }));
  const all = Promise.all([started, packages]);
  all.catch(() => {}); // raced in startPython
  return { served, scripts, started, packages, all };
}

/** The lock's entry for ``name`` and every package it depends on. */
function closure(lock, name) {
  const seen = new Map();
  const pending = [name];
  while (pending.length) {
    const next = pending.shift();
    const pkg = lock.packages?.[next];
    if (!pkg) throw new SiteError(`${LOCK} does not list the package ${next}; rebuild the site.`);
    if (!seen.has(next)) {
      seen.set(next, pkg);
      pending.push(...(pkg.depends ?? []));
    }
  }
  return [...seen.values()];
}

async function answer({ id, request }) {
  let ready;
  try {
    ready = await engine;
  } catch {
    return; // the boot error has been reported already
  }
  const started = performance.now();
  let asked;
  let shardFiles = 0;
  let reply;
  try {
    if (Number.isSafeInteger(request.user)) shardFiles += await ensureUser(ready, request.user);
    shardFiles += await ensureFactors(ready, request);
    const text = JSON.stringify(request);
    asked = performance.now();
    reply = JSON.parse(ready.api.answer_json(ready.recommender, text));
    if (reply.missing) { // the neighbour rows it reads, not loaded yet: fetched, then asked again
      shardFiles += await loadRows(ready, reply.missing);
      asked = performance.now(); // the answer's own time, apart from the shards'
      reply = JSON.parse(ready.api.answer_json(ready.recommender, text));
      if (reply.missing) throw new Error("the movies' neighbours it reads did not load");
    }
  } catch (error) {
    postMessage(messages.failure(id, `The recommendation failed: ${describe(error)}`));
    return;
  }
  // a request the scoring core refused (unknown user, bad rating) comes back as {error}
  if (reply.error !== undefined) postMessage(messages.failure(id, reply.error));
  else {
    const ms = performance.now() - asked;
    postMessage(messages.answer(id, reply, { ms, shardMs: asked - started, shardFiles }));
  }
  // the first answer is out: the factors left for later come now, ready for the first rating
  if (!ready.factorsHere && !ready.factors) loadFactors(ready).catch(() => {}); // reported when an answer needs them
}

/** A ratings file read by the scoring core, as ``staticrec recommend --ratings-file`` reads it. */
async function importRatings({ id, text }) {
  let ready;
  try {
    ready = await engine;
  } catch {
    return; // the boot error has been reported already
  }
  let result;
  try {
    result = JSON.parse(ready.api.import_json(ready.recommender, text));
  } catch (error) {
    result = { error: `the file could not be read: ${describe(error)}` };
  }
  // a file the scoring core refused comes back as {error}, naming its line and column
  if (result.error !== undefined) postMessage(messages.failure(id, result.error));
  else postMessage(messages.imported(id, result));
}

function lastLine(text) {
  return String(text).trim().split("\n").pop();
}

function describe(error) {
  return error instanceof SiteError ? error.message : lastLine(error?.message ?? error);
}
