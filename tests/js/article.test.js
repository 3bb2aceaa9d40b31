// The reader shows each block of the article in the element the server does (a heading, a
// paragraph, a figure's caption...): blockElement, over a stand-in for dom.js's elementMaker.

import assert from "node:assert/strict";
import { test } from "node:test";

import { BLOCK_ELEMENTS, blockElement } from "../../static/js/lesson/article.js";

/** A stand-in element maker: plain objects { tag, attrs, children }. */
const el = (tag, attrs = {}, ...children) => ({ tag, attrs, children });

test("a headline is a heading and a paragraph a paragraph, holding the text themselves", () => {
  for (const [kind, tag] of [["headline", "h3"], ["paragraph", "p"], ["breadcrumb", "p"]]) {
    const [shown, holder] = blockElement(el, kind, { id: "block-1" });
    assert.equal(shown, holder);
    assert.equal(holder.tag, tag);
    assert.deepEqual(holder.attrs, { id: "block-1", class: `block block-${kind}` });
  }
});

test("a caption is a figure's caption, an aside and a footer hold a paragraph", () => {
  for (const [kind, outer, inner] of [["caption", "figure", "figcaption"], ["aside", "aside", "p"],
    ["footer", "footer", "p"]]) {
    const [shown, holder] = blockElement(el, kind, { id: "block-2" });
    assert.equal(shown.tag, outer);
    assert.deepEqual(shown.children, [holder]);
    assert.equal(holder.tag, inner);
    assert.equal(holder.attrs.class, `block block-${kind}`);
    assert.equal(holder.attrs.id, "block-2"); // the id is on the element with the text
  }
});

test("a kind the table does not know is a paragraph", () => {
  const [shown, holder] = blockElement(el, "ticker");
  assert.equal(shown, holder);
  assert.equal(holder.tag, "p");
  assert.equal(Object.keys(BLOCK_ELEMENTS).length, 6);
});
