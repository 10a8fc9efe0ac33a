// Fetching, checking and decoding the build's artifacts; shared by the pages and the worker.
// Every file is checked against the SHA-256 the manifest lists, and the manifest against the
// SHA-256 the page was rendered with, before anything is decoded.
import { parquetRead } from "../vendor/hyparquet/index.js";
import { SiteError } from "./errors.js";
import { fetchBytes, verify } from "./download.js";

/**
 * The manifest (parsed, and as text) from its bytes, checked against the page's pinned hash.
 * The schema version itself is checked by the scoring core (staticrec.scoring.schema), in
 * Python; here the manifest only has to describe its tables.
 */
async function parseManifest(buffer, manifestSha256) {
  await verify(buffer, manifestSha256, "manifest.json");
  const text = new TextDecoder().decode(buffer);
  const manifest = JSON.parse(text);
  if (typeof manifest.tables !== "object" || manifest.tables === null) {
    throw new SiteError("manifest.json does not describe its tables (built by an older "
      + "staticrec?); rebuild the site.");
  }
  return { manifest, text };
}

/** The manifest's declaration of one table, or a clear error. */
function tableSchema(manifest, table) {
  const schema = manifest.tables[table];
  if (!schema?.columns) throw new SiteError(`manifest.json does not describe ${table}; rebuild the site.`);
  return schema;
}

/** One table's bytes, checked against the manifest, as the scoring core reads them: its
 * scoring columns, typed. */
async function decodeTable(buffer, manifest, table) {
  const schema = tableSchema(manifest, table);
  return typedColumns(await decodeFile(buffer, manifest, schema.file, schema.scoring_columns), schema);
}

/** The bytes of ``name`` (a file the manifest lists), checked against its SHA-256 there. */
async function decodeFile(buffer, manifest, name, columns) {
  const entry = manifest.files?.[name];
  if (!entry) throw new SiteError(`manifest.json does not list ${name}; rebuild the site.`);
  return readColumns(await verify(buffer, entry.sha256, name), columns, name);
}

/**
 * Shards of sharded tables (the user tables, by userId; the neighbour tables, by movie),
 * ``wanted`` as {table: [shard number, ...]}: downloaded at once, each checked and decoded as
 * the scoring core takes it, as {table: {number: columns}}.
 */
export async function loadShards(dataUrl, manifest, wanted) {
  const decode = async (table, number) => {
    const schema = tableSchema(manifest, table);
    const shard = schema.shards?.[number];
    if (!shard) throw new SiteError(`manifest.json lists no shard ${number} of ${table}; rebuild the site.`);
    const bytes = await fetchBytes(`${dataUrl}${shard.file}`, { label: shard.file });
    return [table, number, typedColumns(await decodeFile(bytes, manifest, shard.file, schema.scoring_columns), schema)];
  };
  const decoded = await Promise.all(Object.entries(wanted)
    .flatMap(([table, numbers]) => numbers.map((number) => decode(table, number))));
  const out = {};
  for (const [table, number, columns] of decoded) (out[table] ??= {})[number] = columns;
  return out;
}

/** The checked manifest; then one checked table (not sharded), decoded as the scoring core
 * reads it (the recommender fetches the movie factors so when the page left them for later). */
export async function loadManifest(dataUrl, manifestSha256) {
  return parseManifest(await fetchBytes(`${dataUrl}manifest.json`), manifestSha256);
}

export async function loadTable(dataUrl, manifest, table) {
  const file = tableSchema(manifest, table).file;
  return decodeTable(await fetchBytes(`${dataUrl}${file}`), manifest, table);
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

/**
 * Start downloading the manifest and the model's files: bytes only, nothing decoded.
 * ``modelFiles`` is the page's list of the files the scoring core reads (rendered from the
 * schema, the items table first), so the downloads need not wait for the manifest. The
 * manifest starts at once, the first file once ``first`` resolves, the others once ``rest``.
 */
export function fetchModelFiles(dataUrl, modelFiles, rest = Promise.resolve(), first = Promise.resolve()) {
  // Each download is awaited later; until then a failure must not count as unhandled.
  const after = (when, name) => {
    const download = when.then(() => fetchBytes(`${dataUrl}${name}`));
    download.catch(() => {});
    return download;
  };
  const [items, ...others] = modelFiles;
  const files = Object.fromEntries([[items, after(first, items)], ...others.map((file) => [file, after(rest, file)])]);
  return { manifest: after(Promise.resolve(), "manifest.json"), files };
}

/**
 * Check and decode downloaded model files: the tables the manifest marks for the browser, each
 * with the columns the scoring core reads, numbers as typed arrays. The items table is decoded
 * first and handed to ``onItems`` with the parsed manifest (the search needs it); the large
 * tables wait for ``later``, so that their decoding does not compete with Pyodide's start-up
 * for the CPU. The tables whose files are in ``skipped`` are left out (the recommender fetches
 * them itself, later).
 */
export async function decodeModelFiles(downloads, manifestSha256, later, onItems, skipped = []) {
  const { manifest, text } = await parseManifest(await downloads.manifest, manifestSha256);
  // the tables the page starts with; the sharded ones (by user) come when a user is asked for
  const tables = Object.keys(manifest.tables).filter((t) => manifest.tables[t].browser
    && manifest.tables[t].file && !skipped.includes(manifest.tables[t].file));
  const decode = async (table) => {
    const schema = tableSchema(manifest, table);
    const bytes = downloads.files[schema.file];
    if (!bytes) throw new SiteError(`This page does not load ${schema.file}; rebuild the site.`);
    return [table, await decodeTable(await bytes, manifest, table)];
  };
  const items = await decode("items");
  onItems?.(items[1], manifest);
  await later;
  const rest = await Promise.all(tables.filter((t) => t !== "items").map(decode));
  return { columns: Object.fromEntries([items, ...rest]), manifestText: text };
}

/** Every table the recommender needs, downloaded, checked and decoded. */
export async function loadModelData(dataUrl, modelFiles, manifestSha256) {
  return decodeModelFiles(fetchModelFiles(dataUrl, modelFiles), manifestSha256, Promise.resolve());
}

/** Columns as the schema types them: integers as Int32Array, floats as Float32Array (nulls as
 * NaN; numpy receives both as buffers), strings as strings. */
export function typedColumns(columns, schema) {
  const dtypes = Object.fromEntries(schema.columns.map((c) => [c.name, c.dtype]));
  const out = {};
  for (const [name, values] of Object.entries(columns)) {
    const dtype = dtypes[name];
    if (dtype === "string") out[name] = Array.from(values, String);
    else if (dtype.startsWith("int")) out[name] = values instanceof Int32Array ? values : Int32Array.from(values);
    else out[name] = values instanceof Float32Array ? values : Float32Array.from(values, (v) => v ?? NaN);
  }
  return out;
}

