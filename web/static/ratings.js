// A visitor's ratings, kept in localStorage under a key of this site's own path, so two
// staticrec sites on one origin (e.g. two GitHub Pages projects) do not share them.

function storageKey(root) {
  return `staticrec:${new URL(root).pathname}:ratings`;
}

/** {movieId: rating} from storage; anything unreadable counts as no ratings. */
export function loadRatings(root) {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey(root)) || "{}");
    const ratings = {};
    for (const [movieId, rating] of Object.entries(stored)) {
      if (Number.isInteger(Number(movieId)) && Number.isFinite(rating)) ratings[movieId] = rating;
    }
    return ratings;
  } catch {
    return {};
  }
}

export function saveRatings(root, ratings) {
  localStorage.setItem(storageKey(root), JSON.stringify(ratings));
}

export function clearRatings(root) {
  localStorage.removeItem(storageKey(root));
}
