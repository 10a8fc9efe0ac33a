// The pages' one client of the workers: For you's two, and the home page's decoder of the
// items table alone (decodeItems). Division of work: the recommender boots Python while the
// decoder downloads the model files, then checks and decodes them on the other core; the
// columns go straight to the recommender, on a channel of their own, without copying (the page
// gets the search's columns only). The link goes to Python's start files first, since Python
// starts only once every one of them is here: the decoder
// downloads the items table once they have arrived (while Python starts, beside the package
// wheels), with the neighbour shards the first request will read, and the large model files
// once the wheels are in too; it decodes them once Python has started.
// How long the page waits: each download in the workers is abandoned after 60 s without a byte
// (download.js); here, a worker's script that has not run within as long, and Python or its
// packages not started within 60 s of their files arriving, fail the recommender with a message.
import { STALL_MS } from "./download.js";
import { SiteError } from "./errors.js";
import * as messages from "./messages.js";
import { WorkerClient } from "./worker-client.js";

const { Stage, Type } = messages;

/** Once its files are here and checked, Python starts in seconds: this long means it will not. */
const START_MS = 60000;

const scriptDeadline = (what) => ({
  ms: STALL_MS,
  message: `${what} did not arrive within ${STALL_MS / 1000} s. Check the connection, then reload the page.`,
});

const RECOMMENDER_DEADLINES = {
  [Stage.SCRIPT]: scriptDeadline("The recommender's script"),
  [Stage.START]: {
    ms: START_MS,
    message: `Python (Pyodide) did not start within ${START_MS / 1000} s of its files arriving.`,
  },
  [Stage.PACKAGES]: {
    ms: START_MS,
    message: `Python's packages did not load within ${START_MS / 1000} s of their files arriving.`,
  },
};

const DECODER_DEADLINES = { [Stage.SCRIPT]: scriptDeadline("The script that reads the model files") };

/** How a movie page starts For you (``startOrder``): "Recommend movies like this" asks for a
 * favourite. */
const FAVOURITE_FIRST = { itemsAfterRuntime: true, factorsLater: true };

/**
 * The items table alone, decoded by a decoder of its own, off the main thread (a page whose
 * search needs nothing else, such as the home page: decoded on the main thread, the table is a
 * long task on a phone). A promise of its columns; the worker is closed once they are here.
 */
export function decodeItems(config, worker = new Worker(new URL("./decoder.js", import.meta.url), { type: "module" })) {
  return new Promise((resolve, reject) => {
    const decoder = new WorkerClient(worker, {
      deadlines: DECODER_DEADLINES,
      crashed: (detail) => `The titles could not be read (${detail}).`,
      onFailure: (message) => reject(new SiteError(message)),
      on: {
        [Type.ITEMS]: ({ items }) => {
          decoder.close();
          resolve(items);
        },
      },
    });
    // the items table comes first in the page's model files; nothing else is downloaded
    decoder.post(messages.start(config.dataUrl, config.modelFiles.slice(0, 1), config.manifestSha256));
  });
}

/** The two workers, the recommender started with the site's settings as its name (so that it
 * starts downloading Python the moment it runs, not one message later, from a script the page
 * may have fetched ahead: its URL has no query). */
function startWorkers(config) {
  return {
    recommender: new Worker(new URL("./worker.js", import.meta.url),
      { type: "module", name: JSON.stringify(config) }),
    decoder: new Worker(new URL("./decoder.js", import.meta.url), { type: "module" }),
  };
}

/**
 * Start the recommender and the decoder that feeds it. ``events``: onProgress(stage, text)
 * for either worker's start-up, onItems(columns) for the search, onReady(timings), and
 * onFailure(message) once, when the recommender cannot answer (a failed decoder fails it too).
 * Returns recommend(request) and importRatings(text), each a promise of the reply message
 * (answer or imported), rejected with a SiteError.
 */
