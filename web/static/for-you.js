// The "For you" page: who is asking (a dataset user or a new visitor with ratings), an optional
// favourite, and the recommender worker's answer. The state lives in the URL (?user=105&favorite=1)
// so a link reproduces a view; a visitor's ratings live in localStorage.
// Division of work: the worker boots Python while this page downloads the model files, then
// checks and decodes them on the other core, and hands the columns over without copying them.
// The large tables are decoded only once Pyodide has started (its WebAssembly compilation
// wants both cores); the items table, which the search needs, is decoded at once.
// Only small modules are imported statically, so the worker starts as soon as possible.
import {
  clearRatings, loadRatings, parseId, parseRatingsCsv, ratingsCsv, saveRatings, setRating,
} from "./ratings.js";
import { mark, movieUrl, showError, siteConfig, startWorker, transferables } from "./page.js";

const config = siteConfig();
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// Notes on what came in (the link, the stored ratings) and could not be used: they stay on
// screen until the visitor does something, so nothing is dropped without a word.
const notes = [];
function note(text) {
  notes.push(text);
  const box = $("notice");
  box.replaceChildren(...notes.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
  box.hidden = false;
}
function dismissNotes() {
  notes.length = 0;
  $("notice").replaceChildren();
  $("notice").hidden = true;
}
const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const likedAt = String(config.likeThreshold);
const quoted = (text) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;

const stored = loadRatings(config.root, config.ratingScale);
const state = { user: null, favorites: [], ratings: stored.ratings, olderRatings: stored.older };
stored.notes.forEach(note);
{
  const user = params.get("user");
  if (user !== null) {
    state.user = parseId(user);
    if (state.user === null) {
      note(`The link's user ${quoted(user)} is not a userId (a whole number such as 105): `
        + "showing recommendations for a new visitor instead.");
    }
  }
  const favorites = params.getAll("favorite").flatMap((value) => value.split(","));
  const bad = favorites.filter((value) => parseId(value) === null);
  if (bad.length) {
    note(`The link's favourite ${bad.map(quoted).join(", ")} is not a ${config.noun} id (a whole `
      + "number such as 1), and was left out.");
  }
  state.favorites = [...new Set(favorites.map(parseId).filter((id) => id !== null))];
}
let catalog = null;
let ready = false;
let requestId = 0;
let answered = 0;
let lastStage = null;
let failed = false;

// -- the worker -------------------------------------------------------------------------------

const parts = { python: "starting Python", data: "checking the model files" };
const setPart = (part, text) => {
  parts[part] = text;
  if (!ready && !failed) status(`Loading: ${parts.python}; ${parts.data}…`);
};
const worker = startWorker(config);
mark("worker-start");
worker.onerror = (event) => {
  event.preventDefault?.();
  fail(`The recommender could not start (${event.message || "its script failed to load"}).`);
};
// The worker's contract is described at the top of worker.js.
worker.onmessage = ({ data: message }) => {
  if (message.type === "imported") {
    imported(message.result);
  } else if (message.type === "progress") {
    setPart("python", message.text);
    if (message.stage !== lastStage) mark(message.stage);
    lastStage = message.stage;
    if (message.stage === "packages") pythonStarted();
  } else if (message.type === "ready") {
    ready = true;
    document.body.dataset.bootTimings = JSON.stringify(message.timings);
    mark("ready");
    status("Computing…");
  } else if (message.error !== undefined) {
    if (message.id === null) fail(message.error);
    // one request failed: say so, but the recommender still answers the next one
    else if (message.id === requestId) showAnswerError(message.error);
  } else if (message.id === requestId) {
    show(message.result, message.ms);
  }
};
// -- an answer at once ------------------------------------------------------------------------
// Before Python is up (seconds on a phone), the build's own answers: a known user's (from a
// small file, fetched ahead of the large downloads), or for a new visitor the most-rated list
// written into this page. Labelled whenever the recommender's answer may differ.



async function showEarly() {
  const results = $("results");
  const files = Number(results.dataset.earlyFiles || 0);
  let items;
  let label;
  if (state.user !== null) {
    if (!files) return;
    const url = new URL(`${results.dataset.earlyDir}${state.user % files}.json`, config.root);
    try {
      const response = await fetch(url, { priority: "high" });
      items = response.ok ? (await response.json())[String(state.user)] : undefined;
    } catch {
      items = undefined; // offline, or the file is gone: the recommender answers soon enough
    }
    if (!items) return; // not a user of the dataset: the recommender will say so
    label = `User ${state.user}'s picks as this site's build computed them`
      + (state.favorites.length ? ", before your favourite is counted." : ".");
  } else {
    items = JSON.parse($("early-visitor").textContent);
    label = state.ratings.size || state.favorites.length
      ? `The most-rated ${config.nouns}, while your own picks are computed.`
      : `The most-rated ${config.nouns}: rate a few to get your own picks.`;
  }
  if (answered || failed) return; // the recommender was first
  $("hybrid").replaceChildren(...items.map((item) => movieItem(item, why(item))));
  $("early-note").textContent = `${label} Updating when the recommender is ready…`;
  $("early-note").hidden = false;
  results.dataset.state = "early";
  mark("early-result");
}

const slow = setTimeout(() => {
  if (!ready && !document.body.dataset.error) status(`Still loading (${parts.python}; ${parts.data})… a slow connection?`);
}, 30000);

function fail(message) {
  failed = true; // later progress (other downloads finishing) must not cover the message
  clearTimeout(slow);
  if ($("results").dataset.state === "early") {
    $("early-note").textContent = "These picks were computed when this site was built; the "
      + "recommender could not start, so they will not change.";
  }
  status("The recommender is unavailable.");
  showError(message);
}

function status(text) {
  $("status").textContent = text;
}

// -- state, URL and requests ------------------------------------------------------------------

function syncUrl() {
  const query = new URLSearchParams();
  if (state.user !== null) query.set("user", String(state.user));
  if (state.favorites.length) query.set("favorite", state.favorites.join(","));
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

/** Send the current state to the worker; before it is ready, it queues the request. A request
 * the visitor made (``byVisitor``) clears the notes about the link and the stored ratings. */
function ask(byVisitor = true) {
  if (byVisitor) dismissNotes();
  syncUrl();
  renderControls();
  const request = state.user !== null
    ? { user: state.user, favorites: state.favorites }
    : { ratings: [...state.ratings], favorites: state.favorites };
  requestId += 1;
  if (ready) status("Computing…");
  worker.postMessage({ type: "recommend", id: requestId, request });
}

// -- rendering --------------------------------------------------------------------------------

function titleOf(movieId) {
  return catalog?.byId.get(movieId) ?? `movie ${movieId}`;
}

function movieItem(item, why) {
  const li = document.createElement("li");
  li.dataset.movieId = String(item.movie_id);
  const link = document.createElement("a");
  link.href = movieUrl(config.root, item.movie_id);
  link.textContent = item.title;
  const reason = document.createElement("span");
  reason.className = "why";
  reason.textContent = why;
  li.append(link, " ", reason);
  return li;
}

/** The scoring core says in plain words which lists put a movie here (Item.why). */
const why = (item) => item.why.join(" · ");

function showAnswerError(message) {
  showError(message);
  status("Nothing to show for this request.");
}

function show(answer, ms) {
  $("early-note").hidden = true;
  $("error").hidden = true;
  delete document.body.dataset.error;
  const popular = answer.mode === "popular";
  $("hybrid").replaceChildren(...answer.hybrid.map((item) => movieItem(item, why(item))));
  $("cf-title").textContent = popular
    ? `Most rated (rate ${config.nouns} to personalise)`
    : `People who rated the same ${config.nouns} also rated`;
  const side = popular ? answer.lists.popular : answer.lists.collab;
  $("cf-list").replaceChildren(...(side ?? []).map((item) => movieItem(item, why(item))));
  $("content-list").replaceChildren(...(answer.lists.content ?? []).map((item) => movieItem(item,
    `similarity ${item.similarity.toFixed(2)}`)));
  const liked = answer.favorites.map((f) => f.title).join("; ");
  $("content-from").textContent = !answer.favorites.length
    ? `Pick a favourite, or rate a ${config.noun} ${likedAt}★ or more, to see similar ${config.nouns}.`
    : answer.lists.content?.length ? `${capitalised(config.nouns)} like: ${liked}`
      : `No ${config.noun} is listed as similar to ${liked}: similarity comes from what describes `
        + "it, and nothing is listed for it.";
  const results = $("results");
  results.hidden = false;
  answered += 1;
  results.dataset.state = "ready";
  results.dataset.answered = String(answered);
  results.dataset.mode = answer.mode;
  if (answered === 1) {
    mark("first-result");
    import("./offline.js").then(({ keepForOffline }) => keepForOffline(config.serviceWorker, {
      onReady() {
        document.body.dataset.offline = "ready";
        $("offline").hidden = false;
      },
      offerUpdate(accept) {
        $("update").hidden = false;
        $("use-update").onclick = accept;
      },
    })).catch((error) => console.warn(`Offline use is unavailable: ${error.message}`));
  }
  const unknown = answer.ignored;
  const ignored = unknown.length
    ? ` Ignored ${unknown.length} ${config.noun} id(s) this site does not know: ${unknown.slice(0, 10).join(", ")}`
      + `${unknown.length > 10 ? ", …" : ""}.` : "";
  status(`Computed in your browser in ${ms.toFixed(1)} ms.${ignored}`);
}

function renderControls() {
  const visitor = state.user === null;
  $("tab-visitor").setAttribute("aria-selected", String(visitor));
  $("tab-user").setAttribute("aria-selected", String(!visitor));
  // one tab in the Tab order (the selected one); the arrow keys move between them
  $("tab-visitor").tabIndex = visitor ? 0 : -1;
  $("tab-user").tabIndex = visitor ? -1 : 0;
  $("visitor").hidden = !visitor;
  $("known-user").hidden = visitor;
  if (!visitor) $("user-id").value = String(state.user);
  const list = $("my-ratings");
  list.replaceChildren(...[...state.ratings].map(([movieId, rating]) => {
    const li = document.createElement("li");
    li.dataset.movieId = movieId;
    // each rating can be changed where it is listed: a keyboard user picks the movie, then
    // its rating (focus lands here after a pick)
    const change = $("rate-value").cloneNode(true);
    change.removeAttribute("id");
    change.value = String(rating);
    change.setAttribute("aria-label", `your rating of ${titleOf(Number(movieId))}`);
    change.addEventListener("change", () => {
      state.ratings.set(movieId, Number(change.value)); // re-rated, not a newer rating
      saveRatings(config.root, state.ratings, state.olderRatings);
      ask();
      list.querySelector(`li[data-movie-id="${movieId}"] select`)?.focus();
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.setAttribute("aria-label", `remove ${titleOf(Number(movieId))}`);
    remove.addEventListener("click", () => {
      state.ratings.delete(movieId);
      saveRatings(config.root, state.ratings, state.olderRatings);
      ask();
    });
    li.append(`${titleOf(Number(movieId))}: `, change, " ", remove);
    return li;
  }));
  $("clear-ratings").disabled = state.ratings.size === 0;
  $("export-ratings").disabled = state.ratings.size === 0;
  const chosen = $("favorite-chosen");
  chosen.replaceChildren();
  if (state.favorites.length) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.id = "clear-favorite";
    clear.textContent = "clear";
    clear.addEventListener("click", () => { state.favorites = []; ask(); });
    chosen.append(`Favourite: ${state.favorites.map(titleOf).join("; ")} `, clear);
  } else {
    chosen.textContent = state.user !== null
      ? `None picked: the user's highest-rated ${config.noun} is used.`
      : `None picked: your ${config.nouns} rated ${likedAt}★ or more are used.`;
  }
}

// -- controls ---------------------------------------------------------------------------------

$("tab-visitor").addEventListener("click", () => { state.user = null; ask(); });
for (const tab of [$("tab-visitor"), $("tab-user")]) {
  tab.addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    event.preventDefault();
    const other = tab.id === "tab-visitor" ? $("tab-user") : $("tab-visitor");
    const target = event.key === "Home" ? $("tab-visitor") : event.key === "End" ? $("tab-user") : other;
    target.focus();
    target.click();
  });
}
function chooseUser(text) {
  const user = parseId(text);
  if (user === null) {
    showError("A userId is a whole number, such as 105.");
    return;
  }
  state.user = user;
  ask();
}

$("tab-user").addEventListener("click", () => chooseUser($("user-id").value || $("user-id").placeholder));
$("user-form").addEventListener("submit", (event) => {
  event.preventDefault();
  chooseUser($("user-id").value);
});
$("clear-ratings").addEventListener("click", () => {
  state.ratings = new Map();
  state.olderRatings = [];
  clearRatings(config.root);
  ask();
});

// -- moving ratings between browsers: a movieId,rating CSV out, and in -------------------------

$("export-ratings").addEventListener("click", () => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([ratingsCsv(state.ratings)], { type: "text/csv" }));
  link.download = "my-ratings.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});

/** Add a CSV's ratings (each becomes the latest); a bad file changes nothing and says why. */
const EXPORTS = [["Const", "Your Rating"], ["Name", "Year", "Rating"]]; // IMDb, Letterboxd
let importing = null; // the name of the export the recommender is reading

function reportImport(text) {
  $("import-status").textContent = text;
}

/** A movieId,rating file is read here at once; an IMDb or Letterboxd export goes to the
 * recommender, which matches it against the catalogue with the scoring core's own reader. */
async function importRatings(file) {
  const text = await file.text();
  const parsed = parseRatingsCsv(text, config.ratingScale);
  if (parsed.error) {
    if (EXPORTS.some((columns) => columns.every((c) => parsed.header?.includes(c)))) {
      importing = file.name;
      reportImport(`Reading ${file.name}${ready ? "" : " once the recommender is ready"}…`);
      worker.postMessage({ type: "import", text });
    } else {
      reportImport(`${file.name} was not loaded (nothing changed): ${parsed.error} (or an IMDb or `
        + "Letterboxd ratings export).");
    }
    return;
  }
  const onSite = ([movieId]) => !catalog || catalog.byId.has(movieId);
  const known = parsed.pairs.filter(onSite);
  const unknown = parsed.pairs.filter((pair) => !onSite(pair)).map(([movieId]) => movieId);
  for (const [movieId, rating] of known) setRating(state.ratings, movieId, rating);
  saveRatings(config.root, state.ratings, state.olderRatings);
  reportImport(`${file.name}: ${known.length} of ${parsed.pairs.length} ratings loaded.`
    + (unknown.length ? ` Not on this site: ${config.noun} ids ${unknown.slice(0, 20).join(", ")}`
      + `${unknown.length > 20 ? ", …" : ""}.` : ""));
  if (known.length) ask();
}

/** The recommender's reading of an export: its matched ratings join the visitor's. */
function imported(result) {
  const name = importing;
  importing = null;
  if (result.error) {
    reportImport(`${name} was not loaded (nothing changed): ${result.error}.`);
    return;
  }
  for (const [movieId, rating] of result.ratings) setRating(state.ratings, movieId, rating);
  saveRatings(config.root, state.ratings, state.olderRatings);
  const rows = result.ratings.length + result.unmatched.length;
  const missed = result.unmatched;
  reportImport(`${name} (${result.format}): ${result.ratings.length} of ${rows} rows matched `
    + `and loaded.${missed.length ? ` Not matched: ${missed.slice(0, 20).join("; ")}`
      + `${missed.length > 20 ? "; …" : ""}.` : ""}`);
  if (result.ratings.length) ask();
}

$("import-ratings").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) importRatings(file);
  event.target.value = "";
});
$("visitor").addEventListener("dragover", (event) => event.preventDefault());
$("visitor").addEventListener("drop", (event) => {
  event.preventDefault();
  const [file] = event.dataTransfer.files;
  if (file) importRatings(file);
});

