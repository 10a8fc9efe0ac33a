// worker-client.js against a fake worker: replies matched to requests, one error shape,
// start-up deadlines, and a failed worker that leaves nothing waiting.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SiteError } from "../static/errors.js";
import * as messages from "../static/messages.js";
import { WorkerClient, WorkerStopped } from "../static/worker-client.js";
import { FakeWorker } from "./fake-worker.js";

const { Stage, Type } = messages;

let worker;
let failures;
let seen;

/** A client of a fresh fake worker; what it reports goes to ``failures`` and ``seen``. */
function client(deadlines = {}) {
  worker = new FakeWorker();
  failures = [];
  seen = [];
  return new WorkerClient(worker, {
    deadlines,
    crashed: (detail) => `It could not start (${detail}).`,
    onFailure: (message) => failures.push(message),
    on: {
      [Type.PROGRESS]: (message) => seen.push(message),
      [Type.READY]: (message) => seen.push(message),
    },
  });
}

const ask = (recommender, request) => recommender.request((id) => messages.recommend(id, request));

test("each request gets its own id, and each reply settles its own request", async () => {
  const recommender = client();
  const first = ask(recommender, { user: 1 });
  const second = ask(recommender, { user: 2 });
  const [a, b] = worker.sentOf(Type.RECOMMEND);
  assert.notEqual(a.id, b.id);
  assert.deepEqual(a.request, { user: 1 });
  worker.say(messages.answer(b.id, "for 2", { ms: 1, shardMs: 0, shardFiles: 0 }));
  worker.say(messages.answer(a.id, "for 1", { ms: 1, shardMs: 0, shardFiles: 0 }));
  assert.equal((await first).result, "for 1");
  assert.equal((await second).result, "for 2");
});

test("a request is sent with its transfer list", () => {
  const recommender = client();
  const buffer = new ArrayBuffer(8);
  recommender.request((id) => messages.importRatings(id, "x"), [buffer]);
  assert.deepEqual(worker.sent[0].transfer, [buffer]);
});

test("a failed request is rejected with the worker's message; the next one is answered", async () => {
  const recommender = client();
  const bad = ask(recommender, { user: 99999 });
  const good = ask(recommender, { user: 1 });
  const [a, b] = worker.sentOf(Type.RECOMMEND);
  worker.say(messages.failure(a.id, "Unknown userId 99999"));
  worker.say(messages.answer(b.id, "ok", { ms: 1, shardMs: 0, shardFiles: 0 }));
  await assert.rejects(bad, (error) => error instanceof SiteError && !(error instanceof WorkerStopped)
    && error.message === "Unknown userId 99999");
  assert.equal((await good).result, "ok");
  assert.deepEqual(failures, []);
});

test("a reply nobody waits for is ignored", async () => {
  client();
  worker.say(messages.answer(42, "stray", { ms: 1, shardMs: 0, shardFiles: 0 }));
  assert.deepEqual(seen, []);
  assert.deepEqual(failures, []);
});

test("progress and ready go to their handlers, in order", () => {
  client();
  worker.say(messages.progress(Stage.DOWNLOAD, "downloading"));
  worker.say(messages.ready({ model: 5 }));
  assert.deepEqual(seen.map((message) => message.type), [Type.PROGRESS, Type.READY]);
  assert.equal(seen[0].text, "downloading");
});

test("a worker's start-up failure fails every request, once, and stops the worker", async () => {
  const recommender = client();
  const waiting = ask(recommender, { user: 1 });
  worker.say(messages.failure(null, "Could not download pyodide.asm.wasm: HTTP 404."));
  assert.deepEqual(failures, ["Could not download pyodide.asm.wasm: HTTP 404."]);
  assert.ok(worker.terminated);
  await assert.rejects(waiting, (error) => error instanceof WorkerStopped
    && error.message === "Could not download pyodide.asm.wasm: HTTP 404.");
  await assert.rejects(ask(recommender, { user: 2 }), WorkerStopped); // at once, not sent
  assert.equal(worker.sentOf(Type.RECOMMEND).length, 1);
  worker.say(messages.failure(null, "a second failure"));
  worker.say(messages.ready({}));
  assert.deepEqual(failures, ["Could not download pyodide.asm.wasm: HTTP 404."]);
  assert.deepEqual(seen, []);
});

test("a script that fails to run is a failure, kept out of the console", () => {
  client();
  assert.ok(worker.crash("SyntaxError: unexpected token"));
  assert.deepEqual(failures, ["It could not start (SyntaxError: unexpected token)."]);
  client();
  worker.crash(undefined);
  assert.deepEqual(failures, ["It could not start (its script failed to load)."]);
});

test("a script that never runs fails when its deadline passes", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  client({ [Stage.SCRIPT]: { ms: 60000, message: "The script did not arrive." } });
  t.mock.timers.tick(59999);
  assert.deepEqual(failures, []);
  t.mock.timers.tick(1);
  assert.deepEqual(failures, ["The script did not arrive."]);
  assert.ok(worker.terminated);
});

test("the worker's first message ends the script's deadline", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  client({ [Stage.SCRIPT]: { ms: 60000, message: "The script did not arrive." } });
  t.mock.timers.tick(30000);
  worker.say(messages.progress(Stage.DOWNLOAD, "downloading"));
  t.mock.timers.tick(600000); // downloads have their own rule (stalls), in the worker
  assert.deepEqual(failures, []);
});

test("a stage's deadline runs from its first report until the next stage", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const deadlines = { [Stage.START]: { ms: 60000, message: "Python did not start." } };
  client(deadlines);
  worker.say(messages.progress(Stage.START, "starting Python"));
  t.mock.timers.tick(40000);
  worker.say(messages.progress(Stage.START, "starting Python")); // a repeat does not extend it
  t.mock.timers.tick(20000);
  assert.deepEqual(failures, ["Python did not start."]);

  client(deadlines);
  worker.say(messages.progress(Stage.START, "starting Python"));
  t.mock.timers.tick(59000);
  worker.say(messages.progress(Stage.PACKAGES, "loading numpy"));
  t.mock.timers.tick(600000);
  assert.deepEqual(failures, []);
});

test("ready ends start-up and its deadlines", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  client({ [Stage.MODEL]: { ms: 1000, message: "too slow" } });
  worker.say(messages.progress(Stage.MODEL, "preparing the model"));
  worker.say(messages.ready({}));
  t.mock.timers.tick(5000);
  assert.deepEqual(failures, []);
});

test("a closed worker is stopped without a failure; what waited is rejected", async () => {
  const decoder = client();
  const waiting = ask(decoder, {});
  decoder.close();
  assert.ok(worker.terminated);
  await assert.rejects(waiting, WorkerStopped);
  decoder.post(messages.decode());
  assert.equal(worker.sentOf(Type.DECODE).length, 0);
  assert.deepEqual(failures, []);
});
