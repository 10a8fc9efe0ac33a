// stars.js's key logic: the arrow keys move one step and stop at the ends, Home and End jump,
// a digit goes to that many whole stars, Space and Enter choose the focused star; the shapes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keyTarget, parseChoices, starLabel, starShapes } from "../static/stars.js";

const HALVES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
const TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

test("the choices come ascending from the page's attribute", () => {
  assert.deepEqual(parseChoices("5 4.5 4 3.5 3 2.5 2 1.5 1 0.5"), HALVES);
  assert.deepEqual(parseChoices("1 2 x 3"), [1, 2, 3]);
  assert.deepEqual(parseChoices(undefined), []);
});

test("each star is named for a screen reader", () => {
  assert.equal(starLabel(4.5), "4.5 stars");
  assert.equal(starLabel(1), "1 star");
  assert.equal(starLabel(0.5), "0.5 stars");
});

test("the arrow keys move one step, and stop at the ends", () => {
  assert.equal(keyTarget("ArrowRight", 3, HALVES), 4);
  assert.equal(keyTarget("ArrowUp", 3, HALVES), 4);
  assert.equal(keyTarget("ArrowLeft", 3, HALVES), 2);
  assert.equal(keyTarget("ArrowDown", 3, HALVES), 2);
  assert.equal(keyTarget("ArrowRight", 9, HALVES), 9);
  assert.equal(keyTarget("ArrowLeft", 0, HALVES), 0);
});

test("Home and End jump to the ends; Space and Enter choose the focused star", () => {
  assert.equal(keyTarget("Home", 6, HALVES), 0);
  assert.equal(keyTarget("End", 2, HALVES), 9);
  assert.equal(keyTarget(" ", 0, HALVES), 0);
  assert.equal(keyTarget("Enter", 7, HALVES), 7);
});

test("a digit goes to that many whole stars, when the scale has them", () => {
  assert.equal(HALVES[keyTarget("4", 0, HALVES)], 4);
  assert.equal(keyTarget("7", 0, HALVES), null);
  assert.equal(TEN[keyTarget("0", 0, TEN)], 10);
  assert.equal(keyTarget("0", 0, HALVES), null);
});

test("other keys are not the group's (Tab leaves it)", () => {
  for (const key of ["Tab", "a", "Escape", "PageDown"]) assert.equal(keyTarget(key, 2, HALVES), null);
});

test("half stars are two radios per star; other scales one per step", () => {
  assert.deepEqual(starShapes([0.5, 1, 1.5]), ["left", "right", "left"]);
  assert.deepEqual(starShapes(TEN.slice(0, 3)), ["whole", "whole", "whole"]);
  // a half-star scale from 1: the first star has no left half, so it is whole
  assert.deepEqual(starShapes([1, 1.5, 2]), ["whole", "left", "right"]);
  assert.deepEqual(starShapes([0, 1, 2]), ["zero", "whole", "whole"]);
});
