// The editor's plain parts: the lesson's details, its article block by block, its prompts and
// the check's problems shown beside each. Typing changes the draft through `edit(fn)`
// without redrawing (the cursor stays); a change of shape (split, merge) redraws its part.

import { elementMaker } from "../lesson/dom.js";
import { blockText, mergeBlocks, removeBlock, setBlock, splitBlock } from "./draft.js";

export const BLOCK_KINDS = [
  ["headline", "Headline"], ["paragraph", "Paragraph"], ["caption", "Caption"], ["aside", "Aside"],
  ["footer", "Footer"], ["breadcrumb", "Breadcrumb"],
];

const DETAILS = [
  ["title", "Title", "text"],
  ["outlet", "Outlet (who published it)", "text"],
  ["byline", "Byline (who wrote it)", "text"],
  ["url", "Web address of the article", "url"],
  ["published", "Date published", "text", "Year-month-day, like 2022-11-15."],
  ["grade_band", "Grade band", "text", "For example 8-10."],
  ["minutes", "Minutes", "number"],
  ["teacher_note", "Note for teachers (students never see it)", "textarea"],
];
const ABOUT = /^(about|~)\s*/i;

/** Problems list for a place (filled after each check). */
function problemsEl(el, place) {
  return el("ul", { class: "problems", id: `problems-${place}`, hidden: true });
}

