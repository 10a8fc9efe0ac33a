// The model files, off the page's main thread: downloaded, checked (SHA-256) and decoded from
// Parquet here, so that the page stays responsive while they arrive. The columns go to the page
// (the search needs the items table) and, through it, to the recommender worker, their
// buffers transferred rather than copied. With them go the neighbour shards the page's first
// request will read (shards-ahead.js), fetched as soon as the items table says which they are.
// The files the page leaves for later (the movie factors, when its first answer reads none)
// the recommender fetches itself.
// The messages in and out are declared in messages.js.
import { decodeModelFiles, fetchModelFiles, loadShards } from "./data.js";
import * as messages from "./messages.js";
import { shardsAhead } from "./shards-ahead.js";

const { Stage, Type } = messages;

const signal = () => {
  let resolve;
  const promise = new Promise((done) => { resolve = done; });
  return { promise, resolve };
};
const itemsNow = signal();
const fetchLater = signal();
const decodeNow = signal();
const requests = []; // the requests the page said it will ask, for the shards fetched ahead

self.onmessage = ({ data: message }) => {
  if (message.type === Type.START) decode(message);
  else if (message.type === Type.FETCH_ITEMS) itemsNow.resolve();
  else if (message.type === Type.AHEAD) requests.push(message.request);
  else if (message.type === Type.FETCH) fetchLater.resolve();
  else if (message.type === Type.DECODE) decodeNow.resolve();
};
postMessage(messages.progress(Stage.FILES, "checking the model files"));

async function decode({ dataUrl, modelFiles, manifestSha256, itemsAfterRuntime, later: laterFiles,
  port }) {
  if (!itemsAfterRuntime) itemsNow.resolve();
  let ahead = Promise.resolve({});
  const onItems = (items, manifest) => {
    postMessage(messages.items(items));
    // a guess: whatever fails here is fetched again, and reported, when an answer needs it
    ahead = loadShards(dataUrl, manifest, shardsAhead(manifest, items, requests)).catch(() => ({}));
  };
  try {
    const now = modelFiles.filter((file) => !laterFiles.includes(file));
    const files = fetchModelFiles(dataUrl, now, fetchLater.promise, itemsNow.promise);
    const { columns, manifestText } = await decodeModelFiles(files, manifestSha256, decodeNow.promise,
      onItems, laterFiles);
    const shards = await ahead;
    postMessage(messages.progress(Stage.FILES, "model files checked"));
    port?.postMessage(messages.data(columns, manifestText, shards),
      messages.transferables(columns, shards));
    postMessage(messages.delivered());
  } catch (error) {
    postMessage(messages.failure(null, error.message));
  }
}
