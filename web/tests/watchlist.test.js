// watchlist.js's exports: a plain CSV, and Letterboxd's import format (Title, Year, imdbID),
// with titles as people say them and every field quoted when it must be.
import assert from "node:assert/strict";
import { test } from "node:test";

import { csvField, letterboxdCsv, watchlistCsv, watchlistEntries } from "../static/watchlist.js";
import { titleParts } from "../static/titles.js";

const CATALOG = {
  titles: ["Matrix, The (1999)", "Heat (1995)", 'Say "Cheese", Please (2001)', "Untitled"],
  years: new Float64Array([1999, 1995, NaN, 0]), // as the items table stores them: 0 or NaN unknown
  imdbIds: new Int32Array([133093, 113277, 0, 0]),
  at: new Map([[2571, 0], [6, 1], [9, 2], [10, 3]]),
};

test("titles as people say them, without the year", () => {
  assert.deepEqual(titleParts("Matrix, The (1999)"), { name: "The Matrix", year: 1999 });
  assert.deepEqual(titleParts("Heat (1995)"), { name: "Heat", year: 1995 });
  assert.deepEqual(titleParts("Untitled"), { name: "Untitled", year: null });
});

test("a field is quoted when it holds a comma, a quote or a line break", () => {
  assert.equal(csvField("Heat"), "Heat");
  assert.equal(csvField("Matrix, The"), '"Matrix, The"');
  assert.equal(csvField('Say "Cheese"'), '"Say ""Cheese"""');
  assert.equal(csvField(null), "");
});

test("the entries name each movie from the catalogue; an unknown one keeps its id", () => {
  const entries = watchlistEntries([2571, 9, 42], CATALOG);
  assert.deepEqual(entries[0], { movieId: 2571, title: "Matrix, The (1999)", year: 1999, imdbId: 133093 });
  assert.equal(entries[1].year, 2001); // from the title when the table has none
  assert.deepEqual(entries[2], { movieId: 42, title: "movie 42", year: null, imdbId: null });
});

test("the plain CSV keeps the site's ids and titles as listed", () => {
  const entries = watchlistEntries([2571, 9], CATALOG);
  assert.equal(watchlistCsv(entries), "movieId,title,year,imdbId\n"
    + '2571,"Matrix, The (1999)",1999,tt0133093\n'
    + '9,"Say ""Cheese"", Please (2001)",2001,\n');
});

test("Letterboxd's file: Title as said, Year, and the IMDb id it matches on", () => {
  const entries = watchlistEntries([2571, 6, 9, 10], CATALOG);
  assert.equal(letterboxdCsv(entries), "Title,Year,imdbID\n"
    + "The Matrix,1999,tt0133093\n"
    + "Heat,1995,tt0113277\n"
    + '"Say ""Cheese"", Please",2001,\n'
    + "Untitled,,\n");
});
