// shards-ahead.js: the neighbour shards a request will read, found from the manifest and the
// items table in the scoring core's popularity order, before Python has started.
import assert from "node:assert/strict";
import { test } from "node:test";

import { COLLAB_TABLE, CONTENT_TABLE, popularityPlaces, shardsAhead } from "../static/shards-ahead.js";

// five movies: 30 has the most ratings; 10 and 20 tie (the smaller movieId first)
const ITEMS = { movieId: new Int32Array([10, 20, 30, 40, 50]), n_ratings: new Int32Array([5, 5, 9, 1, 0]) };
const sharded = (...bounds) => ({
  shard_key: "movieId",
  shard_order: "popularity",
  shards: bounds.map(([first, last], n) => ({ file: `t/${n}.parquet`, first, last })),
});
const MANIFEST = {
  tables: {
    [CONTENT_TABLE]: sharded([0, 1], [2, 3], [4, 4]),
    [COLLAB_TABLE]: sharded([0, 2], [3, 4]),
    items: { file: "items.parquet" },
  },
};

test("places follow the scoring core's popularity order: more ratings, then smaller movieId", () => {
  assert.deepEqual([...popularityPlaces(ITEMS)], [[30, 0], [10, 1], [20, 2], [40, 3], [50, 4]]);
});

test("a favourite's content shard, and a rated movie's item-index shard", () => {
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, [{ ratings: [], favorites: [20] }]), { [CONTENT_TABLE]: [1] });
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, [{ ratings: [[50, 4], [30, 5]], favorites: [] }]),
    { [COLLAB_TABLE]: [0, 1] });
});

test("each shard once, across favourites and requests", () => {
  const requests = [{ ratings: [], favorites: [30, 10] }, { ratings: [], favorites: [10, 50] }];
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, requests), { [CONTENT_TABLE]: [0, 2] });
});

test("nothing for a known user, an unknown movie, or tables not sharded by popularity", () => {
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, [{ user: 105, favorites: [30] }]), {});
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, [{ ratings: [], favorites: [99] }]), {});
  const whole = { tables: { [CONTENT_TABLE]: { file: "content_neighbors.parquet" } } };
  assert.deepEqual(shardsAhead(whole, ITEMS, [{ ratings: [], favorites: [30] }]), {});
  assert.deepEqual(shardsAhead(MANIFEST, ITEMS, []), {});
});
