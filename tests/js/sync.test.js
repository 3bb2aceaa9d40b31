// Saving (static/js/lesson/sync.js) with a fake clock, storage and server.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { answer, API, blockedStorage, fakeClock, makeSync, memoryStorage, scriptedFetch } from "./fakes.js";

const QUEUE = "rc:7:3:queue:tab1";
const body = (note = "a note") => ({ category: "source", prompt: "p1", target: null, note, fields: {} });
const states = (seen) => seen.filter((e) => e.type === "status").map((e) => e.state);
const last = (seen, type) => seen.filter((e) => e.type === type).at(-1);

describe("building and starting", () => {
  test("building a Sync starts no timer and adds no listener; start() does both", () => {
    const { sync, clock, events, storage } = makeSync();
    assert.deepEqual(clock.waiting(), { timeouts: 0, intervals: 0 });
    assert.deepEqual(events.added, []);
    sync.start();
    assert.deepEqual(clock.waiting(), { timeouts: 0, intervals: 1 });
    assert.deepEqual(events.added.sort(), ["online", "pagehide"]);
    assert.equal(storage.getItem(`${QUEUE}:alive`), String(clock.now()), "this tab says it is open");
  });

  test("the heartbeat goes on every 4 seconds", async () => {
    const { sync, clock, storage } = makeSync();
    sync.start();
    const first = Number(storage.getItem(`${QUEUE}:alive`));
    await clock.advance(4000);
    assert.equal(Number(storage.getItem(`${QUEUE}:alive`)), first + 4000);
  });

  test("a closing tab (pagehide) takes its alive mark away at once", () => {
    const { sync, events, storage } = makeSync();
    sync.start();
    events.dispatchEvent(new Event("pagehide"));
    assert.equal(storage.getItem(`${QUEUE}:alive`), null);
  });

  test("the tab keeps its id across a reload (sessionStorage), and makes one up if it has none", () => {
    const session = memoryStorage();
    const { sync } = makeSync({ sessionStorage: session, random: () => 0.123456789 });
    assert.equal(session.getItem("rc-tab"), sync.key.split(":").pop());
    assert.match(sync.key, /^rc:7:3:queue:[0-9a-z]+$/);
  });

  test("blocked storage costs nothing but the copy: the queue lives in memory", async () => {
    const { sync, fetch, clock } = makeSync({ storage: blockedStorage(), sessionStorage: blockedStorage() });
    sync.start();
    sync.put("a1", body());
    assert.equal(sync.pending(), 1);
    await clock.advance(0);
    assert.equal(fetch.calls.length, 1);
    assert.equal(sync.pending(), 0);
  });
});

