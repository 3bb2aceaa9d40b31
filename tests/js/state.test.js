// What the page shows (static/js/lesson/state.js): the server's annotations with this
// device's unsent changes laid over them, and the copy kept for offline reloads.

import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { describe, test } from "node:test";

import { conflictMessage, describe as describeAnnotation } from "../../static/js/lesson/list.js";
import { statusText } from "../../static/js/lesson/notices.js";
import { AnnotationState, bodyOf, firstPromptOf, newId } from "../../static/js/lesson/state.js";
import { answer, blockedStorage, makeSync, memoryStorage, scriptedFetch } from "./fakes.js";

const KEY = "rc:7:3:state";
const saved = (id, extra = {}) => ({ id, version: 1, category: "source", prompt: "p-source", note: `note ${id}`,
  fields: {}, target: { start: 10, end: 16, exact: "vented" }, ...extra });
const PROMPTS = [
  { id: "p-source", category: "source" },
  { id: "p-loaded", category: "loaded" },
  { id: "p-omission", category: "omission" },
];

function setUp(overrides = {}) {
  const env = makeSync(overrides);
  const storage = overrides.storage || env.storage;
  const state = new AnnotationState({ sync: env.sync, storage, key: KEY });
  return { state, ...env };
}

/** A Sync whose first answer is a 409 conflict with `current`. */
function conflicting(current) {
  return scriptedFetch(() => answer(409, { code: "conflict", error: "Changed", current }));
}

describe("adopting the server's list", () => {
  test("shows the server's annotations and learns their versions", () => {
    const { state, sync } = setUp();
    state.adopt([saved("a1", { version: 3 }), saved("a2")]);
    assert.deepEqual(Array.from(state.annotations.keys()), ["a1", "a2"]);
    assert.equal(state.annotations.get("a1").conflict, null);
    assert.deepEqual(sync.versions, { a1: 3, a2: 1 });
  });

  test("an unsent change is laid over the server's version, marked unsaved", () => {
    const { state, sync } = setUp();
    sync.put("a1", bodyOf({ ...saved("a1"), note: "typed offline" }));
    state.adopt([saved("a1")]);
    const a = state.annotations.get("a1");
    assert.equal(a.note, "typed offline");
    assert.equal(a.unsaved, true);
    assert.equal(a.version, 1, "the server's fields not in the change stay");
  });

  test("an unsent new annotation is shown though the server doesn't have it yet", () => {
    const { state, sync } = setUp();
    sync.put("new", bodyOf(saved("new")));
    state.adopt([]);
    assert.equal(state.annotations.get("new").unsaved, true);
  });

  test("an unsent deletion hides the annotation", () => {
    const { state, sync } = setUp();
    sync.remove("a1");
    state.adopt([saved("a1"), saved("a2")]);
    assert.deepEqual(Array.from(state.annotations.keys()), ["a2"]);
  });

  test("a refused change shows its reason", async () => {
    const { state, sync, clock } = setUp({ fetch: scriptedFetch(() => answer(422, { error: "Too long" })) });
    sync.put("a1", bodyOf(saved("a1")));
    await clock.advance(0);
    state.adopt([saved("a1")]);
    assert.equal(state.annotations.get("a1").error, "Too long");
  });

  test("a deletion held in conflict with a newer saved version shows the saved one until the student chooses",
    async () => {
      const current = saved("a1", { version: 2, note: "changed elsewhere" });
      const { state, sync, clock } = setUp({ fetch: conflicting(current) });
      sync.remove("a1");
      await clock.advance(0);
      state.adopt([current]);
      const a = state.annotations.get("a1");
      assert.equal(a.note, "changed elsewhere");
      assert.equal(a.mineDeleted, true);
      assert.deepEqual(a.conflict, { current });
    });

  test("a newer saved version listed later (after a reload) replaces the one a conflict met", async () => {
    const { state, sync, clock } = setUp({ fetch: conflicting(saved("a1", { version: 2 })) });
    sync.put("a1", bodyOf(saved("a1", { note: "mine" })));
    await clock.advance(0);
    state.adopt([saved("a1", { version: 5, note: "newest" })]);
    assert.equal(sync.pendingFor("a1").conflict.current.note, "newest");
    assert.equal(sync.pendingFor("a1").conflict.current.unsaved, undefined, "without the page's flags");
    assert.equal(state.annotations.get("a1").note, "mine", "this tab's version is what is shown");
  });

  test("what is shown is kept on the device", () => {
    const { state, storage } = setUp();
    state.adopt([saved("a1")]);
    assert.deepEqual(storage.json(KEY).map((a) => a.id), ["a1"]);
  });
});

