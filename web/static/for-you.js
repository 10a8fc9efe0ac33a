// The "For you" page: who is asking (a dataset user or a new visitor with ratings), an optional
// favourite, and the recommender worker's answer. The state lives in the URL (?user=105&favorite=1)
// so a link reproduces a view; a visitor's ratings live in localStorage.
// Division of work: the worker boots Python while this page downloads the model files, then
// checks and decodes them on the other core, and hands the columns over without copying them.
// The large tables are decoded only once Pyodide has started (its WebAssembly compilation
// wants both cores); the items table, which the search needs, is decoded at once.
// Only small modules are imported statically, so the worker starts as soon as possible.
import { clearRatings, loadRatings, saveRatings, setRating } from "./ratings.js";
import { mark, movieUrl, showError, siteConfig, startWorker } from "./page.js";

const config = siteConfig();
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** A movieId or userId typed or linked: a positive whole number, or null. */
function parseId(text) {
  const value = Number(String(text ?? "").trim());
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

const state = {
  user: params.get("user") === null ? null : parseId(params.get("user")),
  favorites: params.getAll("favorite").flatMap((v) => v.split(",")).map(parseId)
    .filter((id) => id !== null),
  ratings: loadRatings(config.root),
};
if (params.get("user") !== null && state.user === null) {
  showError(`"${params.get("user")}" is not a userId: a userId is a whole number, such as 105.`);
}
let catalog = null;
let ready = false;
let requestId = 0;
let answered = 0;

// -- the worker -------------------------------------------------------------------------------

const parts = { python: "starting Python", data: "checking the model files" };
const setPart = (part, text) => {
  parts[part] = text;
  if (!ready) status(`Loading: ${parts.python}; ${parts.data}…`);
};
const worker = startWorker(config);
mark("worker-start");
worker.onerror = (event) => {
  event.preventDefault?.();
  fail(`The recommender could not start (${event.message || "its script failed to load"}).`);
};
// The worker's contract is described at the top of worker.js.
worker.onmessage = ({ data: message }) => {
  if (message.type === "progress") {
    setPart("python", message.text);
    mark(message.stage);
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
const slow = setTimeout(() => {
  if (!ready && !document.body.dataset.error) status(`Still loading (${parts.python}; ${parts.data})… a slow connection?`);
}, 30000);

function fail(message) {
  clearTimeout(slow);
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

/** Send the current state to the worker; before it is ready, it queues the request. */
function ask() {
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

const stars = (value) => `${value.toFixed(1)}★`;

/** The scoring core says in plain words which lists put a movie here (Item.why). */
const why = (item) => item.why.join(" · ");

function showAnswerError(message) {
  showError(message);
  status("Nothing to show for this request.");
}

function show(answer, ms) {
  $("error").hidden = true;
  delete document.body.dataset.error;
  const popular = answer.mode === "popular";
  $("hybrid").replaceChildren(...answer.hybrid.map((item) => movieItem(item, why(item))));
  $("cf-title").textContent = popular
    ? "Most rated (rate movies to personalise)"
    : "People who rated the same movies also rated";
  const side = popular ? answer.lists.popular : answer.lists.collab;
  $("cf-list").replaceChildren(...(side ?? []).map((item) => movieItem(item, why(item))));
  $("content-list").replaceChildren(...(answer.lists.content ?? []).map((item) => movieItem(item,
    `similarity ${item.similarity.toFixed(2)}`)));
  $("content-from").textContent = answer.favorites.length
    ? `Movies like: ${answer.favorites.map((f) => f.title).join("; ")}`
    : "Pick a favourite, or rate a movie 4★ or more, to see similar movies.";
  const results = $("results");
  results.hidden = false;
  answered += 1;
  results.dataset.state = "ready";
  results.dataset.answered = String(answered);
  results.dataset.mode = answer.mode;
  if (answered === 1) mark("first-result");
  const ignored = answer.ignored.length ? ` Ignored unknown movie ids: ${answer.ignored.join(", ")}.` : "";
  status(`Computed in your browser in ${ms.toFixed(1)} ms.${ignored}`);
}

function renderControls() {
  const visitor = state.user === null;
  $("tab-visitor").setAttribute("aria-selected", String(visitor));
  $("tab-user").setAttribute("aria-selected", String(!visitor));
  $("visitor").hidden = !visitor;
  $("known-user").hidden = visitor;
  if (!visitor) $("user-id").value = String(state.user);
  const list = $("my-ratings");
  list.replaceChildren(...[...state.ratings].map(([movieId, rating]) => {
    const li = document.createElement("li");
    li.dataset.movieId = movieId;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.setAttribute("aria-label", `remove ${titleOf(Number(movieId))}`);
    remove.addEventListener("click", () => {
      state.ratings.delete(movieId);
      saveRatings(config.root, state.ratings);
      ask();
    });
    li.append(`${titleOf(Number(movieId))}: ${stars(rating)} `, remove);
    return li;
  }));
  $("clear-ratings").disabled = state.ratings.size === 0;
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
      ? "None picked: the user's highest-rated movie is used."
      : "None picked: your movies rated 4★ or more are used.";
  }
}

// -- controls ---------------------------------------------------------------------------------

$("tab-visitor").addEventListener("click", () => { state.user = null; ask(); });
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
  clearRatings(config.root);
  ask();
});

let pythonStarted;
const pythonStarting = new Promise((resolve) => { pythonStarted = resolve; });

async function loadData() {
  const dataModule = await import("./data.js");
  const files = dataModule.fetchModelFiles(config.dataUrl, config.modelFiles);
  const { attachSearch, catalogFromItems } = await import("./search.js");
  const data = await dataModule.decodeModelFiles(files, config.manifestSha256, pythonStarting,
    (items) => enableSearch(attachSearch, catalogFromItems(items)));
  setPart("data", "model files checked");
  worker.postMessage({ type: "data", ...data }, dataModule.transferables(data.columns));
}

function enableSearch(attachSearch, loaded) {
  catalog = loaded;
  attachSearch($("rate-search"), $("rate-results"), catalog, (movieId) => {
    setRating(state.ratings, movieId, Number($("rate-value").value));
    saveRatings(config.root, state.ratings);
    ask();
  });
  attachSearch($("favorite-search"), $("favorite-results"), catalog, (movieId) => {
    state.favorites = [movieId];
    ask();
  });
  renderControls();
}

loadData().catch((error) => fail(error.message));

ask();
