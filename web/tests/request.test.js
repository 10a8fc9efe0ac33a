// request.js: the request the page sends for its state, and the address that asks it again;
// ratings.js's CSV with the hidden picks, both ways.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseRatingsCsv, ratingsCsv } from "../static/ratings.js";
import { addressFor, readAddress, requestFor } from "../static/request.js";
import { encodeRatings } from "../static/share.js";

const base = {
  user: null, favorites: [], ratings: new Map([[6, 5], [16, 4.5]]), hidden: [], genre: null,
  decade: null, niche: 0, view: "own", shared: [], code: null,
};

test("a visitor's request: the ratings, and only the filters set", () => {
  assert.deepEqual(requestFor(base), { ratings: [[6, 5], [16, 4.5]], favorites: [] });
  assert.deepEqual(requestFor({ ...base, hidden: [2], genre: "Comedy", decade: 1990, niche: 2 }),
    { ratings: [[6, 5], [16, 4.5]], favorites: [], hidden: [2], genre: "Comedy", decade: 1990, niche: 2 });
});

test("a known user's request has no ratings; a shared list's is the friend's", () => {
  assert.deepEqual(requestFor({ ...base, user: 105, favorites: [1] }), { user: 105, favorites: [1] });
  const shared = [[1, 4]];
  assert.deepEqual(requestFor({ ...base, view: "shared", shared }), { ratings: shared, favorites: [] });
  assert.deepEqual(requestFor({ ...base, view: "together", shared }),
    { ratings: [[6, 5], [16, 4.5]], favorites: [], together: shared });
});

test("the address holds the view, and reads back as the same state", () => {
  const code = encodeRatings([[1, 4]]);
  const state = { ...base, favorites: [1], genre: "Film-Noir", decade: 1940, niche: 3, view: "together", code };
  const address = addressFor(state);
  assert.equal(address, `?favorite=1&genre=Film-Noir&decade=1940&niche=3#together=${code}`);
  const [search, hash] = [address.split("#")[0], `#${address.split("#")[1]}`];
  const read = readAddress(search, hash, { genres: ["Film-Noir"] });
  assert.deepEqual(read, { user: null, favorites: [1], genre: "Film-Noir", decade: 1940, niche: 3,
    view: "together", shared: [[1, 4]], code, notes: [] });
  assert.equal(addressFor(base), "");
  assert.equal(addressFor({ ...base, user: 105, view: "shared", code }), "?user=105");
});

test("what an address asks and this site cannot give is named, and the rest used", () => {
  const read = readAddress("?user=abc&genre=Nope&decade=19x0&niche=4&favorite=1,x", "#r=AA", { genres: ["Comedy"] });
  assert.equal(read.user, null);
  assert.deepEqual(read.favorites, [1]);
  assert.equal(read.genre, null);
  assert.equal(read.decade, null);
  assert.equal(read.view, "own");
  assert.equal(read.niche, 0);
  assert.equal(read.notes.length, 6);
  assert.match(read.notes.join(" "), /niche "4" is not a level from 0 to 3/);
  assert.match(read.notes.join(" "), /genre "Nope" is not one this site lists/);
  assert.match(read.notes.join(" "), /shared link's ratings could not be read/);
});

test("the ratings CSV carries the hidden picks, and reads them back", () => {
  const ratings = new Map([[6, 5], [16, 4.5]]);
  assert.equal(ratingsCsv(ratings), "movieId,rating\n6,5\n16,4.5\n");
  const text = ratingsCsv(ratings, [2, 3]);
  assert.equal(text, "movieId,rating,hidden\n6,5,\n16,4.5,\n2,,1\n3,,1\n");
  assert.deepEqual(parseRatingsCsv(text), { pairs: [[6, 5], [16, 4.5]], hidden: [2, 3] });
  assert.match(parseRatingsCsv("movieId,rating,hidden\n6,,\n").error, /line 2: "" is not a rating/);
});
