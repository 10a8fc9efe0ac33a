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

/** Refuse a file unless its SHA-256 is the expected one. */
export async function verify(buffer, expected, label) {
  const actual = await sha256Hex(buffer);
  if (actual !== expected) {
    throw new SiteError(`${label} failed its integrity check: its SHA-256 is `
      + `${actual.slice(0, 16)}…, but the build recorded ${expected.slice(0, 16)}…. `
      + "The file is damaged or from another build; rebuild or redeploy the site.");
  }
  return buffer;
}

/** Download a file and refuse it unless its SHA-256 is the expected one. */
export async function fetchVerified(url, expected, label = fileName(url)) {
  return verify(await fetchBytes(url), expected, label);
}

/** The manifest (parsed, and as text) from its bytes, checked against the page's pinned hash. */
async function parseManifest(buffer, manifestSha256) {
  await verify(buffer, manifestSha256, "manifest.json");
  const text = new TextDecoder().decode(buffer);
  const manifest = JSON.parse(text);
  if (manifest.schema_version !== 1) {
    throw new SiteError(`manifest.json has schema version ${manifest.schema_version}; `
      + "this site reads version 1. Rebuild the site.");
  }
  return { manifest, text };
}

/** One table's bytes, checked against the manifest, as {column: array}. */
async function decodeTable(buffer, manifest, table, columns) {
  const name = `${table}.parquet`;
  const entry = manifest.files?.[name];
  if (!entry) throw new SiteError(`manifest.json does not list ${name}; rebuild the site.`);
  return readColumns(await verify(buffer, entry.sha256, name), columns, name);
}

/** The checked manifest; then one checked table, decoded (``columns`` limits what is decoded). */
export async function loadManifest(dataUrl, manifestSha256) {
  return parseManifest(await fetchBytes(`${dataUrl}manifest.json`), manifestSha256);
}

export async function loadTable(dataUrl, manifest, table, columns) {
  return decodeTable(await fetchBytes(`${dataUrl}${table}.parquet`), manifest, table, columns);
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
    result[column] = chunks.length === 1 ? chunks[0].columnData : concatenate(chunks);
  }
  return result;
}

/** One array from a column's row-group chunks: typed arrays stay typed (no boxed copy). */
function concatenate(chunks) {
  const first = chunks[0].columnData;
  if (!ArrayBuffer.isView(first)) return chunks.flatMap((chunk) => Array.from(chunk.columnData));
  const total = chunks.reduce((sum, chunk) => sum + chunk.columnData.length, 0);
  const out = new first.constructor(total);
  let offset = 0;
  for (const { columnData } of chunks) {
    out.set(columnData, offset);
    offset += columnData.length;
  }
  return out;
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

/** Start downloading the manifest and every model table at once: bytes only, nothing decoded. */
export function fetchModelFiles(dataUrl) {
  // Each download is awaited later; until then a failure must not count as unhandled.
  const start = (name) => {
    const download = fetchBytes(`${dataUrl}${name}`);
    download.catch(() => {});
    return download;
  };
  const tables = Object.keys(MODEL_TABLES).map((t) => [t, start(`${t}.parquet`)]);
  return { manifest: start("manifest.json"), tables: Object.fromEntries(tables) };
}

/**
 * Check and decode downloaded model files: numbers as typed arrays. The items table is decoded
 * first and handed to ``onItems`` (the search needs it); the large tables wait for ``later``, so
 * that their decoding does not compete with Pyodide's start-up for the CPU.
 */
export async function decodeModelFiles(files, manifestSha256, later, onItems) {
  const { manifest, text } = await parseManifest(await files.manifest, manifestSha256);
  const decode = async (table) => [table, typedColumns(
    await decodeTable(await files.tables[table], manifest, table, MODEL_TABLES[table]))];
  const items = await decode("items");
  onItems?.(items[1]);
  await later;
  const rest = await Promise.all(Object.keys(MODEL_TABLES).filter((t) => t !== "items").map(decode));
  return { columns: Object.fromEntries([items, ...rest]), manifestText: text };
}

/** Every table the recommender needs, downloaded, checked and decoded. */
export async function loadModelData(dataUrl, manifestSha256) {
  return decodeModelFiles(fetchModelFiles(dataUrl), manifestSha256, Promise.resolve());
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
