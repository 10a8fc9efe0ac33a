// What every page shares: the site's settings from <body data-*> and a visible error box.
// Every path and file name there is rendered by the build (staticrec.site.render and the
// artifact schema): none is spelled out in the scripts.

/** Settings rendered into the page, with URLs made absolute (the worker lives elsewhere). */
export function siteConfig() {
  const data = document.body.dataset;
  const root = new URL(data.root || "./", location.href);
  const absolute = (path) => (path ? new URL(path, root).href : "");
  return {
    root: root.href,
    dataUrl: absolute(data.dataDir),
    modelFiles: (data.modelFiles || "").split(" ").filter(Boolean),
    // of those, the ones an answer without ratings does not read (the movie factors)
    modelLater: (data.modelLater || "").split(" ").filter(Boolean),
    manifestSha256: data.manifestSha256,
    pyodideMode: data.pyodideMode,
    pyodideIndex: absolute(data.pyodideIndex),
    scoringPackage: data.scoringPackage,
    wheelUrl: absolute(data.scoringWheelUrl),
    wheelName: data.scoringWheel,
    wheelSha256: data.scoringWheelSha256,
    // the service worker that keeps For you for offline visits ("" when the site has none)
    serviceWorker: absolute(data.serviceWorker),
    // "name:sha256 ..." of Pyodide's core files, checked in the worker before it starts them
    pyodideFiles: Object.fromEntries((data.pyodideFiles || "").split(" ").filter(Boolean)
      .map((entry) => entry.split(":"))),
    ratingScale: (data.ratingScale || "0.5 5").split(" ").map(Number),
    likeThreshold: Number(data.likeThreshold || 4),
    // what the site recommends, in its words: "movie movies", "book books"
    ...Object.fromEntries(["noun", "nouns"].map((key, i) =>
      [key, (data.nouns || "movie movies").split(" ")[i]])),
  };
}

/** Mark a moment of the page's start-up (read with performance.getEntriesByName). */
export function mark(name) {
  performance.mark(`staticrec:${name}`);
}

/** Show a message in the page's alert box: never fail silently or only in the console. */
export function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
  document.body.dataset.error = "true";
}

export function movieUrl(root, movieId) {
  return `${root}movie/${movieId}/`;
}
