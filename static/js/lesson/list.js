// "My annotations": the student's annotations grouped by prompt, each with its quote, answers,
// note and save state, Edit/Delete, and, for one changed in another tab or device, the choice
// between both versions. Notes are untrusted: text only, except the server's linkified note_html.

import { elementMaker } from "./dom.js";
import { pointWords } from "./panel.js";
import { firstPromptOf } from "./state.js";

/** What the student is told when this tab's change met a newer saved version. */
export function conflictMessage(a) {
  const current = a.conflict.current;
  if (!current || current.deleted) return "You deleted this note in another tab or device.";
  if (a.mineDeleted) return "You changed this note in another tab or device, and deleted it here.";
  return "You changed this note in another tab or device.";
}

/** A short name for an annotation, for buttons' labels and announcements. */
export function describe(a, categories) {
  const label = (categories[a.category] || {}).label || a.category;
  if (a.target && a.target.exact) return `${label}: “${a.target.exact.slice(0, 60)}”`;
  return `${label}: ${(a.fields && a.fields.missing) || a.note || "note"}`.slice(0, 80);
}

/**
 * lesson: { prompts (in order), promptsById, categories (by id) }; listEl: #annotation-list;
 * totalEl: its count; heading: the section's heading (focus falls back to it); state: an
 * AnnotationState; map: the ArticleMap; actions: { edit(id), remove(id), keepTheirs(id),
 * keepMine(id) } for the buttons.
 */
