// The lesson page's entry point, and the only module that reaches for the page's globals: it
// reads the lesson's data, finds the elements, builds the reader (reader.js) and the saving
// (sync.js) with what they need, wires the page's events to them and starts them.

import { ArticleMap } from "./article.js";
import { keyboardMode } from "./keyboard.js";
import { memoryStorage, previewApi } from "./preview.js";
import { createReader } from "./reader.js";
import { AnnotationState, newId } from "./state.js";
import { submitHandler } from "./submit.js";
import { Sync } from "./sync.js";

/** window[name] (localStorage, sessionStorage), looked up at each use: where storage is
 * blocked, touching it throws, and the modules expect that inside their try blocks. */
function lazyStorage(name) {
  const storage = () => window[name];
  return {
    get length() { return storage().length; },
    key: (i) => storage().key(i),
    getItem: (k) => storage().getItem(k),
    setItem: (k, v) => storage().setItem(k, v),
    removeItem: (k) => storage().removeItem(k),
  };
}

// looked up at each call, so that whatever stands in for them at that moment is used
const clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
  setInterval: (fn, ms) => window.setInterval(fn, ms),
};

const data = JSON.parse(document.getElementById("lesson-data").textContent);
const $ = (id) => document.getElementById(id);
const articleEl = $("article");
const map = new ArticleMap(articleEl, data.blocks);
const lesson = {
  prompts: data.prompts,
  promptsById: Object.fromEntries(data.prompts.map((p) => [p.id, p])),
  categories: Object.fromEntries(data.categories.map((c) => [c.id, c])),
  noteMax: data.noteMax,
};
// A teacher's preview: the same reader, over a stand-in for the API and storage that both
// live in this page's memory, so nothing is sent or left on the device (see preview.js).
const preview = data.preview
  ? previewApi({ apiBase: data.apiBase, csrfUrl: data.csrfUrl, submitUrl: data.submitUrl, lesson, clock,
    Response: window.Response })
  : null;
const fetchFn = preview ? preview.fetch : (...args) => window.fetch(...args);
const storage = preview ? memoryStorage() : lazyStorage("localStorage");
const sync = new Sync({
  apiBase: data.apiBase,
  csrfUrl: data.csrfUrl,
  csrfToken: data.csrfToken,
  storageKey: `rc:${data.userId}:${data.assignmentId}:queue`,
  userId: data.userId,
  storage,
  sessionStorage: preview ? memoryStorage() : lazyStorage("sessionStorage"),
  fetch: fetchFn,
  clock,
  random: () => Math.random(),
  events: window,
  onLine: () => navigator.onLine,
});
sync.start();
const state = new AnnotationState({ sync, storage, key: `rc:${data.userId}:${data.assignmentId}:state` });

let kbd = null;
const reader = createReader({
  win: window,
  els: {
    article: articleEl,
    panel: $("panel"),
    list: $("annotation-list"),
    total: $("total-count"),
    heading: $("mine-h"),
    toast: $("toast"),
    live: $("sr-announce"),
    status: $("save-status"),
  },
  lesson,
  readonly: data.readonly,
  sync,
  state,
  map,
  newId: () => newId(window.crypto),
  keyboardOn: () => kbd.on,
});

for (const [type, handler] of Object.entries(reader.syncEvents)) sync.addEventListener(type, handler);

window.addEventListener("beforeunload", (e) => {
  if (sync.pending() && navigator.onLine === false) {
    // the work is safe in this browser, but say so before they leave
    e.preventDefault();
  }
});

const { panel, pointer } = reader;
$("panel-note").addEventListener("input", panel.onNoteInput);
$("panel-form").addEventListener("submit", panel.onSubmit);
$("panel-cancel").addEventListener("click", panel.onCancel);
$("panel-delete").addEventListener("click", panel.onDelete);
$("panel").addEventListener("keydown", panel.onKeydown);
document.addEventListener("mousedown", panel.onDocumentMousedown);

articleEl.addEventListener("mouseup", pointer.onMouseUp);
articleEl.addEventListener("pointerdown", pointer.onPointerDown);
document.addEventListener("selectionchange", pointer.onSelectionChange);
document.addEventListener("mousedown", pointer.onDocumentMousedown);

kbd = keyboardMode({
  win: window,
  map,
  articleEl,
  button: $("kbd-mode"),
  help: $("kbd-help"),
  ...reader.keyboardActions,
});

document.querySelectorAll(".add-omission").forEach((b) => {
  b.hidden = false;
  b.addEventListener("click", () => panel.open({ promptId: b.dataset.prompt }));
});

const submitForm = $("submit-form");
if (submitForm) {
  submitForm.addEventListener("submit", submitHandler({
    win: window, button: $("submit-button"), submitUrl: data.submitUrl, sync, state, toast: reader.toast,
    ...(preview ? { submitted: previewSubmitted } : {}),
  }));
  if (preview) $("submit-button").disabled = false; // off in the page for want of this script
}

/** A preview's submission: no reload (it would start the preview again), just what happened. */
function previewSubmitted() {
  $("submit-button").textContent = "Submitted";
  reader.toast("Submitted. From now on a student's work is read-only; in this preview nothing "
    + "was kept. Reload the page to start again.");
}

/** Let a reload while offline still show the lesson (see static/js/sw.js). */
function keepOfflineCopy() {
  if (!("serviceWorker" in navigator)) return;
  const first = !navigator.serviceWorker.controller;
  navigator.serviceWorker.register(`/sw.js?u=${encodeURIComponent(data.userId)}`, { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((reg) => {
      if (!first || !reg.active) return;
      // the page and every script and stylesheet (listed by the server, so none is missed)
      reg.active.postMessage({ keep: [window.location.href.split("#")[0], ...data.offlineFiles] });
    })
    .catch(() => {});
}

document.querySelectorAll("form[data-logout]").forEach((f) => {
  f.addEventListener("submit", (e) => {
    if (sync.pending() && !window.confirm("Some changes haven't been sent yet. They stay on this device and "
      + "are sent next time you open this lesson here. Log out anyway?")) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, { capture: true });
});

reader.start({ annotations: data.annotations, apiBase: data.apiBase, fetch: fetchFn })
  .then((live) => { if (live && !preview) keepOfflineCopy(); });
