// The annotation panel: what the student found (one of the lesson's prompts), that prompt's
// answers and a note. Opened for selected words, for a point in the text, for something
// missing from the whole article, or to edit an annotation; checks the answers before saving.

import { elementMaker } from "./dom.js";
import { firstPromptOf } from "./state.js";
import { webAddress } from "./address.js";
import { targetFor, wordsAround } from "./text.js";

/** How far to scroll the page (px, down is positive) so that the words the bottom sheet is
 * open for sit in the window between the sticky bar (`above`) and the sheet's top (`sheetTop`),
 * `gap` px clear of both; words taller than that space show from their start. */
export function sheetScroll({ top, bottom }, sheetTop, above = 0, gap = 12) {
  const lo = above + gap;
  const hi = sheetTop - gap;
  if (top >= lo && bottom <= hi) return 0;
  if (bottom - top > hi - lo || top < lo) return Math.round(top - lo);
  return Math.round(bottom - hi);
}

/** The words around a point in the text, with a caret where something is missing (for the
 * list and the panel): "…of the war ‸ in Kyiv…"; a screen reader hears the caret's words. */
export function pointWords(el, text, at) {
  const { before, after } = wordsAround(text, at);
  return [
    before ? `${before} ` : "",
    el("span", { class: "caret", "aria-hidden": "true", text: "\u2038" }),
    el("span", { class: "visually-hidden", text: "(something is missing here)" }),
    after ? ` ${after}` : "",
  ];
}

/**
 * panel: the #panel element (its parts are found by id in its document); lesson: { prompts,
 * promptsById, categories, noteMax }; state: the AnnotationState; map: the ArticleMap;
 * newId(): a new annotation's id; refresh(pending?): redraw highlights and list; save(a),
 * remove(id): what the buttons do; keyboardOn(): is keyboard selection on (focus goes back to
 * the article after a save).
 */
