// The visitor's ratings on For you: a movie picked in the search gets a star control of its
// own, empty (a new movie never inherits the last rating), and joins the list once rated; the
// list shows each rating, changed in place with the same control, or removed; clearing them;
// and moving them between browsers as a movieId,rating CSV, out and in (an IMDb or Letterboxd
// export is read by the recommender, with the scoring core's reader). Every change is stored
// at once (ratings.js) and asked for again.
import { clearRatings, parseRatingsCsv, ratingsCsv, saveIds, saveRatings, setRating } from "./ratings.js";
import { starControl, starsShown } from "./stars.js";
import { titleParts } from "./titles.js";
import { download } from "./watchlist.js";
import { WorkerStopped } from "./worker-client.js";

const $ = (id) => document.getElementById(id);

/** The headers of the exports the recommender reads: IMDb's, Letterboxd's. */
const EXPORTS = [["Const", "Your Rating"], ["Name", "Year", "Rating"]];

/** A movie's title once the catalogue or an answer has named it (its id before). */
export const titleOf = (state, movieId) => state.catalog?.byId.get(movieId)
  ?? state.titles.get(movieId) ?? `movie ${movieId}`;

const button = (className, words, label) => {
  const made = Object.assign(document.createElement("button"), { type: "button", className, textContent: words });
  if (label) made.setAttribute("aria-label", label);
  return made;
};

/**
 * Wire the panel's controls. ``ask()`` sends the changed state to the recommender; ``recommender``
 * reads exports. Returns render() (the list of ratings, from ``state``), pick(movieId) (a movie
 * picked in the search: its stars, empty, take the focus) and rate(movieId, value).
 */
