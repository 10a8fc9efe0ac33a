// Per-query latency inside Pyodide: boots the site's own workers through the For-you page's
// client, then sends the requests the benchmark lists (each with its kind) one after another.
import { siteConfig } from "../assets/page.js";
import { startRecommender } from "../assets/recommender-client.js";

const config = siteConfig();
let recommender;
await new Promise((resolve) => {
  recommender = startRecommender(config, {
    onProgress() {},
    onItems() {},
    onReady: resolve,
    onFailure(message) {
      document.body.dataset.error = message;
    },
  });
});

const requests = JSON.parse(document.body.dataset.requests);
const results = [];
for (const { kind, request } of requests) {
  const started = performance.now();
  const reply = await recommender.recommend(request).catch((error) => ({ error: error.message }));
  results.push({ kind, worker: reply.ms, shard: reply.shardMs, shardFiles: reply.shardFiles,
                 roundTrip: performance.now() - started, top: reply.result?.hybrid?.[0]?.movie_id });
}
document.body.dataset.results = JSON.stringify(results);
