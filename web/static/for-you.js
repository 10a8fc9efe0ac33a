// The "For you" page: who is asking (a new visitor with ratings, a user of the dataset, or a
// friend's shared list), an optional favourite, the filters, and the recommender's answer. The
// request lives in the URL (?user=105&favorite=1&genre=Comedy, #r=… for a shared list:
// request.js) so a link reproduces a view; a visitor's ratings, hidden picks and watchlist
// live in localStorage.
// This module makes the page's one state object and wires the parts: the workers' client
// (recommender-client.js), the answers (answers.js, picks.js), the ratings panel
// (ratings-panel.js) and the lists beside it (lists-panel.js). Only small modules are imported
// statically, so the worker starts as soon as possible. The same module runs when For you opens
// in a movie page's document (transition.js), with the recommender that page started.
import { keepEarly, showAnswer, showAnswerError, showEarly, status } from "./answers.js";
import { listsPanel } from "./lists-panel.js";
import { Stage } from "./messages.js";
import { mark, showError, siteConfig } from "./page.js";
import { loadIds, loadRatings, parseId } from "./ratings.js";
import { ratingsPanel, titleOf } from "./ratings-panel.js";
import { startOrder, startRecommender, takeHandedOver } from "./recommender-client.js";
import { addressFor, readAddress, requestFor } from "./request.js";
import { parseChoices } from "./stars.js";
import { WorkerStopped } from "./worker-client.js";

const config = siteConfig();
config.ratingChoices = parseChoices(document.body.dataset.ratingChoices);
const $ = (id) => document.getElementById(id);
const optionValues = (select) => [...select.options].map((option) => option.value).filter(Boolean);

const stored = loadRatings(config.root, config.ratingScale);
const state = {
  // what is asked (in the URL and localStorage)
  user: null,
  favorites: [],
  ratings: stored.ratings,
  olderRatings: stored.older,
  hidden: loadIds(config.root, "hidden"), // picks the visitor is not interested in
  watchlist: loadIds(config.root, "watchlist"),
  genre: null,
  decade: null,
  niche: 0, // 0: the list as ranked; up to 3: the fewest most-rated picks (the scoring core's levels)
  view: "own", // the visitor's own list, a friend's ("shared") or both ("together")
  shared: [], // a shared link's ratings
  code: null, // and the link's code
  // what the page knows
  catalog: null, // the items table, for the search and titles, once decoded
  titles: new Map(), // titles the answers named, before the catalogue is here
  ready: false, // the recommender has its model
  failed: false, // something failed that later progress must not cover
  asked: 0, // requests sent; only the latest one's reply is shown
  answered: 0, // answers shown
  loading: { python: "starting Python", files: "checking the model files" }, // start-up, in words
  marked: new Set(), // start-up stages marked (once each, for measurement)
  // what came in (the link, the stored ratings) and could not be used: on screen until the
  // visitor does something, so nothing is dropped without a word
  notes: [],
};

