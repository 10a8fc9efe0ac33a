// The visitor's ratings on For you: the list (each rating changed or removed where it is
// listed), clearing them, and moving them between browsers as a movieId,rating CSV, out and in
// (an IMDb or Letterboxd export is read by the recommender, with the scoring core's reader).
// Every change is stored at once (ratings.js) and asked for again.
import { clearRatings, parseRatingsCsv, ratingsCsv, saveRatings, setRating } from "./ratings.js";
import { WorkerStopped } from "./worker-client.js";

const $ = (id) => document.getElementById(id);

/** The headers of the exports the recommender reads: IMDb's, Letterboxd's. */
const EXPORTS = [["Const", "Your Rating"], ["Name", "Year", "Rating"]];

/** A movie's title once the catalogue is here (its id before). */
export const titleOf = (state, movieId) => state.catalog?.byId.get(movieId) ?? `movie ${movieId}`;

/**
 * Wire the panel's controls. ``ask()`` sends the changed state to the recommender; ``recommender``
 * reads exports. Returns render() (the list of ratings, from ``state``) and rate(movieId) (a
 * movie picked in the search, at the rating chosen beside it).
 */
export function ratingsPanel({ state, config, ask, recommender }) {
  const save = () => saveRatings(config.root, state.ratings, state.olderRatings);
  const report = (text) => { $("import-status").textContent = text; };
  const focusRating = (movieId) => $("my-ratings").querySelector(`li[data-movie-id="${movieId}"] select`)?.focus();

  function ratingItem(movieId, rating) {
    const title = titleOf(state, Number(movieId));
    const li = document.createElement("li");
    li.dataset.movieId = movieId;
    // each rating can be changed where it is listed: a keyboard user picks the movie, then
    // its rating (focus lands here after a pick)
    const change = $("rate-value").cloneNode(true);
    change.removeAttribute("id");
    change.value = String(rating);
    change.setAttribute("aria-label", `your rating of ${title}`);
    change.addEventListener("change", () => {
      state.ratings.set(movieId, Number(change.value)); // re-rated, not a newer rating
      save();
      ask();
      focusRating(movieId);
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.setAttribute("aria-label", `remove ${title}`);
    remove.addEventListener("click", () => {
      state.ratings.delete(movieId);
      save();
      ask();
    });
    li.append(`${title}: `, change, " ", remove);
    return li;
  }

  function render() {
    $("my-ratings").replaceChildren(...[...state.ratings].map(([movieId, rating]) => ratingItem(movieId, rating)));
    $("clear-ratings").disabled = state.ratings.size === 0;
    $("export-ratings").disabled = state.ratings.size === 0;
  }

  function rate(movieId) {
    setRating(state.ratings, movieId, Number($("rate-value").value));
    save();
    ask();
    focusRating(movieId); // then its rating, where it is listed: the keyboard's way to choose it
  }

  /** Add ``pairs`` [[movieId, rating]] (each the latest); ask again if any was added. */
  function add(pairs) {
    for (const [movieId, rating] of pairs) setRating(state.ratings, movieId, rating);
    save();
    if (pairs.length) ask();
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
      report(`${file.name}: ${known.length} of ${parsed.pairs.length} ratings loaded.`
        + (unknown.length ? ` Not on this site: ${config.noun} ids ${unknown.slice(0, 20).join(", ")}`
          + `${unknown.length > 20 ? ", …" : ""}.` : ""));
      add(known);
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
    ask();
  });
  $("export-ratings").addEventListener("click", () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([ratingsCsv(state.ratings)], { type: "text/csv" }));
    link.download = "my-ratings.csv";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
  $("import-ratings").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) load(file);
    event.target.value = "";
  });
  $("visitor").addEventListener("dragover", (event) => event.preventDefault());
  $("visitor").addEventListener("drop", (event) => {
    event.preventDefault();
    const [file] = event.dataTransfer.files;
    if (file) load(file);
  });
  return { render, rate };
}
