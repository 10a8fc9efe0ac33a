// The recommender, off the main thread: boots Pyodide while the page downloads and checks the
// artifacts; receives their decoded columns (typed arrays, transferred without copying), hands
// them to staticrec.scoring (the same Python files the build runs), then answers requests.
// The site's settings arrive in the worker's own URL (?config=...), so that Pyodide's download
// starts the moment this script runs, not one message later.
// The contract with the page (one error channel, as Pyodide's own worker examples have):
//   in:  {type: "data", columns, manifestText}    the decoded model files, once
//        {type: "recommend", id, request}          a request (queued until the model is ready)
//   out: {type: "progress", stage, text}           start-up, stage by stage
//        {type: "ready", timings}                  the model is loaded; timings from marks
//        {id, result, ms}                          the answer to request ``id``
//        {id, error}                               request ``id`` failed (id null: start-up
//                                                  failed, and no request will be answered)
//
// One tiny static import: a module worker runs only after its whole import graph has arrived.
import { SiteError } from "./errors.js";

let deliverData;
const dataArrived = new Promise((resolve) => { deliverData = resolve; });

const progress = (stage, text) => postMessage({ type: "progress", stage, text });

const engine = boot(JSON.parse(new URLSearchParams(self.location.search).get("config")));
engine.catch((error) => postMessage({ id: null, error: describe(error) }));

self.onmessage = ({ data: message }) => {
  if (message.type === "data") deliverData(message);
  else if (message.type === "recommend") answer(message);
};

const mark = (name) => performance.mark(`staticrec:${name}`);

/** Milliseconds from the worker's start to each of its marks. */
function timings() {
  return Object.fromEntries(performance.getEntriesByType("mark")
    .filter((entry) => entry.name.startsWith("staticrec:"))
    .map((entry) => [entry.name.slice("staticrec:".length), Math.round(entry.startTime)]));
}

async function boot(config) {
  const py = await startPython(config);
  mark("python");
  progress("import", "starting numpy");
  py.pyimport("numpy");
  mark("numpy");
  const api = py.pyimport("staticrec.scoring.api");
  mark("import");
  const data = await dataArrived;
  mark("data");
  progress("model", "preparing the model");
  const columns = py.toPy(data.columns);
  let recommender;
  try {
    recommender = api.load(columns, data.manifestText);
  } catch (error) {
    throw new SiteError(`The model files could not be loaded: ${lastLine(error.message)}`);
  } finally {
    columns.destroy();
  }
  mark("model");
  postMessage({ type: "ready", timings: timings() });
  return { api, recommender };
}

async function startPython(config) {
  progress("download", "downloading Python (Pyodide)");
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(new URL("pyodide.mjs", config.pyodideIndex).href));
  } catch (error) {
    throw new SiteError(`Python (Pyodide) could not be downloaded from ${config.pyodideIndex}: ${error.message}`);
  }
  const options = { indexURL: config.pyodideIndex };
  if (config.pyodideLock) {
    options.lockFileURL = config.pyodideLock;
    prefetchPackages(config);
  }
  let py;
  try {
    py = await loadPyodide(options);
  } catch (error) {
    throw new SiteError(`Python (Pyodide) failed to start: ${error.message}`);
  }
  progress("packages", "loading numpy and the scoring code");
  const failures = [];
  const callbacks = { messageCallback: () => {}, errorCallback: (text) => failures.push(text) };
  if (config.pyodideMode === "self-host") {
    // The site's lock lists the scoring wheel with numpy as its dependency: one call loads both.
    await py.loadPackage(config.scoringPackage, callbacks);
  } else {
    await py.loadPackage("numpy", callbacks);
    const { fetchVerified } = await import("./data.js");
    const wheel = await fetchVerified(config.wheelUrl, config.wheelSha256, config.wheelName);
    py.unpackArchive(wheel, "wheel");
  }
  const expected = config.pyodideMode === "self-host" ? ["numpy", config.scoringPackage] : ["numpy"];
  const missing = expected.filter((name) => !(name in py.loadedPackages));
  if (failures.length || missing.length) {
    throw new SiteError(`Python packages failed to load: ${failures.join("; ") || missing.join(", ")}`);
  }
  return py;
}

/**
 * Download the wheels while Pyodide compiles and starts, so that loadPackage finds them in the
 * HTTP cache instead of fetching them after start-up. Only an optimisation: errors are ignored
 * (loadPackage fetches again, checks the sha256 and reports any failure).
 */
async function prefetchPackages(config) {
  try {
    const lock = await (await fetch(config.pyodideLock)).json();
    await Promise.all(Object.values(lock.packages).map((pkg) =>
      fetch(new URL(pkg.file_name, config.pyodideIndex)).then((response) => response.arrayBuffer())));
  } catch {
    // nothing to do: see above
  }
}

async function answer({ id, request }) {
  let ready;
  try {
    ready = await engine;
  } catch {
    return; // the boot error has been reported already
  }
  const started = performance.now();
  let reply;
  try {
    reply = JSON.parse(ready.api.answer_json(ready.recommender, JSON.stringify(request)));
  } catch (error) {
    postMessage({ id, error: `The recommendation failed: ${describe(error)}` });
    return;
  }
  // a request the scoring core refused (unknown user, bad rating) comes back as {error}
  if (reply.error !== undefined) postMessage({ id, error: reply.error });
  else postMessage({ id, result: reply, ms: performance.now() - started });
}

function lastLine(text) {
  return String(text).trim().split("\n").pop();
}

function describe(error) {
  return error instanceof SiteError ? error.message : lastLine(error?.message ?? error);
}
