// The probe page's script: starts probe-worker.js with the site's settings (rendered into the
// page's <body>, as on For you), hands it the Python to run from data-python, and puts the
// worker's reply into data-result (or its failure into data-error) for the test to read.
import { siteConfig } from "../assets/page.js";

const url = new URL("./probe-worker.js", import.meta.url);
url.searchParams.set("config", JSON.stringify(siteConfig()));
const worker = new Worker(url, { type: "module" });
worker.onmessage = ({ data }) => {
  if (data.error !== undefined) document.body.dataset.error = data.error;
  else document.body.dataset.result = data.result;
};
worker.onerror = (event) => {
  document.body.dataset.error = `the probe's worker failed: ${event.message}`;
};
worker.postMessage({ python: document.body.dataset.python });
