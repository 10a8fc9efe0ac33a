// Downloads that never hang silently: an HTTP error or a stall becomes a message naming the
// file, and every file can be checked against the SHA-256 the build recorded; and Pyodide's
// files, handed to it as they arrive but used only once checked (CheckedDownload, below). Small
// and without imports beyond errors.js, so the worker can load it before anything else.
import { SiteError } from "./errors.js";

/** A download that receives nothing for this long is abandoned with a message. */
export const STALL_MS = 60000;

export function fileName(url) {
  return new URL(url, self.location.href).pathname.split("/").pop();
}

/**
 * The bytes at ``url`` as an ArrayBuffer. ``onBytes(n)`` is called as each chunk of n bytes
 * arrives (for progress), ``onChunk(chunk)`` with the chunk itself (a Uint8Array, not to be
 * changed); a download that receives nothing for ``stallMs`` is abandoned.
 */
export async function fetchBytes(url, { onBytes, onChunk, stallMs = STALL_MS, label } = {}) {
  const name = label ?? fileName(url);
  const controller = new AbortController();
  let timer;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), stallMs);
  };
  rearm();
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw new SiteError(`Could not download ${name}: HTTP ${response.status}.`);
    const chunks = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rearm();
      chunks.push(value);
      received += value.length;
      onBytes?.(value.length);
      onChunk?.(value);
    }
    return joined(chunks, received).buffer;
  } catch (error) {
    if (error instanceof SiteError) throw error;
    if (controller.signal.aborted) {
      throw new SiteError(`The download of ${name} stalled: nothing arrived for `
        + `${Math.round(stallMs / 1000)} s. Check the connection, then reload the page.`);
    }
    throw new SiteError(`Could not download ${name}: ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
}

function joined(chunks, length) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export async function sha256Hex(buffer) {
  if (!globalThis.crypto?.subtle) {
    throw new SiteError("This page must be served over HTTPS (or from localhost): "
      + "the browser only checks file integrity (SubtleCrypto) in a secure context.");
  }
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Refuse a file unless its SHA-256 is the expected one. */
export async function verify(buffer, expected, label) {
  const actual = await sha256Hex(buffer);
  if (actual !== expected) {
    throw new SiteError(`${label} failed its integrity check: its SHA-256 is `
      + `${actual.slice(0, 16)}…, but the build recorded ${String(expected).slice(0, 16)}…. `
      + "The file is damaged or from another build; rebuild or redeploy the site.");
  }
  return buffer;
}

/** Download a file and refuse it unless its SHA-256 is the expected one. */
export async function fetchVerified(url, expected, label = fileName(url), options = {}) {
  return verify(await fetchBytes(url, { label, ...options }), expected, label);
}

// -- Pyodide's files, handed over as they arrive -----------------------------------------------
// The recommender worker downloads each of Pyodide's files once, checks it against the SHA-256
// the page was built with, and gives it to Pyodide while it arrives, in a response that ends
// only once the whole file has matched. So Python starts while its files stream in (the
// WebAssembly compiles as it arrives), and nothing is used before it is checked: Pyodide cannot
// instantiate the WebAssembly, unpack the standard library or a wheel, or read the lock before
// the response ends, and a file that does not match ends it with an error. The scripts Pyodide
// imports (pyodide.mjs, pyodide.asm.js) are awaited whole and checked first; the import then
// takes them from the HTTP cache.

/** One file: ``arrived`` once its last byte is here, ``bytes`` (an ArrayBuffer) once checked;
 * ``response(type)`` any time, for Pyodide's fetch. */
export class CheckedDownload {
  #chunks = [];
  #readers = new Set();
  #buffer = null;
  #failure = null;

  constructor(url, sha256, label, { onBytes, fetcher = fetchBytes } = {}) {
    this.url = url;
    this.label = label;
    const download = fetcher(url, {
      label,
      onBytes,
      onChunk: (chunk) => {
        this.#chunks.push(chunk);
        for (const reader of this.#readers) reader.enqueue(chunk);
      },
    });
    this.arrived = download.then(() => undefined);
    this.bytes = download.then((buffer) => verify(buffer, sha256, label));
    this.bytes.then((buffer) => {
      this.#buffer = buffer;
      this.#chunks = [];
      for (const reader of this.#readers) reader.close();
      this.#readers.clear();
    }, (error) => {
      this.#failure = error;
      for (const reader of this.#readers) reader.error(error);
      this.#readers.clear();
    });
    // awaited later, or through ``response``; meanwhile a failure is not "unhandled"
    this.arrived.catch(() => {});
  }

  /** A response with the bytes so far and those to come, ended once they are checked. */
  response(type) {
    const headers = { "Content-Type": type };
    if (this.#buffer) return new Response(this.#buffer, { headers });
    const body = new ReadableStream({
      start: (reader) => {
        for (const chunk of this.#chunks) reader.enqueue(chunk);
        if (this.#failure) reader.error(this.#failure);
        else this.#readers.add(reader);
      },
    });
    return new Response(body, { headers });
  }
}

const TYPES = { wasm: "application/wasm", json: "application/json" };

/**
 * Answer fetches of the downloads in ``served`` (absolute URL -> CheckedDownload; entries may be
 * added later) with their responses, each once; any other request goes to the network. The
 * narrowest way to have Pyodide use the bytes this worker checks, without a second download.
 */
export function serveChecked(served) {
  const network = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input, self.location.href).href;
    const download = served.get(url);
    if (download === undefined) return network(input, init);
    served.delete(url);
    const type = TYPES[url.split(".").pop()] ?? "application/octet-stream";
    return Promise.resolve(download.response(type));
  };
}
