// A teacher's preview (static/js/lesson/preview.js): the stand-in for the annotations API
// answers as app/web/api.py does, and the reader's Sync saves through it, nothing sent.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ifMatch, memoryStorage, previewApi } from "../../static/js/lesson/preview.js";
import { AnnotationState } from "../../static/js/lesson/state.js";
import { API, fakeClock, makeSync } from "./fakes.js";

const CSRF = "/api/csrf-token";
const SUBMIT = "/preview/submit";
const ID = "0b6f3c2e-8d1a-4c5e-9f00-1234567890ab";
const OTHER = "7e1d2c3b-4a59-4687-a8b9-abcdef012345";
const lesson = {
  prompts: [
    { id: "sources", category: "source" },
    { id: "loaded", category: "loaded" },
    { id: "missing", category: "omission" },
  ],
  categories: { source: {}, loaded: {}, omission: {} },
  noteMax: 20,
};
const target = { start: 4, end: 9, exact: "vents", prefix: "The ", suffix: " its" };
const body = (over = {}) => ({ category: "loaded", prompt: "loaded", target, note: "", fields: {}, ...over });

function standIn() {
  const clock = fakeClock();
  const api = previewApi({ apiBase: API, csrfUrl: CSRF, submitUrl: SUBMIT, lesson, clock, Response });
  const call = async (method, url, payload, headers = {}) => {
    const r = await api.fetch(url, { method, headers,
      body: payload === undefined ? undefined : (typeof payload === "string" ? payload : JSON.stringify(payload)) });
    return { status: r.status, etag: r.headers.get("ETag"), data: r.status === 204 ? null : await r.json() };
  };
  return { api, clock, call };
}

