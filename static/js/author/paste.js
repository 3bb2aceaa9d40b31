// The new-lesson page: a paste from a web page keeps its headings and paragraphs. The pasted
// HTML goes to the server's one sanitiser, which answers with blocks of text; the box shows
// them with a blank line between, and each block's kind is kept in the form by its text.
// Without this script (or when the server can't read the paste) the plain text is pasted.

import { describePaste, withKinds } from "./draft.js";

const form = document.getElementById("new-lesson");
const box = document.getElementById("article");
const status = document.getElementById("paste-status");
const kinds = form.querySelector("input[name=kinds]");
const token = form.querySelector("input[name=csrf_token]").value;
const title = document.getElementById("title");

function insert(text) {
  box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

box.addEventListener("paste", async (e) => {
  const data = e.clipboardData;
  if (!data || !data.types.includes("text/html")) return;
  const html = data.getData("text/html");
  const plain = data.getData("text/plain");
  e.preventDefault();
  status.textContent = "Reading the pasted page…";
  try {
    const r = await fetch(form.dataset.pasteUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ html }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || "The paste could not be read as a page");
    if (!body.blocks.length) throw new Error("The paste had no text");
    const joined = body.blocks.map(([, text]) => text).join("\n\n");
    const before = box.value.slice(0, box.selectionStart);
    insert((before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "") + joined);
    kinds.value = withKinds(kinds.value, body.blocks);
    if (!title.value.trim() && body.title) title.value = body.title;
    status.textContent = `${describePaste(body.blocks)} Check them in the editor next.`;
  } catch (err) {
    insert(plain);
    status.textContent = `${err.message}: pasted as plain text instead.`;
  }
});