describe("queueing and sending", () => {
  test("a change is kept on the device, then sent with the CSRF token and the expected user", async () => {
    const { sync, fetch, clock, storage, seen } = makeSync();
    sync.put("a1", body());
    assert.deepEqual(storage.json(QUEUE).map((e) => [e.id, e.op]), [["a1", "put"]]);
    assert.deepEqual(states(seen), ["saving"]);
    assert.equal(fetch.calls.length, 0, "nothing is sent before the timer runs");
    await clock.advance(0);
    const [call] = fetch.calls;
    assert.equal(call.method, "PUT");
    assert.equal(call.url, `${API}/a1`);
    assert.equal(call.headers["X-CSRFToken"], "token-1");
    assert.equal(call.headers["X-Expected-User"], "7");
    assert.equal(call.headers["If-Match"], undefined, "a new annotation has no version to match");
    assert.deepEqual(call.body, body());
    assert.deepEqual(storage.json(QUEUE), []);
    assert.equal(last(seen, "saved").id, "a1");
    assert.deepEqual(states(seen), ["saving", "saved"]);
    assert.equal(sync.versions.a1, 1);
  });

  test("a newer change of the same annotation replaces the unsent one", async () => {
    const { sync, fetch, clock } = makeSync();
    sync.put("a1", body("first"));
    sync.put("a1", body("second"));
    assert.equal(sync.queue.length, 1);
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => c.body.note), ["second"]);
  });

  test("changes are sent one at a time, in the order they were made", async () => {
    const { sync, fetch, clock } = makeSync();
    sync.put("a1", body());
    sync.put("a2", body());
    sync.remove("a3");
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => [c.method, c.url.split("/").pop()]),
      [["PUT", "a1"], ["PUT", "a2"], ["DELETE", "a3"]]);
  });

  test("an edit names the version it was made on (If-Match)", async () => {
    const { sync, fetch, clock } = makeSync();
    sync.versions.a1 = 4;
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(fetch.calls[0].headers["If-Match"], '"4"');
  });

  test("a change typed while the last is in flight is sent after it, on the version just saved", async () => {
    let release;
    const fetch = scriptedFetch((url, init, call) => (call.body.note === "first"
      ? new Promise((r) => { release = () => r(answer(200, { id: "a1", version: 8 })); })
      : answer(200, { id: "a1", version: 9 })));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body("first"));
    await clock.advance(0);
    // typed a moment later (each change's `gen` is the time plus a random fraction)
    await clock.advance(50);
    sync.put("a1", body("second")); // while "first" is on its way
    release();
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => [c.body.note, c.headers["If-Match"]]),
      [["first", undefined], ["second", '"8"']]);
    assert.equal(sync.queue.length, 0);
    assert.equal(last(seen, "status").state, "saved");
  });

  test("a deletion the server no longer knows (404) is done", async () => {
    const { sync, clock, seen } = makeSync({ fetch: scriptedFetch(() => answer(404, { error: "Not found" })) });
    sync.remove("gone");
    await clock.advance(0);
    assert.equal(sync.queue.length, 0);
    assert.equal(last(seen, "deleted").id, "gone");
  });
});

