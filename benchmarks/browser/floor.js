// The bare floor: a worker that starts Pyodide and makes numpy importable, nothing else.
// It marks the same moments as the site's pages (staticrec:worker-start, staticrec:done).
const worker = new Worker(new URL("./floor-worker.js", import.meta.url), { type: "module" });
performance.mark("staticrec:worker-start");
worker.onmessage = ({ data }) => {
  document.body.dataset.worker = JSON.stringify(data);
  performance.mark("staticrec:done");
};
