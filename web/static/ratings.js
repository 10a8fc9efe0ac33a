// A visitor's ratings, kept in localStorage under a key of this site's own path, so two
// staticrec sites on one origin (e.g. two GitHub Pages projects) do not share them.
// They are kept in the order given, oldest first: the recommender counts recent ratings more.
// Stored as [[movieId, rating], ...]: an object would sort its integer keys and lose the order.
// What is stored is checked where it enters: unreadable storage is set aside, never
// overwritten; entries that are not a movieId with a rating on the scale are skipped, with a
// note; beyond MAX_RATINGS, the latest are used and the older ones kept as they were.

/** Ratings used at most (the latest): more would only slow every answer down. */
export const MAX_RATINGS = 5000;

const MAX_ID = 2 ** 31 - 1;

function storageKey(root, name = "ratings") {
  return `staticrec:${new URL(root).pathname}:${name}`;
}

/** A movieId: a whole number from 1 to 2^31-1 (the build's rule), or null. */
export function parseId(text) {
  const value = Number(String(text ?? "").trim());
  return Number.isSafeInteger(value) && value >= 1 && value <= MAX_ID ? value : null;
}

/**
 * The stored ratings as {ratings: Map movieId -> rating (oldest first), older: pairs beyond
 * MAX_RATINGS (kept, written back as they were), notes: what was skipped or set aside}.
 */
export function loadRatings(root, [low, high] = [0.5, 5]) {
  const key = storageKey(root);
  const text = localStorage.getItem(key);
  const empty = { ratings: new Map(), older: [], notes: [] };
  if (text === null) return empty;
  let stored;
  try {
    stored = JSON.parse(text);
  } catch {
    stored = undefined;
  }
  if (!Array.isArray(stored) && (stored === null || typeof stored !== "object")) {
    localStorage.setItem(`${key}:unreadable`, text);
    localStorage.removeItem(key);
    empty.notes.push("Your stored ratings could not be read; they were set aside in this "
      + `browser's storage under "${key}:unreadable", and you start with none.`);
    return empty;
  }
  // an earlier version stored {movieId: rating}
  const pairs = Array.isArray(stored) ? stored : Object.entries(stored);
  const ratings = new Map();
  const skipped = [];
  for (const pair of pairs) {
    const [movieId, rating] = Array.isArray(pair) && pair.length === 2
      ? [parseId(pair[0]), Number(pair[1])] : [null, NaN];
    if (movieId !== null && rating >= low && rating <= high) {
      ratings.delete(movieId);
      ratings.set(movieId, rating);
    } else {
      skipped.push(pair);
    }
  }
  const notes = [];
  if (skipped.length) {
    const example = JSON.stringify(skipped[0]).slice(0, 60);
    notes.push(`Skipped ${skipped.length.toLocaleString("en")} stored rating(s) that are not a `
      + `movieId with a rating from ${low} to ${high} (such as ${example}); they are dropped the `
      + "next time you change your ratings.");
  }
  const entries = [...ratings];
  const older = entries.slice(0, Math.max(0, entries.length - MAX_RATINGS));
  if (older.length) {
    notes.push(`You have ${entries.length.toLocaleString("en")} stored ratings: the latest `
      + `${MAX_RATINGS.toLocaleString("en")} are used; the older ones are kept as they were.`);
  }
  return { ratings: new Map(entries.slice(older.length)), older, notes };
}

/** Store the ratings after ``older`` (the stored ones beyond the limit, unchanged). */
export function saveRatings(root, ratings, older = []) {
  const used = new Set(ratings.keys());
  const kept = older.filter(([movieId]) => !used.has(movieId));
  localStorage.setItem(storageKey(root), JSON.stringify([...kept, ...ratings]));
}

/** Rate (or re-rate) a movie: it becomes the latest rating. */
export function setRating(ratings, movieId, rating) {
  ratings.delete(movieId);
  ratings.set(movieId, rating);
}

export function clearRatings(root) {
  localStorage.removeItem(storageKey(root));
}

/**
 * A list of movieIds kept beside the ratings under ``name`` ("hidden": the picks the visitor
 * is not interested in; "watchlist"), in the order added; what is not a movieId is dropped.
 */
export function loadIds(root, name) {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(storageKey(root, name)) ?? "[]");
  } catch {
    stored = [];
  }
  return Array.isArray(stored) ? [...new Set(stored.map(parseId).filter((id) => id !== null))] : [];
}

export function saveIds(root, name, ids) {
  if (ids.length) localStorage.setItem(storageKey(root, name), JSON.stringify([...ids]));
  else localStorage.removeItem(storageKey(root, name));
}

/**
 * The ratings as a movieId,rating CSV (oldest first), to take to another browser; with the
 * hidden picks, when there are any, as rows of their own marked in a third column.
 */
export function ratingsCsv(ratings, hidden = []) {
  const rows = [...ratings].map(([movieId, rating]) => (hidden.length ? `${movieId},${rating},\n` : `${movieId},${rating}\n`));
  if (!hidden.length) return `movieId,rating\n${rows.join("")}`;
  return `movieId,rating,hidden\n${rows.join("")}${hidden.map((movieId) => `${movieId},,1\n`).join("")}`;
}

/**
 * A movieId,rating CSV (as ratingsCsv writes it; other columns ignored) as {pairs: [[movieId,
 * rating]] in file order, hidden: [movieId] (rows marked 1 in a ``hidden`` column, rating
 * empty)}; or ``{error}`` naming the first bad line, and then nothing is to be imported (with
 * the ``header`` read, when it lacks those columns: the file may be an export).
 */
export function parseRatingsCsv(text, [low, high] = [0.5, 5]) {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0].split(",").map((name) => name.trim());
  const [idAt, ratingAt, hiddenAt] = ["movieId", "rating", "hidden"].map((name) => header.indexOf(name));
  if (idAt < 0 || ratingAt < 0) {
    return { header, error: `line 1: the header needs the columns movieId and rating, not "${lines[0].slice(0, 60)}"` };
  }
  const pairs = [];
  const hidden = [];
  for (let i = 1; i < lines.length; i += 1) {
    if (!lines[i].trim()) continue;
    const fields = lines[i].split(",");
    const movieId = parseId(fields[idAt]);
    if (movieId === null) return { error: `line ${i + 1}: "${fields[idAt] ?? ""}" is not a movieId` };
    if (hiddenAt >= 0 && fields[hiddenAt]?.trim() === "1" && !fields[ratingAt]?.trim()) {
      hidden.push(movieId);
      continue;
    }
    const rating = Number(fields[ratingAt]);
    if (!(rating >= low && rating <= high)) {
      return { error: `line ${i + 1}: "${fields[ratingAt] ?? ""}" is not a rating from ${low} to ${high}` };
    }
    pairs.push([movieId, rating]);
  }
  return { pairs, hidden };
}