describe("the stand-in answers as the API does", () => {
  test("a PUT makes the annotation (201, version 1 as the ETag); the list shows it", async () => {
    const { call } = standIn();
    const made = await call("PUT", `${API}/${ID}`, body({ note: "strong" }));
    assert.equal(made.status, 201);
    assert.equal(made.etag, '"1"');
    assert.equal(made.data.version, 1);
    assert.deepEqual([made.data.id, made.data.category, made.data.prompt, made.data.note, made.data.target],
      [ID, "loaded", "loaded", "strong", target]);
    assert.equal(made.data.note_html, "", "a note is shown as text");
    const listed = await call("GET", API);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.data, { annotations: [made.data], submitted_at: null });
  });

  test("the same PUT again changes nothing (a retry), even with a stale If-Match", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, body());
    const again = await call("PUT", `${API}/${ID}`, body(), { "If-Match": '"7"' });
    assert.equal(again.status, 200);
    assert.equal(again.data.version, 1);
  });

  test("a change needs If-Match to name the stored version, or it is a 409 with the current one", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, body());
    const edited = await call("PUT", `${API}/${ID}`, body({ note: "v2" }), { "If-Match": '"1"' });
    assert.equal(edited.status, 200);
    assert.equal(edited.etag, '"2"');
    const stale = await call("PUT", `${API}/${ID}`, body({ note: "v3" }), { "If-Match": '"1"' });
    assert.equal(stale.status, 409);
    assert.equal(stale.data.code, "conflict");
    assert.equal(stale.data.current.note, "v2");
    assert.equal(stale.etag, '"2"');
    const unseen = await call("PUT", `${API}/${ID}`, body({ note: "v3" })); // no If-Match: it wins
    assert.equal(unseen.data.version, 3);
  });

  test("If-Match on an annotation never saved is a conflict with none", async () => {
    const { call } = standIn();
    const r = await call("PUT", `${API}/${ID}`, body(), { "If-Match": '"1"' });
    assert.equal(r.status, 409);
    assert.equal(r.data.current, null);
  });

  test("DELETE answers 204 (twice too), drops it from the list; unknown ids are 404", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, body());
    assert.equal((await call("DELETE", `${API}/${ID}`, undefined, { "If-Match": '"1"' })).status, 204);
    assert.equal((await call("DELETE", `${API}/${ID}`)).status, 204);
    assert.deepEqual((await call("GET", API)).data.annotations, []);
    assert.equal((await call("DELETE", `${API}/${OTHER}`)).status, 404);
    const back = await call("PUT", `${API}/${ID}`, body()); // saved again: it comes back
    assert.equal(back.status, 200);
    assert.equal(back.data.version, 3);
    assert.equal(back.data.deleted, undefined);
  });

  test("a deletion with a stale If-Match is a conflict", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, body());
    await call("PUT", `${API}/${ID}`, body({ note: "v2" }));
    const r = await call("DELETE", `${API}/${ID}`, undefined, { "If-Match": '"1"' });
    assert.equal(r.status, 409);
    assert.equal(r.data.current.version, 2);
  });

  test("what the API would refuse is refused with its fields, as a 422 or a 400", async () => {
    const { call } = standIn();
    const refused = async (payload) => (await call("PUT", `${API}/${ID}`, payload));
    let r = await refused(body({ category: "opinion", prompt: null }));
    assert.equal(r.status, 422);
    assert.equal(r.data.code, "invalid");
    assert.ok(r.data.fields.category);
    r = await refused(body({ prompt: "sources" })); // a loaded phrase for the sources question
    assert.ok(r.data.fields.category);
    r = await refused(body({ target: null }));
    assert.ok(r.data.fields.target);
    r = await refused(body({ note: "x".repeat(21) }));
    assert.ok(r.data.fields.note);
    r = await refused("{not json");
    assert.equal(r.status, 400);
    assert.equal(r.data.code, "malformed");
    assert.deepEqual((await call("GET", API)).data.annotations, []);
  });

  test("an omission needs no words; a prompt left out is its category's first", async () => {
    const { call } = standIn();
    const r = await call("PUT", `${API}/${ID}`, { category: "omission", target: null,
      fields: { missing: "the fees", why: "" } });
    assert.equal(r.status, 201);
    assert.equal(r.data.prompt, "missing");
    assert.deepEqual(r.data.fields, { missing: "the fees" }, "empty answers are left out");
  });

  test("the list is in the order of the text, omissions last", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, { category: "omission", target: null, fields: { missing: "x" } });
    await call("PUT", `${API}/${OTHER}`, body());
    assert.deepEqual((await call("GET", API)).data.annotations.map((a) => a.id), [OTHER, ID]);
  });

  test("after a submission every change is refused as submitted", async () => {
    const { call } = standIn();
    await call("PUT", `${API}/${ID}`, body());
    const sub = await call("POST", SUBMIT, {});
    assert.equal(sub.status, 200);
    assert.ok(sub.data.submitted_at);
    assert.equal((await call("GET", API)).data.submitted_at, sub.data.submitted_at);
    for (const [method, payload] of [["PUT", body({ note: "late" })], ["DELETE", undefined]]) {
      const r = await call(method, `${API}/${ID}`, payload);
      assert.equal(r.status, 409);
      assert.equal(r.data.code, "submitted");
    }
  });

  test("a fresh CSRF token is given; any other address is a 404", async () => {
    const { call } = standIn();
    assert.deepEqual((await call("GET", CSRF)).data, { csrf_token: "preview" });
    assert.equal((await call("GET", "/student/")).status, 404);
    assert.equal((await call("PUT", `${API}/not-a-uuid`, body())).status, 404);
    assert.equal((await call("POST", API, body())).status, 404);
  });

  test("If-Match is read as the API reads it", () => {
    assert.equal(ifMatch({}), null);
    assert.equal(ifMatch({ "If-Match": "*" }), null);
    assert.equal(ifMatch({ "If-Match": '"12"' }), 12);
    assert.equal(ifMatch({ "If-Match": 'W/"3"' }), 3);
    assert.equal(ifMatch({ "If-Match": '"abc"' }), -1);
  });
});

describe("the reader saves through it, and nothing is kept", () => {
  test("a Sync saves, conflicts and deletes through the stand-in, in memory only", async () => {
    const clock = fakeClock();
    const api = previewApi({ apiBase: API, csrfUrl: CSRF, submitUrl: SUBMIT, lesson, clock, Response });
    const storage = memoryStorage();
    const { sync, seen } = makeSync({ fetch: api.fetch, clock, storage, sessionStorage: memoryStorage() });
    const state = new AnnotationState({ sync, storage, key: "rc:7:preview:state" });
    sync.start();
    state.save({ id: ID, ...body({ note: "first" }) });
    await clock.advance(0);
    assert.equal(seen.filter((e) => e.type === "saved").at(-1).version, 1);
    assert.equal(sync.state, "saved");
    assert.deepEqual(api.annotations().map((a) => a.note), ["first"]);
    state.save({ id: ID, ...body({ note: "second" }) });
    await clock.advance(0);
    assert.equal(sync.versions[ID], 2, "sent with If-Match and accepted");
    state.remove(ID);
    await clock.advance(0);
    assert.deepEqual(api.annotations(), []);
    assert.equal(sync.pending(), 0);
  });

  test("each memory storage is its own: nothing is shared with the next page", () => {
    const a = memoryStorage();
    a.setItem("rc:7:preview:state", "[1]");
    assert.equal(a.length, 1);
    assert.equal(a.key(0), "rc:7:preview:state");
    assert.equal(memoryStorage().getItem("rc:7:preview:state"), null);
    a.removeItem("rc:7:preview:state");
    assert.equal(a.length, 0);
  });
});
