// recommender-client.js with two fake workers: the model files go from the decoder to the
// recommender once Python is up, a failure of either is one failure, and the 60 s rules hold;
// a recommender held for the page to come tells it what it missed.
import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";

import * as messages from "../static/messages.js";
import {
  decodeItems, handOver, holdRecommender, startOrder, startRecommender, takeHandedOver,
} from "../static/recommender-client.js";
import { WorkerStopped } from "../static/worker-client.js";
import { FakeWorker } from "./fake-worker.js";

const { Stage, Type } = messages;

// every test's workers have deadlines: their clocks are the test's
beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
afterEach(() => mock.timers.reset());

const CONFIG = {
  dataUrl: "https://example.org/data/",
  modelFiles: ["items.parquet", "item_factors.parquet"],
  modelLater: ["item_factors.parquet"],
  manifestSha256: "ab12",
};

/** The client of two fake workers, and what it told the page. */
function start() {
  const workers = { recommender: new FakeWorker(), decoder: new FakeWorker() };
  const told = { progress: [], items: [], ready: [], failures: [] };
  const client = startRecommender(CONFIG, {
    onProgress: (stage, text) => told.progress.push([stage, text]),
    onItems: (columns) => told.items.push(columns),
    onReady: (timings) => told.ready.push(timings),
    onFailure: (message) => told.failures.push(message),
  }, workers);
  return { client, told, ...workers };
}

test("the decoder is started with the page's model files, the items table held back and the factors left for later", () => {
  const { decoder } = start();
  const [sent] = decoder.sentOf(Type.START);
  assert.deepEqual(sent, messages.start(CONFIG.dataUrl, CONFIG.modelFiles,
    CONFIG.manifestSha256, true, ["item_factors.parquet"], sent.port));
  closePorts(decoder);
});

/** The ports the page gave ``worker`` in its start or data-port message, closed (an open port
 * keeps Node running). */
function closePorts(...workers) {
  for (const worker of workers) {
    for (const { message } of worker.sent) message.port?.close();
  }
}

test("the model goes from the decoder to the recommender on a channel of their own, not through the page", async () => {
  const { recommender, decoder } = start();
  const [{ message: begun, transfer: given }] = decoder.sent.filter(({ message }) => message.type === Type.START);
  const [{ message: listening, transfer: taken }] = recommender.sent;
  assert.equal(listening.type, Type.DATA_PORT);
  assert.deepEqual(given, [begun.port]); // each worker's end is transferred, not copied
  assert.deepEqual(taken, [listening.port]);
  const rows = new Int32Array([2571]);
  const data = messages.data({ items: { movieId: new Int32Array([1]) } }, "{}",
    { content_neighbors: { 3: { movieId: rows } } });
  const arrived = new Promise((resolve) => { listening.port.onmessage = ({ data: got }) => resolve(got); });
  begun.port.postMessage(data, messages.transferables(data.columns, data.shards));
  const got = await arrived;
  assert.deepEqual(got.shards.content_neighbors[3].movieId, new Int32Array([2571]));
  assert.equal(rows.length, 0); // transferred: the decoder's copy is gone
  // were the decoder to send the model to the page, the page would not pass it on
  decoder.say(messages.data({}, "{}"));
  assert.equal(recommender.sentOf(Type.DATA).length, 0);
  closePorts(recommender, decoder);
});

test("the items table is downloaded once Python's start files are in, not before", () => {
  // Python starts only once every start file is here: the items table would delay them
  const { recommender, decoder } = start();
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  assert.equal(decoder.sentOf(Type.FETCH_ITEMS).length, 0);
  recommender.say(messages.progress(Stage.START, "starting Python"));
  assert.deepEqual(decoder.sentOf(Type.FETCH_ITEMS), [messages.fetchItems()]);
  assert.equal(decoder.sentOf(Type.FETCH).length, 0); // the large files wait for the wheels
});

test("each request goes to the decoder too, for the shards it will read", () => {
  const { client, decoder } = start();
  const request = { ratings: [], favorites: [2571] };
  client.recommend(request);
  assert.deepEqual(decoder.sentOf(Type.AHEAD), [messages.ahead(request)]);
});

test("the large model files are downloaded once Python's files have all arrived", () => {
  const { recommender, decoder } = start();
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  assert.equal(decoder.sentOf(Type.FETCH).length, 0);
  recommender.say(messages.downloaded());
  assert.deepEqual(decoder.sentOf(Type.FETCH), [messages.fetchRest()]);
});

