// What the student is told: the save status line, announcements for screen readers, and
// short messages (toasts), one of which may carry an action such as Undo.

import { elementMaker } from "./dom.js";

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

/** The save status line for a Sync "status" event's detail. */
export function statusText({ state, pending, rejected, conflicts, message }) {
  let text = STATUS_TEXT[state] || state;
  if (state === "attention" && conflicts && !rejected) text = STATUS_TEXT.conflict;
  if ((state === "offline" || state === "error") && pending) text += ` (${pending} waiting)`;
  if ((state === "submitted" || state === "wrong_user") && message) text = message;
  return text;
}

/** announce(text) for the live region `live`; toast(text, {label, run}?) in `toastEl`. */
export function createNotices({ win, live, toastEl }) {
  const doc = win.document;
  const el = elementMaker(doc);
  let toastTimer = null;

  function announce(text) {
    live.textContent = "";
    win.setTimeout(() => { live.textContent = text; }, 30);
  }

  function toast(text, action) {
    const t = toastEl;
    t.replaceChildren(el("span", { text }));
    if (action) {
      t.append(el("button", { type: "button", onclick: () => { t.hidden = true; action.run(); } }, action.label));
    }
    t.hidden = false;
    win.clearTimeout(toastTimer);
    const hide = () => {
      // never pull the Undo button away from someone who is on it
      if (t.contains(doc.activeElement)) { toastTimer = win.setTimeout(hide, 2000); return; }
      t.hidden = true;
    };
    toastTimer = win.setTimeout(hide, action ? 10000 : 5000);
  }

  /** Put keyboard focus on the toast's action (Undo). */
  function focusAction() { toastEl.querySelector("button").focus(); }

  return { announce, toast, focusAction };
}
