// For you's answers on screen: the recommender's (the top 10 and, once there are ratings, the
// lists beside it), the build's own before Python is up, the status line, and what a failure
// leaves showing. ``state`` is the page's one state object (made in for-you.js); ``picks`` the
// context pickItem draws each pick with (its controls' actions).
import { mark, showError } from "./page.js";
import { pickItem, plainItem, shortReason } from "./picks.js";

const $ = (id) => document.getElementById(id);
const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function status(text) {
  $("status").textContent = text;
}

/** The top 10, without the picks the visitor hid (the scoring core leaves them out too; this
 * keeps them out of an early answer, and of an answer computed before the hide). */
function showPicks(state, picks, items) {
  const hidden = new Set(state.hidden);
  $("hybrid").replaceChildren(...items.filter((item) => !hidden.has(item.movie_id))
    .map((item) => pickItem(item, picks)));
}

/** What the list is, in its heading: whose, and filtered how. */
function heading(state, config, mode) {
  const filters = [state.genre, state.decade !== null ? `${state.decade}s` : null].filter(Boolean);
  const suffix = filters.length ? `: ${filters.join(", ")}` : "";
  if (state.user !== null) return `Top 10 for user ${state.user}${suffix}`;
  if (state.view === "shared") return `Your friend's top 10${suffix}`;
  if (state.view === "together") return `Your top 10 together${suffix}`;
  if (mode === "popular") return `Popular ${config.nouns} to start with${suffix}`;
  return `Your top 10${suffix}`;
}

/** Where the list comes from, in one short line (one line always: it never moves the picks). */
function hint(state, config, mode) {
  const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (state.user !== null) return `From the ratings of user ${state.user}.`;
  if (state.view === "shared") return `From your friend's ${count(state.shared.length, "rating")}.`;
  if (state.view === "together") return "From both of your ratings.";
  if (mode === "popular") return `Rate a few ${config.nouns} you've seen to make it yours.`;
  return `From your ${count(state.ratings.size, "rating")}: each new one changes it.`;
}

/**
 * An answer at once, before Python is up (seconds on a phone): the build's own for a known user
 * (from a small file, fetched ahead of the large downloads), or for a new visitor the most-rated
 * list written into this page. Labelled whenever the recommender's answer may differ.
 */
export async function showEarly(state, config, picks) {
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
    label = state.ratings.size || state.favorites.length || state.view !== "own"
      ? `The most-rated ${config.nouns}, while your own picks are computed.`
      : `The most-rated ${config.nouns}: rate a few to get your own picks.`;
  }
  if (state.answered || state.failed) return; // the recommender was first
  showPicks(state, picks, items);
  if (state.user !== null) $("results-hint").textContent = hint(state, config, "user");
  $("early-note").textContent = `${label} Updating when the recommender is ready…`;
  $("early-note").hidden = false;
  results.dataset.state = "early";
  mark("early-result");
}

/** The recommender cannot start: an early answer stays, saying that it will not change. */
export function keepEarly() {
  if ($("results").dataset.state === "early") {
    $("early-note").textContent = "These picks were computed when this site was built; the "
      + "recommender could not start, so they will not change.";
  }
}

/** One request failed: say so (the recommender still answers the next one). */
export function showAnswerError(message) {
  showError(message);
  status("Nothing to show for this request.");
}

/** The recommender's answer (computed in ``ms``): the top 10, the lists beside it, the status. */
export function showAnswer(state, config, picks, answer, ms) {
  $("early-note").hidden = true;
  $("error").hidden = true;
  delete document.body.dataset.error;
  const popular = answer.mode === "popular";
  $("results-title").textContent = heading(state, config, answer.mode);
  $("results-hint").textContent = hint(state, config, answer.mode);
  showPicks(state, picks, answer.hybrid);
  $("empty-note").hidden = answer.hybrid.length > 0;
  // before any rating, one list: the most-rated, not the same films twice
  $("cf-title").textContent = `People who rated the same ${config.nouns} also rated`;
  $("cf-list").replaceChildren(...(popular ? [] : answer.lists.collab ?? [])
    .map((item) => plainItem(config, item, shortReason(item))));
  $("content-list").replaceChildren(...(answer.lists.content ?? [])
    .map((item) => plainItem(config, item, shortReason(item))));
  const liked = answer.favorites.map((f) => f.title).join("; ");
  $("content-from").textContent = !answer.favorites.length
    ? `Pick a favourite, or rate a ${config.noun} ${config.likeThreshold}★ or more, to see similar ${config.nouns}.`
    : answer.lists.content?.length ? `${capitalised(config.nouns)} like: ${liked}`
      : `No ${config.noun} is listed as similar to ${liked}: similarity comes from what describes `
        + "it, and nothing is listed for it.";
  $("content-box").hidden = !answer.favorites.length;
  const results = $("results");
  results.hidden = false;
  state.answered += 1;
  results.dataset.state = "ready";
  results.dataset.answered = String(state.answered);
  results.dataset.mode = answer.mode;
  if (state.answered === 1) mark("first-result");
  const unknown = answer.ignored;
  const ignored = unknown.length
    ? ` Ignored ${unknown.length} ${config.noun} id(s) this site does not know: ${unknown.slice(0, 10).join(", ")}`
      + `${unknown.length > 10 ? ", …" : ""}.` : "";
  status(`Computed in your browser in ${ms.toFixed(1)} ms.${ignored}`);
}
