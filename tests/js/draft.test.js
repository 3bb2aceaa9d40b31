// The lesson editor's changes to a draft (static/js/author/draft.js): each returns a new copy
// and leaves the data it was given as it was.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  addAlternative, addDecoy, addKeyItem, articleText, blockText, describePaste, mergeBlocks, nextId, placeOf,
  problemsByPlace, removeAlternative, removeEntry, splitBlock, updateKeyItem, withKinds,
} from "../../static/js/author/draft.js";

const lesson = () => ({
  id: "l",
  blocks: [{ kind: "headline", text: "Big news" }, { kind: "paragraph", text: "Officials said so." }],
  prompts: [{ id: "sources", category: "source", question: "Who?" }],
  key: [{ id: "source-1", category: "source", quote: "Officials", explanation: "vague", points: 1 }],
});

describe("key items", () => {
  test("a new item gets a fresh id and its span; the data given is unchanged", () => {
    const before = lesson();
    const { data, id } = addKeyItem(before, { category: "source", span: [10, 19], explanation: "e", points: 2 });
    assert.equal(id, "source-2");
    assert.deepEqual(data.key[1], { id, category: "source", explanation: "e", points: 2, span: [10, 19] });
    assert.equal(before.key.length, 1);
  });

  test("an omission has no span, and its own fields", () => {
    const { data, id } = addKeyItem(lesson(), { category: "omission", statement: "s", reference: "r",
      cues: ["a"], explanation: "e", points: 1, span: [0, 3] });
    assert.equal(id, "omission-1");
    assert.deepEqual(data.key[1], { id, category: "omission", explanation: "e", points: 1, statement: "s",
      reference: "r", cues: ["a"] });
  });

  test("editing keeps the words and alternatives; 'any' can be turned on and off", () => {
    let d = addAlternative(lesson(), "source-1", [0, 3]);
    d = updateKeyItem(d, "source-1", { category: "source", explanation: "new", points: 3, any: true });
    assert.deepEqual(d.key[0], { id: "source-1", category: "source", explanation: "new", points: 3,
      quote: "Officials", occurrence: "any", also: [{ span: [0, 3] }] });
    d = updateKeyItem(d, "source-1", { category: "source", explanation: "new", points: 3, any: false });
    assert.equal(d.key[0].occurrence, undefined);
    d = removeAlternative(d, "source-1", 0);
    assert.equal(d.key[0].also, undefined);
  });

  test("decoys share the ids' space and go with removeEntry", () => {
    const { data, id } = addDecoy(lesson(), { category: "loaded", explanation: "careful", span: [0, 3] });
    assert.equal(id, "decoy-1");
    assert.equal(nextId(data, "decoy"), "decoy-2");
    const d = removeEntry(removeEntry(data, id), "source-1");
    assert.deepEqual([d.key, d.decoys], [[], []]);
  });
});

describe("blocks", () => {
  test("merge joins two blocks with a space, in the first one's kind", () => {
    const d = mergeBlocks(lesson(), 0);
    assert.deepEqual(d.blocks, [{ kind: "headline", text: "Big news Officials said so." }]);
    assert.equal(mergeBlocks(lesson(), 1).blocks.length, 2, "the last block has none after it");
  });

  test("split cuts at the caret into a new paragraph, never leaving an empty block", () => {
    const d = splitBlock(lesson(), 1, 10);
    assert.deepEqual(d.blocks.slice(1), [{ kind: "paragraph", text: "Officials" }, { kind: "paragraph", text: "said so." }]);
    assert.equal(articleText(d), "Big news\n\nOfficials\n\nsaid so.");
    assert.equal(splitBlock(lesson(), 1, 0), null);
  });

  test("a block's text never holds a blank line", () => {
    assert.equal(blockText("\nOne\r\n\r\n  \nTwo\n"), "One\nTwo");
  });
});

describe("problems go next to what they are about", () => {
  test("by item, block, prompt or field", () => {
    assert.equal(placeOf("key source-1"), "key:source-1");
    assert.equal(placeOf("decoy decoy-2"), "decoy:decoy-2");
    assert.equal(placeOf("prompt sources"), "prompt:sources");
    assert.equal(placeOf("blocks[3]"), "block:2");
    assert.equal(placeOf("categories.myth"), "field:categories.myth");
    assert.equal(placeOf("scoring.myth"), "field:scoring");
    assert.equal(placeOf("published"), "field:published");
    const places = problemsByPlace([{ item: "key a", message: "x" }, { item: "key a", message: "y" }]);
    assert.deepEqual(places.get("key:a").map((p) => p.message), ["x", "y"]);
  });
});

describe("pasting", () => {
  test("says what the paste brought, in words", () => {
    assert.equal(describePaste([["headline", "A"], ["paragraph", "B"], ["paragraph", "C"]]),
      "Pasted 3 blocks: 1 headline, 2 paragraphs.");
  });

  test("keeps each pasted block's kind by its text, whatever was kept before", () => {
    const json = withKinds("not json", [["headline", "A"]]);
    assert.deepEqual(JSON.parse(withKinds(json, [["caption", "B"]])), { A: "headline", B: "caption" });
  });
});