describe("retrying", () => {
  test("a network error is retried with backoff: 1, 2, 4, 8, 16 then 30 seconds at most", async () => {
    const fetch = scriptedFetch(() => { throw new TypeError("Failed to fetch"); });
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    const waits = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
    for (const [i, wait] of waits.entries()) {
      const status = last(seen, "status");
      assert.equal(status.state, "offline");
      assert.equal(status.retryIn, wait);
      assert.equal(status.pending, 1);
      await clock.advance(wait - 1);
      assert.equal(fetch.calls.length, i + 1, `not before ${wait} ms`);
      await clock.advance(1);
      assert.equal(fetch.calls.length, i + 2, `after ${wait} ms`);
    }
  });

  test("the backoff is jittered by the random source, from 0.75 to 1.25 times", async () => {
    const fail = () => scriptedFetch(() => answer(500, {}));
    for (const [r, wait] of [[0, 750], [0.999999, 1249.999]]) {
      const { sync, clock, seen } = makeSync({ fetch: fail(), random: () => r });
      sync.put("a1", body());
      await clock.advance(0);
      assert.ok(Math.abs(last(seen, "status").retryIn - wait) < 0.01, `random ${r}`);
    }
  });

  test("a server error is retried (state error); a success starts the backoff again", async () => {
    let failing = true;
    const fetch = scriptedFetch((url) => (failing ? answer(502, null)
      : answer(200, { id: url.split("/").pop(), version: 1 })));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    await clock.advance(1000);
    assert.equal(last(seen, "status").state, "error");
    assert.equal(last(seen, "status").retryIn, 2000);
    failing = false;
    await clock.advance(2000);
    assert.equal(sync.queue.length, 0);
    failing = true;
    sync.put("a2", body());
    await clock.advance(0);
    assert.equal(last(seen, "status").retryIn, 1000, "back to the first step");
  });

  test("an error while the browser says it is offline counts as offline", async () => {
    const fetch = scriptedFetch(() => { throw new Error("aborted"); });
    const offline = makeSync({ fetch, onLine: () => false });
    offline.sync.put("a1", body());
    await offline.clock.advance(0);
    assert.equal(last(offline.seen, "status").state, "offline");
    const online = makeSync({ fetch });
    online.sync.put("a1", body());
    await online.clock.advance(0);
    assert.equal(last(online.seen, "status").state, "error");
  });

  test("the network coming back (online) sends at once, without waiting out the backoff", async () => {
    let down = true;
    const fetch = scriptedFetch((url) => {
      if (down) throw new TypeError("Failed to fetch");
      return answer(200, { id: url.split("/").pop(), version: 1 });
    });
    const { sync, clock, events } = makeSync({ fetch });
    sync.start();
    sync.put("a1", body());
    await clock.advance(0);
    await clock.advance(1000);
    await clock.advance(2000);
    down = false;
    events.dispatchEvent(new Event("online"));
    await clock.advance(0);
    assert.equal(sync.queue.length, 0);
  });

  test("logged out (401): kept, and retried, saying so", async () => {
    let loggedIn = false;
    const fetch = scriptedFetch((url) => (loggedIn ? answer(200, { id: url.split("/").pop(), version: 1 })
      : answer(401, { error: "Log in" })));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(last(seen, "status").state, "login");
    assert.equal(sync.pending(), 1);
    loggedIn = true;
    await clock.advance(1000);
    assert.equal(sync.pending(), 0);
  });

  test("saving too fast (429) waits as long as Retry-After says, keeping the change", async () => {
    let limited = true;
    const fetch = scriptedFetch((url) => (limited ? answer(429, { error: "Slow down" }, { "Retry-After": "20" })
      : answer(200, { id: url.split("/").pop(), version: 1 })));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(last(seen, "status").state, "saving");
    assert.equal(last(seen, "status").retryIn, 20000);
    limited = false;
    await clock.advance(19999);
    assert.equal(fetch.calls.length, 1);
    await clock.advance(1);
    assert.equal(fetch.calls.length, 2);
    assert.equal(sync.queue.length, 0);
  });

  test("a 429 without Retry-After falls back to the backoff", async () => {
    const { sync, clock, seen } = makeSync({ fetch: scriptedFetch(() => answer(429, {})) });
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(last(seen, "status").retryIn, 1000);
  });

  test("an expired CSRF token is renewed and the change sent again at once", async () => {
    const fetch = scriptedFetch((url, init) => {
      if (url === "/api/csrf-token") return answer(200, { csrf_token: "token-2" });
      if (init.headers["X-CSRFToken"] === "token-1") return answer(400, { code: "csrf", error: "expired" });
      return answer(200, { id: "a1", version: 1 });
    });
    const { sync, clock } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => [c.method, c.url, c.headers["X-CSRFToken"]]), [
      ["PUT", `${API}/a1`, "token-1"],
      ["GET", "/api/csrf-token", undefined],
      ["PUT", `${API}/a1`, "token-2"],
    ]);
    assert.equal(sync.queue.length, 0);
  });
});

describe("changes the server refuses", () => {
  test("a refused change (422) is parked, marked with the reason, and not retried", async () => {
    const fetch = scriptedFetch(() => answer(422,
      { error: "The note is too long.", fields: { note: "too long" } }));
    const { sync, clock, seen, storage } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    await clock.advance(60000);
    assert.equal(fetch.calls.length, 1);
    assert.deepEqual(last(seen, "rejected"), { type: "rejected", id: "a1", error: "The note is too long.",
      fields: { note: "too long" } });
    assert.equal(sync.pending(), 0);
    assert.equal(sync.rejected().length, 1);
    assert.equal(storage.json(QUEUE)[0].rejected.error, "The note is too long.", "kept on the device");
    assert.equal(last(seen, "status").state, "attention");
  });

  test("editing a parked change sends the new one", async () => {
    let n = 0;
    const fetch = scriptedFetch(() => {
      n += 1;
      return n === 1 ? answer(422, { error: "No" }) : answer(201, { id: "a1", version: 1 });
    });
    const { sync, clock } = makeSync({ fetch });
    sync.put("a1", body("bad"));
    await clock.advance(0);
    sync.put("a1", body("good"));
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => c.body.note), ["bad", "good"]);
    assert.equal(sync.queue.length, 0);
  });

  test("a submitted lesson (409 submitted) stops saving and says so", async () => {
    const fetch = scriptedFetch(() => answer(409, { code: "submitted", error: "You already submitted this." }));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(sync.stopped, true);
    assert.deepEqual(last(seen, "status"), { type: "status", state: "submitted", pending: 1, rejected: 0,
      conflicts: 0, message: "You already submitted this." });
    sync.put("a2", body());
    await clock.advance(60000);
    assert.equal(fetch.calls.length, 1, "nothing more is sent");
  });

  test("another student logged in (409 wrong_user) stops saving, keeping the work", async () => {
    const fetch = scriptedFetch(() => answer(409, { code: "wrong_user", error: "Someone else is logged in." }));
    const { sync, clock, seen } = makeSync({ fetch });
    sync.put("a1", body());
    await clock.advance(0);
    assert.equal(last(seen, "status").state, "wrong_user");
    assert.equal(sync.queue.length, 1);
  });
});

