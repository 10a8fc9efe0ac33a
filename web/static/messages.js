// The contract between the For-you page and its two workers, in one place: every message in and
// out of worker.js (the recommender: Python on Pyodide) and decoder.js (the model files: fetched,
// checked and decoded), made only by the functions below, which page and workers both import.
// - Every message has a type. A request carries an id; its reply carries the same id.
// - Every failure, of either worker, has one shape: {type: "error", id, message}, the message
//   written for the visitor. id null: the worker cannot go on, and no request will be answered.
// - A worker's first message is a progress message: the page then knows its script has run.

export const Type = Object.freeze({
  // page -> decoder
  START: "start",
  FETCH_ITEMS: "fetch-items",
  AHEAD: "ahead",
  FETCH: "fetch",
  DECODE: "decode",
  // page -> recommender
  DATA_PORT: "data-port",
  RECOMMEND: "recommend",
  IMPORT: "import",
  // decoder -> recommender, on the port the page gave them
  DATA: "data",
  // decoder -> page
  ITEMS: "items",
  DELIVERED: "delivered",
  // recommender -> page
  DOWNLOADED: "downloaded",
  READY: "ready",
  ANSWER: "answer",
  IMPORTED: "imported",
  // either worker -> page
  PROGRESS: "progress",
  ERROR: "error",
});

/** Start-up stages, in the order the workers reach them. */
export const Stage = Object.freeze({
  /** the page's own: a worker's script is loading (it has said nothing yet) */
  SCRIPT: "script",
  /** decoder: the model files are downloading and being checked */
  FILES: "files",
  /** recommender: Python's runtime is downloading and being checked */
  DOWNLOAD: "download",
  /** its files are here: Python is starting */
  START: "start",
  /** Python has started: numpy and the scoring code are loading */
  PACKAGES: "packages",
  /** they are loaded: importing them */
  IMPORT: "import",
  /** the model files have arrived: the scoring core is loading them */
  MODEL: "model",
});

// -- page -> decoder --------------------------------------------------------------------------

/** Download and check the manifest and the first model file (the items table, which the search
 * needs), and decode it: at once, or with ``itemsAfterRuntime`` once ``fetchItems`` says so;
 * the other model files wait for ``fetchRest``, but for those in ``later``, left to the
 * recommender (it fetches them when an answer reads them, or after its first). The model
 * goes to the recommender on ``port`` (a MessagePort: transfer it), the twin of ``dataPort``'s;
 * without one, the items table is all the page wants (the home page's search). */
export const start = (dataUrl, modelFiles, manifestSha256, itemsAfterRuntime = false, later = [],
  port = null) =>
  ({ type: Type.START, dataUrl, modelFiles, manifestSha256, itemsAfterRuntime, later, port });

/** Python's start files have all arrived: download the items table (before, it would delay
 * them, and Python starts only once every one of them is here). */
export const fetchItems = () => ({ type: Type.FETCH_ITEMS });

/** A request the page will ask (``recommend``'s): once the items table is here, download the
 * neighbour shards it will read beside the model files, so that its answer need not wait for
 * them once Python is up. */
export const ahead = (request) => ({ type: Type.AHEAD, request });

/** Python's files have all arrived: download the other model files (before, they would slow
 * Python's start down, sharing the link). */
export const fetchRest = () => ({ type: Type.FETCH });

/** Python has started: decode the large tables (before, they would compete with its start-up). */
export const decode = () => ({ type: Type.DECODE });

// -- decoder -> page --------------------------------------------------------------------------

/** The columns of the items table the page reads (search.js's catalogue). */
export const SEARCH_COLUMNS = Object.freeze(["movieId", "title", "n_ratings", "year", "imdbId"]);

/** The items table's columns the page reads (``SEARCH_COLUMNS``: a copy, the page keeps it). */
export const items = (columns) => ({
  type: Type.ITEMS,
  items: Object.fromEntries(SEARCH_COLUMNS.filter((name) => name in columns)
    .map((name) => [name, columns[name]])),
});

/** The model data has gone to the recommender: the decoder's work is done. */
export const delivered = () => ({ type: Type.DELIVERED });

// -- decoder -> recommender -------------------------------------------------------------------

/** Every table the recommender reads, the manifest's text, and the neighbour shards fetched
 * ahead ({table: {number: columns}}, as ``staticrec.scoring.api.load_shards`` takes them), once,
 * on the port the page gave them (``start``, ``dataPort``). Send it with
 * ``transferables(columns, shards)``. */
export const data = (columns, manifestText, shards = {}) =>
  ({ type: Type.DATA, columns, manifestText, shards });

/** The buffers of every typed array in the model data (and its shards), to transfer them
 * instead of copying. */
export function transferables(columns, shards = {}) {
  const tables = [...Object.values(columns), ...Object.values(shards).flatMap(Object.values)];
  return tables.flatMap((table) =>
    Object.values(table).filter(ArrayBuffer.isView).map((array) => array.buffer));
}

// -- page -> recommender ----------------------------------------------------------------------

/** The port the model data comes on, straight from the decoder (transfer it): the page's main
 * thread never holds the model, whose string columns, cloned there twice, were long tasks on a
 * phone. */
export const dataPort = (port) => ({ type: Type.DATA_PORT, port });

/** A request ({user, favorites} or {ratings, favorites}, with hidden, genre, decade, together
 * and niche (0-3: how far the list leans to less popular movies) when the visitor set them;
 * staticrec.scoring.api.answer documents each key): queued until the model is ready, answered
 * in the order asked, after fetching the shards it reads that are not here yet. */
export const recommend = (id, request) => ({ type: Type.RECOMMEND, id, request });

/** A ratings file's text (an IMDb or Letterboxd export, or movieId,rating) to read. */
export const importRatings = (id, text) => ({ type: Type.IMPORT, id, text });

// -- recommender -> page ----------------------------------------------------------------------

/** Every file of Python's runtime has arrived (not yet checked): the link is free. */
export const downloaded = () => ({ type: Type.DOWNLOADED });

/** The model is loaded; ``timings``: ms from the worker's start to each of its marks. */
export const ready = (timings) => ({ type: Type.READY, timings });

/** The answer to request ``id``: ``ms`` computing it, ``shardMs`` fetching and loading the
 * shards it reads first (the user's, the movies' neighbour rows), ``shardFiles`` how many files
 * that fetched (0 when all were here). */
export const answer = (id, result, { ms, shardMs, shardFiles }) =>
  ({ type: Type.ANSWER, id, result, ms, shardMs, shardFiles });

/** The ratings file read: {format, ratings: [[movieId, rating]], unmatched: [row]}. */
export const imported = (id, result) => ({ type: Type.IMPORTED, id, result });

// -- either worker -> page --------------------------------------------------------------------

/** Start-up reached ``stage`` (one of Stage); ``text`` says where it is, for the visitor. */
export const progress = (stage, text) => ({ type: Type.PROGRESS, stage, text });

/** Request ``id`` failed; or, with id null, the worker failed and will answer nothing. */
export const failure = (id, message) => ({ type: Type.ERROR, id, message });