function note(text) {
  state.notes.push(text);
  $("notice").replaceChildren(...state.notes.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
  $("notice").hidden = false;
}
function dismissNotes() {
  state.notes = [];
  $("notice").replaceChildren();
  $("notice").hidden = true;
}

stored.notes.forEach(note);
const asked = readAddress(location.search, location.hash, {
  noun: config.noun, ratingScale: config.ratingScale, genres: optionValues($("genre")),
  nicheLevels: $("niche").options.length,
});
const { notes: linkNotes, ...fromLink } = asked;
Object.assign(state, fromLink);
linkNotes.forEach(note);

// -- the recommender --------------------------------------------------------------------------

const loadingText = () => `${state.loading.python}; ${state.loading.files}`;
const slow = setTimeout(() => {
  if (!state.ready && !document.body.dataset.error) status(`Still loading (${loadingText()})… a slow connection?`);
}, 30000);

function fail(message) {
  state.failed = true; // later progress (other downloads finishing) must not cover the message
  clearTimeout(slow);
  keepEarly();
  status("The recommender is unavailable.");
  showError(message);
}

const events = {
  onProgress(stage, text) {
    state.loading[stage === Stage.FILES ? "files" : "python"] = text;
    if (!state.marked.has(stage)) mark(stage);
    state.marked.add(stage);
    if (!state.ready && !state.failed) status(`Loading: ${loadingText()}…`);
  },
  onItems(items) {
    import("./search.js")
      .then(({ attachSearch, catalogFromItems }) => enableSearch(attachSearch, catalogFromItems(items)))
      .catch((error) => fail(`The search could not start: ${error.message}`));
  },
  onReady(timings) {
    state.ready = true;
    document.body.dataset.bootTimings = JSON.stringify(timings);
    mark("ready");
    status("Computing…");
  },
  onFailure: fail,
};
// the recommender the page before handed over (warm.js: Python is up or on its way), else one
// of this page's own
const recommender = takeHandedOver(events)
  ?? startRecommender(config, events, undefined, startOrder(location));
mark("worker-start");

/** Send the current state to the recommender, which queues it until ready. A request the
 * visitor made (``byVisitor``) clears the notes about the link and the stored ratings. */
function ask(byVisitor = true) {
  if (byVisitor) dismissNotes();
  history.replaceState(null, "", `${location.pathname}${addressFor(state)}`);
  renderControls();
  const request = requestFor(state);
  const number = ++state.asked;
  if (state.ready) status("Computing…");
  recommender.recommend(request).then(({ result, ms }) => {
    if (number !== state.asked) return;
    for (const item of result.hybrid) state.titles.set(item.movie_id, item.title);
    showAnswer(state, config, picks, result, ms);
    if (state.answered === 1) registerOffline();
  }, (error) => {
    // a stopped recommender has said why already; a failed request says so, and the
    // recommender still answers the next one
    if (number === state.asked && !(error instanceof WorkerStopped)) showAnswerError(error.message);
  });
}

function registerOffline() {
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

// -- who is asking, the favourite, the filters ------------------------------------------------

const panel = ratingsPanel({ state, config, ask, recommender });
const lists = listsPanel({ state, config, ask });
/** What each pick's controls do (picks.js), and the ratings it offers. */
const picks = {
  config,
  choices: config.ratingChoices,
  saved: lists.saved,
  actions: {
    save: lists.actions.save,
    hide: lists.actions.hide,
    rate: (movieId, value) => panel.rate(movieId, value),
  },
};

function renderControls() {
  const visitor = state.user === null;
  $("tab-visitor").setAttribute("aria-selected", String(visitor));
  $("tab-user").setAttribute("aria-selected", String(!visitor));
  // one tab in the Tab order (the selected one); the arrow keys move between them
  $("tab-visitor").tabIndex = visitor ? 0 : -1;
  $("tab-user").tabIndex = visitor ? -1 : 0;
  $("visitor").hidden = !visitor;
  $("known-user").hidden = visitor;
  $("ratings-box").hidden = !visitor;
  if (!visitor) $("user-id").value = String(state.user);
  $("genre").value = state.genre ?? "";
  $("decade").value = state.decade === null ? "" : String(state.decade);
  $("niche").value = String(state.niche);
  panel.render();
  lists.render();
  const chosen = $("favorite-chosen");
  chosen.replaceChildren();
  if (state.favorites.length) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.id = "clear-favorite";
    clear.className = "btn quiet small";
    clear.textContent = "clear";
    clear.setAttribute("aria-label", "clear the favourite");
    clear.addEventListener("click", () => { state.favorites = []; ask(); });
    const titles = state.favorites.map((movieId) => titleOf(state, movieId)).join("; ");
    chosen.append(`Favourite: ${titles} `, clear);
  } else {
    chosen.textContent = state.user !== null
      ? `None picked: the user's highest-rated ${config.noun} is used.`
      : `None picked: your ${config.nouns} rated ${config.likeThreshold}★ or more are used.`;
  }
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

$("tab-visitor").addEventListener("click", () => { state.user = null; ask(); });
$("tab-user").addEventListener("click", () => chooseUser($("user-id").value || $("user-id").placeholder));
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
$("user-form").addEventListener("submit", (event) => {
  event.preventDefault();
  chooseUser($("user-id").value);
});
$("genre").addEventListener("change", () => { state.genre = $("genre").value || null; ask(); });
$("decade").addEventListener("change", () => {
  state.decade = $("decade").value ? Number($("decade").value) : null;
  ask();
});
$("niche").addEventListener("change", () => { state.niche = Number($("niche").value); ask(); });
$("filters").addEventListener("submit", (event) => event.preventDefault());

function enableSearch(attachSearch, catalog) {
  state.catalog = catalog;
  attachSearch($("rate-search"), $("rate-results"), catalog, panel.pick);
  attachSearch($("favorite-search"), $("favorite-results"), catalog, (movieId) => {
    state.favorites = [movieId];
    ask();
  });
  renderControls();
}

// the early answer's small file goes out before the model's large ones (an enhancement: the
// recommender's answer follows whatever happens to it)
showEarly(state, config, picks).catch((error) => console.warn(`No early answer: ${error.message}`));
ask(false);
