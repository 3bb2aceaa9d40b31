// The annotation panel as a bottom sheet on tablets and phones (sheetScroll in
// static/js/lesson/panel.js): how far the page scrolls so the words stay in view above it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { sheetScroll } from "../../static/js/lesson/panel.js";

describe("keeping the words in view above the bottom sheet", () => {
  // a phone's window: a 50 px bar at the top, the sheet's top at 300 px
  const sheetTop = 300;
  const bar = 50;

  test("words already between the bar and the sheet stay where they are", () => {
    assert.equal(sheetScroll({ top: 100, bottom: 130 }, sheetTop, bar), 0);
  });

  test("words under the sheet come up to just above it", () => {
    assert.equal(sheetScroll({ top: 500, bottom: 530 }, sheetTop, bar), 530 - (300 - 12));
  });

  test("words under the bar come down to just below it", () => {
    assert.equal(sheetScroll({ top: 20, bottom: 50 }, sheetTop, bar), 20 - (50 + 12));
    assert.equal(sheetScroll({ top: -400, bottom: -370 }, sheetTop, bar), -400 - 62);
  });

  test("words taller than the space show from their first line", () => {
    assert.equal(sheetScroll({ top: 400, bottom: 800 }, sheetTop, bar), 400 - 62);
    assert.equal(sheetScroll({ top: 0, bottom: 800 }, sheetTop, bar), -62);
  });

  test("without a bar, the window's top edge is the limit", () => {
    assert.equal(sheetScroll({ top: 5, bottom: 25 }, 700), 5 - 12);
    assert.equal(sheetScroll({ top: 690, bottom: 710 }, 700, 0, 0), 10);
  });
});