describe("the copy kept on the device", () => {
  test("is read back as it was kept", () => {
    const { state } = setUp();
    state.adopt([saved("a1")]);
    assert.deepEqual(state.recalled().map((a) => a.id), ["a1"]);
  });

  test("nothing kept, or something unreadable, reads as null", () => {
    assert.equal(setUp().state.recalled(), null);
    const storage = memoryStorage({ [KEY]: "{not json" });
    assert.equal(setUp({ storage }).state.recalled(), null);
  });

  test("blocked storage costs the copy, never the page", () => {
    const { state } = setUp({ storage: blockedStorage() });
    state.adopt([saved("a1")]);
    assert.equal(state.recalled(), null);
    assert.equal(state.annotations.size, 1);
    assert.throws(() => state.forget(), /blocked/, "submitting reports it");
  });

  test("forget drops it (after submitting)", () => {
    const { state, storage } = setUp();
    state.adopt([saved("a1")]);
    state.forget();
    assert.equal(storage.getItem(KEY), null);
  });
});

describe("changes made here", () => {
  test("a saved change is shown at once as unsaved and queued with the API's body", () => {
    const { state, sync } = setUp();
    state.save({ id: "n1", category: "loaded", prompt: "p-loaded", target: null, note: undefined, extra: "x" });
    assert.equal(state.annotations.get("n1").unsaved, true);
    assert.deepEqual(sync.pendingFor("n1").body,
      { category: "loaded", prompt: "p-loaded", target: null, note: "", fields: {} });
  });

  test("a deletion returns what was deleted (for Undo) and is queued", () => {
    const { state, sync } = setUp();
    state.adopt([saved("a1")]);
    assert.equal(state.remove("a1").note, "note a1");
    assert.equal(state.annotations.has("a1"), false);
    assert.equal(sync.pendingFor("a1").op, "delete");
    assert.equal(state.remove("a1"), null, "twice is nothing");
  });

  test("the server's answer replaces the shown one, unless a newer change already waits", () => {
    const { state, sync } = setUp();
    state.adopt([saved("a1"), saved("a2")]);
    state.saved(saved("a1", { version: 2, note_html: "<a>x</a>" }));
    assert.equal(state.annotations.get("a1").version, 2);
    assert.equal(state.annotations.get("a1").unsaved, false);
    state.save({ ...saved("a2"), note: "newer" });
    state.saved(saved("a2", { version: 2, note: "older" }));
    assert.equal(state.annotations.get("a2").note, "newer");
    assert.ok(sync.pendingFor("a2"));
  });

  test("a refused change is marked with the reason", () => {
    const { state } = setUp();
    state.adopt([saved("a1")]);
    state.rejected({ id: "a1", error: "Too long" });
    assert.equal(state.annotations.get("a1").error, "Too long");
    state.rejected({ id: "unknown", error: "x" });
    assert.equal(state.annotations.has("unknown"), false);
  });
});

describe("conflicts", () => {
  async function inConflict(current, op = "put") {
    const env = setUp({ fetch: conflicting(current) });
    env.state.adopt([saved("a1")]);
    if (op === "put") env.state.save({ ...saved("a1"), note: "mine" }); else env.state.remove("a1");
    await env.clock.advance(0);
    return env;
  }

  test("a change that met a newer version shows the choice", async () => {
    const current = saved("a1", { version: 2, note: "theirs" });
    const { state } = await inConflict(current);
    const a = state.conflicted("a1");
    assert.equal(a.note, "mine");
    assert.deepEqual(a.conflict, { current });
    assert.equal(conflictMessage(a), "You changed this note in another tab or device.");
  });

  test("no choice while a newer change typed here is on its way", async () => {
    const { state } = await inConflict(saved("a1", { version: 2 }));
    state.save({ ...saved("a1"), note: "newer still" });
    assert.equal(state.conflicted("a1"), null);
  });

  test("keeping the saved version shows it and drops this tab's change", async () => {
    const { state, sync } = await inConflict(saved("a1", { version: 2, note: "theirs" }));
    state.conflicted("a1");
    assert.equal(state.keepTheirs("a1"), true);
    const a = state.annotations.get("a1");
    assert.equal(a.note, "theirs");
    assert.equal(a.conflict, null);
    assert.equal(a.unsaved, false);
    assert.equal(sync.pendingFor("a1"), null);
    assert.equal(state.keepTheirs("a1"), false, "nothing left to choose");
  });

  test("keeping the saved version of one deleted elsewhere removes it", async () => {
    const { state } = await inConflict({ id: "a1", deleted: true, version: 2 });
    const a = state.conflicted("a1");
    assert.equal(conflictMessage(a), "You deleted this note in another tab or device.");
    state.keepTheirs("a1");
    assert.equal(state.annotations.has("a1"), false);
  });

  test("keeping mine shows it as waiting to save and sends it again", async () => {
    const { state, sync } = await inConflict(saved("a1", { version: 2, note: "theirs" }));
    state.conflicted("a1");
    const kept = state.keepMine("a1");
    assert.equal(kept.mineDeleted, false);
    const a = state.annotations.get("a1");
    assert.equal(a.note, "mine");
    assert.equal(a.unsaved, true);
    assert.equal(a.conflict, null);
    assert.equal(sync.pendingFor("a1").base, 2);
    assert.equal(state.keepMine("a1"), null, "nothing left to choose");
  });

  test("keeping mine when mine was a deletion deletes it", async () => {
    const { state, sync } = await inConflict(saved("a1", { version: 2, note: "theirs" }), "delete");
    const a = state.conflicted("a1");
    assert.equal(conflictMessage(a), "You changed this note in another tab or device, and deleted it here.");
    assert.equal(state.keepMine("a1").mineDeleted, true);
    assert.equal(state.annotations.has("a1"), false);
    assert.equal(sync.pendingFor("a1").op, "delete");
  });
});