export function ratingsPanel({ state, config, ask, recommender }) {
  const save = () => saveRatings(config.root, state.ratings, state.olderRatings);
  const report = (text) => { $("import-status").textContent = text; };
  const high = config.ratingChoices.at(-1);
  let pending = null; // the movie picked in the search, until another is

  function rate(movieId, value) {
    setRating(state.ratings, movieId, value);
    save();
    ask();
  }

  function ratingItem(movieId, rating) {
    const title = titleOf(state, movieId);
    const { name } = titleParts(title);
    const li = document.createElement("li");
    li.dataset.movieId = String(movieId);
    li.dataset.rating = String(rating);
    const label = Object.assign(document.createElement("span"), { className: "rated-title", textContent: name });
    const shown = starsShown(rating, high);
    const change = button("btn quiet small", "Change", `Change your rating of ${name}`);
    const remove = button("btn quiet small icon-only", "×", `Remove ${name}`);
    change.addEventListener("click", () => {
      const stars = starControl({
        choices: config.ratingChoices,
        value: rating,
        label: `Your rating of ${name}`,
        onChange: (value) => {
          state.ratings.set(movieId, value); // re-rated, not a newer rating
          save();
          ask();
        },
      });
      shown.replaceWith(stars);
      stars.focusStars(); // first: hiding the focused button would blur it, and close the stars
      change.hidden = true;
    });
    remove.addEventListener("click", () => {
      state.ratings.delete(movieId);
      save();
      ask();
    });
    // leaving the control puts the stars shown back, with the value chosen
    li.addEventListener("focusout", (event) => {
      if (li.isConnected && !li.contains(event.relatedTarget) && li.querySelector("[role=radiogroup]")
          && state.ratings.has(movieId)) {
        li.replaceWith(ratingItem(movieId, state.ratings.get(movieId)));
      }
    });
    li.append(label, shown, change, remove);
    return li;
  }

  function render() {
    // a rating being changed keeps its control (and the focus) until the list is redrawn
    // for another reason: a change only redraws the value it changed
    const editing = $("my-ratings").querySelector("[role=radiogroup]")?.closest("li");
    const entries = [...state.ratings].reverse(); // the latest first: the one just rated on top
    const keep = editing && state.ratings.has(Number(editing.dataset.movieId));
    $("my-ratings").replaceChildren(...entries.map(([movieId, rating]) =>
      (keep && Number(editing.dataset.movieId) === movieId ? editing : ratingItem(movieId, rating))));
    const count = state.ratings.size;
    $("ratings-count").textContent = count ? `(${count})` : "";
    $("ratings-empty").hidden = count > 0;
    for (const id of ["clear-ratings", "export-ratings", "share-ratings"]) $(id).disabled = count === 0;
    if (pending !== null) $("pending-title").textContent = titleParts(titleOf(state, pending)).name;
  }

  /** A movie picked in the search: a star control of its own, empty, takes the focus. */
  function pick(movieId) {
    pending = movieId;
    const { name } = titleParts(titleOf(state, movieId));
    const stars = starControl({
      choices: config.ratingChoices,
      value: state.ratings.get(movieId) ?? null,
      label: `Your rating of ${name}`,
      onChange: (value) => {
        rate(movieId, value);
        $("pending-note").textContent = "Rated: your picks follow. Search another to rate it.";
      },
    });
    $("pending-stars").replaceChildren(stars);
    $("pending-title").textContent = name;
    $("pending-note").textContent = state.ratings.has(movieId)
      ? "You rated it before: choose again to change it." : "How many stars?";
    $("rate-pending").hidden = false;
    stars.focusStars();
  }

  /** Add ``pairs`` [[movieId, rating]] (each the latest) and hidden picks; ask again if any. */
  function add(pairs, hidden = []) {
    for (const [movieId, rating] of pairs) setRating(state.ratings, movieId, rating);
    save();
    const more = hidden.filter((movieId) => !state.hidden.includes(movieId));
    state.hidden.push(...more);
    saveIds(config.root, "hidden", state.hidden);
    if (pairs.length || more.length) ask();
  }

  /** A movieId,rating file is read here at once; an export goes to the recommender. A bad
   * file changes nothing and says why. */
  async function load(file) {
    const text = await file.text();
    const parsed = parseRatingsCsv(text, config.ratingScale);
    if (parsed.error && EXPORTS.some((columns) => columns.every((c) => parsed.header?.includes(c)))) {
      report(`Reading ${file.name}${state.ready ? "" : " once the recommender is ready"}…`);
      loadExport(file.name, text);
    } else if (parsed.error) {
      report(`${file.name} was not loaded (nothing changed): ${parsed.error} (or an IMDb or `
        + "Letterboxd ratings export).");
    } else {
      const onSite = ([movieId]) => !state.catalog || state.catalog.byId.has(movieId);
      const known = parsed.pairs.filter(onSite);
      const unknown = parsed.pairs.filter((pair) => !onSite(pair)).map(([movieId]) => movieId);
      const hidden = parsed.hidden.length ? ` and ${parsed.hidden.length} hidden pick(s)` : "";
      report(`${file.name}: ${known.length} of ${parsed.pairs.length} ratings${hidden} loaded.`
        + (unknown.length ? ` Not on this site: ${config.noun} ids ${unknown.slice(0, 20).join(", ")}`
          + `${unknown.length > 20 ? ", …" : ""}.` : ""));
      add(known, parsed.hidden);
    }
  }

  /** The recommender's reading of an export: its matched ratings join the visitor's. */
  async function loadExport(name, text) {
    let result;
    try {
      ({ result } = await recommender.importRatings(text));
    } catch (error) {
      const reason = error instanceof WorkerStopped ? "the recommender is unavailable" : error.message;
      report(`${name} was not loaded (nothing changed): ${reason}.`);
      return;
    }
    const rows = result.ratings.length + result.unmatched.length;
    const missed = result.unmatched;
    report(`${name} (${result.format}): ${result.ratings.length} of ${rows} rows matched `
      + `and loaded.${missed.length ? ` Not matched: ${missed.slice(0, 20).join("; ")}`
        + `${missed.length > 20 ? "; …" : ""}.` : ""}`);
    add(result.ratings);
  }

  $("clear-ratings").addEventListener("click", () => {
    state.ratings = new Map();
    state.olderRatings = [];
    clearRatings(config.root);
    $("rate-pending").hidden = true;
    pending = null;
    ask();
  });
  $("export-ratings").addEventListener("click", () => {
    download("my-ratings.csv", ratingsCsv(state.ratings, state.hidden));
  });
  $("import-ratings").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) load(file);
    event.target.value = "";
  });
  for (const zone of [$("visitor"), $("ratings-box")]) {
    zone.addEventListener("dragover", (event) => event.preventDefault());
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      const [file] = event.dataTransfer.files;
      if (file) load(file);
    });
  }
  return { render, pick, rate };
}
