// share.js: a visitor's ratings in a link's fragment, compact, and read back exactly; a link
// damaged in copying is refused, not half-read.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_SHARED, decodeRatings, encodeRatings, fragmentFor, readFragment, shareUrl } from "../static/share.js";

const FIVE = [[6, 5], [16, 4.5], [111, 5], [1213, 5], [858, 4]];

test("ratings go into a link and come back in their order", () => {
  const code = encodeRatings(FIVE);
  assert.match(code, /^[A-Za-z0-9_-]+$/); // base64url: nothing to escape in a URL
  assert.deepEqual(decodeRatings(code), FIVE);
  assert.ok(code.length <= 24, `five ratings in ${code.length} characters`);
});

test("large ids, half stars and other scales survive", () => {
  const pairs = [[2 ** 31 - 1, 0.5], [1, 10], [193609, 7], [128, 1], [127, 2.5]];
  assert.deepEqual(decodeRatings(encodeRatings(pairs), [0.5, 10]), pairs);
});

test("a link carries the latest ratings only, up to its limit", () => {
  const many = Array.from({ length: MAX_SHARED + 10 }, (_, i) => [i + 1, 4]);
  const back = decodeRatings(encodeRatings(many));
  assert.equal(back.length, MAX_SHARED);
  assert.deepEqual(back[0], [11, 4]);
});

test("no ratings is a link too", () => {
  assert.deepEqual(decodeRatings(encodeRatings([])), []);
});

test("a damaged link is refused, not half-read", () => {
  const code = encodeRatings(FIVE);
  assert.equal(decodeRatings(code.slice(0, -2)), null); // cut short
  assert.equal(decodeRatings("AA"), null); // another version
  assert.equal(decodeRatings("!!"), null); // not base64url
  assert.equal(decodeRatings(encodeRatings([[6, 5]]), [1, 4.5]), null); // off this scale
  assert.equal(decodeRatings(encodeRatings([[0, 5]])), null); // not a movieId
});

test("the fragment names the view, and the address keeps only the page", () => {
  assert.deepEqual(readFragment("#r=AQYK"), { view: "shared", code: "AQYK" });
  assert.deepEqual(readFragment("#together=AQYK"), { view: "together", code: "AQYK" });
  assert.equal(readFragment(""), null);
  assert.equal(readFragment("#something"), null);
  assert.equal(fragmentFor("together", "AQYK"), "#together=AQYK");
  assert.equal(fragmentFor("shared", "AQYK"), "#r=AQYK");
  assert.equal(fragmentFor("own", "AQYK"), "");
  const url = shareUrl("https://example.org/site/for-you/?user=3#r=x", [[6, 5]]);
  assert.equal(url, `https://example.org/site/for-you/#r=${encodeRatings([[6, 5]])}`);
});