export function createList({ win, listEl, totalEl, heading, lesson, readonly, state, map, announce, actions }) {
  const doc = win.document;
  const el = elementMaker(doc);
  const { categories } = lesson;
  const describeIt = (a) => describe(a, categories);

  function render() {
    const list = listEl;
    // the list is drawn anew: keep keyboard focus on the same button of the same annotation
    const active = doc.activeElement;
    const held = active && list.contains(active) && active.dataset.act && active.closest("[data-id]");
    const refocus = held ? [held.dataset.id, active.dataset.act] : null;
    const frag = doc.createDocumentFragment();
    let total = 0;
    for (const p of lesson.prompts) {
      const items = state.forPrompt(p.id, lesson.prompts);
      total += items.length;
      const cat = categories[p.category];
      frag.append(el("h3", { class: "group-title", text: `${cat.label} (${items.length})` }));
      const count = doc.querySelector(`[data-count-for="${p.id}"]`);
      if (count) count.textContent = items.length ? `· ${items.length} found` : "";
      if (!items.length) {
        frag.append(el("p", { class: "muted small", text: p.category === "omission"
          ? "Nothing yet. Use “Add something that's missing”."
          : "Nothing yet. Select words in the article." }));
        continue;
      }
      const ul = el("ul", { class: "ann-list" });
      for (const a of items) ul.append(listItem(a, cat));
      frag.append(ul);
    }
    list.replaceChildren(frag);
    totalEl.textContent = `(${total})`;
    for (const t of doc.querySelectorAll("[data-total-count]")) t.textContent = `(${total})`;
    if (refocus) {
      const again = list.querySelector(`[data-id="${refocus[0]}"] [data-act="${refocus[1]}"]`);
      if (again) again.focus({ preventScroll: true });
    }
  }

  function listItem(a, cat) {
    const cls = `ann${a.unsaved ? " unsaved" : ""}${a.anchored_by === "orphan" ? " orphan" : ""}`;
    const li = el("li", { class: cls, "data-id": a.id });
    li.style.setProperty("--cat", cat.color);
    // an orphan: the lesson was updated and its words are gone; kept as it was, read-only
    const lost = a.anchored_by === "orphan" && a.was && !a.target;
    const what = lost ? lostNote(a.was)
      : a.target
        ? (a.target.exact ? el("q", { class: "ann-quote", text: a.target.exact })
          : el("q", { class: "ann-quote ann-point" }, ...pointWords(el, map.text, map.toU16(a.target)[0])))
        : el("span", { class: "muted", text: "About the whole article" });
    if (a.target) {
      li.append(el("button", { type: "button", class: "ann-go", title: "Show in the article", "data-act": "go",
        onclick: () => show(a.id) }, what));
    } else {
      li.append(what);
    }
    const choosing = a.conflict && !readonly; // both versions are shown in the choice instead
    if (a.fields && a.fields.missing && !choosing) {
      li.append(el("p", { class: "ann-missing", text: a.fields.missing }));
    }
    const details = choosing ? [] : fieldDetails(a);
    if (details.length) li.append(el("dl", { class: "ann-fields" }, ...details));
    if (a.note && !choosing) {
      const p = el("p", { class: "ann-note" });
      // the server's note_html is escaped text with web links (app/domain/sanitise.py);
      // a change not yet saved is shown as plain text
      if (a.note_html && !a.unsaved) p.innerHTML = a.note_html; else p.textContent = a.note;
      li.append(p);
    }
    if (a.error) li.append(el("p", { class: "error", text: `Not saved: ${a.error}` }));
    else if (choosing) li.append(conflictBox(a));
    else if (a.unsaved) li.append(el("p", { class: "ann-meta", text: "Waiting to save…" }));
    if (!readonly && !a.mineDeleted && !lost) {
      li.append(el("div", { class: "ann-actions" },
        el("button", { type: "button", class: "link-button", "data-act": "edit",
          onclick: () => actions.edit(a.id), "aria-label": `Edit ${describeIt(a)}` }, "Edit"),
        el("button", { type: "button", class: "link-button", "data-act": "delete",
          onclick: () => actions.remove(a.id), "aria-label": `Delete ${describeIt(a)}` }, "Delete")));
    }
    return li;
  }

  /** What an orphan was: "No longer in the text" and its words, if it had any. */
  function lostNote(was) {
    const p = el("p", { class: "ann-lost" }, el("strong", { text: "No longer in the text" }));
    if (was.exact) p.append(": ", el("q", { text: was.exact }));
    return p;
  }

  /** The choice shown in "My annotations": both versions, side by side where there is room,
   * and "Keep the saved one" / "Keep mine". Notes are untrusted: text only, never HTML. */
  function conflictBox(a) {
    const current = a.conflict.current;
    const msgId = `conflict-msg-${a.id}`;
    const theirs = current && !current.deleted ? current : null;
    const mine = a.mineDeleted ? null : a;
    const box = el("div", { class: "conflict", role: "group", "aria-labelledby": msgId },
      el("p", { class: "conflict-msg", id: msgId },
        el("strong", { text: conflictMessage(a) }), " Which version do you want to keep?"));
    box.append(el("div", { class: "conflict-versions" },
      versionView("Saved version", theirs, mine, "theirs", theirs ? "" : "Deleted"),
      versionView("This tab's version", mine, theirs, "mine", mine ? "" : "Deleted in this tab")));
    box.append(el("div", { class: "conflict-actions" },
      el("button", { type: "button", class: "button small", "data-act": "theirs", "aria-describedby": msgId,
        onclick: () => actions.keepTheirs(a.id) }, "Keep the saved one"),
      el("button", { type: "button", class: "button small primary", "data-act": "mine",
        "aria-describedby": msgId, onclick: () => actions.keepMine(a.id) }, "Keep mine")));
    return box;
  }

  /** One side of a conflict: its note, and whatever else differs from the other side. */
  function versionView(title, v, other, cls, missing) {
    const box = el("div", { class: `conflict-version conflict-${cls}` },
      el("p", { class: "conflict-label", text: title }));
    if (!v) { box.append(el("p", { class: "conflict-gone", text: missing })); return box; }
    const o = other || {};
    if (other && v.category !== o.category) {
      box.append(el("p", { class: "conflict-cat", text: (categories[v.category] || {}).label || v.category }));
    }
    const t = v.target || {};
    const ot = o.target || {};
    if (other && (t.start !== ot.start || t.end !== ot.end)) {
      box.append(t.exact ? el("q", { class: "ann-quote", text: t.exact })
        : v.target ? el("q", { class: "ann-quote ann-point" }, ...pointWords(el, map.text, map.toU16(v.target)[0]))
          : el("p", { class: "muted", text: "About the whole article" }));
    }
    const details = fieldDetails({ ...v, unsaved: true }, other || { fields: {} }); // as text
    if (details.length) box.append(el("dl", { class: "ann-fields" }, ...details));
    box.append(v.note ? el("p", { class: "ann-note", text: v.note })
      : el("p", { class: "muted conflict-empty", text: "No note" }));
    return box;
  }

  /** The structured answers (except "what is missing", shown above) as label/value pairs; with
   * `other`, those that differ from it, "what is missing" included. */
  function fieldDetails(a, other = null) {
    const p = lesson.promptsById[a.prompt || firstPromptOf(lesson.prompts, a.category)];
    if (!p || !a.fields) return [];
    const out = [];
    for (const f of p.fields) {
      const v = a.fields[f.name];
      if (other && (other.fields || {})[f.name] === v) continue;
      if (!v || (f.name === "missing" && !other)) continue;
      let shown = v;
      if (f.type === "choice") shown = (f.choices.find(([value]) => value === v) || [v, v])[1];
      const dd = el("dd");
      if (f.type === "url" && a.checked_html && !a.unsaved) dd.innerHTML = a.checked_html;
      else dd.textContent = shown;
      out.push(el("dt", { text: f.label }), dd);
    }
    return out;
  }

  /** Scroll to an annotation's highlight in the article and make it flash. */
  function show(id) {
    const els = map.elementsFor(id);
    if (!els.length) return;
    const motion = win.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    els[0].scrollIntoView({ block: "center", behavior: motion });
    for (const e of els) {
      e.classList.remove("flash");
      void e.offsetWidth; // restart the animation
      e.classList.add("flash");
    }
    announce(`Showing ${describeIt(state.annotations.get(id))}`);
  }

  /** After a conflict choice the buttons are gone: go on from the same annotation (or the list). */
  function afterChoice(id) {
    const next = doc.querySelector(`#annotation-list [data-id="${id}"] [data-act="edit"]`)
      || doc.querySelector("#annotation-list [data-act=theirs]")
      || heading;
    next.focus();
  }

  return { render, show, afterChoice, describe: describeIt };
}
