// Saving that never loses work: every change goes into a queue kept in localStorage and is
// sent, one request at a time, until the server acknowledges it. Network errors and server
// errors are retried with backoff (also after a reload); an expired CSRF token is renewed.
// A change the server refuses (422) stays in the queue, marked, until the student fixes or
// deletes it: it is never silently dropped.
// A change refused because the annotation changed elsewhere (409 conflict: another tab or
// device saved it first) is held too, with the server's current version, and not retried:
// the page asks the student to keep the saved one (keepTheirs) or the one typed here (keepMine, sent
// again with If-Match set to the server's version so it wins on purpose). The hold is kept in
// the stored queue, so a reload (or the next tab, when this one closes) asks again.
// Each entry remembers the version it was typed on (`base`), so a change sent after a reload
// still can't overwrite, unseen, a version saved elsewhere in the meantime.
// Everything it touches outside itself is handed in (storage, fetch, clock, the window's
// events), so a test can build one and drive it; `start()` begins the heartbeat and listening.

const MAX_DELAY = 30000;
const HEARTBEAT = 4000; // a tab that hasn't said so for 3 beats is closed
const DEAD_AFTER = 3 * HEARTBEAT;

export class Sync extends EventTarget {
  /**
   * storage: localStorage (queues, shared by the tabs); sessionStorage: this tab's id;
   * fetch: the window's fetch; clock: { now, setTimeout, clearTimeout, setInterval };
   * random: () => [0, 1); events: where "online" and "pagehide" arrive (the window);
   * onLine: () => navigator.onLine. Building one reads the stored queues and claims those of
   * closed tabs, nothing more.
   */
  constructor({ apiBase, csrfUrl, csrfToken, storageKey, userId, storage, sessionStorage, fetch, clock, random,
    events, onLine }) {
    super();
    this.apiBase = apiBase;
    this.csrfUrl = csrfUrl;
    this.csrfToken = csrfToken;
    this.userId = String(userId);
    this.base = storageKey;
    this.storage = storage;
    this.session = sessionStorage;
    this.fetch = fetch;
    this.clock = clock;
    this.random = random;
    this.events = events;
    this.onLine = onLine;
    this.queue = this.load();
    this.versions = {};
    this.busy = false;
    this.failures = 0;
    this.timer = null;
    this.state = "saved";
    this.stopped = false;
  }

  /** Listen for the network coming back and the tab closing, and keep saying this tab is open. */
  start() {
    this.events.addEventListener("online", () => this.kick(0));
    // a closing tab says so at once, so the next tab takes over its unsent work
    this.events.addEventListener("pagehide", () => {
      try { this.storage.removeItem(`${this.key}:alive`); } catch { /* blocked */ }
    });
    this.beat();
    this.clock.setInterval(() => this.beat(), HEARTBEAT);
  }

  /** This tab's queue (kept per tab, across reloads), plus queues left by closed tabs of the
   * same student and lesson. Queues of tabs still open are theirs to send. */
  load() {
    let tab;
    try {
      tab = this.session.getItem("rc-tab") || this.random().toString(36).slice(2, 10);
      this.session.setItem("rc-tab", tab); // survives a reload of this tab, not a new tab
    } catch { tab = this.random().toString(36).slice(2, 10); }
    this.key = `${this.base}:${tab}`;
    return this.claim([]);
  }

  /** Merge in this tab's stored queue and every closed tab's; remove the closed tabs' keys. */
  claim(current) {
    const merged = new Map(current.map((e) => [e.id, e]));
    const now = this.clock.now();
    let found = false;
    try {
      for (const k of storedKeys(this.storage)) {
        if (!k.startsWith(`${this.base}:`) || k.endsWith(":alive")) continue;
        if (k === this.key && current.length) continue; // already in memory
        const alive = Number(this.storage.getItem(`${k}:alive`) || 0);
        if (k !== this.key && now - alive < DEAD_AFTER) continue; // another open tab's
        const raw = JSON.parse(this.storage.getItem(k) || "[]");
        for (const e of Array.isArray(raw) ? raw : []) {
          const have = merged.get(e.id);
          if (!have || (e.gen || 0) > (have.gen || 0)) merged.set(e.id, e);
          found = true;
        }
        if (k !== this.key) {
          this.storage.removeItem(k);
          this.storage.removeItem(`${k}:alive`);
        }
      }
    } catch { /* storage blocked */ }
    const queue = Array.from(merged.values()).sort((a, b) => (a.gen || 0) - (b.gen || 0));
    try { this.storage.setItem(this.key, JSON.stringify(queue)); } catch { /* full */ }
    if (found && current.length !== queue.length) this.dispatchEvent(new CustomEvent("adopted"));
    return queue;
  }