export function createPanel({ win, panel, articleEl, lesson, readonly, state, map, newId, refresh, save, remove,
  announce, keyboardOn }) {
  const doc = win.document;
  const el = elementMaker(doc);
  const $ = (id) => doc.getElementById(id);
  const { categories, promptsById: prompts } = lesson;
  const firstPrompt = (category) => firstPromptOf(lesson.prompts, category);
  let panelState = null; // {id, isNew, target|null, u16: [s,e]|null, returnFocus}
  const self = {
    /** The prompt last chosen for words: offered first for the next words. */
    open,
    close,
    isOpen: () => !panel.hidden,
    onNoteInput: updateCount,
    onSubmit,
    onCancel: () => close(),
    onDelete() {
      const id = panelState.id;
      close({ restoreFocus: false });
      remove(id);
    },
    onKeydown(e) {
      if (e.key === "Escape") { e.preventDefault(); close(); }
    },
    /** A press anywhere outside the panel closes it. */
    onDocumentMousedown(e) {
      if (!panel.hidden && !panel.contains(e.target)) close({ restoreFocus: false });
    },
  };

  function open({ edit = null, range = null, point = null, promptId = null, anchorRect = null } = {}) {
    if (readonly) return;
    const existing = edit ? state.annotations.get(edit) : null;
    let target = existing ? existing.target : null;
    let u16 = target ? map.toU16(target) : null;
    if (range) { u16 = range; target = targetFor(map.text, range[0], range[1]); }
    if (point !== null) { u16 = [point, point]; target = targetFor(map.text, point, point); target.exact = ""; }
    panelState = { id: existing ? existing.id : newId(), isNew: !existing, target, u16,
      returnFocus: doc.activeElement };

    const words = target && target.exact ? "What did you find here?" : "Something is missing here";
    $("panel-title").textContent = existing ? "Edit annotation" : (target ? words : "Something that's missing");
    const quote = $("panel-quote");
    quote.hidden = !target;
    if (target && target.exact) quote.textContent = target.exact;
    else if (target) quote.replaceChildren(...pointWords(el, map.text, u16[0]));

    const chosen = existing ? (existing.prompt || firstPrompt(existing.category))
      : promptId || (target && !target.exact ? firstPrompt("omission") : null);
    const chips = $("panel-prompts");
    chips.replaceChildren();
    for (const p of lesson.prompts) {
      if (!target && p.category !== "omission") continue; // no words: only an omission fits
      if (target && !target.exact && p.category !== "omission") continue;
      const cat = categories[p.category];
      const id = `chip-${p.id}`;
      const input = el("input", { type: "radio", name: "prompt", id, value: p.id, checked: p.id === chosen });
      input.addEventListener("change", () => {
        renderFields(p.id, existing);
        place(panelState.rect); // more questions, a taller panel: it still fits the window
        keepWordsInView();
      });
      const wrap = el("span", { class: "chip" }, input,
        el("label", { for: id }, el("span", { class: "swatch", "aria-hidden": "true" }), cat.label));
      wrap.style.setProperty("--cat", cat.color);
      chips.append(wrap);
    }
    renderFields(chosen, existing);
    $("panel-note").value = existing ? existing.note || "" : "";
    updateCount();
    $("panel-error").hidden = true;
    $("panel-note-error").hidden = true;
    $("panel-delete").hidden = !existing;
    panel.hidden = false;
    panelState.rect = anchorRect || (u16 ? rectFor(u16) : null);
    place(panelState.rect);
    refresh(u16 && panelState.isNew ? u16 : null);
    const first = chips.querySelector("input:checked") || chips.querySelector("input");
    (first || $("panel-note")).focus();
    keepWordsInView();
  }

  const asSheet = () => win.matchMedia("(max-width: 900px)").matches;

  /** On a tablet or phone the panel is a sheet over the bottom of the window (app.css): scroll
   * the page so the words it is open for stay in view above it. */
  function keepWordsInView() {
    if (!asSheet() || !panelState || !panelState.u16) return;
    doc.body.classList.add("sheet-open"); // room below the article to scroll its last words up
    const box = wordsBox();
    if (!box) return;
    const bar = doc.querySelector(".lesson-jump");
    const above = bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
    const dy = sheetScroll(box, panel.getBoundingClientRect().top, above);
    if (dy) win.scrollBy(0, dy);
  }

  /** Where the words are in the window: their mark, or the range itself. */
  function wordsBox() {
    const marks = map.elementsFor(panelState.isNew ? "pending" : panelState.id);
    const rects = marks.length ? marks.flatMap((m) => Array.from(m.getClientRects()))
      : [rectFor(panelState.u16)].filter(Boolean);
    if (!rects.length) return null;
    return { top: Math.min(...rects.map((r) => r.top)), bottom: Math.max(...rects.map((r) => r.bottom)) };
  }

  function rectFor(u16) {
    try {
      const rects = map.domRange(u16[0], Math.max(u16[1], u16[0])).getClientRects();
      return rects.length ? rects[rects.length - 1] : null;
    } catch { return null; }
  }

  function place(rect) {
    if (asSheet()) return; // docked at the bottom by CSS
    // over the questions column, level with the selection: the article stays in view, and
    // the panel fits the window (it scrolls inside, its Save stays in view: see app.css)
    const side = doc.querySelector(".work-col").getBoundingClientRect();
    panel.style.width = `${Math.max(280, Math.min(side.width - 16, 416))}px`;
    const h = Math.min(panel.offsetHeight, win.innerHeight - 16);
    const wanted = rect ? rect.top - 48 : (win.innerHeight - h) / 3;
    const top = Math.max(8, Math.min(wanted, win.innerHeight - h - 8));
    panel.style.left = `${win.scrollX + side.left + 8}px`;
    panel.style.top = `${win.scrollY + top}px`;
  }

  function renderFields(promptId, existing) {
    const box = $("panel-fields");
    box.replaceChildren();
    const p = prompts[promptId];
    const question = $("panel-question");
    question.textContent = p ? p.question : "";
    question.hidden = !p;
    const noteOptional = $("panel-note-optional");
    if (!p) { noteOptional.textContent = "(optional)"; return; }
    noteOptional.textContent = p.required.includes("note") ? "(required)" : "(optional)";
    const values = (existing && existing.fields) || {};
    for (const f of p.fields) {
      const id = `pf-${f.name}`;
      const req = p.required.includes(f.name);
      const label = `${f.label}${req ? " (required)" : ""}`;
      if (f.type === "choice") {
        const fs = el("fieldset", { class: "field" }, el("legend", { text: label }));
        const row = el("div", { class: "radio-row" });
        for (const [value, text] of f.choices) {
          const input = el("input", { type: "radio", name: id, value, checked: values[f.name] === value });
          row.append(el("label", {}, input, text));
        }
        fs.append(row, el("p", { class: "error", id: `${id}-error`, hidden: true }));
        box.append(fs);
      } else {
        box.append(el("div", { class: "field" },
          el("label", { for: id, text: label }),
          el("input", { id, name: id, type: f.type === "url" ? "url" : "text", value: values[f.name] || "",
            maxlength: 500, "aria-describedby": `${id}-error`,
            placeholder: f.type === "url" ? "reuters.com, or https://…" : "" }),
          el("p", { class: "error", id: `${id}-error`, hidden: true })));
      }
    }
  }

  function updateCount() {
    const n = $("panel-note").value.length;
    const c = $("panel-note-count");
    c.textContent = `${n.toLocaleString()} / ${lesson.noteMax.toLocaleString()} characters`;
    c.classList.toggle("error", n > lesson.noteMax);
  }

  function close({ restoreFocus = true } = {}) {
    const back = panelState && panelState.returnFocus;
    const id = panelState && panelState.id;
    panel.hidden = true;
    panelState = null;
    doc.body.classList.remove("sheet-open");
    refresh();
    if (!restoreFocus) return;
    if (back && doc.contains(back)) { back.focus(); return; }
    // the list was redrawn: go back to the same annotation's Edit button
    const again = id && doc.querySelector(`#annotation-list [data-id="${id}"] .ann-actions button`);
    if (again) again.focus();
  }

  function fieldError(name, message) {
    const e = $(`pf-${name}-error`);
    if (e) { e.textContent = message; e.hidden = false; }
  }

  function onSubmit(ev) {
    ev.preventDefault();
    const chosen = panel.querySelector('input[name="prompt"]:checked');
    const err = $("panel-error");
    err.hidden = true;
    panel.querySelectorAll(".error[id^='pf-']").forEach((e) => { e.hidden = true; });
    $("panel-note-error").hidden = true;
    if (!chosen) {
      err.textContent = "Choose what you found (for example Source).";
      err.hidden = false;
      panel.querySelector('input[name="prompt"]').focus();
      return;
    }
    const p = prompts[chosen.value];
    const fields = {};
    let bad = null;
    for (const f of p.fields) {
      const id = `pf-${f.name}`;
      const v = f.type === "choice" ? (panel.querySelector(`input[name="${id}"]:checked`) || {}).value || ""
        : $(id).value.trim();
      if (v) fields[f.name] = f.type === "url" ? webAddress(v) || v : v;
      if (f.type === "url" && v && !webAddress(v)) {
        fieldError(f.name, "Type a web address, like reuters.com or https://www.bbc.co.uk/news");
        bad = bad || $(id);
      }
      if (p.required.includes(f.name) && !v) {
        fieldError(f.name, `Please fill in “${f.label}”.`);
        bad = bad || $(id) || panel.querySelector(`input[name="${id}"]`);
      }
    }
    const note = $("panel-note").value;
    if (note.length > lesson.noteMax) {
      const ne = $("panel-note-error");
      ne.textContent = `Your note is ${note.length.toLocaleString()} characters long; `
        + `the limit is ${lesson.noteMax.toLocaleString()}. Shorten it a little.`;
      ne.hidden = false;
      bad = bad || $("panel-note");
    } else if (p.required.includes("note") && !note.trim()) {
      const ne = $("panel-note-error");
      ne.textContent = "This question needs a note: write a few words.";
      ne.hidden = false;
      bad = bad || $("panel-note");
    }
    if (bad) { bad.focus(); announce("Please fix the highlighted answers."); return; }
    const a = { id: panelState.id, category: p.category, prompt: p.id, target: panelState.target, note,
      fields };
    const isNew = panelState.isNew;
    close();
    save(a);
    announce(isNew ? `Saved as ${categories[p.category].label}.` : "Changes saved.");
    if (keyboardOn()) articleEl.focus();
  }

  return self;
}
