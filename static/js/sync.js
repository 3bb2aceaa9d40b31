// Saving that never loses work: every change goes into a queue kept in localStorage and is
// sent, one request at a time, until the server acknowledges it. Network errors and server
// errors are retried with backoff (also after a reload); an expired CSRF token is renewed.

const MAX_DELAY = 30000;

export class Sync extends EventTarget {
  constructor({ apiBase, csrfUrl, csrfToken, storageKey }) {
    super();
    this.apiBase = apiBase;
    this.csrfUrl = csrfUrl;
    this.csrfToken = csrfToken;
    this.key = storageKey;
    this.queue = this.load();
    this.versions = {};
    this.busy = false;
    this.failures = 0;
    this.timer = null;
    this.state = "saved";
    this.stopped = false;
    window.addEventListener("online", () => this.kick(0));
  }

  /** This tab's queue, plus any left by other tabs of the same lesson (closed ones would
   * otherwise strand their work; a live one just re-saves its own, and sending an entry
   * twice is harmless because every write is idempotent). */
  load() {
    const base = this.key;
    let tab = null;
    try {
      tab = sessionStorage.getItem("rc-tab") || Math.random().toString(36).slice(2, 10);
      sessionStorage.setItem("rc-tab", tab); // survives a reload of this tab, not a new tab
    } catch { tab = Math.random().toString(36).slice(2, 10); }
    this.key = `${base}:${tab}`;
    const merged = new Map();
    try {
      for (const k of Object.keys(localStorage)) {
        if (k !== base && !k.startsWith(`${base}:`)) continue;
        const raw = JSON.parse(localStorage.getItem(k) || "[]");
        for (const e of Array.isArray(raw) ? raw : []) {
          const have = merged.get(e.id);
          if (!have || (e.gen || 0) > (have.gen || 0)) merged.set(e.id, e);
        }
        if (k !== this.key) localStorage.removeItem(k);
      }
    } catch { /* storage blocked: start empty */ }
    const queue = Array.from(merged.values()).sort((a, b) => (a.gen || 0) - (b.gen || 0));
    try { localStorage.setItem(this.key, JSON.stringify(queue)); } catch { /* full */ }
    return queue;
  }

  persist() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.queue));
    } catch {
      // storage full or blocked: the queue still lives in memory for this page
    }
  }

  pending() { return this.queue.length; }

  pendingFor(id) { return this.queue.find((q) => q.id === id) || null; }

  /** Queue the latest state of one annotation (replacing any unsent older state). */
  put(id, body) { this.enqueue({ id, op: "put", body }); }

  remove(id) { this.enqueue({ id, op: "delete" }); }

  enqueue(entry) {
    entry.gen = Date.now() + Math.random();
    const at = this.queue.findIndex((q) => q.id === entry.id);
    if (at >= 0) this.queue[at] = entry; else this.queue.push(entry);
    this.persist();
    this.setState("saving");
    this.kick(0);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("status", { detail: { state, pending: this.queue.length, ...detail } }));
  }

  kick(delay) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    if (this.busy || this.stopped) return;
    if (!this.queue.length) { this.setState("saved"); return; }
    this.busy = true;
    const entry = this.queue[0];
    let outcome;
    try {
      outcome = await this.send(entry);
    } catch (err) {
      outcome = { retry: true, state: navigator.onLine === false || err instanceof TypeError ? "offline" : "error" };
    }
    this.busy = false;
    if (outcome.done) {
      // drop it unless a newer state of the same annotation arrived while it was in flight
      const now = this.queue.findIndex((q) => q.id === entry.id);
      if (now >= 0 && this.queue[now].gen === entry.gen) this.queue.splice(now, 1);
      this.persist();
      this.failures = 0;
      if (outcome.detail) this.dispatchEvent(new CustomEvent(outcome.event, { detail: outcome.detail }));
      this.kick(0);
      return;
    }
    if (outcome.stop) {
      this.stopped = true;
      this.setState(outcome.state, outcome.info || {});
      return;
    }
    this.failures += 1;
    const delay = Math.min(MAX_DELAY, 1000 * 2 ** Math.min(this.failures - 1, 5)) * (0.75 + Math.random() * 0.5);
    this.setState(outcome.state || "error", { retryIn: delay, ...(outcome.info || {}) });
    this.kick(outcome.now ? 0 : delay);
  }

  async request(method, url, body, headers = {}) {
    return fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrfToken, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async refreshToken() {
    const r = await fetch(this.csrfUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.ok) this.csrfToken = (await r.json()).csrf_token;
    return r.ok;
  }

  async send(entry) {
    const url = `${this.apiBase}/${entry.id}`;
    const headers = {};
    if (this.versions[entry.id]) headers["If-Match"] = `"${this.versions[entry.id]}"`;
    const resp = await this.request(entry.op === "put" ? "PUT" : "DELETE", url, entry.op === "put" ? entry.body : null, headers);
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
    if (resp.status === 404 && entry.op === "delete") return { done: true, event: "deleted", detail: { id: entry.id } };
    if (resp.status === 409 && code === "conflict") {
      // changed in another tab: keep what was typed here, on top of the current version
      if (data.current) this.versions[entry.id] = data.current.version; else delete this.versions[entry.id];
      this.dispatchEvent(new CustomEvent("conflict", { detail: { id: entry.id, current: data.current } }));
      return { retry: true, state: "saving", now: true };
    }
    if (resp.status === 409 && code === "submitted") {
      return { stop: true, state: "submitted", info: { message: data.error } };
    }
    if (resp.status === 422 || resp.status === 404 || resp.status === 400 || resp.status === 413) {
      // the server will never accept this as it is: stop retrying it and say why
      return { done: true, event: "rejected", detail: { id: entry.id, error: (data && data.error) || "This couldn't be saved.", fields: (data && data.fields) || {} } };
    }
    return { retry: true, state: "error" };
  }

  /** Send everything now; resolves true when the queue is empty. */
  async flush(timeoutMs = 8000) {
    this.kick(0);
    const until = Date.now() + timeoutMs;
    while (this.queue.length && Date.now() < until && !this.stopped) {
      await new Promise((r) => setTimeout(r, 150));
      if (!this.busy && this.state !== "saving") this.kick(0);
    }
    return this.queue.length === 0;
  }
}
