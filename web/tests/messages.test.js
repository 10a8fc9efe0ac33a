// messages.js: one declared maker for every message, every message typed, one error shape.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import * as messages from "../static/messages.js";
import { catalogFromItems } from "../static/search.js";

const { Stage, Type } = messages;

/** One message of each kind, made by its maker. */
const EXAMPLES = {
  start: messages.start("https://example.org/data/", ["items.parquet"], "ab12"),
  fetchItems: messages.fetchItems(),
  ahead: messages.ahead({ ratings: [], favorites: [2571] }),
  fetchRest: messages.fetchRest(),
  decode: messages.decode(),
  items: messages.items({ movieId: new Int32Array([1, 2]), title: ["A", "B"] }),
  delivered: messages.delivered(),
  dataPort: messages.dataPort(null), // a MessagePort, in the page; null survives a plain clone
  data: messages.data({ items: { movieId: new Int32Array([1]) } }, "{}",
    { content_neighbors: { 0: { movieId: new Int32Array([1]) } } }),
  recommend: messages.recommend(1, { user: 105, favorites: [1] }),
  importRatings: messages.importRatings(2, "movieId,rating\n1,4\n"),
  downloaded: messages.downloaded(),
  ready: messages.ready({ model: 1200 }),
  answer: messages.answer(1, { hybrid: [] }, { ms: 3.5, shardMs: 10, shardFiles: 2 }),
  imported: messages.imported(2, { format: "IMDb", ratings: [[1, 5]], unmatched: [] }),
  progress: messages.progress(Stage.DOWNLOAD, "downloading Python (Pyodide)"),
  failure: messages.failure(3, "Unknown userId 99999"),
};

test("the types and stages are frozen and distinct", () => {
  for (const names of [Type, Stage]) {
    assert.ok(Object.isFrozen(names));
    assert.equal(new Set(Object.values(names)).size, Object.values(names).length);
  }
});

test("every maker is exercised here, and every type has a maker", () => {
  const makers = Object.entries(messages)
    .filter(([name, value]) => typeof value === "function" && name !== "transferables")
    .map(([name]) => name);
  assert.deepEqual(makers.sort(), Object.keys(EXAMPLES).sort());
  const made = new Set(Object.values(EXAMPLES).map((message) => message.type));
  assert.deepEqual([...made].sort(), Object.values(Type).sort());
});

test("requests and their replies carry the request's id", () => {
  assert.equal(EXAMPLES.recommend.id, 1);
  assert.equal(EXAMPLES.answer.id, 1);
  assert.equal(EXAMPLES.importRatings.id, 2);
  assert.equal(EXAMPLES.imported.id, 2);
  assert.deepEqual(EXAMPLES.answer, {
    type: Type.ANSWER, id: 1, result: { hybrid: [] }, ms: 3.5, shardMs: 10, shardFiles: 2,
  });
});

test("a failure has one shape, for a request and for a whole worker", () => {
  assert.deepEqual(messages.failure(3, "bad"), { type: "error", id: 3, message: "bad" });
  assert.deepEqual(messages.failure(null, "gone"), { type: "error", id: null, message: "gone" });
});

test("every message survives postMessage's structured clone unchanged", () => {
  for (const [name, message] of Object.entries(EXAMPLES)) {
    assert.deepEqual(structuredClone(message), message, name);
  }
});

test("transferables lists the buffers of typed columns, not the strings", () => {
  const ids = new Int32Array([1, 2]);
  const scores = new Float32Array([0.5]);
  const buffers = messages.transferables({ items: { movieId: ids, title: ["A", "B"] }, f: { x: scores } });
  assert.deepEqual(buffers, [ids.buffer, scores.buffer]);
});

test("transferables lists the buffers of the shards fetched ahead too", () => {
  const ids = new Int32Array([1]);
  const rows = new Int32Array([2571]);
  const buffers = messages.transferables({ items: { movieId: ids } },
    { content_neighbors: { 3: { movieId: rows, title: ["A"] } } });
  assert.deepEqual(buffers, [ids.buffer, rows.buffer]);
});

test("the page is sent the items table's columns its catalogue reads, no others", () => {
  const ids = new Int32Array([1, 2]);
  const message = messages.items({ movieId: ids, title: ["A", "B"], genres: ["Drama", "War"],
    n_ratings: new Int32Array([3, 4]), mean_rating: new Float32Array([4, 3]),
    year: new Float64Array([1999, NaN]), imdbId: new Int32Array([133093, 0]), tmdbId: [603, 0] });
  assert.deepEqual(Object.keys(message.items), ["movieId", "title", "n_ratings", "year", "imdbId"]);
  assert.equal(message.items.movieId, ids);
  const catalog = catalogFromItems(structuredClone(message).items);
  assert.equal(catalog.byId.get(2), "B");
  assert.ok(catalog.byId.has(1) && !catalog.byId.has(3));
  assert.equal(catalog.at.get(2), 1);
  assert.deepEqual([catalog.counts[1], catalog.years[0], catalog.imdbIds[0]], [4, 1999, 133093]);
});

test("the items table waits for Python's start files only when the page asks", () => {
  assert.equal(messages.start("d/", ["items.parquet"], "ab").itemsAfterRuntime, false);
  assert.equal(messages.start("d/", ["items.parquet"], "ab", true).itemsAfterRuntime, true);
  assert.deepEqual(messages.start("d/", ["items.parquet"], "ab").later, []);
});

test("no script builds a message by hand: the workers and the page use these makers", () => {
  const folder = new URL("../static/", import.meta.url);
  const byHand = readdirSync(folder)
    .filter((name) => name.endsWith(".js"))
    .filter((name) => /postMessage\(\s*\{/.test(readFileSync(new URL(name, folder), "utf8")));
  assert.deepEqual(byHand, []);
});