test("the large tables are decoded once Python has started, then the decoder is closed", () => {
  const { recommender, decoder, told } = start();
  decoder.say(messages.progress(Stage.FILES, "checking the model files"));
  const ids = new Int32Array([1, 2]);
  decoder.say(messages.items({ movieId: ids }));
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  recommender.say(messages.progress(Stage.START, "starting Python"));
  assert.equal(decoder.sentOf(Type.DECODE).length, 0);
  recommender.say(messages.progress(Stage.PACKAGES, "loading numpy and the scoring code"));
  assert.equal(decoder.sentOf(Type.DECODE).length, 1);

  assert.ok(!decoder.terminated);
  decoder.say(messages.delivered()); // the model has gone to the recommender: its work is done
  assert.ok(decoder.terminated);
  assert.deepEqual(told.progress.map(([stage]) => stage),
    [Stage.FILES, Stage.DOWNLOAD, Stage.START, Stage.PACKAGES]);
  assert.deepEqual(told.items, [{ movieId: ids }]);
  recommender.say(messages.ready({ model: 9 }));
  assert.deepEqual(told.ready, [{ model: 9 }]);
});

test("requests and imports are answered through promises", async () => {
  const { client, recommender } = start();
  const answered = client.recommend({ user: 105, favorites: [] });
  const imported = client.importRatings("Const,Your Rating\n");
  const [request] = recommender.sentOf(Type.RECOMMEND);
  const [file] = recommender.sentOf(Type.IMPORT);
  assert.deepEqual(request.request, { user: 105, favorites: [] });
  assert.equal(file.text, "Const,Your Rating\n");
  recommender.say(messages.failure(file.id, "line 1: no rows"));
  recommender.say(messages.answer(request.id, { mode: "user" }, { ms: 2, shardMs: 0, shardFiles: 0 }));
  assert.equal((await answered).result.mode, "user");
  await assert.rejects(imported, { message: "line 1: no rows" });
});

test("a decoder that fails stops the recommender: one failure, with the decoder's message", async () => {
  const { client, recommender, decoder, told } = start();
  const waiting = client.recommend({ user: 1, favorites: [] });
  decoder.say(messages.failure(null, "item_factors.parquet failed its integrity check"));
  assert.deepEqual(told.failures, ["item_factors.parquet failed its integrity check"]);
  assert.ok(recommender.terminated && decoder.terminated);
  await assert.rejects(waiting, WorkerStopped);
  recommender.say(messages.failure(null, "too late"));
  assert.equal(told.failures.length, 1);
});

test("a recommender that fails leaves the decoder to give the search its items", () => {
  const { recommender, decoder, told } = start();
  recommender.say(messages.failure(null, "Could not download pyodide.asm.wasm: HTTP 404."));
  assert.deepEqual(told.failures, ["Could not download pyodide.asm.wasm: HTTP 404."]);
  assert.ok(!decoder.terminated);
  decoder.say(messages.items({ title: ["A"] }));
  assert.deepEqual(told.items, [{ title: ["A"] }]);
  decoder.say(messages.delivered());
  assert.ok(decoder.terminated);
});

test("scripts that crash are named: the recommender's, the decoder's", () => {
  let started = start();
  started.recommender.crash(undefined);
  assert.deepEqual(started.told.failures, ["The recommender could not start (its script failed to load)."]);
  started = start();
  started.decoder.crash("SyntaxError");
  assert.deepEqual(started.told.failures, ["The model files could not be read (SyntaxError)."]);
});

test("nothing waits forever: the 60 s rules of start-up", () => {
  const cases = [
    [[], "The recommender's script did not arrive within 60 s. Check the connection, then reload the page."],
    [[Stage.DOWNLOAD, Stage.START], "Python (Pyodide) did not start within 60 s of its files arriving."],
    [[Stage.DOWNLOAD, Stage.START, Stage.PACKAGES],
      "Python's packages did not load within 60 s of their files arriving."],
  ];
  for (const [stages, expected] of cases) {
    const { recommender, decoder, told } = start();
    decoder.say(messages.progress(Stage.FILES, "checking the model files"));
    for (const stage of stages) recommender.say(messages.progress(stage, stage));
    mock.timers.tick(59999);
    assert.deepEqual(told.failures, []);
    mock.timers.tick(1);
    assert.deepEqual(told.failures, [expected]);
  }
  const { recommender, told } = start(); // the decoder's script never runs
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  mock.timers.tick(60000);
  assert.deepEqual(told.failures, ["The script that reads the model files did not arrive within 60 s. "
    + "Check the connection, then reload the page."]);
});

test("no deadline while the runtime downloads or the model files arrive (each download has its own)", () => {
  const { recommender, decoder, told } = start();
  decoder.say(messages.progress(Stage.FILES, "checking the model files"));
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  mock.timers.tick(600000);
  for (const stage of [Stage.START, Stage.PACKAGES, Stage.IMPORT]) recommender.say(messages.progress(stage, stage));
  mock.timers.tick(600000); // waiting for the model files
  assert.deepEqual(told.failures, []);
});

