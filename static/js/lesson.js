// The lesson page: select words (mouse, touch or keyboard), annotate them in a small panel,
// see them as coloured highlights and in "My annotations", and have every change saved.

import { ArticleMap } from "./article.js";
import { Sync } from "./sync.js";
import { keyboardMode } from "./keyboard.js";
import { snapToWords, targetFor } from "./text.js";

const data = JSON.parse(document.getElementById("lesson-data").textContent);
const $ = (id) => document.getElementById(id);
const articleEl = $("article");
const map = new ArticleMap(articleEl, data.blocks);
const categories = Object.fromEntries(data.categories.map((c) => [c.id, c]));
const prompts = Object.fromEntries(data.prompts.map((p) => [p.id, p]));
const stateKey = `rc:${data.userId}:${data.assignmentId}:state`;
const sync = new Sync({
  apiBase: data.apiBase,
  csrfUrl: data.csrfUrl,
  csrfToken: data.csrfToken,
  storageKey: `rc:${data.userId}:${data.assignmentId}:queue`,
  userId: data.userId,
});

/** id -> annotation as the API shapes it, plus local flags (unsaved, error). */
let annotations = new Map();
let readonly = data.readonly;
let lastPrompt = null;

// ---------------------------------------------------------------- state

function remember() {
  try {
    localStorage.setItem(stateKey, JSON.stringify(Array.from(annotations.values())));
  } catch { /* private mode or full: the queue is what matters */ }
}

function recalled() {
  try { return JSON.parse(localStorage.getItem(stateKey) || "null"); } catch { return null; }
}

/** Server truth, with this device's unsent changes laid on top. A change held in conflict
 * (see sync.js) carries `conflict: {current}`, the saved version the student may keep. */
function adopt(list) {
  annotations = new Map(list.map((a) => [a.id, { ...a, conflict: null, mineDeleted: false }]));
  for (const a of list) {
    if (a.version) sync.versions[a.id] = a.version;
    if (a.version && !a.unsaved) {
      // a saved version newer than the one a conflict was met with (e.g. after a reload)
      const { unsaved, error, conflict, mineDeleted, ...saved } = a; // without the local flags
      sync.updateConflict(a.id, saved);
    }
  }
  for (const q of sync.queue) overlay(q);
  remember();
}

