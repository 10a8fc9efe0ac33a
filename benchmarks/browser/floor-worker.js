import { loadPyodide } from "../pyodide/pyodide.mjs";

const started = performance.now();
const stamp = () => Math.round(performance.now() - started);
const py = await loadPyodide({ indexURL: new URL("../pyodide/", self.location.href).href });
const booted = stamp();
await py.loadPackage("numpy", { messageCallback: () => {} });
const loaded = stamp();
py.pyimport("numpy");
postMessage({ loadPyodide: booted, python: loaded, numpy: stamp() });
