// Stand-ins for what the reader's modules are handed in the browser: storage, a clock that
// moves only when a test says so, a scripted fetch, and a Sync built from them.

import { memoryStorage as pageMemoryStorage } from "../../static/js/lesson/preview.js";
import { Sync } from "../../static/js/lesson/sync.js";

/** The page's in-memory storage (preview.js), filled with `entries`, with two more methods
 * for tests: keys(), and json(k), an item read as JSON. */
export function memoryStorage(entries = {}) {
  const storage = pageMemoryStorage();
  for (const [k, v] of Object.entries(entries)) storage.setItem(k, v);
  const keys = () => Array.from({ length: storage.length }, (_, i) => storage.key(i));
  return Object.assign(storage, { keys, json: (k) => JSON.parse(storage.getItem(k) ?? "null") });
}

/** Storage that refuses everything, as a browser's does where storage is blocked. */
export function blockedStorage() {
  const no = () => { throw new Error("SecurityError: storage is blocked"); };
  return { get length() { return no(); }, key: no, getItem: no, setItem: no, removeItem: no };
}

/** Let every promise that can settle now settle (fetch answers, json(), the run loop). */
export async function settle() {
  for (let i = 0; i < 10; i += 1) await new Promise((r) => { setImmediate(r); });
}

/** A clock whose time moves only by advance(ms), running the timers that fall due in order. */
export function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map(); // id -> { at, fn, every }
  const add = (fn, ms, every) => {
    const id = nextId;
    nextId += 1;
    timers.set(id, { at: now + Math.max(0, ms || 0), fn, every });
    return id;
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, null),
    clearTimeout: (id) => { timers.delete(id); },
    setInterval: (fn, ms) => add(fn, ms, ms),
    clearInterval: (id) => { timers.delete(id); },
    /** How many timeouts and intervals are waiting. */
    waiting: () => ({
      timeouts: Array.from(timers.values()).filter((t) => !t.every).length,
      intervals: Array.from(timers.values()).filter((t) => t.every).length,
    }),
    /** Move time on by ms, running each timer as it falls due (and what it leads to). */
    async advance(ms = 0) {
      const until = now + ms;
      await settle();
      for (;;) {
        const due = Array.from(timers.entries()).filter(([, t]) => t.at <= until)
          .sort(([ia, a], [ib, b]) => a.at - b.at || ia - ib)[0];
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every) t.at += t.every; else timers.delete(id);
        t.fn();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}

/** A JSON answer as fetch gives it. */
export function answer(status, body = null, headers = {}) {
  if (status === 204) return new Response(null, { status, headers });
  return new Response(body === null ? "" : JSON.stringify(body),
    { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** A fetch that answers with reply(url, init, call) (a Response, or a thrown error such as a
 * TypeError for a network error) and records every call: { url, method, headers, body }. */
export function scriptedFetch(reply) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    const call = { url, method: init.method || "GET", headers: init.headers || {},
      body: init.body ? JSON.parse(init.body) : null };
    calls.push(call);
    return reply(url, init, call);
  };
  fetch.calls = calls;
  return fetch;
}

/** An event target that also remembers which listeners were added. */
export function recordingEvents() {
  const target = new EventTarget();
  target.added = [];
  const add = target.addEventListener.bind(target);
  target.addEventListener = (type, fn, opts) => { target.added.push(type); add(type, fn, opts); };
  return target;
}

export const API = "/api/assignments/3/annotations";

/** A Sync over fakes; anything can be replaced. Returns the Sync and the fakes. */
export function makeSync(overrides = {}) {
  const env = {
    storage: memoryStorage(),
    sessionStorage: memoryStorage({ "rc-tab": "tab1" }),
    clock: fakeClock(),
    random: () => 0.5, // backoff jitter factor 0.75 + 0.5 * 0.5 = 1: delays are exact
    events: recordingEvents(),
    onLine: () => true,
    fetch: scriptedFetch((url, init) => answer(200, { id: url.split("/").pop(), version: 1, ...(init.body
      ? JSON.parse(init.body) : {}) })),
    ...overrides,
  };
  const sync = new Sync({
    apiBase: API,
    csrfUrl: "/api/csrf-token",
    csrfToken: "token-1",
    storageKey: "rc:7:3:queue",
    userId: 7,
    ...env,
  });
  const seen = [];
  for (const type of ["status", "saved", "deleted", "rejected", "conflict", "adopted"]) {
    sync.addEventListener(type, (e) => seen.push({ type, ...(e.detail || {}) }));
  }
  return { sync, seen, ...env };
}
