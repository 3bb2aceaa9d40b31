// The article in the page: DOM positions <-> canonical-text offsets (UTF-16), and drawing
// highlights. Blocks hold exactly their text; the canonical text joins them with "\n\n".
// Highlights are marks that say, to a screen reader only, where each starts and ends
// ("start of Source highlight"): those words ([data-say]) are no part of the text and count
// in no offset.

import { DOCUMENT_POSITION_FOLLOWING, ELEMENT_NODE, SHOW_TEXT } from "./dom.js";
import { cpToU16 } from "./text.js";

const SEP = "\n\n";
const SAID = "[data-say]";

/** The HTML each kind of block is shown in: [the element around it or "", the element that
 * holds the block's text]. The same table as BLOCK_ELEMENTS in app/domain/lessons/model.py. */
export const BLOCK_ELEMENTS = {
  breadcrumb: ["", "p"],
  headline: ["", "h3"],
  caption: ["figure", "figcaption"],
  paragraph: ["", "p"],
  aside: ["aside", "p"],
  footer: ["footer", "p"],
};

/** A block of `kind` as the server renders it (templates/_article.html): [the element to put
 * in the article, the element (class "block") that holds the text]. el: dom.js's elementMaker. */
export function blockElement(el, kind, attrs = {}) {
  const [outer, inner] = BLOCK_ELEMENTS[kind] || ["", "p"];
  const holder = el(inner, { ...attrs, class: `block block-${kind}` });
  return [outer ? el(outer, { class: `block-box block-box-${kind}` }, holder) : holder, holder];
}

/** Words said only to a screen reader, as an element: never selected, never an offset. */
function saidEl(doc, words) {
  const s = doc.createElement("span");
  s.className = "visually-hidden";
  s.dataset.say = "";
  s.textContent = words;
  return s;
}

/** The text nodes of el that are the article's text (not the words only said). */
function textNodes(doc, el) {
  const out = [];
  const walker = doc.createTreeWalker(el, SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) if (!t.parentElement.closest(SAID)) out.push(t);
  return out;
}

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
    const holder = node.nodeType === ELEMENT_NODE ? node : node.parentElement;
    const said = holder?.closest(SAID);
    if (said && this.root.contains(said)) {
      // inside words only said: the point just before them (they take no room in the text)
      return this.offsetOf(said.parentNode, Array.prototype.indexOf.call(said.parentNode.childNodes, said));
    }
    const el = holder?.closest(".block");
    const i = this.blockEls.indexOf(el);
    if (i < 0) return null;
    const texts = textNodes(this.doc, el);
    let count = 0;
    if (node.nodeType === ELEMENT_NODE) {
      // a point between children: count the text before child `offset`
      const stop = node.childNodes[offset] || null;
      for (const t of texts) {
        if (stop && (stop === t || stop.compareDocumentPosition(t) & DOCUMENT_POSITION_FOLLOWING)) break;
        if (!stop && !node.contains(t)) break;
        count += t.data.length;
      }
      return this.blocks[i].start + Math.min(count, this.blocks[i].text.length);
    }
    for (const t of texts) {
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
    let last = null;
    for (const t of textNodes(this.doc, b.el)) {
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
   * Draw highlights. items: [{id, start, end, color, cls, label}] in UTF-16; a zero-length
   * item is a point marker. Overlaps stay readable: the shortest covering item gives the tint,
   * the others show as underlines beneath it. Each item's words are marks; a screen reader
   * hears "start of <label>" where it starts and "end of <label>" where it ends (a point
   * marker: its label).
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
        const span = this.doc.createElement("mark");
        span.className = "hl";
        covering.forEach((it) => { if (it.cls) span.classList.add(it.cls); });
        span.dataset.ids = covering.map((it) => it.id).join(" ");
        span.style.setProperty("--cat", covering[0].color);
        if (covering.length > 1) {
          span.classList.add(covering.length > 2 ? "multi3" : "multi");
          span.style.setProperty("--cat2", covering[1].color);
          if (covering.length > 2) span.style.setProperty("--cat3", covering[2].color);
        }
        // the longest starts first, the shortest ends first
        covering.filter((it) => it.start === s).reverse()
          .forEach((it) => span.append(saidEl(this.doc, `start of ${labelOf(it)}`)));
        span.append(text);
        covering.filter((it) => it.end === e)
          .forEach((it) => span.append(saidEl(this.doc, `end of ${labelOf(it)}`)));
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

const labelOf = (it) => it.label || "highlight";

/** A point's marker: a caret drawn by CSS (no text, so offsets in the block stay as they are),
 * with a name for screen readers. */
function pointEl(doc, p) {
  const el = doc.createElement("span");
  el.className = p.cls ? `pt ${p.cls}` : "pt";
  el.dataset.ids = p.id;
  el.style.setProperty("--cat", p.color);
  el.title = "Something is missing here";
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", p.label || "Something is missing here");
  return el;
}
