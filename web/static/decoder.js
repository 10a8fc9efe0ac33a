// The model files, off the page's main thread: downloaded, checked (SHA-256) and decoded from
// Parquet here, so that the page stays responsive while they arrive. The columns go to the page
// (the search needs the items table at once) and, through it, to the recommender worker, their
// buffers transferred rather than copied. The messages in and out are declared in messages.js.
import { decodeModelFiles, fetchModelFiles } from "./data.js";
import * as messages from "./messages.js";

const { Stage, Type } = messages;

let fetchRest;
const fetchLater = new Promise((resolve) => { fetchRest = resolve; });
let decodeRest;
const later = new Promise((resolve) => { decodeRest = resolve; });

self.onmessage = ({ data: message }) => {
  if (message.type === Type.START) decode(message);
  else if (message.type === Type.FETCH) fetchRest();
  else if (message.type === Type.DECODE) decodeRest();
};
postMessage(messages.progress(Stage.FILES, "checking the model files"));

async function decode({ dataUrl, modelFiles, manifestSha256 }) {
  try {
    const files = fetchModelFiles(dataUrl, modelFiles, fetchLater);
    const { columns, manifestText } = await decodeModelFiles(files, manifestSha256, later,
      (items) => postMessage(messages.items(items)));
    postMessage(messages.progress(Stage.FILES, "model files checked"));
    postMessage(messages.data(columns, manifestText), messages.transferables(columns));
  } catch (error) {
    postMessage(messages.failure(null, error.message));
  }
}
