// Text positions (static/js/lesson/text.js): UTF-16 in the page, code points on the wire, and
// word snapping as the server does it (the shared table in tests/data/snapping_cases.json).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  cpToU16, isWordChar, snapToWords, targetFor, u16ToCp, wordRanges, wordsAround,
} from "../../static/js/lesson/text.js";

const EMOJI = "\u{1F600}"; // 😀: one code point, two UTF-16 units
const TABLE = JSON.parse(readFileSync(new URL("../data/snapping_cases.json", import.meta.url), "utf8"));

describe("code points <-> UTF-16", () => {
  test("an emoji is one code point and two UTF-16 units", () => {
    const s = `a${EMOJI}b`;
    assert.equal(cpToU16(s, 0), 0);
    assert.equal(cpToU16(s, 1), 1);
    assert.equal(cpToU16(s, 2), 3, "after the emoji");
    assert.equal(cpToU16(s, 3), 4);
    assert.equal(u16ToCp(s, 3), 2);
    assert.equal(u16ToCp(s, 4), 3);
  });

  test("every code point boundary survives the round trip", () => {
    const s = `${EMOJI}x\u{1D400}\u{1D401} caf\u00e9 ${EMOJI}${EMOJI}!`;
    const cps = Array.from(s).length;
    for (let cp = 0; cp <= cps; cp += 1) assert.equal(u16ToCp(s, cpToU16(s, cp)), cp, `code point ${cp}`);
  });

  test("offsets past the end stop at the end", () => {
    const s = `${EMOJI}ab`;
    assert.equal(cpToU16(s, 99), s.length);
    assert.equal(u16ToCp(s, 99), 3);
  });

  test("a text without astral characters counts the same either way", () => {
    const s = "Ünïcode café";
    for (let i = 0; i <= s.length; i += 1) assert.equal(cpToU16(s, i), i);
  });
});

describe("word snapping", () => {
  test("the shared table says its offsets are code points", () => {
    assert.match(TABLE.units, /code points/);
    assert.ok(TABLE.cases.length >= 40);
  });

  for (const c of TABLE.cases) {
    test(`as the server does: ${c.why}`, () => {
      // the table counts code points, the page UTF-16 units
      const [s, e] = snapToWords(c.text, cpToU16(c.text, c.start), cpToU16(c.text, c.end));
      const got = [u16ToCp(c.text, s), u16ToCp(c.text, e)];
      const shown = ([a, b]) => JSON.stringify(Array.from(c.text).slice(a, b).join(""));
      assert.deepEqual(got, c.expected, `${shown(got)}, expected ${shown(c.expected)}`);
    });
  }

  test("never ends inside an emoji's two UTF-16 units", () => {
    const s = `ok${EMOJI}ok`;
    assert.deepEqual(snapToWords(s, 0, 3), [0, 2]); // a drag that ends half-way into the emoji
    assert.deepEqual(snapToWords(s, 3, 6), [4, 6]);
  });

  test("letters, digits and marks are word characters; punctuation, symbols and emoji are not", () => {
    for (const ch of ["a", "É", "ß", "7", "²", "\u0301", "中", "\u{1D400}"]) assert.ok(isWordChar(ch), ch);
    for (const ch of ["", " ", "-", "'", ".", "_", "“", EMOJI, "$"]) {
      assert.ok(!isWordChar(ch), JSON.stringify(ch));
    }
  });
});

describe("words, for keyboard selection", () => {
  test("every word in order, with joined apostrophes and hyphens, skipping emoji and punctuation", () => {
    const s = `Kyiv's well-known ${EMOJI} café, 3.5!`;
    assert.deepEqual(wordRanges(s).map(([a, b]) => s.slice(a, b)), ["Kyiv's", "well-known", "café", "3", "5"]);
  });

  test("ranges are UTF-16 offsets in the page's text", () => {
    const s = `${EMOJI} ab ${EMOJI}cd`;
    assert.deepEqual(wordRanges(s), [[3, 5], [8, 10]]);
  });

  test("a text with no words has none", () => {
    assert.deepEqual(wordRanges(` ${EMOJI} -- !`), []);
    assert.deepEqual(wordRanges(""), []);
  });
});

describe("targets (W3C selectors) for the server", () => {
  test("offsets and context count code points, whatever emoji come before", () => {
    const s = `${EMOJI} Ukraine has vented its anger`;
    const start = s.indexOf("vented");
    const t = targetFor(s, start, start + "vented".length);
    assert.deepEqual(t,
      { start: 14, end: 20, exact: "vented", prefix: `${EMOJI} Ukraine has `, suffix: " its anger" });
    assert.equal(Array.from(s).slice(t.start, t.end).join(""), t.exact);
  });

  test("prefix and suffix keep 32 code points, never half an emoji", () => {
    const s = `${EMOJI.repeat(40)}word${EMOJI.repeat(40)}`;
    const start = s.indexOf("word");
    const t = targetFor(s, start, start + 4);
    assert.equal(t.start, 40);
    assert.equal(t.end, 44);
    assert.equal(t.prefix, EMOJI.repeat(32));
    assert.equal(t.suffix, EMOJI.repeat(32));
  });

  test("a point in the text is an empty target with its context", () => {
    const t = targetFor("one two", 3, 3);
    assert.deepEqual(t, { start: 3, end: 3, exact: "", prefix: "one", suffix: " two" });
  });
});

describe("the words around a point (where something is missing)", () => {
  const TEXT = "Headline here\n\nThe general spoke of the war in Kyiv on Tuesday, officials said.\n\nNext one";
  const at = (s, words) => s.indexOf(words) + words.length;

  test("four words either side, with an ellipsis where the paragraph goes on", () => {
    assert.deepEqual(wordsAround(TEXT, at(TEXT, "of the war")),
      { before: "…spoke of the war", after: "in Kyiv on Tuesday…" });
  });

  test("never reaches into the paragraph before or after", () => {
    assert.deepEqual(wordsAround(TEXT, at(TEXT, "\n\n")), { before: "", after: "The general spoke of…" });
    assert.deepEqual(wordsAround(TEXT, at(TEXT, "officials said.")),
      { before: "…on Tuesday, officials said.", after: "" });
    assert.deepEqual(wordsAround(TEXT, TEXT.length), { before: "Next one", after: "" });
    assert.deepEqual(wordsAround(TEXT, 0), { before: "", after: "Headline here" });
  });

  test("punctuation before the point stays, and a short paragraph has no ellipsis", () => {
    const s = "Yes, he said.";
    assert.deepEqual(wordsAround(s, s.indexOf(" he")), { before: "Yes,", after: "he said" });
  });

  test("the count is adjustable and emoji are whole", () => {
    const s = `a ${EMOJI} b c d e`;
    assert.deepEqual(wordsAround(s, s.indexOf(" c"), 1), { before: "…b", after: "c…" });
  });

  test("a point inside a word keeps both halves", () => {
    assert.deepEqual(wordsAround("one wonderful day", 7, 1), { before: "one won", after: "derful day" });
    assert.deepEqual(wordsAround("so one wonderful day it was", 10, 1), { before: "…one won", after: "derful day…" });
  });
});