/** Lay one unsent change over what is shown. */
function overlay(q) {
  const current = q.conflict && q.conflict.current;
  if (q.op === "delete" && current && !current.deleted) {
    // deleted here, changed elsewhere: show the saved one until the student chooses
    annotations.set(q.id, { ...current, unsaved: true, error: null, conflict: q.conflict, mineDeleted: true });
  } else if (q.op === "delete") {
    annotations.delete(q.id);
  } else {
    annotations.set(q.id, { ...(annotations.get(q.id) || {}), ...q.body, id: q.id, unsaved: true,
      error: q.rejected ? q.rejected.error : null, conflict: q.conflict || null, mineDeleted: false });
  }
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function bodyOf(a) {
  return { category: a.category, prompt: a.prompt, target: a.target, note: a.note || "", fields: a.fields || {} };
}

function save(a) {
  const body = bodyOf(a);
  annotations.set(a.id, { ...(annotations.get(a.id) || {}), ...body, id: a.id, unsaved: true, error: null });
  remember();
  sync.put(a.id, body);
  refresh();
}

// ---------------------------------------------------------------- drawing

function colorOf(a) { return (categories[a.category] || {}).color || "#666"; }

function refresh(pending) {
  const items = [];
  for (const a of annotations.values()) {
    if (!a.target) continue;
    const [s, e] = map.toU16(a.target);
    items.push({ id: a.id, start: s, end: e, color: colorOf(a) });
  }
  if (pending) items.push({ id: "pending", start: pending[0], end: pending[1], color: "#e0b000", cls: "pending-sel" });
  map.render(items);
  renderList();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function sortedFor(promptId) {
  return Array.from(annotations.values())
    .filter((a) => (a.prompt || firstPromptOf(a.category)) === promptId)
    .sort((x, y) => (x.target ? x.target.start : 1e12) - (y.target ? y.target.start : 1e12));
}

function firstPromptOf(category) {
  const p = data.prompts.find((q) => q.category === category);
  return p ? p.id : null;
}

function renderList() {
  const list = $("annotation-list");
  // the list is drawn anew: keep keyboard focus on the same button of the same annotation
  const active = document.activeElement;
  const held = active && list.contains(active) && active.dataset.act && active.closest("[data-id]");
  const refocus = held ? [held.dataset.id, active.dataset.act] : null;
  const frag = document.createDocumentFragment();
  let total = 0;
  for (const p of data.prompts) {
    const items = sortedFor(p.id);
    total += items.length;
    const cat = categories[p.category];
    frag.append(el("h3", { class: "group-title", text: `${cat.label} (${items.length})` }));
    const count = document.querySelector(`[data-count-for="${p.id}"]`);
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
  $("total-count").textContent = `(${total})`;
  if (refocus) {
    const again = list.querySelector(`[data-id="${refocus[0]}"] [data-act="${refocus[1]}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

function listItem(a, cat) {
  const li = el("li", { class: `ann${a.unsaved ? " unsaved" : ""}${a.anchored_by === "orphan" ? " orphan" : ""}`, "data-id": a.id });
  li.style.setProperty("--cat", cat.color);
  const what = a.target
    ? (a.target.exact ? el("q", { class: "ann-quote", text: a.target.exact }) : el("span", { class: "muted", text: "A point in the text" }))
    : el("span", { class: "muted", text: "About the whole article" });
  if (a.target) {
    li.append(el("button", { type: "button", class: "ann-go", title: "Show in the article", "data-act": "go", onclick: () => show(a.id) }, what));
  } else {
    li.append(what);
  }
  const choosing = a.conflict && !readonly; // both versions are shown in the choice instead
  if (a.fields && a.fields.missing && !choosing) li.append(el("p", { class: "ann-missing", text: a.fields.missing }));
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
  if (!readonly && !a.mineDeleted) {
    li.append(el("div", { class: "ann-actions" },
      el("button", { type: "button", class: "link-button", "data-act": "edit", onclick: () => openPanel({ edit: a.id }) , "aria-label": `Edit ${describe(a)}` }, "Edit"),
      el("button", { type: "button", class: "link-button", "data-act": "delete", onclick: () => remove(a.id), "aria-label": `Delete ${describe(a)}` }, "Delete")));
  }
  return li;
}

// ---------------------------------------------------------------- conflicts

/** What the student is told when this tab's change met a newer saved version. */
function conflictMessage(a) {
  const current = a.conflict.current;
  if (!current || current.deleted) return "You deleted this note in another tab or device.";
  if (a.mineDeleted) return "You changed this note in another tab or device, and deleted it here.";
  return "You changed this note in another tab or device.";
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
    el("button", { type: "button", class: "button small", "data-act": "theirs", "aria-describedby": msgId, onclick: () => keepTheirs(a.id) }, "Keep the saved one"),
    el("button", { type: "button", class: "button small primary", "data-act": "mine", "aria-describedby": msgId, onclick: () => keepMine(a.id) }, "Keep mine")));
  return box;
}

/** One side of a conflict: its note, and whatever else differs from the other side. */
function versionView(title, v, other, cls, missing) {
  const box = el("div", { class: `conflict-version conflict-${cls}` }, el("p", { class: "conflict-label", text: title }));
  if (!v) { box.append(el("p", { class: "conflict-gone", text: missing })); return box; }
  const o = other || {};
  if (other && v.category !== o.category) {
    box.append(el("p", { class: "conflict-cat", text: (categories[v.category] || {}).label || v.category }));
  }
  const t = v.target || {};
  const ot = o.target || {};
  if (other && (t.start !== ot.start || t.end !== ot.end)) {
    box.append(t.exact ? el("q", { class: "ann-quote", text: t.exact })
      : el("p", { class: "muted", text: v.target ? "A point in the text" : "About the whole article" }));
  }
  const details = fieldDetails({ ...v, unsaved: true }, other || { fields: {} }); // as text
  if (details.length) box.append(el("dl", { class: "ann-fields" }, ...details));
  box.append(v.note ? el("p", { class: "ann-note", text: v.note }) : el("p", { class: "muted conflict-empty", text: "No note" }));
  return box;
}

function keepTheirs(id) {
  const a = annotations.get(id);
  if (!a || !a.conflict) return;
  const current = a.conflict.current;
  sync.keepTheirs(id);
  if (current && !current.deleted) {
    annotations.set(id, { ...current, unsaved: false, error: null, conflict: null, mineDeleted: false });
  } else {
    annotations.delete(id);
  }
  remember();
  refresh();
  announce("Kept the saved version. The change from this tab was dropped.");
  afterChoice(id);
}

function keepMine(id) {
  const a = annotations.get(id);
  if (!a || !a.conflict) return;
  sync.keepMine(id);
  if (a.mineDeleted) annotations.delete(id);
  else annotations.set(id, { ...a, conflict: null, error: null, unsaved: true });
  remember();
  refresh();
  announce(a.mineDeleted ? "Deleting it, as you did in this tab." : "Keeping your version from this tab: saving it now.");
  afterChoice(id);
}

/** After a choice the buttons are gone: go on from the same annotation (or the list). */
function afterChoice(id) {
  const next = document.querySelector(`#annotation-list [data-id="${id}"] [data-act="edit"]`)
    || document.querySelector("#annotation-list [data-act=theirs]")
    || $("mine-h");
  next.focus();
}

/** The structured answers (except "what is missing", shown above) as label/value pairs; with
 * `other`, those that differ from it, "what is missing" included. */
function fieldDetails(a, other = null) {
  const p = prompts[a.prompt || firstPromptOf(a.category)];
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

function describe(a) {
  const label = (categories[a.category] || {}).label || a.category;
  if (a.target && a.target.exact) return `${label}: “${a.target.exact.slice(0, 60)}”`;
  return `${label}: ${(a.fields && a.fields.missing) || a.note || "note"}`.slice(0, 80);
}

function show(id) {
  const els = map.elementsFor(id);
  if (!els.length) return;
  els[0].scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  for (const e of els) {
    e.classList.remove("flash");
    void e.offsetWidth; // restart the animation
    e.classList.add("flash");
  }
  announce(`Showing ${describe(annotations.get(id))}`);
}

function announce(text) {
  const live = $("sr-announce");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 30);
}

let toastTimer = null;
function toast(text, action) {
  const t = $("toast");
  t.replaceChildren(el("span", { text }));
  if (action) t.append(el("button", { type: "button", onclick: () => { t.hidden = true; action.run(); } }, action.label));
  t.hidden = false;
  clearTimeout(toastTimer);
  const hide = () => {
    // never pull the Undo button away from someone who is on it
    if (t.contains(document.activeElement)) { toastTimer = setTimeout(hide, 2000); return; }
    t.hidden = true;
  };
  toastTimer = setTimeout(hide, action ? 10000 : 5000);
}

// ---------------------------------------------------------------- save status

const STATUS_TEXT = {
  saved: "All changes saved",
  saving: "Saving…",
  offline: "Offline: your work is kept on this device and will be sent when you reconnect",
  error: "Having trouble saving: will retry",
  login: "You've been logged out. Log in again (in a new tab): your work is kept here",
  submitted: "Submitted",
  attention: "Some annotations are not saved: see “Not saved” in My annotations",
  conflict: "Changed in another tab or device: choose which version to keep in My annotations",
  wrong_user: "Someone else is logged in now: log back in as yourself to send your unsaved work",
};

sync.addEventListener("status", (e) => {
  const s = $("save-status");
  const { state, pending } = e.detail;
  s.dataset.state = state;
  let text = STATUS_TEXT[state] || state;
  if (state === "attention" && e.detail.conflicts && !e.detail.rejected) text = STATUS_TEXT.conflict;
  if ((state === "offline" || state === "error") && pending) text += ` (${pending} waiting)`;
  if ((state === "submitted" || state === "wrong_user") && e.detail.message) text = e.detail.message;
  s.textContent = text;
});

sync.addEventListener("saved", (e) => {
  const d = e.detail;
  const a = annotations.get(d.id);
  if (a && !sync.pendingFor(d.id)) annotations.set(d.id, { ...d, unsaved: false, error: null });
  remember();
  renderList();
});

sync.addEventListener("deleted", () => remember());

// work left by a tab that has just closed: show it here, this tab sends it
sync.addEventListener("adopted", () => {
  adopt(Array.from(annotations.values()));
  refresh();
});

sync.addEventListener("rejected", (e) => {
  const a = annotations.get(e.detail.id);
  if (a) annotations.set(a.id, { ...a, error: e.detail.error, unsaved: true });
  renderList();
  announce(`Not saved: ${e.detail.error}`);
});

// changed in another tab or device: show both versions and let the student choose
sync.addEventListener("conflict", (e) => {
  const { id } = e.detail;
  const entry = sync.pendingFor(id);
  if (!entry || !entry.conflict) return; // a newer change typed here is on its way; it asks
  overlay(entry);
  remember();
  refresh();
  const a = annotations.get(id);
  announce(`${conflictMessage(a)} ${a.mineDeleted ? "" : `(${describe(a)}) `}In My annotations, choose “Keep the saved one” or “Keep mine”.`);
});

window.addEventListener("beforeunload", (e) => {
  if (sync.pending() && navigator.onLine === false) {
    // the work is safe in this browser, but say so before they leave
    e.preventDefault();
  }
});

// ---------------------------------------------------------------- the panel

const panel = $("panel");
let panelState = null; // {id, target|null, u16: [s,e]|null, returnFocus}

function openPanel({ edit = null, range = null, point = null, promptId = null, anchorRect = null } = {}) {
  if (readonly) return;
  const existing = edit ? annotations.get(edit) : null;
  let target = existing ? existing.target : null;
  let u16 = target ? map.toU16(target) : null;
  if (range) { u16 = range; target = targetFor(map.text, range[0], range[1]); }
  if (point !== null) { u16 = [point, point]; target = targetFor(map.text, point, point); target.exact = ""; }
  panelState = { id: existing ? existing.id : uuid(), isNew: !existing, target, u16, returnFocus: document.activeElement };

  $("panel-title").textContent = existing ? "Edit annotation" : (target ? (target.exact ? "What did you find here?" : "Something is missing here") : "Something that's missing");
  const quote = $("panel-quote");
  quote.hidden = !(target && target.exact);
  quote.textContent = target && target.exact ? target.exact : "";

  const chosen = existing ? (existing.prompt || firstPromptOf(existing.category))
    : promptId || (target && !target.exact ? firstPromptOf("omission") : null);
  const chips = $("panel-prompts");
  chips.replaceChildren();
  for (const p of data.prompts) {
    if (!target && p.category !== "omission") continue; // no words: only an omission fits
    if (target && !target.exact && p.category !== "omission") continue;
    const cat = categories[p.category];
    const id = `chip-${p.id}`;
    const input = el("input", { type: "radio", name: "prompt", id, value: p.id, checked: p.id === chosen });
    input.addEventListener("change", () => renderFields(p.id, existing));
    const wrap = el("span", { class: "chip" }, input, el("label", { for: id }, el("span", { class: "swatch", "aria-hidden": "true" }), cat.label));
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
  place(anchorRect || (u16 ? rectFor(u16) : null));
  refresh(u16 && panelState.isNew ? u16 : null);
  const first = chips.querySelector("input:checked") || chips.querySelector("input");
  (first || $("panel-note")).focus();
}

function rectFor(u16) {
  try {
    const rects = map.domRange(u16[0], Math.max(u16[1], u16[0])).getClientRects();
    return rects.length ? rects[rects.length - 1] : null;
  } catch { return null; }
}

function place(rect) {
  if (matchMedia("(max-width: 900px)").matches) return; // docked at the bottom by CSS
  // over the questions column, level with the selection: the article stays in view
  const side = document.querySelector(".work-col").getBoundingClientRect();
  panel.style.width = `${Math.max(280, Math.min(side.width - 16, 416))}px`;
  const h = panel.offsetHeight;
  const wanted = rect ? rect.top - 48 : (window.innerHeight - h) / 3;
  const top = Math.max(8, Math.min(wanted, window.innerHeight - h - 8));
  panel.style.left = `${window.scrollX + side.left + 8}px`;
  panel.style.top = `${window.scrollY + top}px`;
}

function renderFields(promptId, existing) {
  const box = $("panel-fields");
  box.replaceChildren();
  const p = prompts[promptId];
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
        row.append(el("label", {}, el("input", { type: "radio", name: id, value, checked: values[f.name] === value }), text));
      }
      fs.append(row, el("p", { class: "error", id: `${id}-error`, hidden: true }));
      box.append(fs);
    } else {
      box.append(el("div", { class: "field" },
        el("label", { for: id, text: label }),
        el("input", { id, name: id, type: f.type === "url" ? "url" : "text", value: values[f.name] || "", maxlength: 500, "aria-describedby": `${id}-error`, placeholder: f.type === "url" ? "https://…" : "" }),
        el("p", { class: "error", id: `${id}-error`, hidden: true })));
    }
  }
}

function updateCount() {
  const n = $("panel-note").value.length;
  const c = $("panel-note-count");
  c.textContent = `${n.toLocaleString()} / ${data.noteMax.toLocaleString()} characters`;
  c.classList.toggle("error", n > data.noteMax);
}
$("panel-note").addEventListener("input", updateCount);

function closePanel({ restoreFocus = true } = {}) {
  const back = panelState && panelState.returnFocus;
  const id = panelState && panelState.id;
  panel.hidden = true;
  panelState = null;
  refresh();
  if (!restoreFocus) return;
  if (back && document.contains(back)) { back.focus(); return; }
  // the list was redrawn: go back to the same annotation's Edit button
  const again = id && document.querySelector(`#annotation-list [data-id="${id}"] .ann-actions button`);
  if (again) again.focus();
}

function fieldError(name, message) {
  const e = $(`pf-${name}-error`);
  if (e) { e.textContent = message; e.hidden = false; }
}

$("panel-form").addEventListener("submit", (ev) => {
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
    let v = "";
    if (f.type === "choice") v = (panel.querySelector(`input[name="${id}"]:checked`) || {}).value || "";
    else v = $(id).value.trim();
    if (v) fields[f.name] = v;
    if (f.type === "url" && v && !/^https?:\/\/[^\s/]+\.[^\s]+$/i.test(v)) {
      fieldError(f.name, "Type a full web address starting with http:// or https://");
      bad = bad || $(id);
    }
    if (p.required.includes(f.name) && !v) {
      fieldError(f.name, `Please fill in “${f.label}”.`);
      bad = bad || $(id) || panel.querySelector(`input[name="${id}"]`);
    }
  }
  const note = $("panel-note").value;
  if (note.length > data.noteMax) {
    const ne = $("panel-note-error");
    ne.textContent = `Your note is ${note.length.toLocaleString()} characters long; the limit is ${data.noteMax.toLocaleString()}. Shorten it a little.`;
    ne.hidden = false;
    bad = bad || $("panel-note");
  } else if (p.required.includes("note") && !note.trim()) {
    const ne = $("panel-note-error");
    ne.textContent = "This question needs a note: write a few words.";
    ne.hidden = false;
    bad = bad || $("panel-note");
  }
  if (bad) { bad.focus(); announce("Please fix the highlighted answers."); return; }
  const a = { id: panelState.id, category: p.category, prompt: p.id, target: panelState.target, note, fields };
  const isNew = panelState.isNew;
  if (p.category !== "omission") lastPrompt = p.id; // words are rarely an omission
  closePanel();
  save(a);
  announce(isNew ? `Saved as ${categories[p.category].label}.` : "Changes saved.");
  if (kbd.on) articleEl.focus();
});

$("panel-cancel").addEventListener("click", () => closePanel());
$("panel-delete").addEventListener("click", () => {
  const id = panelState.id;
  closePanel({ restoreFocus: false });
  remove(id);
});
panel.addEventListener("keydown", (e) => {
  if (e.key === "Escape") { e.preventDefault(); closePanel(); }
});
document.addEventListener("mousedown", (e) => {
  if (!panel.hidden && !panel.contains(e.target)) closePanel({ restoreFocus: false });
});

function remove(id) {
  const before = annotations.get(id);
  if (!before) return;
  annotations.delete(id);
  remember();
  sync.remove(id);
  refresh();
  announce("Deleted. Press Undo to bring it back.");
  toast("Annotation deleted.", {
    label: "Undo",
    run: () => { save({ ...before, id }); announce("Restored."); },
  });
  // keyboard users land on Undo (the list item they were on is gone)
  if (!kbd.on) $("toast").querySelector("button").focus();
}

// ---------------------------------------------------------------- mouse and touch

function selectionOffsets() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0) return null;
  const range = sel.getRangeAt(0);
  if (!articleEl.contains(range.commonAncestorContainer) && !range.intersectsNode(articleEl)) return null;
  const offs = map.rangeOffsets(range);
  if (!offs) return null;
  if (sel.isCollapsed) return { point: offs[0], rect: range.getBoundingClientRect() };
  const [s, e] = snapToWords(map.text, offs[0], offs[1]);
  if (s === e) return null;
  return { range: [s, e], rect: range.getClientRects()[range.getClientRects().length - 1] };
}

