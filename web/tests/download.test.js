// download.js's CheckedDownload and serveChecked: Pyodide gets a file's bytes as they arrive,
// but its response ends only once the whole file has matched its SHA-256; a file that does not
// match ends it with an error; each checked file is served once, and nothing else is touched.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CheckedDownload, serveChecked, sha256Hex } from "../static/download.js";

/** A download the test feeds chunk by chunk: ``push(bytes)``, then ``end()``. */
function controlledFetcher() {
  const control = {};
  const fetcher = (url, { onChunk }) => new Promise((resolve, reject) => {
    const chunks = [];
    control.push = (bytes) => { chunks.push(bytes); onChunk(bytes); };
    control.end = () => resolve(new Uint8Array(Buffer.concat(chunks)).buffer);
    control.fail = reject;
  });
  return { fetcher, control };
}

const bytes = (text) => new Uint8Array(Buffer.from(text));
const hashOf = async (text) => sha256Hex(new Uint8Array(Buffer.from(text)).buffer);
const settled = (promise) => Promise.race([promise.then(() => true, () => true),
  new Promise((resolve) => setTimeout(() => resolve(false), 20))]);

test("the bytes stream to Pyodide as they arrive, and the response ends once they are checked", async () => {
  const { fetcher, control } = controlledFetcher();
  const file = new CheckedDownload("https://example.org/a.wasm", await hashOf("abcdef"), "a.wasm", { fetcher });
  control.push(bytes("abc"));
  const reader = file.response("application/wasm").body.getReader();
  assert.deepEqual(Buffer.from((await reader.read()).value).toString(), "abc");
  control.push(bytes("def"));
  assert.deepEqual(Buffer.from((await reader.read()).value).toString(), "def");
  const end = reader.read();
  assert.equal(await settled(end), false, "the response must not end before the check");
  control.end();
  assert.equal((await end).done, true);
  await file.arrived;
  assert.equal(Buffer.from(await file.bytes).toString(), "abcdef");
  // asked once checked: the whole file at once
  assert.equal(Buffer.from(await file.response("application/wasm").arrayBuffer()).toString(), "abcdef");
});

test("a file that does not match ends its response with an error naming it", async () => {
  const { fetcher, control } = controlledFetcher();
  const file = new CheckedDownload("https://example.org/b.zip", await hashOf("good"), "b.zip", { fetcher });
  const response = file.response("application/octet-stream");
  control.push(bytes("evil"));
  control.end();
  await assert.rejects(response.arrayBuffer(), /b\.zip failed its integrity check/);
  await assert.rejects(file.bytes, /b\.zip failed its integrity check/);
  await assert.rejects(file.response("application/octet-stream").arrayBuffer(), /integrity check/);
});

test("a failed download fails the response and the bytes, not the page", async () => {
  const { fetcher, control } = controlledFetcher();
  const file = new CheckedDownload("https://example.org/c.whl", await hashOf("x"), "c.whl", { fetcher });
  const response = file.response("application/octet-stream");
  control.fail(new Error("Could not download c.whl: HTTP 404."));
  await assert.rejects(response.arrayBuffer(), /HTTP 404/);
  await assert.rejects(file.bytes, /HTTP 404/);
});

test("serveChecked answers each checked file once and leaves every other fetch alone", async () => {
  const { fetcher, control } = controlledFetcher();
  const url = "https://example.org/pyodide/python_stdlib.zip";
  const file = new CheckedDownload(url, await hashOf("zip"), "python_stdlib.zip", { fetcher });
  control.push(bytes("zip"));
  control.end();
  const network = [];
  const saved = { fetch: globalThis.fetch, self: globalThis.self };
  globalThis.fetch = async (input) => { network.push(String(input)); return new Response("net"); };
  globalThis.self = { location: { href: "https://example.org/assets/worker.js" } };
  try {
    serveChecked(new Map([[url, file]]));
    const first = await fetch("../pyodide/python_stdlib.zip");
    assert.equal(first.headers.get("Content-Type"), "application/octet-stream");
    assert.equal(Buffer.from(await first.arrayBuffer()).toString(), "zip");
    assert.equal(await (await fetch(url)).text(), "net"); // once: then the network's
    assert.equal(await (await fetch("https://example.org/other.json")).text(), "net");
    assert.deepEqual(network, [url, "https://example.org/other.json"]);
  } finally {
    globalThis.fetch = saved.fetch;
    globalThis.self = saved.self;
  }
});
