// Downloads that never hang silently: an HTTP error or a stall becomes a message naming the
// file, and every file can be checked against the SHA-256 the build recorded. Small and without
// imports beyond errors.js, so the worker can load it before anything else.
import { SiteError } from "./errors.js";

/** A download that receives nothing for this long is abandoned with a message. */
export const STALL_MS = 60000;

export function fileName(url) {
  return new URL(url, self.location.href).pathname.split("/").pop();
}

/**
 * The bytes at ``url`` as an ArrayBuffer. ``onBytes(n)`` is called as each chunk of n bytes
 * arrives (for progress); a download that receives nothing for ``stallMs`` is abandoned.
 */
export async function fetchBytes(url, { onBytes, stallMs = STALL_MS, label } = {}) {
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