  beat() {
    try { this.storage.setItem(`${this.key}:alive`, String(this.clock.now())); } catch { /* blocked */ }
    if (this.queue) {
      const before = this.queue.length;
      this.queue = this.claim(this.queue);
      if (this.queue.length !== before) this.kick(0);
    }
  }

  persist() {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.queue));
    } catch {
      // storage full or blocked: the queue still lives in memory for this page
    }
  }

  /** Changes still to send (not counting ones refused or waiting for the student's choice). */
  pending() { return this.queue.filter((q) => !held(q)).length; }

  rejected() { return this.queue.filter((q) => q.rejected); }

  /** Changes held back because the annotation changed elsewhere: the student chooses. */
  conflicts() { return this.queue.filter((q) => q.conflict && !q.rejected); }

  pendingFor(id) { return this.queue.find((q) => q.id === id) || null; }

  /** Queue the latest state of one annotation (replacing any unsent older state). */
  put(id, body) { this.enqueue({ id, op: "put", body }); }

  remove(id) { this.enqueue({ id, op: "delete" }); }

  enqueue(entry) {
    entry.gen = this.clock.now() + this.random();
    const before = this.queue.find((q) => q.id === entry.id);
    // the version this change was made on: a newer change of the same annotation keeps the
    // base of the one it replaces (that one was never sent, or is in flight and will move it)
    entry.base = before ? before.base : (this.versions[entry.id] ?? null);
    const at = this.queue.findIndex((q) => q.id === entry.id);
    if (at >= 0) this.queue[at] = entry; else this.queue.push(entry);
    this.persist();
    if (!this.stopped) this.setState("saving");
    this.kick(0);
  }

  setState(state, detail = {}) {
    this.state = state;
    const rejected = this.rejected().length;
    const conflicts = this.conflicts().length;
    const summary = { state, pending: this.pending(), rejected, conflicts, ...detail };
    this.dispatchEvent(new CustomEvent("status", { detail: summary }));
  }

  /** The student keeps this tab's version: send it again on top of the server's current one. */
  keepMine(id) {
    const entry = this.pendingFor(id);
    if (!entry || !entry.conflict) return;
    const current = entry.conflict.current;
    entry.base = current ? current.version : null; // never saved: create it again
    delete entry.conflict;
    this.persist();
    if (!this.stopped) this.setState("saving");
    this.kick(0);
  }

  /** The student keeps the saved version: drop this tab's change. */
  keepTheirs(id) {
    const at = this.queue.findIndex((q) => q.id === id && q.conflict);
    if (at < 0) return;
    const current = this.queue[at].conflict.current;
    if (current && !current.deleted) this.versions[id] = current.version; else delete this.versions[id];
    this.queue.splice(at, 1);
    this.persist();
    this.kick(0); // says "All changes saved" once nothing else waits
  }

  /** A newer server state of an annotation held in conflict (e.g. listed after a reload). */
  updateConflict(id, current) {
    const entry = this.pendingFor(id);
    if (!entry || !entry.conflict || !current) return;
    const had = entry.conflict.current;
    if (had && had.version >= current.version) return;
    entry.conflict.current = current;
    this.persist();
  }

  kick(delay) {
    if (this.stopped) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.run(), delay);
  }

  async run() {
    if (this.busy || this.stopped) return;
    const entry = this.queue.find((q) => !held(q));
    if (!entry) { this.setState(this.queue.length ? "attention" : "saved"); return; }
    this.busy = true;
    let outcome;
    try {
      outcome = await this.send(entry);
    } catch (err) {
      const offline = this.onLine() === false || err instanceof TypeError;
      outcome = { retry: true, state: offline ? "offline" : "error" };
    }
    this.busy = false;
    const now = this.queue.findIndex((q) => q.id === entry.id);
    const unchanged = now >= 0 && this.queue[now].gen === entry.gen;
    if (outcome.done) {
      // drop it unless a newer state of the same annotation arrived while it was in flight;
      // that one was made on top of this one, so it is based on the version just saved
      if (unchanged) this.queue.splice(now, 1);
      else if (now >= 0) this.queue[now].base = outcome.event === "saved" ? outcome.detail.version : null;
      this.persist();
      this.failures = 0;
      this.dispatchEvent(new CustomEvent(outcome.event, { detail: outcome.detail }));
      this.kick(0);
      return;
    }
    if (outcome.park) {
      // refused as it is: keep it, marked, until the student edits or deletes it
      if (unchanged) this.queue[now].rejected = outcome.detail;
      this.persist();
      this.failures = 0;
      this.dispatchEvent(new CustomEvent("rejected", { detail: { id: entry.id, ...outcome.detail } }));
      this.kick(0);
      return;
    }
    if (outcome.conflict) {
      // changed elsewhere: hold it (never retried on its own) until the student chooses. A
      // newer change typed here meanwhile is sent next and meets the same conflict.
      if (unchanged) this.queue[now].conflict = { current: outcome.current };
      this.persist();
      this.failures = 0;
      const detail = { id: entry.id, current: outcome.current, op: entry.op };
      this.dispatchEvent(new CustomEvent("conflict", { detail }));
      this.kick(0);
      return;
    }
    if (outcome.stop) {
      this.stopped = true;
      this.setState(outcome.state, outcome.info || {});
      return;
    }
    this.failures += 1;
    const step = Math.min(MAX_DELAY, 1000 * 2 ** Math.min(this.failures - 1, 5));
    const backoff = step * (0.75 + this.random() * 0.5);
    const delay = Math.max(backoff, outcome.after || 0); // the server's Retry-After, if it said one
    this.setState(outcome.state || "error", { retryIn: delay, ...(outcome.info || {}) });
    this.kick(outcome.now ? 0 : delay);
  }

  async request(method, url, body, headers = {}) {
    return this.fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": this.csrfToken,
        "X-Expected-User": this.userId, // never save one student's work into another's account
        Accept: "application/json",
        ...(body ? { "Content-Type": "application/json" } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async refreshToken() {
    const r = await this.fetch(this.csrfUrl,
      { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.ok) this.csrfToken = (await r.json()).csrf_token;
    return r.ok;
  }

  async send(entry) {
    const url = `${this.apiBase}/${entry.id}`;
    const headers = {};
    const base = entry.base !== undefined ? entry.base : this.versions[entry.id]; // queues stored before `base`
    if (base) headers["If-Match"] = `"${base}"`;
    const put = entry.op === "put";
    const resp = await this.request(put ? "PUT" : "DELETE", url, put ? entry.body : null, headers);
    const data = resp.status === 204 ? null : await resp.json().catch(() => null);
    if (resp.ok) {
      if (entry.op === "put" && data) {
        this.versions[entry.id] = data.version;
        return { done: true, event: "saved", detail: data };
      }
      delete this.versions[entry.id];
      return { done: true, event: "deleted", detail: { id: entry.id } };
    }
    const code = data && data.code;
    if (resp.status === 400 && code === "csrf") {
      const ok = await this.refreshToken().catch(() => false);
      return { retry: true, state: "saving", now: ok };
    }
    if (resp.status === 401) return { retry: true, state: "login" };
    if (resp.status === 409 && code === "wrong_user") {
      return { stop: true, state: "wrong_user", info: { message: data.error } };
    }
    if (resp.status === 404 && entry.op === "delete") {
      return { done: true, event: "deleted", detail: { id: entry.id } };
    }
    if (resp.status === 409 && code === "conflict") {
      // changed in another tab or device since this change was made: the student chooses
      return { conflict: true, current: data.current || null };
    }
    if (resp.status === 409 && (code === "submitted" || code === "released")) {
      return { stop: true, state: "submitted", info: { message: data.error } };
    }
    if ([400, 404, 413, 422].includes(resp.status)) {
      const error = (data && data.error) || "This couldn't be saved.";
      return { park: true, detail: { error, fields: (data && data.fields) || {} } };
    }
    if (resp.status === 429) {
      // saving faster than the server allows: wait as long as it says, keeping everything
      const after = Number.parseInt(resp.headers.get("Retry-After") || "", 10);
      return { retry: true, state: "saving", after: Number.isFinite(after) ? after * 1000 : 0 };
    }
    return { retry: true, state: "error" };
  }

  /** Send everything now (keeping to the backoff); resolves true when nothing is left to
   * send. Refused changes are left for the caller to report. */
  async flush(timeoutMs = 8000) {
    this.kick(0);
    const until = this.clock.now() + timeoutMs;
    while (this.pending() && this.clock.now() < until && !this.stopped) {
      await new Promise((r) => { this.clock.setTimeout(r, 150); });
    }
    return this.pending() === 0;
  }
}

/** Waiting for the student: refused as it is (422), or in conflict with a newer version. */
function held(q) { return Boolean(q.rejected || q.conflict); }

/** Every key in a localStorage-like storage, read before any is removed. */
function storedKeys(storage) {
  const keys = [];
  for (let i = 0; i < storage.length; i += 1) keys.push(storage.key(i));
  return keys;
}