let pointChip = null;
function offerPoint(offset, rect) {
  dismissPointChip();
  pointChip = el("button", { type: "button", class: "button small", style: "position:absolute;z-index:40" }, "+ Something is missing here");
  pointChip.style.left = `${window.scrollX + rect.left}px`;
  pointChip.style.top = `${window.scrollY + rect.bottom + 6}px`;
  pointChip.addEventListener("click", () => { dismissPointChip(); openPanel({ point: offset, promptId: firstPromptOf("omission") }); });
  document.body.append(pointChip);
}
function dismissPointChip() { if (pointChip) { pointChip.remove(); pointChip = null; } }

function onPointerUp(e) {
  if (readonly || kbd.on) return;
  setTimeout(() => {
    const hit = e.target.closest && e.target.closest(".hl, .pt");
    const found = selectionOffsets();
    if (found && found.range && lastPointer !== "touch") {
      dismissPointChip();
      window.getSelection().removeAllRanges();
      openPanel({ range: found.range, promptId: lastPrompt, anchorRect: found.rect });
      return;
    }
    if (hit) {
      const ids = hit.dataset.ids.split(" ").filter((id) => annotations.has(id));
      if (ids.length) { openPanel({ edit: ids[0] }); return; }
    }
    if (found && found.point !== undefined && e.target.closest(".block")) offerPoint(found.point, found.rect);
    else dismissPointChip();
  }, 0);
}
articleEl.addEventListener("mouseup", onPointerUp);

