// Per-query latency inside Pyodide: boots the site's own worker the way the For-you page does,
// then sends the requests the benchmark lists (each with its kind) one after another.
import { siteConfig, startWorker, transferables } from "../assets/page.js";
import { loadModelData } from "../assets/data.js";

const config = siteConfig();
const worker = startWorker(config);
const pending = new Map();
worker.onmessage = ({ data: message }) => {
  if (message.type === "ready") pending.get("ready")(message);
  else if (message.type === "progress") return;
  else if (message.id === null) document.body.dataset.error = message.error;
  else pending.get(message.id)(message);
};
const once = (key) => new Promise((resolve) => pending.set(key, resolve));

const ready = once("ready");
const data = await loadModelData(config.dataUrl, config.modelFiles, config.manifestSha256);
worker.postMessage({ type: "data", ...data }, transferables(data.columns));
await ready;

const requests = JSON.parse(document.body.dataset.requests);
const results = [];
for (const [id, { kind, request }] of requests.entries()) {
  const answered = once(id + 1);
  const started = performance.now();
  worker.postMessage({ type: "recommend", id: id + 1, request });
  const message = await answered;
  results.push({ kind, worker: message.ms, shard: message.shardMs, shardFiles: message.shardFiles,
                 roundTrip: performance.now() - started, top: message.result?.hybrid?.[0]?.movie_id });
}
document.body.dataset.results = JSON.stringify(results);
