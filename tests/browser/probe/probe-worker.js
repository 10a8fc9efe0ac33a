// The probe's worker: Python started on the site's own runtime (its pyodide/ folder, its lock
// and its standard library, as worker.js starts it, without the SHA-256 checks), the scoring
// package loaded, the model files decoded; then the test's Python is run, with ``columns``,
// ``manifest_text`` and ``shards(wanted_json)`` (an awaitable giving the neighbour shards'
// columns) in its globals. Its value (a string) is the reply; a Python error is reported with
// the message Pyodide gives it.
import { loadModelData, loadShards } from "../assets/data.js";

const config = JSON.parse(new URLSearchParams(self.location.search).get("config"));
const index = config.pyodideIndex;
const stdlib = Object.keys(config.pyodideFiles).find((name) => name.startsWith("python_stdlib"));

self.onmessage = async ({ data: { python } }) => {
  try {
    const { loadPyodide } = await import(new URL("pyodide.mjs", index).href);
    const py = await loadPyodide({
      indexURL: index,
      lockFileURL: new URL("pyodide-lock.json", index).href,
      stdLibURL: new URL(stdlib, index).href,
    });
    await py.loadPackage(config.scoringPackage, { messageCallback: () => {} });
    const { columns, manifestText } = await loadModelData(config.dataUrl, config.modelFiles,
      config.manifestSha256);
    const manifest = JSON.parse(manifestText);
    py.globals.set("columns", py.toPy(columns));
    py.globals.set("manifest_text", manifestText);
    py.globals.set("shards", async (wanted) =>
      py.toPy(await loadShards(config.dataUrl, manifest, JSON.parse(wanted))));
    postMessage({ result: String(await py.runPythonAsync(python)) });
  } catch (error) {
    postMessage({ error: String(error?.message ?? error) });
  }
};
