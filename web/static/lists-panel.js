// For you's lists beside the ratings: the watchlist (picks saved for later, kept in this
// browser, exported as a CSV or as a file Letterboxd imports), the hidden picks (stored with
// the ratings; each can come back), and sharing: a link that carries the visitor's ratings
// (share.js), and the banner a friend's link opens with ("watch together").
import { titleLink } from "./picks.js";
import { saveIds } from "./ratings.js";
import { titleOf } from "./ratings-panel.js";
import { MAX_SHARED, shareUrl } from "./share.js";
import { titleParts } from "./titles.js";
import { download, letterboxdCsv, watchlistCsv, watchlistEntries } from "./watchlist.js";

const $ = (id) => document.getElementById(id);

function removeButton(label, onClick) {
  const remove = Object.assign(document.createElement("button"),
    { type: "button", className: "btn quiet small icon-only", textContent: "×" });
  remove.setAttribute("aria-label", label);
  remove.addEventListener("click", onClick);
  return remove;
}

/** Wire the lists; ``ask()`` asks again (a hidden pick leaves the answer, a view changes it).
 * Returns render(), and the picks' actions: saved(movieId), save(movieId), hide(movieId). */
export function listsPanel({ state, config, ask }) {
  const keep = (name) => saveIds(config.root, name, state[name]);

  function save(movieId) {
    const at = state.watchlist.indexOf(movieId);
    if (at >= 0) state.watchlist.splice(at, 1);
    else state.watchlist.push(movieId);
    keep("watchlist");
    render();
  }

  function hide(movieId) {
    if (!state.hidden.includes(movieId)) state.hidden.push(movieId);
    keep("hidden");
    const note = $("action-note");
    const undo = Object.assign(document.createElement("button"),
      { type: "button", className: "btn quiet small", textContent: "Undo" });
    undo.addEventListener("click", () => unhide(movieId));
    note.replaceChildren(`Hidden: ${titleParts(titleOf(state, movieId)).name}. `, undo);
    ask();
  }

  function unhide(movieId) {
    state.hidden = state.hidden.filter((id) => id !== movieId);
    keep("hidden");
    $("action-note").replaceChildren();
    ask();
  }

  function render() {
    const count = state.watchlist.length;
    $("watchlist-count").textContent = String(count);
    $("watchlist-empty").hidden = count > 0;
    for (const id of ["watchlist-csv", "watchlist-letterboxd"]) $(id).disabled = count === 0;
    $("watchlist-items").replaceChildren(...[...state.watchlist].reverse().map((movieId) => {
      const title = titleOf(state, movieId);
      const li = document.createElement("li");
      li.dataset.movieId = String(movieId);
      li.append(titleLink(config, movieId, title), removeButton(`Remove ${titleParts(title).name} from your watchlist`, () => {
        save(movieId);
        for (const pick of document.querySelectorAll(`#hybrid li[data-movie-id="${movieId}"] [data-action="save"]`)) {
          pick.setAttribute("aria-pressed", "false");
          pick.querySelector(".word").textContent = "Save";
        }
      }));
      return li;
    }));
    $("hidden-box").hidden = state.hidden.length === 0;
    $("hidden-count").textContent = `(${state.hidden.length})`;
    $("hidden-items").replaceChildren(...state.hidden.map((movieId) => {
      const title = titleOf(state, movieId);
      const li = document.createElement("li");
      li.dataset.movieId = String(movieId);
      const back = Object.assign(document.createElement("button"),
        { type: "button", className: "btn quiet small", textContent: "Show again" });
      back.append(Object.assign(document.createElement("span"),
        { className: "visually-hidden", textContent: `: ${titleParts(title).name}` }));
      back.addEventListener("click", () => unhide(movieId));
      li.append(titleLink(config, movieId, title), back);
      return li;
    }));
    renderBanner();
  }

  function renderBanner() {
    const banner = $("share-banner");
    banner.hidden = state.view === "own" || state.user !== null;
    if (banner.hidden) return;
    const theirs = state.shared.length;
    const mine = state.ratings.size;
    $("share-text").textContent = state.view === "shared"
      ? `A friend's list, from their ${theirs} rating${theirs === 1 ? "" : "s"}. `
        + "Watch together for picks you would both enjoy."
      : `Picks for both of you: your ${mine} rating${mine === 1 ? "" : "s"} and your friend's ${theirs}.`
        + (mine ? "" : ` Rate a few ${config.nouns} to add your taste.`);
    $("watch-together").hidden = state.view !== "shared";
  }

  $("watchlist-toggle").addEventListener("click", () => {
    const open = $("watchlist").hidden;
    $("watchlist").hidden = !open;
    $("watchlist-toggle").setAttribute("aria-expanded", String(open));
  });
  const entries = () => watchlistEntries(state.watchlist, state.catalog);
  $("watchlist-csv").addEventListener("click", () => download("watchlist.csv", watchlistCsv(entries())));
  $("watchlist-letterboxd").addEventListener("click", () =>
    download("watchlist-letterboxd.csv", letterboxdCsv(entries())));

  $("share-ratings").addEventListener("click", () => {
    $("share-link").value = shareUrl(location.href, [...state.ratings]);
    $("share-note").textContent = state.ratings.size > MAX_SHARED
      ? `The link carries your latest ${MAX_SHARED} ratings, in the link itself (after the #): `
        + "no server ever sees them." : "Your ratings travel in the link itself (after the #): no server ever sees them.";
    $("share-box").hidden = false;
    $("share-link").focus();
    $("share-link").select();
  });
  $("copy-share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("share-link").value);
      $("copy-share").textContent = "Copied";
    } catch {
      $("share-link").select(); // the browser refused: the link is selected, to copy by hand
    }
  });
  $("watch-together").addEventListener("click", () => {
    state.view = "together";
    ask();
    $("own-list").focus();
  });
  $("own-list").addEventListener("click", () => {
    state.view = "own";
    ask();
  });
  return { render, actions: { save, hide }, saved: (movieId) => state.watchlist.includes(movieId) };
}