// Touch: a long press selects a word and handles adjust it; open the panel once the
// selection has stopped changing, not on the first touchend.
let lastPointer = "mouse";
let touchTimer = null;
articleEl.addEventListener("pointerdown", (e) => { lastPointer = e.pointerType; });
document.addEventListener("selectionchange", () => {
  if (lastPointer !== "touch" || readonly || kbd.on || !panel.hidden) return;
  clearTimeout(touchTimer);
  touchTimer = setTimeout(() => {
    const found = selectionOffsets();
    if (!found || !found.range || !panel.hidden) return;
    window.getSelection().removeAllRanges();
    openPanel({ range: found.range, promptId: lastPrompt, anchorRect: found.rect });
  }, 800);
});
document.addEventListener("mousedown", (e) => { if (pointChip && e.target !== pointChip) dismissPointChip(); });

// ---------------------------------------------------------------- keyboard selection mode

const kbd = keyboardMode({
  map,
  articleEl,
  button: $("kbd-mode"),
  help: $("kbd-help"),
  announce,
  busy: () => readonly || !panel.hidden,
  annotate: (range) => openPanel({ range, promptId: lastPrompt }),
  markMissing: (at) => openPanel({ point: at, promptId: firstPromptOf("omission") }),
  edit: (s0, e0) => {
    const under = Array.from(annotations.values()).filter((a) => a.target && a.target.exact)
      .map((a) => [a, map.toU16(a.target)]).filter(([, r]) => r[0] < e0 && r[1] > s0)
      .sort((x, y) => (x[1][1] - x[1][0]) - (y[1][1] - y[1][0]));
    if (under.length) openPanel({ edit: under[0][0].id });
    else announce("No highlight here. Select words and press Enter to add one.");
  },
});

