// The watchlist: movies saved for later, kept in this browser (beside the ratings, by
// ratings.js), and its two exports: a plain CSV, and a file Letterboxd's importer reads.
import { titleParts } from "./titles.js";

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv = (rows) => rows.map((row) => `${row.map(csvField).join(",")}\n`).join("");

/** A year or an IMDb id as the items table stores it, null when unknown (0, NaN or none). */
const known = (value) => (Number(value) > 0 ? Number(value) : null);

/** What the exports say of a movie: {movieId, title (as listed), year, imdbId}, from the
 * catalogue (search.js's catalogFromItems); a movie it lacks keeps its id only. */
export function watchlistEntries(ids, catalog) {
  return ids.map((movieId) => {
    const at = catalog?.at?.get(movieId);
    if (at === undefined) return { movieId, title: `movie ${movieId}`, year: null, imdbId: null };
    const title = catalog.titles[at];
    return {
      movieId,
      title,
      year: known(catalog.years?.[at]) ?? titleParts(title).year,
      imdbId: known(catalog.imdbIds?.[at]),
    };
  });
}

/** The watchlist as movieId,title,year,imdbId (the site's own ids first), in the order saved. */
export function watchlistCsv(entries) {
  return csv([["movieId", "title", "year", "imdbId"],
    ...entries.map((e) => [e.movieId, e.title, e.year, e.imdbId ? imdbTag(e.imdbId) : ""])]);
}

const imdbTag = (imdbId) => `tt${String(imdbId).padStart(7, "0")}`;

/**
 * The watchlist as Letterboxd imports it. Letterboxd's importer
 * (https://letterboxd.com/about/importing-data/) reads a CSV whose header names its columns:
 * LetterboxdURI, tmdbID, imdbID, Title, Year, Directors, Rating, Rating10, WatchedDate,
 * Rewatch, Tags, Review; a film is matched by its id when one is given (imdbID as "tt0133093"),
 * otherwise by Title and Year. A watchlist needs no more than those three: the title as people
 * say it ("The Matrix", not MovieLens's "Matrix, The (1999)"), its year, and the IMDb id.
 */
export function letterboxdCsv(entries) {
  return csv([["Title", "Year", "imdbID"], ...entries.map((e) => {
    const { name, year } = titleParts(e.title);
    return [name, e.year ?? year ?? "", e.imdbId ? imdbTag(e.imdbId) : ""];
  })]);
}

/** Offer ``text`` as a download named ``name`` (a CSV). */
export function download(name, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