test("decodeItems asks for the items table alone and closes the decoder once it is here", async () => {
  const worker = new FakeWorker();
  const config = CONFIG;
  const decoded = decodeItems(config, worker);
  assert.deepEqual(worker.sentOf(Type.START),
    [messages.start(config.dataUrl, ["items.parquet"], config.manifestSha256)]);
  const ids = new Int32Array([1, 2]);
  worker.say(messages.items({ movieId: ids }));
  assert.deepEqual((await decoded).movieId, ids);
  assert.equal(worker.terminated, true);
});

test("decodeItems rejects with the decoder's failure", async () => {
  const worker = new FakeWorker();
  const decoded = decodeItems(CONFIG, worker);
  worker.say(messages.failure(null, "items.parquet does not match the manifest"));
  await assert.rejects(decoded, /items.parquet does not match the manifest/);
  assert.equal(worker.terminated, true);
});

/** A recommender held for a page to come, with fake workers, and the events of the page that
 * takes it. */
function hold() {
  const workers = { recommender: new FakeWorker(), decoder: new FakeWorker() };
  const told = { progress: [], items: [], ready: [], failures: [] };
  const events = {
    onProgress: (stage, text) => told.progress.push([stage, text]),
    onItems: (columns) => told.items.push(columns),
    onReady: (timings) => told.ready.push(timings),
    onFailure: (message) => told.failures.push(message),
  };
  return { held: holdRecommender(CONFIG, workers), events, told, ...workers };
}

test("a held recommender tells the page that takes it what it missed, in order, then the rest", async () => {
  const { held, events, told, recommender, decoder } = hold();
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"));
  recommender.say(messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide): 1.0 MB"));
  decoder.say(messages.items({ title: ["A"] }));
  recommender.say(messages.progress(Stage.START, "starting Python"));
  recommender.say(messages.ready({ model: 9 }));
  await held.ready;
  const client = held.take(events);
  assert.deepEqual(told.progress, [[Stage.DOWNLOAD, "downloading Python (Pyodide): 1.0 MB"],
    [Stage.START, "starting Python"]]);
  assert.deepEqual(told.items, [{ title: ["A"] }]);
  assert.deepEqual(told.ready, [{ model: 9 }]);
  const answered = client.recommend({ ratings: [], favorites: [2571] });
  const [request] = recommender.sentOf(Type.RECOMMEND);
  recommender.say(messages.answer(request.id, { mode: "popular" }, { ms: 1, shardMs: 0, shardFiles: 0 }));
  assert.equal((await answered).result.mode, "popular");
});

test("a held recommender that failed says so, to the page that takes it too", async () => {
  const { held, events, told, recommender } = hold();
  assert.equal(held.failed, false);
  recommender.say(messages.failure(null, "Python (Pyodide) failed to start"));
  assert.equal(held.failed, true);
  await assert.rejects(held.ready, { message: "Python (Pyodide) failed to start" });
  held.take(events);
  assert.deepEqual(told.failures, ["Python (Pyodide) failed to start"]);
});

test("a recommender handed over is taken once, by the next page in the document", () => {
  const { held, events, recommender, told } = hold();
  assert.equal(takeHandedOver(events), null); // nothing handed over: For you starts its own
  handOver(held);
  const client = takeHandedOver(events);
  assert.ok(client);
  assert.equal(takeHandedOver(events), null);
  recommender.say(messages.ready({}));
  assert.deepEqual(told.ready, [{}]);
});

test("an address that asks for an answer lets Python's files come first; one without ratings, the factors later", () => {
  const order = (search, hash = "") => startOrder({ search, hash });
  const first = { itemsAfterRuntime: true, factorsLater: true };
  const rated = { itemsAfterRuntime: true, factorsLater: false };
  const search = { itemsAfterRuntime: false, factorsLater: true };
  assert.deepEqual(order("?favorite=2571"), first);
  assert.deepEqual(order("?favorite=2571&genre=Drama&niche=2"), first);
  assert.deepEqual(order("?user=105&genre=Drama"), rated);
  assert.deepEqual(order("?user=105&favorite=2571"), rated);
  assert.deepEqual(order("", "#r=AQID"), rated);
  assert.deepEqual(order("?favorite=1", "#together=AQID"), rated);
  assert.deepEqual(order(""), search);
  assert.deepEqual(order("?genre=Drama", "#top"), search);
  const workers = { recommender: new FakeWorker(), decoder: new FakeWorker() };
  startRecommender(CONFIG, { onProgress() {}, onItems() {}, onReady() {}, onFailure() {} },
    workers, rated);
  const [sent] = workers.decoder.sentOf(Type.START);
  assert.deepEqual(sent,
    messages.start(CONFIG.dataUrl, CONFIG.modelFiles, CONFIG.manifestSha256, true, [], sent.port));
  closePorts(workers.decoder);
});
