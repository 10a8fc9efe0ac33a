// What For you asks the recommender, and the address that asks it again. The query holds the
// view (?user=105&favorite=1&genre=Comedy&decade=1990&niche=2), so that a link reproduces it; a shared
// list's ratings ride in the fragment (#r=… or #together=…, share.js), which no server sees.
// Pure functions of the page's state: unit-tested in web/tests/request.test.js.
import { parseId } from "./ratings.js";
import { decodeRatings, fragmentFor, readFragment } from "./share.js";

const quoted = (text) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;

/**
 * The request for the page's state, as the scoring core reads it: a known user's, a friend's
 * shared list, or the visitor's own ratings (with a friend's beside them: ``together``); then
 * the picks hidden, the genre and the decade asked for, each only when there is one.
 */
export function requestFor(state) {
  let request;
  if (state.user !== null) request = { user: state.user, favorites: state.favorites };
  else if (state.view === "shared") request = { ratings: state.shared, favorites: [] };
  else request = { ratings: [...state.ratings], favorites: state.favorites };
  if (state.user === null && state.view === "together") request.together = state.shared;
  if (state.hidden.length) request.hidden = [...state.hidden];
  if (state.genre) request.genre = state.genre;
  if (state.decade !== null) request.decade = state.decade;
  if (state.niche) request.niche = state.niche;
  return request;
}

/**
 * What an address asks for: {user, favorites, genre, decade, niche, view, shared, code} and the
 * ``notes`` saying what could not be used (the rest is used). ``options``: the site's noun,
 * rating scale, the genres it lists and how many niche levels it has.
 */
export function readAddress(search, hash,
  { noun = "movie", ratingScale = [0.5, 5], genres = [], nicheLevels = 4 } = {}) {
  const params = new URLSearchParams(search);
  const notes = [];
  const read = { user: null, favorites: [], genre: null, decade: null, niche: 0, view: "own", shared: [], code: null, notes };
  const user = params.get("user");
  if (user !== null) {
    read.user = parseId(user);
    if (read.user === null) {
      notes.push(`The link's user ${quoted(user)} is not a userId (a whole number such as 105): `
        + "showing recommendations for a new visitor instead.");
    }
  }
  const favorites = params.getAll("favorite").flatMap((value) => value.split(","));
  const bad = favorites.filter((value) => parseId(value) === null);
  if (bad.length) {
    notes.push(`The link's favourite ${bad.map(quoted).join(", ")} is not a ${noun} id (a whole `
      + "number such as 1), and was left out.");
  }
  read.favorites = [...new Set(favorites.map(parseId).filter((id) => id !== null))];
  const genre = params.get("genre");
  if (genre !== null && genre !== "") {
    if (genres.includes(genre)) read.genre = genre;
    else notes.push(`The link's genre ${quoted(genre)} is not one this site lists: showing every genre.`);
  }
  const decade = params.get("decade");
  if (decade !== null && decade !== "") {
    if (/^\d{3}0$/.test(decade)) read.decade = Number(decade);
    else notes.push(`The link's decade ${quoted(decade)} is not a decade such as 1990: showing every decade.`);
  }
  const niche = params.get("niche");
  if (niche !== null && niche !== "") {
    if (/^\d$/.test(niche) && Number(niche) < nicheLevels) read.niche = Number(niche);
    else notes.push(`The link's niche ${quoted(niche)} is not a level from 0 to ${nicheLevels - 1}: showing the list as ranked.`);
  }
  const fragment = readFragment(hash);
  if (fragment) {
    const pairs = decodeRatings(fragment.code, ratingScale);
    if (pairs === null) {
      notes.push("This shared link's ratings could not be read (cut short when copied?): "
        + "showing your own list.");
    } else {
      Object.assign(read, { view: fragment.view, shared: pairs, code: fragment.code, user: null });
    }
  }
  return read;
}

/** The page's address (query and fragment, relative to its path) for the state. */
export function addressFor(state) {
  const query = new URLSearchParams();
  if (state.user !== null) query.set("user", String(state.user));
  if (state.favorites.length) query.set("favorite", state.favorites.join(","));
  if (state.genre) query.set("genre", state.genre);
  if (state.decade !== null) query.set("decade", String(state.decade));
  if (state.niche) query.set("niche", String(state.niche));
  const search = query.toString();
  const fragment = state.user === null ? fragmentFor(state.view, state.code) : "";
  return `${search ? `?${search}` : ""}${fragment}`;
}