describe("conflicts: changed in another tab or device", () => {
  const current = { id: "a1", version: 5, category: "source", note: "saved elsewhere" };
  function conflicted(afterChoice = (url) => answer(200, { id: url.split("/").pop(), version: 6 })) {
    let first = true;
    const fetch = scriptedFetch((url) => {
      if (first) { first = false; return answer(409, { code: "conflict", error: "Changed", current }); }
      return afterChoice(url);
    });
    return makeSync({ fetch });
  }

  test("a 409 conflict holds the change with the saved version, and does not retry it", async () => {
    const { sync, clock, seen, fetch, storage } = conflicted();
    sync.versions.a1 = 4;
    sync.put("a1", body("mine"));
    await clock.advance(0);
    await clock.advance(120000);
    assert.equal(fetch.calls.length, 1);
    assert.deepEqual(last(seen, "conflict"), { type: "conflict", id: "a1", current, op: "put" });
    assert.deepEqual(sync.conflicts().map((q) => q.conflict.current), [current]);
    assert.equal(sync.pending(), 0);
    assert.deepEqual(storage.json(QUEUE)[0].conflict, { current }, "a reload asks again");
    assert.equal(last(seen, "status").state, "attention");
    assert.equal(last(seen, "status").conflicts, 1);
  });

  test("keepMine sends this tab's version again, on top of the saved one (If-Match)", async () => {
    const { sync, clock, fetch, seen } = conflicted();
    sync.versions.a1 = 4;
    sync.put("a1", body("mine"));
    await clock.advance(0);
    sync.keepMine("a1");
    await clock.advance(0);
    assert.deepEqual(fetch.calls.map((c) => [c.body.note, c.headers["If-Match"]]),
      [["mine", '"4"'], ["mine", '"5"']]);
    assert.equal(sync.queue.length, 0);
    assert.equal(sync.versions.a1, 6);
    assert.equal(last(seen, "status").state, "saved");
  });

  test("keepMine of a version deleted elsewhere creates it again (no If-Match)", async () => {
    let first = true;
    const fetch = scriptedFetch(() => {
      if (first) { first = false; return answer(409, { code: "conflict", current: null }); }
      return answer(201, { id: "a1", version: 1 });
    });
    const { sync, clock } = makeSync({ fetch });
    sync.versions.a1 = 2;
    sync.put("a1", body());
    await clock.advance(0);
    sync.keepMine("a1");
    await clock.advance(0);
    assert.equal(fetch.calls[1].headers["If-Match"], undefined);
  });

  test("keepTheirs drops this tab's change and takes the saved version's number", async () => {
    const { sync, clock, fetch, seen } = conflicted();
    sync.put("a1", body("mine"));
    await clock.advance(0);
    sync.keepTheirs("a1");
    await clock.advance(0);
    assert.equal(fetch.calls.length, 1, "nothing is sent");
    assert.equal(sync.queue.length, 0);
    assert.equal(sync.versions.a1, 5);
    assert.equal(last(seen, "status").state, "saved");
  });

  test("a newer saved version seen later (after a reload) replaces the one held, never an older", async () => {
    const { sync, clock } = conflicted();
    sync.put("a1", body("mine"));
    await clock.advance(0);
    sync.updateConflict("a1", { ...current, version: 7, note: "newer" });
    sync.updateConflict("a1", { ...current, version: 6, note: "older" });
    assert.equal(sync.pendingFor("a1").conflict.current.note, "newer");
  });
});