export function createForms({ doc, els, getData, edit, categories, say, confirm }) {
  const el = elementMaker(doc);

  function details() {
    const d = getData();
    const rows = DETAILS.map(([name, label, type, hint]) => {
      const id = `f-${name}`;
      let value = d[name] ?? "";
      if (name === "published") value = String(value).replace(ABOUT, "");
      const input = type === "textarea"
        ? el("textarea", { id, rows: 4 }, String(value))
        : el("input", { id, type, value: String(value), min: type === "number" ? 1 : null });
      if (hint) input.setAttribute("aria-describedby", `${id}-hint problems-field:${name}`);
      else input.setAttribute("aria-describedby", `problems-field:${name}`);
      input.addEventListener("input", () => edit((x) => {
        x[name] = type === "number" ? Number(input.value) || input.value : readField(name, input.value);
        return x;
      }));
      const extra = name === "published" ? el("label", { class: "check", for: "f-approx" },
        el("input", { type: "checkbox", id: "f-approx", checked: ABOUT.test(String(d.published || "")),
          onchange: () => edit((x) => { x.published = readField("published", doc.getElementById("f-published").value); return x; }) }),
        " The date is approximate (students see \u201cabout\u201d before it)") : null;
      return el("div", { class: `field field-${name}` }, el("label", { for: id }, label),
        hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null, input, extra, problemsEl(el, `field:${name}`));
    });
    els.details.replaceChildren(...rows, problemsEl(el, "field:id"), problemsEl(el, "field:scoring"));
  }

  function readField(name, value) {
    if (name !== "published") return value;
    const approx = doc.getElementById("f-approx");
    const date = value.trim();
    return approx && approx.checked && date ? `about ${date}` : date;
  }

  function blocks() {
    const d = getData();
    const n = d.blocks.length;
    const items = d.blocks.map((b, i) => {
      const kindId = `block-kind-${i}`;
      const textId = `block-text-${i}`;
      const text = el("textarea", { id: textId, rows: Math.min(8, Math.max(2, Math.ceil(b.text.length / 70))),
        "aria-describedby": `problems-block:${i}` }, b.text);
      text.addEventListener("input", () => edit((x) => setBlock(x, i, { text: blockText(text.value) }), { article: true }));
      const kind = el("select", { id: kindId }, ...BLOCK_KINDS.map(([v, label]) => el("option", { value: v, selected: v === b.kind }, label)));
      kind.addEventListener("change", () => edit((x) => setBlock(x, i, { kind: kind.value }), { article: true }));
      const act = (label, fn, disabled) => el("button", { type: "button", class: "button small", disabled, onclick: fn }, label);
      return el("li", { class: "block-edit", id: `block-edit-${i}` },
        el("div", { class: "block-edit-head" },
          el("label", { for: kindId }, `Block ${i + 1}`), kind,
          act("Split at cursor", () => {
            const next = splitBlock(getData(), i, text.selectionStart);
            if (!next) {
              say("Put the cursor in the block's text where it should split (not at its start or end), then Split.");
              text.focus();
              return;
            }
            edit(() => next, { article: true, redraw: true, focus: `block-text-${i + 1}`, say: "Split in two." });
          }),
          act("Merge with next", () => edit((x) => mergeBlocks(x, i), { article: true, redraw: true, focus: textId,
            say: "Merged with the next block." }), i === n - 1),
          act("Delete", () => edit((x) => removeBlock(x, i), { article: true, redraw: true,
            focus: `block-text-${Math.max(0, i - 1)}`, say: "Block deleted." }), n === 1)),
        el("label", { for: textId, class: "visually-hidden" }, `Text of block ${i + 1}`), text,
        problemsEl(el, `block:${i}`));
    });
    els.blocks.replaceChildren(...items);
  }

  function prompts() {
    const d = getData();
    const cats = Object.fromEntries(categories().map((c) => [c.id, c]));
    els.prompts.replaceChildren(...(d.prompts || []).map((p, i) => {
      const q = `prompt-q-${i}`;
      const h = `prompt-h-${i}`;
      const question = el("textarea", { id: q, rows: 3, "aria-describedby": `problems-prompt:${p.id}` }, p.question || "");
      question.addEventListener("input", () => edit((x) => { x.prompts[i].question = question.value; return x; }));
      const hints = el("textarea", { id: h, rows: 3 }, (p.hints || []).join("\n"));
      hints.addEventListener("input", () => edit((x) => {
        x.prompts[i].hints = hints.value.split("\n").map((s) => s.trim()).filter(Boolean);
        return x;
      }));
      return el("div", { class: "prompt-edit" },
        el("h3", {}, (cats[p.category] || {}).label || p.category),
        el("div", { class: "field" }, el("label", { for: q }, "Question"), question),
        el("div", { class: "field" }, el("label", { for: h }, "Hints, one per line"), hints),
        problemsEl(el, `prompt:${p.id}`));
    }), ownCategories());
  }

  /** The lesson's own categories (label and colour), each asked for by a prompt of its own. */
  function ownCategories() {
    const own = getData().categories || {};
    const rows = Object.entries(own).map(([cid, c]) => {
      const labelId = `cat-label-${cid}`;
      const colorId = `cat-color-${cid}`;
      const label = el("input", { id: labelId, type: "text", value: c.label || "" });
      label.addEventListener("input", () => edit((x) => { x.categories[cid].label = label.value; return x; }));
      const color = el("input", { id: colorId, type: "color",
        value: /^#[0-9a-fA-F]{6}$/.test(c.color) ? c.color : "#2f6b3a" });
      color.addEventListener("input", () => edit((x) => { x.categories[cid].color = color.value; return x; }));
      return el("li", { class: "category-edit" },
        el("div", { class: "field" }, el("label", { for: labelId }, "Name"), label),
        el("div", { class: "field" }, el("label", { for: colorId }, "Colour"), color),
        el("button", { type: "button", class: "button small", onclick: () => removeCategory(cid, c.label) }, "Remove"),
        problemsEl(el, `field:categories.${cid}`));
    });
    return el("div", { class: "own-categories" },
      el("h3", {}, "Your own categories"),
      el("p", { class: "muted small" }, "Besides sources, loaded wording and what is left out, students can look for "
        + "something of your own (say, \u201cstatistics\u201d). Its colour must be dark enough to see on white."),
      rows.length ? el("ul", { class: "category-list" }, ...rows) : null,
      el("button", { type: "button", class: "button small", onclick: addCategory }, "+ Add a category"),
      problemsEl(el, "field:categories"));
  }

  /** Remove one of the lesson's own categories with its prompt, and (once the teacher says
   * so) its key items and decoys, which would otherwise belong to no category. */
  function removeCategory(cid, label) {
    const d = getData();
    const items = [...(d.key || []), ...(d.decoys || [])].filter((k) => k.category === cid).length;
    if (items && !confirm(`Remove \u201c${label || cid}\u201d? Its ${items} key item${items === 1 ? "" : "s"} and `
      + "decoys go with it.")) return;
    edit((x) => {
      delete x.categories[cid];
      x.prompts = x.prompts.filter((p) => p.category !== cid);
      x.key = (x.key || []).filter((k) => k.category !== cid);
      x.decoys = (x.decoys || []).filter((k) => k.category !== cid);
      return x;
    }, { redraw: true, say: items ? "Category removed, with its prompt and key items." : "Category removed, with its prompt." });
  }

  function addCategory() {
    edit((x) => {
      const taken = new Set([...Object.keys(x.categories || {}), "source", "loaded", "omission"]);
      let n = 1;
      while (taken.has(`category-${n}`)) n += 1;
      const cid = `category-${n}`;
      x.categories = { ...(x.categories || {}), [cid]: { label: `Category ${n}`, color: "#2f6b3a" } };
      x.prompts = [...(x.prompts || []), { id: cid, category: cid, question: "Find ... and say why." }];
      return x;
    }, { redraw: true, say: "Category added, with a prompt for it." });
  }

  return { details, blocks, prompts, ownCategories };
}

/** Put each problem beside its part of the page; the rest, and a count, in the summary. */
export function showProblems({ doc, places, summary, list }) {
  const el = elementMaker(doc);
  for (const ul of doc.querySelectorAll("ul.problems")) { ul.replaceChildren(); ul.hidden = true; }
  const all = [];
  for (const [place, problems] of places) {
    const ul = doc.getElementById(`problems-${place}`);
    for (const p of problems) {
      all.push({ place, p, shown: Boolean(ul) });
      if (ul) { ul.append(el("li", { class: p.severity }, `${p.severity === "error" ? "Fix: " : "Check: "}${p.message}`)); ul.hidden = false; }
    }
  }
  const errors = all.filter((x) => x.p.severity === "error").length;
  const warnings = all.length - errors;
  summary.textContent = !all.length ? "No problems found: the lesson is ready to publish."
    : `${errors ? `${errors} problem${errors === 1 ? "" : "s"} to fix before publishing` : "Ready to publish"}`
      + `${warnings ? `; ${warnings} thing${warnings === 1 ? "" : "s"} to check` : ""}.`;
  list.replaceChildren(...all.map(({ place, p, shown }) => {
    const li = el("li", { class: p.severity }, `${p.item}: ${p.message}`);
    if (shown) li.append(" ", el("a", { href: `#problems-${place}` }, "Show"));
    return li;
  }));
  return errors;
}
