// Fetching, checking and decoding the build's artifacts; shared by the pages and the worker.
// Every file is checked against the SHA-256 the manifest lists, and the manifest against the
// SHA-256 the page was rendered with, before anything is decoded.
import { parquetRead } from "../vendor/hyparquet/index.js";
import { SiteError } from "./errors.js";

function fileName(url) {
  return new URL(url, self.location.href).pathname.split("/").pop();
}

export async function fetchBytes(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new SiteError(`Could not download ${fileName(url)}: ${error.message}`);
  }
  if (!response.ok) {
    throw new SiteError(`Could not download ${fileName(url)}: HTTP ${response.status}.`);
  }
  return response.arrayBuffer();
}

export async function sha256Hex(buffer) {
  if (!globalThis.crypto?.subtle) {
    throw new SiteError("This page must be served over HTTPS (or from localhost): "
      + "the browser only checks file integrity (SubtleCrypto) in a secure context.");
  }
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Download a file and refuse it unless its SHA-256 is the expected one. */
export async function fetchVerified(url, expected, label = fileName(url)) {
  const buffer = await fetchBytes(url);
  const actual = await sha256Hex(buffer);
  if (actual !== expected) {
    throw new SiteError(`${label} failed its integrity check: its SHA-256 is `
      + `${actual.slice(0, 16)}…, but the build recorded ${expected.slice(0, 16)}…. `
      + "The file is damaged or from another build; rebuild or redeploy the site.");
  }
  return buffer;
}

/** The build's manifest (parsed, and as text), checked against the page's pinned hash. */
export async function loadManifest(dataUrl, manifestSha256) {
  const buffer = await fetchVerified(`${dataUrl}manifest.json`, manifestSha256, "manifest.json");
  const text = new TextDecoder().decode(buffer);
  const manifest = JSON.parse(text);
  if (manifest.schema_version !== 1) {
    throw new SiteError(`manifest.json has schema version ${manifest.schema_version}; `
      + "this site reads version 1. Rebuild the site.");
  }
  return { manifest, text };
}

/** One artifact table, checked, as {column: array}; ``columns`` limits what is decoded. */
export async function loadTable(dataUrl, manifest, table, columns) {
  const name = `${table}.parquet`;
  const entry = manifest.files?.[name];
  if (!entry) throw new SiteError(`manifest.json does not list ${name}; rebuild the site.`);
  const buffer = await fetchVerified(`${dataUrl}${name}`, entry.sha256, name);
  return readColumns(buffer, columns, name);
}

export async function readColumns(file, columns, label) {
  const parts = {};
  try {
    await parquetRead({
      file,
      columns,
      onChunk: ({ columnName, columnData, rowStart }) => {
        (parts[columnName] ??= []).push({ columnData, rowStart });
      },
    });
  } catch (error) {
    throw new SiteError(`${label} could not be read as Parquet: ${error.message}`);
  }
  const result = {};
  for (const [column, chunks] of Object.entries(parts)) {
    chunks.sort((a, b) => a.rowStart - b.rowStart);
    result[column] = chunks.length === 1
      ? chunks[0].columnData
      : chunks.flatMap((chunk) => Array.from(chunk.columnData));
  }
  return result;
}

// Columns the scoring core reads, per table (undefined: all of them).
const MODEL_TABLES = {
  items: ["movieId", "title", "n_ratings", "mean_rating"],
  item_factors: undefined,
  user_factors: undefined,
  user_ratings: undefined,
  content_neighbors: ["movieId", "neighborId", "rank", "similarity"],
};
const INTEGER_COLUMNS = new Set(["movieId", "userId", "neighborId", "rank", "n_ratings"]);

/** Every table the recommender needs, checked and decoded: numbers as typed arrays. */
export async function loadModelData(dataUrl, manifestSha256) {
  const { manifest, text } = await loadManifest(dataUrl, manifestSha256);
  const tables = await Promise.all(Object.entries(MODEL_TABLES).map(async ([table, wanted]) => {
    const columns = await loadTable(dataUrl, manifest, table, wanted);
    return [table, typedColumns(columns)];
  }));
  return { columns: Object.fromEntries(tables), manifestText: text };
}

/** Numeric columns as typed arrays (numpy receives them as buffers); titles stay strings. */
function typedColumns(columns) {
  const out = {};
  for (const [name, values] of Object.entries(columns)) {
    if (name === "title") out[name] = Array.from(values, String);
    else if (INTEGER_COLUMNS.has(name)) out[name] = values instanceof Int32Array ? values : Int32Array.from(values);
    else out[name] = values instanceof Float32Array ? values : Float32Array.from(values, (v) => v ?? NaN);
  }
  return out;
}

/** The buffers of every typed array in the model data, to transfer them instead of copying. */
export function transferables(columns) {
  return Object.values(columns).flatMap((table) =>
    Object.values(table).filter(ArrayBuffer.isView).map((array) => array.buffer));
}