export function startRecommender(config, events, workers = startWorkers(config),
  order = FAVOURITE_FIRST) {
  performance.mark("staticrec:recommender-start"); // counted: one Python per document
  const recommender = new WorkerClient(workers.recommender, {
    deadlines: RECOMMENDER_DEADLINES,
    crashed: (detail) => `The recommender could not start (${detail}).`,
    onFailure: events.onFailure,
    on: {
      [Type.PROGRESS]: ({ stage, text }) => {
        events.onProgress(stage, text);
        // Python's start files are in: the items table no longer delays them
        if (stage === Stage.START) decoder.post(messages.fetchItems());
        // Python is up: the large tables no longer compete with its start-up
        if (stage === Stage.PACKAGES) decoder.post(messages.decode());
      },
      [Type.DOWNLOADED]: () => decoder.post(messages.fetchRest()),
      [Type.READY]: ({ timings }) => events.onReady(timings),
    },
  });
  const decoder = new WorkerClient(workers.decoder, {
    deadlines: DECODER_DEADLINES,
    crashed: (detail) => `The model files could not be read (${detail}).`,
    onFailure: (message) => recommender.fail(message),
    on: {
      [Type.PROGRESS]: ({ stage, text }) => events.onProgress(stage, text),
      [Type.ITEMS]: ({ items }) => events.onItems(items),
      [Type.DELIVERED]: () => decoder.close(),
    },
  });
  // the model goes from the decoder to the recommender without passing through this thread
  const channel = new MessageChannel();
  recommender.post(messages.dataPort(channel.port2), [channel.port2]);
  decoder.post(messages.start(config.dataUrl, config.modelFiles, config.manifestSha256,
    order.itemsAfterRuntime, order.factorsLater ? config.modelLater : [], channel.port1),
  [channel.port1]);
  return {
    recommend(request) {
      decoder.post(messages.ahead(request)); // nothing, once the decoder is done
      return recommender.request((id) => messages.recommend(id, request));
    },
    importRatings: (text) => recommender.request((id) => messages.importRatings(id, text)),
  };
}

/**
 * A recommender started for a page still to come (For you, opened in this document from a movie
 * page: warm.js): started now, its events kept until ``take(events)`` passes them on, those
 * already reported first, in order. ``ready`` settles once it can answer (rejected if it fails);
 * ``failed`` says whether it has.
 */
export function holdRecommender(config, workers, order = FAVOURITE_FIRST) {
  const kept = { progress: new Map(), items: null, timings: null, failure: null };
  let events = null;
  let settle;
  const ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  ready.catch(() => {}); // the failure reaches the page through onFailure too
  const client = startRecommender(config, {
    onProgress(stage, text) {
      kept.progress.set(stage, text);
      events?.onProgress(stage, text);
    },
    onItems(items) {
      kept.items = items;
      events?.onItems(items);
    },
    onReady(timings) {
      kept.timings = timings;
      settle.resolve();
      events?.onReady(timings);
    },
    onFailure(message) {
      kept.failure = message;
      settle.reject(new SiteError(message));
      events?.onFailure(message);
    },
  }, workers, order);
  return {
    ready,
    get failed() { return kept.failure !== null; },
    take(taker) {
      events = taker;
      for (const [stage, text] of kept.progress) taker.onProgress(stage, text);
      if (kept.items) taker.onItems(kept.items);
      if (kept.timings) taker.onReady(kept.timings);
      if (kept.failure !== null) taker.onFailure(kept.failure);
      return client;
    },
  };
}

let handedOver = null;

/** Give ``held`` (holdRecommender's) to the page that starts next in this document. */
export function handOver(held) {
  handedOver = held;
}

/** The recommender handed over in this document, now reporting to ``events`` (null if none). */
export function takeHandedOver(events) {
  const held = handedOver;
  handedOver = null;
  return held ? held.take(events) : null;
}

/**
 * How For you starts for a page's address. ``itemsAfterRuntime`` when it asks for an answer
 * before anything is typed (a user, a favourite, a friend's shared ratings): then Python's
 * start files get the link first and the items table (the search's) comes after them;
 * otherwise the visitor starts by searching for what to rate, and the items table comes first.
 * ``factorsLater`` when it asks for no ratings (a favourite, or nothing yet): the first answer
 * has no SVD list, so the movie factors are fetched after it, not before.
 */
export function startOrder({ search, hash }) {
  const params = new URLSearchParams(search);
  const rated = params.has("user") || /^#(r|together)=/.test(hash);
  return { itemsAfterRuntime: rated || params.has("favorite"), factorsLater: !rated };
}