describe("work left by closed tabs", () => {
  const entry = (id, gen, note = id) => ({ id, op: "put", body: body(note), gen, base: null });

  test("a new tab takes over the queue of a closed tab and clears its keys", () => {
    const clock = fakeClock();
    const storage = memoryStorage({
      "rc:7:3:queue:old": JSON.stringify([entry("a1", 1), entry("a2", 2)]),
      "rc:7:3:queue:old:alive": String(clock.now() - 13000), // silent for more than 3 heartbeats
    });
    const { sync } = makeSync({ storage, clock });
    assert.deepEqual(sync.queue.map((e) => e.id), ["a1", "a2"]);
    assert.deepEqual(storage.keys().sort(), [QUEUE]);
    assert.deepEqual(storage.json(QUEUE).map((e) => e.id), ["a1", "a2"]);
  });

  test("the queue of a tab still open is left to that tab", () => {
    const clock = fakeClock();
    const storage = memoryStorage({
      "rc:7:3:queue:open": JSON.stringify([entry("a1", 1)]),
      "rc:7:3:queue:open:alive": String(clock.now() - 5000),
    });
    const { sync } = makeSync({ storage, clock });
    assert.deepEqual(sync.queue, []);
    assert.ok(storage.getItem("rc:7:3:queue:open"));
  });

  test("another student's or another lesson's queue is never taken", () => {
    const storage = memoryStorage({
      "rc:8:3:queue:old": JSON.stringify([entry("x", 1)]),
      "rc:7:4:queue:old": JSON.stringify([entry("y", 1)]),
    });
    const { sync } = makeSync({ storage });
    assert.deepEqual(sync.queue, []);
    assert.equal(storage.keys().length, 3);
  });

  test("of two states of one annotation, the newer (gen) wins, and the queue keeps their order", () => {
    const storage = memoryStorage({
      "rc:7:3:queue:tab1": JSON.stringify([entry("a1", 5, "this tab, newer"), entry("a3", 9)]),
      "rc:7:3:queue:old": JSON.stringify([entry("a1", 3, "closed tab, older"), entry("a2", 4)]),
    });
    const { sync } = makeSync({ storage });
    assert.deepEqual(sync.queue.map((e) => [e.id, e.body.note]),
      [["a2", "a2"], ["a1", "this tab, newer"], ["a3", "a3"]]);
  });

  test("a tab that closes later is claimed by the heartbeat, shown (adopted) and sent", async () => {
    const { sync, clock, storage, seen, fetch } = makeSync();
    sync.start();
    storage.setItem("rc:7:3:queue:other", JSON.stringify([entry("b1", 1)]));
    storage.setItem("rc:7:3:queue:other:alive", String(clock.now()));
    await clock.advance(4000);
    assert.equal(sync.queue.length, 0, "still open: not taken");
    await clock.advance(12000); // its heartbeat stopped three beats ago
    assert.ok(seen.some((e) => e.type === "adopted"));
    assert.deepEqual(fetch.calls.map((c) => c.url), [`${API}/b1`]);
    assert.equal(storage.getItem("rc:7:3:queue:other"), null);
  });
});

describe("flush (before submitting)", () => {
  test("resolves true once everything is sent", async () => {
    const { sync, clock } = makeSync();
    sync.put("a1", body());
    const flushed = sync.flush();
    await clock.advance(200);
    assert.equal(await flushed, true);
  });

  test("resolves false when changes still wait after the time allowed", async () => {
    const { sync, clock } = makeSync({ fetch: scriptedFetch(() => { throw new TypeError("offline"); }) });
    sync.put("a1", body());
    const flushed = sync.flush(8000);
    await clock.advance(9000);
    assert.equal(await flushed, false);
  });

  test("refused changes don't hold it up: they are the caller's to report", async () => {
    const { sync, clock } = makeSync({ fetch: scriptedFetch(() => answer(422, { error: "No" })) });
    sync.put("a1", body());
    const flushed = sync.flush();
    await clock.advance(200);
    assert.equal(await flushed, true);
    assert.equal(sync.rejected().length, 1);
  });
});
