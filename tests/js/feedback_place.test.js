// Where released feedback's popover opens (static/js/feedback/place.js).

import assert from "node:assert/strict";
import { test } from "node:test";

import { place, SHEET_BELOW } from "../../static/js/feedback/place.js";

const pop = { width: 400, height: 200 };
const scroll = { x: 0, y: 1000 };

test("on a phone the popover is a sheet along the bottom", () => {
  const at = place({ mark: { top: 300, bottom: 320, left: 20 }, pop, view: { width: 390, height: 844 }, scroll });
  assert.deepEqual(at, { sheet: true });
  assert.ok(390 < SHEET_BELOW && 768 >= SHEET_BELOW); // a tablet gets the popover
});

test("with room below the mark it opens just below it, in page coordinates", () => {
  const at = place({ mark: { top: 300, bottom: 320, left: 100 }, pop, view: { width: 1366, height: 768 }, scroll });
  assert.deepEqual(at, { sheet: false, top: 1326, left: 100 });
});

test("near the bottom of the window it opens above the mark", () => {
  const at = place({ mark: { top: 700, bottom: 720, left: 100 }, pop, view: { width: 1366, height: 768 }, scroll });
  assert.deepEqual(at, { sheet: false, top: 1000 + 700 - 6 - 200, left: 100 });
});

test("it stays inside the window at the right edge", () => {
  const at = place({ mark: { top: 100, bottom: 120, left: 700 }, pop, view: { width: 768, height: 1024 }, scroll });
  assert.equal(at.left, 768 - 400 - 8);
});

test("with no room above or below it takes the larger side and never goes off the top", () => {
  const tall = { width: 400, height: 900 };
  const at = place({ mark: { top: 500, bottom: 520, left: 10 }, pop: tall, view: { width: 1366, height: 768 }, scroll });
  assert.deepEqual(at, { sheet: false, top: 1000 + 8, left: 10 });
});