describe("reading what is shown", () => {
  test("each prompt's annotations in the order of the text, omissions without words last", () => {
    const { state } = setUp();
    state.adopt([
      saved("late", { target: { start: 50, end: 55, exact: "later" } }),
      saved("none", { category: "omission", prompt: "p-omission", target: null }),
      saved("early", { target: { start: 2, end: 5, exact: "abc" } }),
      saved("old", { prompt: null, target: { start: 30, end: 33, exact: "old" } }), // before prompts existed
      saved("point", { category: "omission", prompt: "p-omission", target: { start: 7, end: 7, exact: "" } }),
    ]);
    assert.deepEqual(state.forPrompt("p-source", PROMPTS).map((a) => a.id), ["early", "old", "late"]);
    assert.deepEqual(state.forPrompt("p-omission", PROMPTS).map((a) => a.id), ["point", "none"]);
    assert.deepEqual(state.forPrompt("p-loaded", PROMPTS), []);
  });

  test("the highlight under the keyboard caret: the shortest that overlaps it", () => {
    const { state } = setUp();
    state.adopt([
      saved("long", { target: { start: 0, end: 40, exact: "x".repeat(40) } }),
      saved("short", { target: { start: 10, end: 16, exact: "vented" } }),
      saved("point", { target: { start: 12, end: 12, exact: "" } }),
    ]);
    const toU16 = (t) => [t.start, t.end];
    assert.equal(state.highlightAt(11, 13, toU16).id, "short");
    assert.equal(state.highlightAt(20, 25, toU16).id, "long");
    assert.equal(state.highlightAt(45, 50, toU16), null);
  });

  test("a closed tab's work taken over is laid over what is shown", () => {
    const { state, sync } = setUp();
    state.adopt([saved("a1")]);
    sync.queue.push({ id: "b1", op: "put", body: bodyOf(saved("b1")), gen: 1 });
    state.readopt();
    assert.equal(state.annotations.get("b1").unsaved, true);
    assert.equal(state.annotations.get("a1").unsaved, undefined);
  });
});

describe("helpers", () => {
  test("an annotation without a prompt belongs to the first prompt of its category", () => {
    assert.equal(firstPromptOf(PROMPTS, "omission"), "p-omission");
    assert.equal(firstPromptOf(PROMPTS, "nope"), null);
  });

  test("new ids are version 4 UUIDs, with or without crypto.randomUUID", () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match(newId(webcrypto), v4);
    const old = { getRandomValues: (b) => webcrypto.getRandomValues(b) };
    const ids = new Set(Array.from({ length: 50 }, () => newId(old)));
    assert.equal(ids.size, 50);
    for (const id of ids) assert.match(id, v4);
  });

  test("an annotation's short name quotes its words, or says what is missing", () => {
    const categories = { source: { label: "Source" }, omission: { label: "Missing" } };
    assert.equal(describeAnnotation(saved("a1"), categories), "Source: “vented”");
    assert.equal(describeAnnotation({ category: "omission", fields: { missing: "Who paid" }, target: null },
      categories), "Missing: Who paid");
    assert.equal(describeAnnotation({ category: "new", note: "" }, categories), "new: note");
  });

  test("the save status line", () => {
    assert.equal(statusText({ state: "saved", pending: 0 }), "All changes saved");
    assert.equal(statusText({ state: "offline", pending: 2 }),
      "Offline: your work is kept on this device and will be sent when you reconnect (2 waiting)");
    assert.match(statusText({ state: "attention", conflicts: 1, rejected: 0 }), /^Changed in another tab/);
    assert.match(statusText({ state: "attention", conflicts: 1, rejected: 1 }),
      /^Some annotations are not saved/);
    assert.equal(statusText({ state: "submitted", message: "You already submitted this." }),
      "You already submitted this.");
    assert.equal(statusText({ state: "something new" }), "something new");
  });
});