// ---------------------------------------------------------------- omissions, submit

document.querySelectorAll(".add-omission").forEach((b) => {
  b.hidden = false;
  b.addEventListener("click", () => openPanel({ promptId: b.dataset.prompt }));
});

const submitForm = $("submit-form");
if (submitForm) {
  submitForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (sync.rejected().length) {
      toast("Some annotations are marked “Not saved”. Fix or delete them before you submit.");
      const first = document.querySelector(".ann .error");
      if (first) first.closest(".ann").querySelector("button").focus();
      return;
    }
    if (sync.conflicts().length) {
      toast("An annotation was changed in another tab. Choose which version to keep before you submit.");
      const first = document.querySelector("#annotation-list [data-act=theirs]");
      if (first) first.focus();
      return;
    }
    if (!window.confirm("Submit your work now? After you submit, you can't change it.")) return;
    const button = $("submit-button");
    button.disabled = true;
    button.textContent = "Saving your last changes…";
    const flushed = await sync.flush();
    if (!flushed) {
      button.disabled = false;
      button.textContent = "Submit my work";
      toast("Some changes haven't reached the server yet (are you offline?). They're kept on this device. Try submitting again when you're connected.");
      return;
    }
    button.textContent = "Submitting…";
    try {
      let r = await sync.request("POST", data.submitUrl, {});
      if (r.status === 400 && (await sync.refreshToken())) r = await sync.request("POST", data.submitUrl, {});
      if (!r.ok) throw new Error(String(r.status));
      localStorage.removeItem(stateKey);
      window.history.scrollRestoration = "manual"; // show the "submitted" banner at the top
      window.scrollTo(0, 0);
      window.location.reload();
    } catch {
      button.disabled = false;
      button.textContent = "Submit my work";
      toast("We couldn't submit just now. Your work is saved; try again in a moment.");
    }
  });
}

