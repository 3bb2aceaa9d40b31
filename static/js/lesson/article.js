// The article in the page: DOM positions <-> canonical-text offsets (UTF-16), and drawing
// highlights. Blocks hold exactly their text; the canonical text joins them with "\n\n".

import { DOCUMENT_POSITION_FOLLOWING, ELEMENT_NODE, SHOW_TEXT } from "./dom.js";
import { cpToU16 } from "./text.js";

const SEP = "\n\n";

export class ArticleMap {
  constructor(root, blockTexts) {
    this.root = root;
    this.doc = root.ownerDocument;
    this.blockEls = Array.from(root.querySelectorAll(".block"));
    this.blocks = [];
    let at = 0;
    blockTexts.forEach((text, i) => {
      this.blocks.push({ el: this.blockEls[i], text, start: at, end: at + text.length });
      at += text.length + SEP.length;
    });
    this.text = blockTexts.join(SEP);
  }

  /** Code-point target -> UTF-16 [start, end) in the canonical text. */
  toU16(target) {
    const s = cpToU16(this.text, target.start);
    const e = s + cpToU16(this.text.slice(s), target.end - target.start);
    return [s, e];
  }

  blockIndexAt(offset) {
    for (let i = 0; i < this.blocks.length; i += 1) {
      if (offset <= this.blocks[i].end) return i;
    }
    return this.blocks.length - 1;
  }

  /** UTF-16 offset of a DOM point inside a block, or null when outside every block. */
  offsetOf(node, offset) {
    const el = (node.nodeType === ELEMENT_NODE ? node : node.parentElement)?.closest(".block");
    const i = this.blockEls.indexOf(el);
    if (i < 0) return null;
    const walker = this.doc.createTreeWalker(el, SHOW_TEXT);
    let count = 0;
    if (node.nodeType === ELEMENT_NODE) {
      // a point between children: count the text before child `offset`
      const stop = node.childNodes[offset] || null;
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (stop && (stop === t || stop.compareDocumentPosition(t) & DOCUMENT_POSITION_FOLLOWING)) break;
        if (!stop && !node.contains(t)) break;
        count += t.data.length;
      }
      return this.blocks[i].start + Math.min(count, this.blocks[i].text.length);
    }
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (t === node) return this.blocks[i].start + count + offset;
      count += t.data.length;
    }
    return null;
  }

  /** The UTF-16 range a DOM Range covers, clamped to the blocks it touches; null if none. */
  rangeOffsets(range) {
    const touched = this.blocks.filter((b) => range.intersectsNode(b.el));
    if (!touched.length) return null;
    let start = this.offsetOf(range.startContainer, range.startOffset);
    let end = this.offsetOf(range.endContainer, range.endOffset);
    if (start === null) start = touched[0].start;
    if (end === null) end = touched[touched.length - 1].end;
    return start <= end ? [start, end] : [end, start];
  }

  /** A DOM point for a UTF-16 offset (for selections and for placing the panel). */
  pointAt(offset) {
    const i = this.blockIndexAt(offset);
    const b = this.blocks[i];
    let rest = Math.max(0, Math.min(offset, b.end) - b.start);
    const walker = this.doc.createTreeWalker(b.el, SHOW_TEXT);
    let last = null;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (rest <= t.data.length) return [t, rest];
      rest -= t.data.length;
      last = t;
    }
    return last ? [last, last.data.length] : [b.el, 0];
  }

  domRange(start, end) {
    const r = this.doc.createRange();
    r.setStart(...this.pointAt(start));
    if (end > start) {
      // an end exactly at a block's end belongs to that block, not the next one
      const [n, o] = this.pointAt(end);
      r.setEnd(n, o);
    }
    return r;
  }

  /**
   * Draw highlights. items: [{id, start, end, color, cls}] in UTF-16; a zero-length item is a
   * point marker. Overlaps stay readable: the shortest covering item gives the tint, the
   * others show as underlines beneath it.
   */
  render(items) {
    for (const b of this.blocks) {
      const mine = items.filter((it) => (it.start < b.end && it.end > b.start)
        || (it.start === it.end && it.start >= b.start && it.start <= b.end + 1));
      const frag = this.doc.createDocumentFragment();
      const cuts = new Set([b.start, b.end]);
      for (const it of mine) {
        cuts.add(Math.max(b.start, Math.min(it.start, b.end)));
        cuts.add(Math.max(b.start, Math.min(it.end, b.end)));
      }
      const edges = Array.from(cuts).sort((x, y) => x - y);
      const pointsAt = (pos) => mine.filter((it) => it.start === it.end
        && Math.min(it.start, b.end) === pos);
      for (let k = 0; k < edges.length; k += 1) {
        for (const p of pointsAt(edges[k])) frag.append(pointEl(this.doc, p));
        if (k === edges.length - 1) break;
        const s = edges[k];
        const e = edges[k + 1];
        if (s === e) continue;
        const text = b.text.slice(s - b.start, e - b.start);
        const covering = mine.filter((it) => it.start < e && it.end > s && it.start !== it.end)
          .sort((x, y) => (x.end - x.start) - (y.end - y.start));
        if (!covering.length) { frag.append(text); continue; }
        const span = this.doc.createElement("span");
        span.className = "hl";
        covering.forEach((it) => { if (it.cls) span.classList.add(it.cls); });
        span.dataset.ids = covering.map((it) => it.id).join(" ");
        span.style.setProperty("--cat", covering[0].color);
        if (covering.length > 1) {
          span.classList.add(covering.length > 2 ? "multi3" : "multi");
          span.style.setProperty("--cat2", covering[1].color);
          if (covering.length > 2) span.style.setProperty("--cat3", covering[2].color);
        }
        span.textContent = text;
        frag.append(span);
      }
      b.el.replaceChildren(frag);
    }
  }

  /** Elements that show one annotation. */
  elementsFor(id) {
    return Array.from(this.root.querySelectorAll(".hl, .pt"))
      .filter((el) => (el.dataset.ids || "").split(" ").includes(id));
  }
}

/** A point's marker: a caret drawn by CSS (no text, so offsets in the block stay as they are),
 * with a name for screen readers. */
function pointEl(doc, p) {
  const el = doc.createElement("span");
  el.className = p.cls ? `pt ${p.cls}` : "pt";
  el.dataset.ids = p.id;
  el.style.setProperty("--cat", p.color);
  el.title = "Something is missing here";
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", "Something is missing here");
  return el;
}
