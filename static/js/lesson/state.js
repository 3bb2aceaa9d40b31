// The annotations the page shows: the server's, with this device's unsent changes (the queue in
// sync.js) laid on top, and a copy kept on the device so a reload while offline still shows
// them. No DOM here: the page draws from `annotations` and tells this module what happened.

export class AnnotationState {
  /** sync: the page's Sync; storage: localStorage-like; key: where the copy is kept. */
  constructor({ sync, storage, key }) {
    this.sync = sync;
    this.storage = storage;
    this.key = key;
    /** id -> annotation as the API shapes it, plus local flags (unsaved, error, conflict,
     * mineDeleted). */
    this.annotations = new Map();
  }

  /** Keep a copy on this device, for a reload while offline. */
  remember() {
    try {
      this.storage.setItem(this.key, JSON.stringify(Array.from(this.annotations.values())));
    } catch { /* private mode or full: the queue is what matters */ }
  }

  /** The copy last kept on this device, or null. */
  recalled() {
    try { return JSON.parse(this.storage.getItem(this.key) || "null"); } catch { return null; }
  }

  /** Drop the copy (the work was submitted). Throws where storage is blocked. */
  forget() { this.storage.removeItem(this.key); }

  /** Server truth, with this device's unsent changes laid on top. A change held in conflict
   * (see sync.js) carries `conflict: {current}`, the saved version the student may keep. */
  adopt(list) {
    const sync = this.sync;
    this.annotations = new Map(list.map((a) => [a.id, { ...a, conflict: null, mineDeleted: false }]));
    for (const a of list) {
      if (a.version) sync.versions[a.id] = a.version;
      if (a.version && !a.unsaved) {
        // a saved version newer than the one a conflict was met with (e.g. after a reload)
        const { unsaved, error, conflict, mineDeleted, ...saved } = a; // without the local flags
        sync.updateConflict(a.id, saved);
      }
    }
    for (const q of sync.queue) this.overlay(q);
    this.remember();
  }

  /** Lay one unsent change over what is shown. */
  overlay(q) {
    const current = q.conflict && q.conflict.current;
    if (q.op === "delete" && current && !current.deleted) {
      // deleted here, changed elsewhere: show the saved one until the student chooses
      this.annotations.set(q.id,
        { ...current, unsaved: true, error: null, conflict: q.conflict, mineDeleted: true });
    } else if (q.op === "delete") {
      this.annotations.delete(q.id);
    } else {
      this.annotations.set(q.id, { ...(this.annotations.get(q.id) || {}), ...q.body, id: q.id, unsaved: true,
        error: q.rejected ? q.rejected.error : null, conflict: q.conflict || null, mineDeleted: false });
    }
  }

  /** A change typed here: shown at once as unsaved, and queued. */
  save(a) {
    const body = bodyOf(a);
    this.annotations.set(a.id,
      { ...(this.annotations.get(a.id) || {}), ...body, id: a.id, unsaved: true, error: null });
    this.remember();
    this.sync.put(a.id, body);
  }

  /** Delete one; returns what it was (for Undo), or null when there was none. */
  remove(id) {
    const before = this.annotations.get(id);
    if (!before) return null;
    this.annotations.delete(id);
    this.remember();
    this.sync.remove(id);
    return before;
  }

  /** The student keeps the saved version of one held in conflict; false if none is held. */
  keepTheirs(id) {
    const a = this.annotations.get(id);
    if (!a || !a.conflict) return false;
    const current = a.conflict.current;
    this.sync.keepTheirs(id);
    if (current && !current.deleted) {
      this.annotations.set(id, { ...current, unsaved: false, error: null, conflict: null, mineDeleted: false });
    } else {
      this.annotations.delete(id);
    }
    this.remember();
    return true;
  }

  /** The student keeps this tab's version; returns it as it was shown (mineDeleted: a
   * deletion), or null when none is held. */
  keepMine(id) {
    const a = this.annotations.get(id);
    if (!a || !a.conflict) return null;
    this.sync.keepMine(id);
    if (a.mineDeleted) this.annotations.delete(id);
    else this.annotations.set(id, { ...a, conflict: null, error: null, unsaved: true });
    this.remember();
    return a;
  }

  /** The server acknowledged a save (`detail`: the annotation as it answered). */
  saved(detail) {
    const a = this.annotations.get(detail.id);
    if (a && !this.sync.pendingFor(detail.id)) {
      this.annotations.set(detail.id, { ...detail, unsaved: false, error: null });
    }
    this.remember();
  }

  /** The server refused a change as it is: mark it with the reason. */
  rejected({ id, error }) {
    const a = this.annotations.get(id);
    if (a) this.annotations.set(a.id, { ...a, error, unsaved: true });
  }

  /** A change met a newer saved version: show the choice. Returns the annotation as now shown,
   * or null when a newer change typed here is on its way (it will meet the conflict itself). */
  conflicted(id) {
    const entry = this.sync.pendingFor(id);
    if (!entry || !entry.conflict) return null;
    this.overlay(entry);
    this.remember();
    return this.annotations.get(id);
  }

  /** A closed tab's unsent work was taken over: lay it over what is shown. */
  readopt() { this.adopt(Array.from(this.annotations.values())); }

  /** The annotations answering one prompt, in the order of the text (omissions with no words
   * last). An annotation without a prompt belongs to the first prompt of its category. */
  forPrompt(promptId, prompts) {
    return Array.from(this.annotations.values())
      .filter((a) => (a.prompt || firstPromptOf(prompts, a.category)) === promptId)
      .sort((x, y) => (x.target ? x.target.start : 1e12) - (y.target ? y.target.start : 1e12));
  }

  /** The highlight of words that overlaps UTF-16 [s0, e0), the shortest first; toU16 maps a
   * target to UTF-16 (ArticleMap.toU16). Null when none does. */
  highlightAt(s0, e0, toU16) {
    const under = Array.from(this.annotations.values()).filter((a) => a.target && a.target.exact)
      .map((a) => [a, toU16(a.target)]).filter(([, r]) => r[0] < e0 && r[1] > s0)
      .sort((x, y) => (x[1][1] - x[1][0]) - (y[1][1] - y[1][0]));
    return under.length ? under[0][0] : null;
  }
}

/** What the API is sent for an annotation. */
export function bodyOf(a) {
  return { category: a.category, prompt: a.prompt, target: a.target, note: a.note || "",
    fields: a.fields || {} };
}

/** The first prompt of a category (where an annotation without a prompt belongs), or null. */
export function firstPromptOf(prompts, category) {
  const p = prompts.find((q) => q.category === category);
  return p ? p.id : null;
}

/** A new annotation's id: a random (version 4) UUID, made on this device. */
export function newId(crypto) {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
