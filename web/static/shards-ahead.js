// The neighbour shards a request will read, as far as the page can tell before Python has
// started: its favourites' content rows and its rated movies' item-index rows. The decoder
// downloads them beside the model files, so that a first answer does not wait for them once
// Python is up. Only a guess ahead: the scoring core still names what an answer reads and
// lacks (staticrec.scoring.api.answer_json's "missing"), and the worker fetches it then.
// Pure functions of the manifest and the items table: unit-tested in web/tests.

/** The neighbour tables by what reads them, as staticrec.scoring.schema names them. */
export const CONTENT_TABLE = "content_neighbors";
export const COLLAB_TABLE = "collab_neighbors";

/**
 * Each movie's place in popularity order, as staticrec.scoring.content.popularity_order ranks
 * them (more ratings first, then the smaller movieId): a Map movieId -> place. The neighbour
 * shards of a table with ``shard_order: "popularity"`` hold consecutive places.
 */
export function popularityPlaces(items) {
  const ids = items.movieId;
  const counts = items.n_ratings;
  const order = Array.from(ids.keys()).sort((a, b) => (counts[b] - counts[a]) || (ids[a] - ids[b]));
  return new Map(order.map((position, place) => [Number(ids[position]), place]));
}

/** The movieIds a request's favourites and ratings name, by the table that reads their rows. */
function moviesRead(request) {
  if (request?.user !== undefined && request?.user !== null) return {}; // a known user's: in their shard
  const favorites = Array.isArray(request?.favorites) ? request.favorites : [];
  const ratings = Array.isArray(request?.ratings) ? request.ratings : [];
  return {
    [CONTENT_TABLE]: favorites,
    [COLLAB_TABLE]: ratings.map((pair) => (Array.isArray(pair) ? pair[0] : undefined)),
  };
}

/**
 * ``{table: [shard number, ...]}``: the shards of ``manifest``'s popularity-sharded tables
 * that hold the rows ``requests`` will read (none for a table the manifest does not shard, or
 * a movie the items table does not list).
 */
export function shardsAhead(manifest, items, requests) {
  const places = popularityPlaces(items);
  const wanted = {};
  for (const request of requests) {
    for (const [table, movies] of Object.entries(moviesRead(request))) {
      const schema = manifest.tables?.[table];
      if (schema?.shard_order !== "popularity" || !Array.isArray(schema.shards)) continue;
      for (const movieId of movies) {
        const place = places.get(Number(movieId));
        if (place === undefined) continue;
        const number = schema.shards.findIndex((shard) => shard.first <= place && place <= shard.last);
        if (number >= 0) (wanted[table] ??= new Set()).add(number);
      }
    }
  }
  return Object.fromEntries(Object.entries(wanted).map(([table, numbers]) => [table, [...numbers].sort((a, b) => a - b)]));
}
