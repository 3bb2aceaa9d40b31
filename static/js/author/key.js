// The answer key, built by highlighting the article as a student would: the article with the
// key's items and decoys drawn on it (the reader's ArticleMap, pointer and keyboard mode),
// the panel that adds or edits an item, and the list of what is in the key.

import { ArticleMap, blockElement } from "../lesson/article.js";
import { elementMaker } from "../lesson/dom.js";
import { cpToU16, u16ToCp } from "../lesson/text.js";
import {
  addAlternative, addDecoy, addKeyItem, removeAlternative, removeEntry, updateDecoy, updateKeyItem,
} from "./draft.js";

const DECOY = "decoy";
const ALSO = "also";

/** The article as the server last saved it, the map the reader's modules use (its text and
 * blocks change when a save changes the article), and the drawing of the key on it. */
export function createKeyArticle({ doc, articleEl }) {
  const el = elementMaker(doc);
  let map = null;
  const live = {
    get text() { return map.text; },
    get blocks() { return map.blocks; },
    blockIndexAt: (o) => map.blockIndexAt(o),
    rangeOffsets: (r) => map.rangeOffsets(r),
    domRange: (s, e) => map.domRange(s, e),
    elementsFor: (id) => map.elementsFor(id),
    toU16: (t) => map.toU16(t),
  };

  /** Show these blocks ([{kind, text}]) when they differ from those shown. */
  function show(blocks) {
    const text = blocks.map((b) => b.text).join("\n\n");
    const kinds = blocks.map((b) => b.kind).join(" ");
    if (map && map.text === text && articleEl.dataset.kinds === kinds) return;
    articleEl.replaceChildren(...blocks.map((b, i) => blockElement(el, b.kind, { id: `block-${i}` })[0]));
    articleEl.dataset.kinds = kinds;
    map = new ArticleMap(articleEl, blocks.map((b) => b.text));
  }

  /** Draw items [{id, spans: [[s, e]] in code points, color, cls, label}]. */
  function draw(items) {
    const drawn = [];
    for (const it of items) {
      for (const [s, e] of it.spans) {
        const [a, b] = live.toU16({ start: s, end: e });
        drawn.push({ id: it.id, start: a, end: b, color: it.color, cls: it.cls, label: it.label });
      }
    }
    map.render(drawn);
  }

  /** A UTF-16 range of the reader as code points of the server's text. */
  const toCp = ([s, e]) => [u16ToCp(map.text, s), u16ToCp(map.text, e)];
  const quoteOf = ([s, e]) => map.text.slice(cpToU16(map.text, s), cpToU16(map.text, e));
  return { map: live, show, draw, toCp, quoteOf };
}

/** The panel: add words to the key (as an item, a decoy or another way to earn an item),
 * add an omission, or edit either. `change(fn)` applies a change to the draft. */
