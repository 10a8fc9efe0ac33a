// The bare floor: a worker that starts Pyodide and makes numpy importable, nothing else.
const worker = new Worker(new URL("./floor-worker.js", import.meta.url), { type: "module" });
document.body.dataset.workerStartMs = String(Math.round(performance.now()));
worker.onmessage = ({ data }) => {
  document.body.dataset.worker = JSON.stringify(data);
  document.body.dataset.doneMs = String(Math.round(performance.now()));
};
