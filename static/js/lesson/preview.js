// A teacher's preview of the lesson page: a stand-in for the annotations API that keeps
// everything in the page's memory, so the reader (sync.js, reader.js, submit.js) runs exactly
// as it does for a student while nothing is sent anywhere, and storage in memory, so nothing
// is left on the device either. Its answers are the API's (app/web/api.py): a PUT is
// idempotent by the annotation's id and answers with it and its version as the ETag (201 when
// it made it); If-Match must name the stored version, or the answer is 409 "conflict" with
// the current one; DELETE answers 204 (404 for an id never saved); once submitted, every
// change is a 409 "submitted". Of the server's checks of an annotation (domain/annotations.py)
// it makes those the panel makes first; a saved note is shown as text (no note_html).

const NOT_FOUND = "We couldn't find that page. It may belong to someone else, or the link is old.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A localStorage-like store (getItem, setItem, removeItem, key, length) over a Map. */
export function memoryStorage() {
  const map = new Map();
  return {
    get length() { return map.size; },
    key: (i) => Array.from(map.keys())[i] ?? null,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
  };
}

/** The version If-Match names: null for none (or "*"), -1 for anything that can't be one. */
export function ifMatch(headers) {
  const raw = headers && headers["If-Match"];
  if (raw === undefined || raw === null || raw.trim() === "*") return null;
  const value = raw.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
  return /^\d{1,10}$/.test(value) ? Number(value) : -1;
}

/**
 * The stand-in for the API at apiBase (list, and PUT or DELETE of apiBase/<id>), csrfUrl and
 * submitUrl. lesson: { prompts, categories (by id), noteMax }; clock: { now }; Response: the
 * window's. Returns { fetch }, a fetch that answers them (and 404 for any other address), and
 * annotations(), what is saved now.
 */
export function previewApi({ apiBase, csrfUrl, submitUrl, lesson, clock, Response }) {
  function reply(status, body = null, headers = {}) {
    if (status === 204) return new Response(null, { status, headers });
    return new Response(JSON.stringify(body),
      { status, headers: { "Content-Type": "application/json", ...headers } });
  }

  /** The API's one shape of an error (app/web/errors.py json_error). */
  function problem(status, error, code = null, extra = {}, headers = {}) {
    return reply(status, { error, fields: {}, ...(code ? { code } : {}), ...extra }, headers);
  }

  const saved = new Map(); // id -> the annotation as the API shows it (deleted: true once deleted)
  let submittedAt = null;
  const now = () => new Date(clock.now()).toISOString();
  // listed as the API lists them: not deleted, in the order of the text, omissions last
  const live = () => Array.from(saved.values()).filter((a) => !a.deleted)
    .sort((x, y) => (x.target ? x.target.start : Infinity) - (y.target ? y.target.start : Infinity));

  function closed() {
    return problem(409, "You submitted this preview, so it can't be changed now. "
      + "Reload the page to start again.", "submitted", { submitted_at: submittedAt });
  }

  function conflict(current) {
    return problem(409, "This annotation was changed in another tab or device.", "conflict",
      { current: current || null }, current ? { ETag: `"${current.version}"` } : {});
  }

  /** The annotation as the server would keep it, or a 422 answer. */
  function checked(body) {
    const fail = (field, error) => ({ invalid: problem(422, error, "invalid", { fields: { [field]: error } }) });
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return fail("body", "Send the annotation as a JSON object.");
    }
    const prompt = body.prompt ? lesson.prompts.find((p) => p.id === body.prompt) : null;
    if (body.prompt && !prompt) return fail("prompt", "That question isn't part of this lesson.");
    const category = body.category || (prompt && prompt.category);
    if (!lesson.categories[category] || (prompt && prompt.category !== category)) {
      return fail("category", "Choose what kind of thing this is (for example Source).");
    }
    const note = typeof body.note === "string" ? body.note : "";
    if (note.length > lesson.noteMax) {
      return fail("note", `Your note is ${note.length.toLocaleString("en")} characters long; the limit is `
        + `${lesson.noteMax.toLocaleString("en")}. Shorten it a little.`);
    }
    if (!body.target && category !== "omission") return fail("target", "Select some words in the article first.");
    const fields = Object.fromEntries(Object.entries(body.fields || {}).filter(([, v]) => v !== null && v !== ""));
    const first = lesson.prompts.find((p) => p.category === category);
    const promptId = prompt ? prompt.id : (first ? first.id : null); // as the server fills it in
    return { content: { category, prompt: promptId, note, fields, target: body.target || null } };
  }

  function put(id, init) {
    if (submittedAt) return closed();
    let body;
    try { body = JSON.parse(init.body); } catch {
      return problem(400, "The app sent something we couldn't read (not JSON).", "malformed");
    }
    const { content, invalid } = checked(body);
    if (invalid) return invalid;
    const stored = saved.get(id);
    const match = ifMatch(init.headers);
    if (!stored) {
      if (match !== null) return conflict(null);
      const made = { id, ...content, version: 1, anchored_by: "exact", created: now(), modified: now(),
        note_html: "", checked_html: "" };
      saved.set(id, made);
      return reply(201, made, { ETag: '"1"' });
    }
    if (!stored.deleted && sameContent(stored, content)) {
      return reply(200, stored, { ETag: `"${stored.version}"` }); // a retry of a save that landed
    }
    if (match !== null && match !== stored.version) return conflict(stored);
    const { deleted, ...was } = stored;
    const next = { ...was, ...content, version: stored.version + 1, modified: now() };
    saved.set(id, next);
    return reply(200, next, { ETag: `"${next.version}"` });
  }

  function remove(id, init) {
    if (submittedAt) return closed();
    const stored = saved.get(id);
    if (!stored) return problem(404, NOT_FOUND);
    if (stored.deleted) return reply(204);
    const match = ifMatch(init.headers);
    if (match !== null && match !== stored.version) return conflict(stored);
    saved.set(id, { ...stored, deleted: true, version: stored.version + 1, modified: now() });
    return reply(204);
  }

  async function fetch(url, init = {}) {
    const method = (init.method || "GET").toUpperCase();
    if (url === apiBase && method === "GET") {
      return reply(200, { annotations: live(), submitted_at: submittedAt });
    }
    if (url === csrfUrl && method === "GET") return reply(200, { csrf_token: "preview" });
    if (url === submitUrl && method === "POST") {
      submittedAt = submittedAt || now();
      return reply(200, { submitted_at: submittedAt });
    }
    const id = url.startsWith(`${apiBase}/`) ? url.slice(apiBase.length + 1).toLowerCase() : "";
    if (UUID.test(id) && method === "PUT") return put(id, init);
    if (UUID.test(id) && method === "DELETE") return remove(id, init);
    return problem(404, NOT_FOUND);
  }

  return { fetch, annotations: live };
}

function sameContent(a, b) {
  const key = (x) => JSON.stringify([x.category, x.prompt, x.note, sorted(x.fields),
    x.target && [x.target.start, x.target.end, x.target.exact]]);
  return key(a) === key(b);
}

function sorted(fields) {
  return Object.keys(fields || {}).sort().map((k) => [k, fields[k]]);
}