export function createKeyPanel({ win, els, categories, getData, change, announce, map, fallbackFocus }) {
  const doc = win.document;
  const el = elementMaker(doc);
  let open = null; // { span?, edit?, omission? }
  let returnFocus = null;
  const quoteCats = () => categories().filter((c) => c.id !== "omission");

  function field(id, label, input, hint) {
    return el("div", { class: "field" }, el("label", { for: id }, label), hint ? el("p", { class: "hint" }, hint) : null, input);
  }

  function choiceRow(value, label, checked, color) {
    const id = `kind-${value}`;
    return el("span", { class: "chip", style: `--cat:${color || "#5a6270"}` },
      el("input", { type: "radio", name: "kind", id, value, checked }), el("label", { for: id }, label));
  }

  function itemLabel(k) {
    return `${(categories().find((c) => c.id === k.category) || {}).label || k.category}: ${k.quote || k.statement || k.id}`;
  }

  function quoteBody(entry, isDecoy) {
    const kind = isDecoy ? DECOY : (entry ? entry.category : null);
    const items = (getData().key || []).filter((k) => k.category !== "omission" && k.quote);
    const kinds = el("fieldset", { class: "cat-choice" }, el("legend", {}, "What is it?"),
      el("div", { class: "chips" },
        ...quoteCats().map((c) => choiceRow(c.id, c.label, kind === c.id, c.color)),
        choiceRow(DECOY, "Decoy: looks like an answer, is careful reporting", kind === DECOY),
        entry || !items.length ? null : choiceRow(ALSO, "Another way to earn an item already in the key", false)));
    const parts = [kinds];
    if (!entry && items.length) {
      parts.push(field("panel-also", "Which item these words also earn",
        el("select", { id: "panel-also" }, ...items.map((k) => el("option", { value: k.id }, itemLabel(k))))));
    }
    parts.push(field("panel-looks", "For a decoy: what students might take it for",
      el("select", { id: "panel-looks" }, ...quoteCats().map((c) => el("option", {
        value: c.id, selected: isDecoy && entry.category === c.id }, c.label)))));
    parts.push(field("panel-explanation", "Explanation (students see it with their feedback)",
      el("textarea", { id: "panel-explanation", rows: 3 }, entry ? entry.explanation || "" : "")));
    parts.push(field("panel-points", "Points", el("input", { id: "panel-points", type: "number", min: 0, max: 100,
      step: "any", value: entry && !isDecoy ? entry.points ?? 1 : 1 })));
    parts.push(el("label", { class: "check", for: "panel-any" }, el("input", { type: "checkbox", id: "panel-any",
      checked: Boolean(entry && entry.occurrence === "any") }), " Every time these words appear, they earn it"));
    return parts;
  }

  function omissionBody(entry) {
    const e = entry || {};
    return [
      field("panel-statement", "What the article leaves out", el("input", { id: "panel-statement", type: "text",
        value: e.statement || "" })),
      field("panel-explanation", "Why it matters (students see it with their feedback)",
        el("textarea", { id: "panel-explanation", rows: 3 }, e.explanation || "")),
      field("panel-reference", "Where a reader can check it (a web address or a reference)",
        el("input", { id: "panel-reference", type: "text", value: e.reference || "" })),
      field("panel-cues", "Cue words", el("input", { id: "panel-cues", type: "text",
        value: (e.cues || []).join(", ") }), "Words in a student's note that suggest they found it, separated by commas."),
      field("panel-points", "Points", el("input", { id: "panel-points", type: "number", min: 0, max: 100,
        step: "any", value: e.points ?? 1 })),
    ];
  }

  function entryOf(id) {
    const d = getData();
    const key = (d.key || []).find((k) => k.id === id);
    if (key) return { entry: key, decoy: false };
    const decoy = (d.decoys || []).find((k) => k.id === id);
    return decoy ? { entry: decoy, decoy: true } : null;
  }

  /** Open for words ({span}: code points), an item ({edit: id}) or an omission ({omission}). */
  function show(what) {
    returnFocus = doc.activeElement;
    open = what;
    const found = what.edit ? entryOf(what.edit) : null;
    if (what.edit && !found) return;
    const omission = what.omission || (found && found.entry.category === "omission");
    els.title.textContent = found ? "Edit this part of the key" : (omission ? "Something the article leaves out"
      : "Add to the key");
    const quote = what.span ? map.quoteOf(what.span) : (found && !omission ? found.entry.quote : "");
    els.quote.textContent = quote ? `\u201c${quote}\u201d` : "";
    els.quote.hidden = !quote;
    els.body.replaceChildren(...(omission ? omissionBody(found && found.entry)
      : quoteBody(found && found.entry, found && found.decoy)));
    els.error.hidden = true;
    els.del.hidden = !found;
    els.panel.hidden = false;
    if (!omission) {
      const chosen = els.body.querySelector("input[name=kind]:checked");
      showFieldsFor(chosen ? chosen.value : null);
      for (const r of els.body.querySelectorAll("input[name=kind]")) r.addEventListener("change", () => showFieldsFor(r.value));
    }
    place(what.rect);
    const first = els.body.querySelector("input:checked, input, textarea");
    if (first) first.focus();
  }

  function place(rect) {
    const p = els.panel;
    if (win.innerWidth < 700 || !rect) {
      p.style.left = "";
      p.style.top = "";
      p.classList.add("sheet");
      // a sheet covers the bottom of the screen: keep the words above it
      if (rect && rect.bottom > win.innerHeight * 0.25) win.scrollBy(0, rect.top - 60);
      return;
    }
    p.classList.remove("sheet");
    const width = p.offsetWidth;
    p.style.left = `${Math.max(8, Math.min(win.scrollX + rect.left, win.scrollX + win.innerWidth - width - 8))}px`;
    const below = win.scrollY + rect.bottom + 8;
    const room = win.innerHeight - rect.bottom - 16;
    p.style.top = `${room >= Math.min(p.offsetHeight, 420) ? below : Math.max(win.scrollY + 8, win.scrollY + rect.top - p.offsetHeight - 8)}px`;
  }

  function close() {
    els.panel.hidden = true;
    open = null;
    // back where the teacher was; that button may be gone (the list is drawn again)
    if (returnFocus && returnFocus.isConnected && returnFocus !== doc.body) returnFocus.focus();
    else if (fallbackFocus) fallbackFocus().focus();
  }

  /** Show only the fields the chosen kind of entry has. */
  function showFieldsFor(kind) {
    const shown = (id, on) => { const f = doc.getElementById(id); if (f) f.closest(".field, .check").hidden = !on; };
    shown("panel-also", kind === ALSO);
    shown("panel-looks", kind === DECOY);
    shown("panel-explanation", kind !== ALSO);
    shown("panel-points", kind !== DECOY && kind !== ALSO);
    shown("panel-any", kind !== DECOY && kind !== ALSO);
  }

  const val = (id) => (doc.getElementById(id) || {}).value || "";
  function fail(text) { els.error.textContent = text; els.error.hidden = false; }

  function onSubmit(e) {
    e.preventDefault();
    if (!open) return;
    const found = open.edit ? entryOf(open.edit) : null;
    const omission = open.omission || (found && found.entry.category === "omission");
    const points = Number(val("panel-points"));
    const explanation = val("panel-explanation").trim();
    if (omission) {
      const statement = val("panel-statement").trim();
      if (!statement || !explanation || !val("panel-reference").trim()) {
        fail("Say what is left out, why it matters, and where a reader can check it.");
        return;
      }
      const fields = { category: "omission", statement, explanation, points, reference: val("panel-reference").trim(),
        cues: val("panel-cues").split(",").map((c) => c.trim()).filter(Boolean) };
      done(found ? (d) => updateKeyItem(d, found.entry.id, fields) : (d) => addKeyItem(d, fields).data,
        found ? "Saved." : "Added to the key.");
      return;
    }
    const kind = (els.body.querySelector("input[name=kind]:checked") || {}).value;
    if (!kind) { fail("Choose what these words are."); return; }
    if (kind === ALSO) {
      const target = val("panel-also");
      done((d) => addAlternative(d, target, open.span), "Added as another way to earn that item.");
      return;
    }
    if (!explanation) { fail("Write an explanation: students see it with their feedback."); return; }
    if (kind === DECOY) {
      const fields = { category: val("panel-looks") || "loaded", explanation, span: open.span };
      if (found && found.decoy) done((d) => updateDecoy(d, found.entry.id, fields), "Saved.");
      else done((d) => addDecoy(found ? removeEntry(d, found.entry.id) : d, { ...fields,
        span: open.span || found.entry.span || spanOf(found.entry.id) }).data, "Added as a decoy.");
      return;
    }
    const fields = { category: kind, explanation, points, any: doc.getElementById("panel-any").checked,
      span: open.span };
    if (found && !found.decoy) done((d) => updateKeyItem(d, found.entry.id, fields), "Saved.");
    else done((d) => addKeyItem(found ? removeEntry(d, found.entry.id) : d, { ...fields,
      span: open.span || spanOf(found.entry.id) }).data, "Added to the key.");
  }

  let spanOf = () => null;
  function done(fn, message) {
    change(fn);
    announce(message);
    close();
  }

  function onDelete() {
    if (!open || !open.edit) return;
    const id = open.edit;
    done((d) => removeEntry(d, id), "Taken out of the key.");
  }

  function onKeydown(e) { if (e.key === "Escape") { e.preventDefault(); close(); } }

  return {
    open: show, close, isOpen: () => !els.panel.hidden, onSubmit, onDelete, onKeydown,
    removeAlternative: (id, i) => change((d) => removeAlternative(d, id, i)),
    setSpanOf: (fn) => { spanOf = fn; },
  };
}
