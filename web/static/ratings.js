// A visitor's ratings, kept in localStorage under a key of this site's own path, so two
// staticrec sites on one origin (e.g. two GitHub Pages projects) do not share them.
// They are kept in the order given, oldest first: the recommender counts recent ratings more.
// Stored as [[movieId, rating], ...]: an object would sort its integer keys and lose the order.

function storageKey(root) {
  return `staticrec:${new URL(root).pathname}:ratings`;
}

/** Map movieId -> rating, oldest first; anything unreadable counts as no ratings. */
export function loadRatings(root) {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(storageKey(root)) || "[]");
  } catch {
    return new Map();
  }
  // an earlier version stored {movieId: rating}
  const pairs = Array.isArray(stored) ? stored : Object.entries(stored ?? {});
  const ratings = new Map();
  for (const pair of pairs) {
    const [movieId, rating] = Array.isArray(pair) ? pair.map(Number) : [NaN, NaN];
    if (Number.isSafeInteger(movieId) && movieId > 0 && Number.isFinite(rating)) {
      ratings.delete(movieId);
      ratings.set(movieId, rating);
    }
  }
  return ratings;
}

export function saveRatings(root, ratings) {
  localStorage.setItem(storageKey(root), JSON.stringify([...ratings]));
}

/** Rate (or re-rate) a movie: it becomes the latest rating. */
export function setRating(ratings, movieId, rating) {
  ratings.delete(movieId);
  ratings.set(movieId, rating);
}

export function clearRatings(root) {
  localStorage.removeItem(storageKey(root));
}
