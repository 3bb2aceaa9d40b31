// The reader: the article with the student's highlights, the annotation panel, "My annotations"
// and what the student is told about saving, put together from the modules beside this one.
// It is handed the window, the page's elements, a Sync and an AnnotationState; main.js wires
// the page's events to the handlers it returns and starts it.

import { createList, conflictMessage } from "./list.js";
import { createNotices, statusText } from "./notices.js";
import { createPanel } from "./panel.js";
import { createPointer } from "./pointer.js";
import { firstPromptOf } from "./state.js";

/**
 * els: { article, panel, list, total, heading, toast, live, status } (#article, #panel,
 * #annotation-list, #total-count, #mine-h, #toast, #sr-announce, #save-status);
 * lesson: { prompts, promptsById, categories, noteMax }; map: the article's ArticleMap;
 * newId(): a new annotation's id; keyboardOn(): is keyboard selection on.
 */
export function createReader({ win, els, lesson, readonly, sync, state, map, newId, keyboardOn }) {
  const { announce, toast, focusAction } = createNotices({ win, live: els.live, toastEl: els.toast });
  const omissionPrompt = () => firstPromptOf(lesson.prompts, "omission");
  const colorOf = (a) => (lesson.categories[a.category] || {}).color || "#666";
  const categoryOf = (a) => (lesson.categories[a.category] || {}).label || a.category;

  const panel = createPanel({ win, panel: els.panel, articleEl: els.article, lesson, readonly, state, map,
    newId, refresh, save, remove, announce, keyboardOn });
  const list = createList({ win, listEl: els.list, totalEl: els.total, heading: els.heading, lesson, readonly,
    state, map, announce, actions: { edit: (id) => panel.open({ edit: id }), remove, keepTheirs, keepMine } });
  const pointer = createPointer({ win, articleEl: els.article, map, state, panel,
    blocked: () => readonly || keyboardOn(), omissionPrompt });

  /** Draw the highlights (and `pending`, the words the panel is open for) and the list. */
  function refresh(pending) {
    const items = [];
    for (const a of state.annotations.values()) {
      if (!a.target) continue;
      const [s, e] = map.toU16(a.target);
      // what a screen reader hears where it starts and ends, or at a point in the text
      const label = s === e ? `${categoryOf(a)}: something is missing here` : `${categoryOf(a)} highlight`;
      items.push({ id: a.id, start: s, end: e, color: colorOf(a), label });
    }
    if (pending) {
      items.push({ id: "pending", start: pending[0], end: pending[1], color: "#e0b000", cls: "pending-sel",
        label: "your selection" });
    }
    map.render(items);
    list.render();
  }

  function save(a) {
    state.save(a);
    refresh();
  }

  function remove(id) {
    const before = state.remove(id);
    if (!before) return;
    refresh();
    announce("Deleted. Press Undo to bring it back.");
    toast("Annotation deleted.", {
      label: "Undo",
      run: () => { save({ ...before, id }); announce("Restored."); },
    });
    // keyboard users land on Undo (the list item they were on is gone)
    if (!keyboardOn()) focusAction();
  }

  function keepTheirs(id) {
    if (!state.keepTheirs(id)) return;
    refresh();
    announce("Kept the saved version. The change from this tab was dropped.");
    list.afterChoice(id);
  }

  function keepMine(id) {
    const a = state.keepMine(id);
    if (!a) return;
    refresh();
    announce(a.mineDeleted ? "Deleting it, as you did in this tab."
      : "Keeping your version from this tab: saving it now.");
    list.afterChoice(id);
  }

  /** Handlers for the Sync's events. */
  const syncEvents = {
    status(e) {
      els.status.dataset.state = e.detail.state;
      els.status.textContent = statusText(e.detail);
    },
    saved(e) {
      state.saved(e.detail);
      list.render();
    },
    deleted() { state.remember(); },
    // work left by a tab that has just closed: show it here, this tab sends it
    adopted() {
      state.readopt();
      refresh();
    },
    rejected(e) {
      state.rejected(e.detail);
      list.render();
      announce(`Not saved: ${e.detail.error}`);
    },
    // changed in another tab or device: show both versions and let the student choose
    conflict(e) {
      const a = state.conflicted(e.detail.id);
      if (!a) return; // a newer change typed here is on its way; it asks
      refresh();
      announce(`${conflictMessage(a)} ${a.mineDeleted ? "" : `(${list.describe(a)}) `}`
        + "In My annotations, choose “Keep the saved one” or “Keep mine”.");
    },
  };

  /** What keyboard selection mode (keyboard.js) does with the words it selects. */
  const keyboardActions = {
    announce,
    busy: () => readonly || panel.isOpen(),
    annotate: (range) => panel.open({ range }),
    markMissing: (at) => panel.open({ point: at, promptId: omissionPrompt() }),
    edit: (s0, e0) => {
      const a = state.highlightAt(s0, e0, (target) => map.toU16(target));
      if (a) panel.open({ edit: a.id });
      else announce("No highlight here. Select words and press Enter to add one.");
    },
  };

  /** Draw at once from the page's own data, then from the server's latest (or, offline, from
   * this device's copy). annotations: the page's; fetch: the window's. Resolves true when the
   * page is live: not read-only, not submitted meanwhile (then it reloads). */
  async function start({ annotations, apiBase, fetch }) {
    if (readonly) {
      const lost = sync.queue.length;
      state.adopt([]);
      state.adopt(annotations);
      sync.queue = [];
      sync.persist();
      refresh();
      if (lost) {
        toast(`This lesson was already submitted (perhaps on another device), so ${lost} `
          + `change${lost === 1 ? "" : "s"} made here afterwards could not be saved.`);
      }
      return false;
    }
    const mirror = state.recalled(); // read before the page's own data overwrites it
    state.adopt(annotations); // draw at once from the page
    refresh();
    // unsent changes from before a reload: never say "All changes saved" while they wait
    if (sync.pending()) sync.setState("saving");
    else if (sync.queue.length) sync.setState("attention"); // refused, or a choice to make
    try {
      const r = await fetch(apiBase, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (r.ok) {
        const fresh = await r.json();
        if (fresh.submitted_at) { win.location.reload(); return false; }
        state.adopt(fresh.annotations);
      } else {
        throw new Error(String(r.status));
      }
    } catch {
      // offline (the page came from the offline copy): use what this device last knew
      if (Array.isArray(mirror)) state.adopt(mirror.filter((a) => !a.error || sync.pendingFor(a.id)));
    }
    refresh();
    if (sync.pending()) {
      sync.setState("saving");
      sync.kick(0);
    } else if (sync.queue.length) {
      sync.setState("attention");
    }
    return true;
  }

  return { panel, pointer, syncEvents, keyboardActions, toast, start };
}
