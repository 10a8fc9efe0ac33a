// The model files, off the page's main thread: downloaded, checked (SHA-256) and decoded from
// Parquet here, so that the page stays responsive while they arrive. The columns go to the page
// (the search needs the items table at once) and, through it, to the recommender worker, their
// buffers transferred rather than copied.
//   in:  {type: "start", dataUrl, modelFiles, manifestSha256}
//        {type: "decode"}                        Python has started: decode the large tables
//                                                (before, they would compete with its start-up)
//   out: {type: "items", items}                  the items table's columns
//        {type: "data", columns, manifestText}   every table the recommender reads
//        {type: "error", message}                a file is missing, damaged or unreadable
import { decodeModelFiles, fetchModelFiles } from "./data.js";
import { transferables } from "./page.js";

let decodeRest;
const later = new Promise((resolve) => { decodeRest = resolve; });

self.onmessage = ({ data: message }) => {
  if (message.type === "start") decode(message);
  else if (message.type === "decode") decodeRest();
};

async function decode({ dataUrl, modelFiles, manifestSha256 }) {
  try {
    const files = fetchModelFiles(dataUrl, modelFiles);
    const data = await decodeModelFiles(files, manifestSha256, later,
      (items) => postMessage({ type: "items", items })); // a copy: the page keeps it
    postMessage({ type: "data", ...data }, transferables(data.columns));
  } catch (error) {
    postMessage({ type: "error", message: error.message });
  }
}
