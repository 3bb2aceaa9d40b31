// The lesson editor's changes to a draft: the lesson's data as a lesson file has it (see
// lessons/README.md), changed by plain functions that return a new copy. The server places a
// `span` (code points) as the quote and occurrence the file format has, and checks the result;
// nothing here decides whether a lesson is right.

export const SEP = "\n\n";

/** A deep copy, so the page never changes the data it last sent. */
export function copy(data) { return JSON.parse(JSON.stringify(data)); }

/** The article's text as the server joins the blocks. */
export function articleText(data) { return (data.blocks || []).map((b) => b.text).join(SEP); }

/** A fresh id for an entry of a list (key items and decoys share one set of ids). */
export function nextId(data, prefix) {
  const used = new Set([...(data.key || []), ...(data.decoys || []), ...(data.prompts || [])].map((e) => e.id));
  for (let n = 1; ; n += 1) {
    const id = `${prefix}-${n}`;
    if (!used.has(id)) return id;
  }
}

/** Add a key item: { category, explanation, points, span?, any?, statement, reference, cues }. */
export function addKeyItem(data, fields) {
  const d = copy(data);
  const item = { id: nextId(d, fields.category === "omission" ? "omission" : fields.category), ...itemFields(fields) };
  d.key = [...(d.key || []), item];
  return { data: d, id: item.id };
}

/** The file's fields for an item made or edited in the panel. */
function itemFields({ category, explanation, points, span, any, statement, reference, cues }) {
  const out = { category, explanation: explanation || "", points: Number.isFinite(points) ? points : 1 };
  if (category === "omission") {
    return { ...out, statement: statement || "", reference: reference || "", cues: cues || [] };
  }
  if (span) out.span = span;
  if (any) out.occurrence = "any";
  return out;
}

/** Change a key item's fields (its words stay unless a new span is given). */
export function updateKeyItem(data, id, fields) {
  const d = copy(data);
  d.key = d.key.map((k) => {
    if (k.id !== id) return k;
    const next = { id, ...itemFields(fields) };
    if (k.category !== "omission" && fields.category !== "omission") {
      if (!fields.span) { next.quote = k.quote; if (k.occurrence !== undefined) next.occurrence = k.occurrence; }
      if (fields.any) next.occurrence = "any";
      else if (next.occurrence === "any") delete next.occurrence;
      if (k.also && k.also.length) next.also = k.also;
    }
    return next;
  });
  return d;
}

/** Another span that earns key item `id` as fully as its quote. */
export function addAlternative(data, id, span) {
  const d = copy(data);
  const k = d.key.find((x) => x.id === id);
  k.also = [...(k.also || []), { span }];
  return d;
}

export function removeAlternative(data, id, index) {
  const d = copy(data);
  const k = d.key.find((x) => x.id === id);
  k.also = k.also.filter((_, i) => i !== index);
  if (!k.also.length) delete k.also;
  return d;
}

/** A decoy: careful wording that looks like an answer ({ category, explanation, span }). */
export function addDecoy(data, { category, explanation, span }) {
  const d = copy(data);
  const decoy = { id: nextId(d, "decoy"), category, explanation: explanation || "", span };
  d.decoys = [...(d.decoys || []), decoy];
  return { data: d, id: decoy.id };
}

export function updateDecoy(data, id, { category, explanation }) {
  const d = copy(data);
  d.decoys = d.decoys.map((x) => (x.id === id ? { ...x, category, explanation } : x));
  return d;
}

/** Take out a key item or decoy by id. */
export function removeEntry(data, id) {
  const d = copy(data);
  d.key = (d.key || []).filter((k) => k.id !== id);
  d.decoys = (d.decoys || []).filter((k) => k.id !== id);
  return d;
}

export function setBlock(data, i, fields) {
  const d = copy(data);
  d.blocks[i] = { ...d.blocks[i], ...fields };
  return d;
}

/** Join block i and the one after it into one (of block i's kind), with a space between. */
export function mergeBlocks(data, i) {
  const d = copy(data);
  if (i < 0 || i + 1 >= d.blocks.length) return d;
  const [a, b] = d.blocks.slice(i, i + 2);
  d.blocks.splice(i, 2, { kind: a.kind, text: `${a.text.trimEnd()} ${b.text.trimStart()}`.trim() });
  return d;
}

/** Cut block i in two at character `at` of its text; the new block is a paragraph. Null when
 * either part would be empty. */
export function splitBlock(data, i, at) {
  const text = data.blocks[i].text;
  const before = text.slice(0, at).trimEnd();
  const after = text.slice(at).trimStart();
  if (!before || !after) return null;
  const d = copy(data);
  d.blocks.splice(i, 1, { ...d.blocks[i], text: before }, { kind: "paragraph", text: after });
  return d;
}

export function removeBlock(data, i) {
  const d = copy(data);
  d.blocks.splice(i, 1);
  return d;
}

/** A block's text as a block may hold it: line breaks kept, a blank line made a single one
 * (a blank line would start a new block: "Split here" does that). */
export function blockText(text) {
  return text.replace(/\r\n?/g, "\n").replace(/\n\s*\n/g, "\n").replace(/^\n+|\n+$/g, "");
}

/** The checker's problems sorted to where the editor shows them: a key item's or decoy's by
 * its id, a block's by its index, a prompt's by its id, the rest by the field they name. */
export function problemsByPlace(problems) {
  const places = new Map();
  for (const p of problems) {
    const place = placeOf(p.item);
    if (!places.has(place)) places.set(place, []);
    places.get(place).push(p);
  }
  return places;
}

export function placeOf(item) {
  let m = /^(key|decoy|prompt) (.+)$/.exec(item);
  if (m) return `${m[1]}:${m[2]}`;
  m = /^(blocks|key|decoys|prompts)\[(\d+)\]$/.exec(item);
  if (m) return m[1] === "blocks" ? `block:${Number(m[2]) - 1}` : m[1];
  if (/^categories\.[^.]+$/.test(item)) return `field:${item}`;
  return `field:${item.split(".")[0]}`;
}

const KIND_NAMES = { headline: ["headline", "headlines"], paragraph: ["paragraph", "paragraphs"],
  caption: ["caption", "captions"], aside: ["aside", "asides"], footer: ["footer", "footers"],
  breadcrumb: ["breadcrumb", "breadcrumbs"] };

/** What a paste of these blocks ([kind, text]) brought, in words: "3 blocks: 1 headline, 2 paragraphs." */
export function describePaste(blocks) {
  const counts = new Map();
  for (const [kind] of blocks) counts.set(kind, (counts.get(kind) || 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${(KIND_NAMES[kind] || [kind, kind])[n === 1 ? 0 : 1]}`);
  return `Pasted ${blocks.length} block${blocks.length === 1 ? "" : "s"}: ${parts.join(", ")}.`;
}

/** The kinds kept for pasted blocks, by their text (JSON in the form), with these added. */
export function withKinds(json, blocks) {
  let kinds;
  try { kinds = JSON.parse(json || "{}") || {}; } catch { kinds = {}; }
  for (const [kind, text] of blocks) kinds[text] = kind;
  return JSON.stringify(kinds);
}
