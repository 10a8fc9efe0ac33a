// The "For you" page: who is asking (a dataset user or a new visitor with ratings), an optional
// favourite, and the recommender's answer. The request lives in the URL (?user=105&favorite=1)
// so a link reproduces a view; a visitor's ratings live in localStorage.
// This module makes the page's one state object and wires the parts: the workers' client
// (recommender-client.js), the answers (answers.js) and the ratings panel (ratings-panel.js).
// Only small modules are imported statically, so the worker starts as soon as possible.
import { keepEarly, showAnswer, showAnswerError, showEarly, status } from "./answers.js";
import { Stage } from "./messages.js";
import { mark, showError, siteConfig } from "./page.js";
import { loadRatings, parseId } from "./ratings.js";
import { ratingsPanel, titleOf } from "./ratings-panel.js";
import { startRecommender } from "./recommender-client.js";
import { WorkerStopped } from "./worker-client.js";

const config = siteConfig();
const $ = (id) => document.getElementById(id);
const quoted = (text) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;

const stored = loadRatings(config.root, config.ratingScale);
const state = {
  // what is asked (in the URL and localStorage)
  user: null,
  favorites: [],
  ratings: stored.ratings,
  olderRatings: stored.older,
  // what the page knows
  catalog: null, // the items table, for the search and titles, once decoded
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
readLink(new URLSearchParams(location.search));

function readLink(params) {
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

function syncUrl() {
  const query = new URLSearchParams();
  if (state.user !== null) query.set("user", String(state.user));
  if (state.favorites.length) query.set("favorite", state.favorites.join(","));
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

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

const recommender = startRecommender(config, {
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
});
mark("worker-start");

/** Send the current state to the recommender, which queues it until ready. A request the
 * visitor made (``byVisitor``) clears the notes about the link and the stored ratings. */
function ask(byVisitor = true) {
  if (byVisitor) dismissNotes();
  syncUrl();
  renderControls();
  const request = state.user !== null
    ? { user: state.user, favorites: state.favorites }
    : { ratings: [...state.ratings], favorites: state.favorites };
  const asked = ++state.asked;
  if (state.ready) status("Computing…");
  recommender.recommend(request).then(({ result, ms }) => {
    if (asked !== state.asked) return;
    showAnswer(state, config, result, ms);
    if (state.answered === 1) registerOffline();
  }, (error) => {
    // a stopped recommender has said why already; a failed request says so, and the
    // recommender still answers the next one
    if (asked === state.asked && !(error instanceof WorkerStopped)) showAnswerError(error.message);
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

// -- who is asking, and the favourite ---------------------------------------------------------

const panel = ratingsPanel({ state, config, ask, recommender });

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
  panel.render();
  const chosen = $("favorite-chosen");
  chosen.replaceChildren();
  if (state.favorites.length) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.id = "clear-favorite";
    clear.textContent = "clear";
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

function enableSearch(attachSearch, catalog) {
  state.catalog = catalog;
  attachSearch($("rate-search"), $("rate-results"), catalog, panel.rate);
  attachSearch($("favorite-search"), $("favorite-results"), catalog, (movieId) => {
    state.favorites = [movieId];
    ask();
  });
  renderControls();
}

// the early answer's small file goes out before the model's large ones (an enhancement: the
// recommender's answer follows whatever happens to it)
showEarly(state, config).catch((error) => console.warn(`No early answer: ${error.message}`));
ask(false);
