// Keyboard selection mode's caret movement (moveCaret in static/js/lesson/keyboard.js): arrow
// keys word by word, Up/Down by paragraph, Home/End within one.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ArticleMap } from "../../static/js/lesson/article.js";
import { moveCaret } from "../../static/js/lesson/keyboard.js";
import { wordRanges } from "../../static/js/lesson/text.js";

/** An article of these blocks, without a page: only its text and block offsets are used. */
function article(blocks) {
  const map = new ArticleMap({ ownerDocument: null, querySelectorAll: () => [] }, blocks);
  const words = wordRanges(map.text);
  const at = (word) => words.findIndex(([s, e]) => map.text.slice(s, e) === word);
  const move = (key, from) => {
    const i = moveCaret(key, at(from), words, (offset) => map.blockIndexAt(offset));
    return i === null ? null : map.text.slice(...words[i]);
  };
  return { move };
}

// a headline, a paragraph, a block with no words at all, and a last paragraph
const { move } = article(["Big news today", "Ukraine has vented its anger", "— • —", "Peace talks stall"]);

describe("left and right: one word", () => {
  test("right moves to the next word, across paragraphs", () => {
    assert.equal(move("ArrowRight", "Big"), "news");
    assert.equal(move("ArrowRight", "today"), "Ukraine");
  });

  test("left moves to the word before", () => {
    assert.equal(move("ArrowLeft", "news"), "Big");
    assert.equal(move("ArrowLeft", "Ukraine"), "today");
  });

  test("the first and last words are the ends: no wrapping", () => {
    assert.equal(move("ArrowLeft", "Big"), "Big");
    assert.equal(move("ArrowRight", "stall"), "stall");
  });
});

describe("up and down: one paragraph", () => {
  test("down goes to the first word of the next paragraph with words", () => {
    assert.equal(move("ArrowDown", "news"), "Ukraine");
    assert.equal(move("ArrowDown", "its"), "Peace", "the block with no words is skipped");
  });

  test("down in the last paragraph goes to the last word", () => {
    assert.equal(move("ArrowDown", "Peace"), "stall");
  });

  test("up goes to the start of this paragraph, or of the one before when already there", () => {
    assert.equal(move("ArrowUp", "anger"), "Ukraine");
    assert.equal(move("ArrowUp", "Ukraine"), "Big");
    assert.equal(move("ArrowUp", "Big"), "Big");
  });

  test("up from just after a block with no words stays put (a known limit); left gets past it", () => {
    // the block before has no words: the first word at or after it is this paragraph's own
    assert.equal(move("ArrowUp", "Peace"), "Peace");
    assert.equal(move("ArrowLeft", "Peace"), "anger");
  });
});

describe("home and end: within the paragraph", () => {
  test("home goes to the paragraph's first word, end to its last", () => {
    assert.equal(move("Home", "its"), "Ukraine");
    assert.equal(move("End", "has"), "anger");
    assert.equal(move("End", "talks"), "stall");
  });
});

test("any other key doesn't move the caret", () => {
  for (const key of ["Enter", "a", "Tab", "PageDown"]) assert.equal(move(key, "news"), null);
});
