// The lesson editor's entry point: reads the page's data, draws the editor's parts, and keeps
// the draft saved: each change is sent (the whole lesson, a moment after typing stops) and the
// server's check comes back with it, shown beside the part each problem is about.

import { elementMaker } from "../lesson/dom.js";
import { keyboardMode } from "../lesson/keyboard.js";
import { createNotices } from "../lesson/notices.js";
import { createPointer } from "../lesson/pointer.js";
import { copy, problemsByPlace } from "./draft.js";
import { createForms, showProblems } from "./forms.js";
import { createKeyArticle, createKeyPanel } from "./key.js";

const $ = (id) => document.getElementById(id);
const el = elementMaker(document);
const page = JSON.parse($("editor-data").textContent);
const { announce, toast } = createNotices({ win: window, live: $("sr-announce"), toastEl: $("toast") });

let data = page.lesson; // the editor's copy
let saved = page.lesson; // the server's, as last checked
let { revision, places, problems } = page;
let changes = 0; // edits made so far; a save answers for those made before it was sent
let articleChanged = false;
let timer = null;
let inFlight = false;
let again = false;

function categories() {
  const own = data.categories && typeof data.categories === "object" ? data.categories : {};
  const builtin = page.builtinCategories.filter((c) => !(c.id in own));
  // a colour goes into a style attribute: only one that is a colour (the check says so of the rest)
  const colour = (c) => (c && /^#[0-9a-fA-F]{6}$/.test(c.color) ? c.color : "#5a6270");
  const extra = Object.entries(own).map(([id, c]) => ({ id, label: (c && c.label) || id, color: colour(c) }));
  return [...builtin, ...extra];
}

function status(state, text) {
  const s = $("save-status");
  s.dataset.state = state;
  s.textContent = text;
}

/** Change the draft; `opts`: article (the text changed), redraw (the blocks' shape changed),
 * focus (an element id), say (announce), now (save at once). */
function edit(fn, opts = {}) {
  data = fn(copy(data));
  changes += 1;
  if (opts.article) { articleChanged = true; $("article-busy").hidden = false; }
  if (opts.redraw) { forms.blocks(); forms.prompts(); }
  if (opts.focus && $(opts.focus)) $(opts.focus).focus();
  if (opts.say) announce(opts.say);
  status("saving", "Saving…");
  window.clearTimeout(timer);
  timer = window.setTimeout(save, opts.now ? 0 : 700);
}

async function save() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  const sentAt = changes;
  try {
    const r = await fetch(page.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": page.csrfToken },
      body: JSON.stringify({ revision, lesson: data }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || "Not saved: the server had a problem. Your changes are kept on "
      + "this page and sent again in a moment.");
    received(body, sentAt);
  } catch (e) {
    // fetch's own errors ("Failed to fetch") mean no connection: say so, and try again
    const offline = e instanceof TypeError;
    const text = offline ? "Not saved: no connection. Your changes are kept on this page and saved when "
      + "the connection is back." : e.message;
    status("error", text);
    toast(text);
    if (offline || !/another tab/.test(text)) retryLater();
  } finally {
    inFlight = false;
    if (again) { again = false; save(); }
  }
}

let retry = null;
function retryLater() {
  window.clearTimeout(retry);
  retry = window.setTimeout(() => { if (changes && $("save-status").dataset.state === "error") save(); }, 10000);
}
window.addEventListener("online", () => { if ($("save-status").dataset.state === "error") save(); });

function received(body, sentAt) {
  ({ revision, places, problems } = body);
  saved = body.lesson;
  if (changes === sentAt) {
    data = body.lesson; // with the words of each new item as the server placed them
    articleChanged = false;
    $("article-busy").hidden = true;
    status("saved", "All changes saved");
  }
  render();
}

const forms = createForms({ doc: document, els: { details: $("details-fields"), blocks: $("blocks"),
  prompts: $("prompts") }, getData: () => data, edit, categories,
  say: (text) => { announce(text); toast(text); }, confirm: (text) => window.confirm(text) });
const article = createKeyArticle({ doc: document, articleEl: $("article") });
article.show(saved.blocks || []);
const panel = createKeyPanel({
  win: window,
  els: { panel: $("panel"), title: $("panel-title"), quote: $("panel-quote"), body: $("panel-body"),
    error: $("panel-error"), del: $("panel-delete") },
  categories,
  getData: () => data,
  change: (fn) => edit(fn, { now: true }),
  announce: (text) => { announce(text); toast(text); },
  map: article,
  fallbackFocus: () => $("key-list-h"),
});
panel.setSpanOf((id) => ((places.key[id] || places.decoys[id] || [])[0] || null));

/** The reader's idea of what is annotated: the key items and decoys drawn in the article. */
const drawn = { annotations: new Map() };
const colorOf = (cid) => (categories().find((c) => c.id === cid) || {}).color || "#666";
const labelOf = (cid) => (categories().find((c) => c.id === cid) || {}).label || cid;

function drawKey() {
  article.show(saved.blocks || []);
  const items = [];
  for (const k of saved.key || []) {
    if (places.key[k.id]) items.push({ id: k.id, spans: places.key[k.id], color: colorOf(k.category),
      label: `${labelOf(k.category)} key item` });
  }
  for (const d of saved.decoys || []) {
    if (places.decoys[d.id]) items.push({ id: d.id, spans: places.decoys[d.id], color: "#5a6270", cls: "decoy",
      label: "decoy" });
  }
  drawn.annotations = new Map(items.map((it) => [it.id, it]));
  article.draw(items);
}

function keyList() {
  const cats = categories();
  const row = (entry, kind) => {
    const id = entry.id;
    const words = entry.category === "omission" ? entry.statement : entry.quote;
    const also = (entry.also || []).map((a, i) => el("li", {}, `also: \u201c${typeof a === "string" ? a : a.quote || "…"}\u201d `,
      el("button", { type: "button", class: "link-button", onclick: () => panel.removeAlternative(id, i) },
        "remove")));
    return el("li", { class: "key-entry", id: `entry-${id}` },
      el("p", {}, words ? el(entry.category === "omission" ? "strong" : "q", {}, words) : el("em", {}, "(saving…)"),
        entry.occurrence === "any" ? el("span", { class: "muted small" }, " · every time") : null,
        kind === "key" ? el("span", { class: "muted small" }, ` · ${entry.points ?? 1} point${entry.points === 1 ? "" : "s"}`) : null),
      el("p", { class: "small" }, entry.explanation || ""),
      also.length ? el("ul", { class: "also-list" }, ...also) : null,
      el("ul", { class: "problems", id: `problems-${kind}:${id}`, hidden: true }),
      el("div", { class: "entry-actions" },
        el("button", { type: "button", class: "button small", "aria-label": `Edit ${words || id}`,
          onclick: (e) => panel.open({ edit: id, rect: e.currentTarget.getBoundingClientRect() }) }, "Edit")));
  };
  const groups = cats.map((c) => {
    const items = (data.key || []).filter((k) => k.category === c.id);
    return el("section", { class: "key-group" }, el("h4", {}, el("span", { class: "swatch", style: `--cat:${c.color}` }),
      ` ${c.label} (${items.length})`), items.length ? el("ul", {}, ...items.map((k) => row(k, "key")))
      : el("p", { class: "muted small" }, c.id === "omission" ? "None yet: use \u201c+ Something the article leaves out\u201d."
        : "None yet: highlight words in the article."));
  });
  const decoys = data.decoys || [];
  groups.push(el("section", { class: "key-group" }, el("h4", {}, `Decoys (${decoys.length})`),
    decoys.length ? el("ul", {}, ...decoys.map((d) => row(d, "decoy")))
      : el("p", { class: "muted small" }, "None yet: careful wording that only looks like an answer.")));
  $("key-list").replaceChildren(...groups);
}

function render() {
  drawKey();
  keyList();
  const errors = showProblems({ doc: document, places: problemsByPlace(problems), summary: $("check-summary"),
    list: $("check-list") });
  $("publish-button").setAttribute("aria-describedby", "check-summary");
  $("edit-title").textContent = `Edit \u201c${data.title || "untitled"}\u201d`;
  return errors;
}

const pointer = createPointer({ win: window, articleEl: $("article"), map: article.map, state: drawn, panel: {
  open: (what) => panel.open(what.range ? { span: article.toCp(what.range), rect: what.anchorRect } : what),
  isOpen: panel.isOpen,
}, blocked: () => articleChanged || kbd.on, omissionPrompt: () => null });

const kbd = keyboardMode({
  win: window, map: article.map, articleEl: $("article"), button: $("kbd-mode"), help: $("kbd-help"), announce,
  busy: () => panel.isOpen() || articleChanged,
  annotate: (range) => panel.open({ span: article.toCp(range),
    rect: article.map.domRange(...range).getBoundingClientRect() }),
  markMissing: () => panel.open({ omission: true }),
  edit: (s, e) => {
    const hit = [...drawn.annotations.values()].find((it) => it.spans.some(([a, b]) => {
      const [x, y] = article.map.toU16({ start: a, end: b });
      return x < e && y > s;
    }));
    if (hit) panel.open({ edit: hit.id });
    else announce("No key item here.");
  },
});

const articleEl = $("article");
articleEl.addEventListener("mouseup", pointer.onMouseUp);
articleEl.addEventListener("pointerdown", pointer.onPointerDown);
document.addEventListener("selectionchange", pointer.onSelectionChange);
document.addEventListener("mousedown", pointer.onDocumentMousedown);
$("panel-form").addEventListener("submit", panel.onSubmit);
$("panel-cancel").addEventListener("click", panel.close);
$("panel-delete").addEventListener("click", panel.onDelete);
$("panel").addEventListener("keydown", panel.onKeydown);
$("add-omission").addEventListener("click", () => panel.open({ omission: true }));
$("publish-form").addEventListener("submit", (e) => {
  if (changes && (inFlight || timer && $("save-status").dataset.state !== "saved")) {
    e.preventDefault();
    toast("Saving your last change first: publish again in a moment.");
    save();
  }
});
window.addEventListener("beforeunload", (e) => {
  if ($("save-status").dataset.state !== "saved") e.preventDefault();
});

forms.details();
forms.blocks();
forms.prompts();
render();