// ---------------------------------------------------------------- start

async function start() {
  if (readonly) {
    const lost = sync.queue.length;
    adopt([]);
    adopt(data.annotations);
    sync.queue = [];
    sync.persist();
    refresh();
    if (lost) {
      toast(`This lesson was already submitted (perhaps on another device), so ${lost} change${lost === 1 ? "" : "s"} made here afterwards could not be saved.`);
    }
    return;
  }
  const mirror = recalled(); // read before the page's own data overwrites it
  adopt(data.annotations); // draw at once from the page
  refresh();
  // unsent changes from before a reload: never say "All changes saved" while they wait
  if (sync.pending()) sync.setState("saving");
  else if (sync.queue.length) sync.setState("attention"); // refused, or a choice to make
  try {
    const r = await fetch(data.apiBase, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.ok) {
      const fresh = await r.json();
      if (fresh.submitted_at) { window.location.reload(); return; }
      adopt(fresh.annotations);
    } else {
      throw new Error(String(r.status));
    }
  } catch {
    // offline (the page came from the offline copy): use what this device last knew
    if (Array.isArray(mirror)) adopt(mirror.filter((a) => !a.error || sync.pendingFor(a.id)));
  }
  refresh();
  if (sync.pending()) { sync.setState("saving"); sync.kick(0); } else if (sync.queue.length) sync.setState("attention");
  keepOfflineCopy();
}

/** Let a reload while offline still show the lesson (see static/js/sw.js). */
function keepOfflineCopy() {
  if (!("serviceWorker" in navigator)) return;
  const first = !navigator.serviceWorker.controller;
  navigator.serviceWorker.register(`/sw.js?u=${encodeURIComponent(data.userId)}`, { scope: "/" }).then(() => navigator.serviceWorker.ready)
    .then((reg) => {
      if (!first || !reg.active) return;
      // the page and every script and stylesheet (listed by the server, so none is missed)
      reg.active.postMessage({ keep: [window.location.href.split("#")[0], ...data.offlineFiles] });
    })
    .catch(() => {});
}

document.querySelectorAll("form[data-logout]").forEach((f) => {
  f.addEventListener("submit", (e) => {
    if (sync.pending() && !window.confirm("Some changes haven't been sent yet. They stay on this device and are sent next time you open this lesson here. Log out anyway?")) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, { capture: true });
});

start();