let pythonStarted;
const pythonStarting = new Promise((resolve) => { pythonStarted = resolve; });

/** The model files, downloaded and decoded by a worker of their own: the items table comes
 * back for the search, every table goes on to the recommender (transferred, not copied). */
function loadData() {
  const decoder = new Worker(new URL("./decoder.js", import.meta.url), { type: "module" });
  decoder.onerror = (event) => {
    event.preventDefault?.();
    fail(`The model files could not be read (${event.message || "their script failed to load"}).`);
  };
  decoder.onmessage = ({ data: message }) => {
    if (message.type === "items") {
      import("./search.js")
        .then(({ attachSearch, catalogFromItems }) => enableSearch(attachSearch,
          catalogFromItems(message.items)))
        .catch((error) => fail(`The search could not start: ${error.message}`));
    } else if (message.type === "data") {
      setPart("data", "model files checked");
      const { columns, manifestText } = message;
      worker.postMessage({ type: "data", columns, manifestText }, transferables(columns));
      decoder.terminate();
    } else if (message.type === "error") {
      fail(message.message);
    }
  };
  const { dataUrl, modelFiles, manifestSha256 } = config;
  decoder.postMessage({ type: "start", dataUrl, modelFiles, manifestSha256 });
  pythonStarting.then(() => decoder.postMessage({ type: "decode" }));
}

function enableSearch(attachSearch, loaded) {
  catalog = loaded;
  attachSearch($("rate-search"), $("rate-results"), catalog, (movieId) => {
    setRating(state.ratings, movieId, Number($("rate-value").value));
    saveRatings(config.root, state.ratings, state.olderRatings);
    ask();
    // then its rating, where it is listed: the keyboard's way to choose it after the movie
    $("my-ratings").querySelector(`li[data-movie-id="${movieId}"] select`)?.focus();
  });
  attachSearch($("favorite-search"), $("favorite-results"), catalog, (movieId) => {
    state.favorites = [movieId];
    ask();
  });
  renderControls();
}

// first: its small file goes out before the model's large ones (an enhancement: the
// recommender's answer follows whatever happens to it)
showEarly().catch((error) => console.warn(`No early answer: ${error.message}`));
loadData();

ask(false);
