// Released feedback on the article (templates/student/_feedback_article.html): each mark is a
// link to its notes; here a click, a tap or Enter opens them in a popover beside the mark (a
// sheet at the bottom on a phone) instead, Escape or Close shuts it and gives focus back.

import { place } from "./place.js";

const $ = (id) => document.getElementById(id);
const article = $("feedback-article");
const notes = $("fb-notes");
const pop = $("fb-pop");
const title = $("fb-pop-h");
const body = $("fb-pop-body");
let current = null;

notes.hidden = true; // the marks show them now
document.body.append(pop); // placed in page coordinates

function wordsOf(mark) {
  return Array.from(mark.querySelectorAll("span:not(.visually-hidden)"), (s) => s.textContent).join("");
}

function open(mark) {
  if (current) current.setAttribute("aria-expanded", "false");
  current = mark;
  mark.setAttribute("aria-expanded", "true");
  const note = $(mark.dataset.note);
  body.replaceChildren(...Array.from(note.children)
    .filter((el) => !el.classList.contains("fb-back"))
    .map((el) => el.cloneNode(true)));
  const words = wordsOf(mark).trim();
  title.textContent = `“${words.length > 60 ? `${words.slice(0, 57)}…` : words}”`;
  pop.hidden = false;
  // a phrase over two lines: below its last line, or above its first
  const rects = mark.getClientRects();
  const first = rects[0] || mark.getBoundingClientRect();
  const last = rects[rects.length - 1] || first;
  const at = place({
    mark: { top: first.top, bottom: last.bottom, left: last.left },
    pop: { width: pop.offsetWidth, height: pop.offsetHeight },
    view: { width: document.documentElement.clientWidth, height: window.innerHeight },
    scroll: { x: window.scrollX, y: window.scrollY },
  });
  pop.classList.toggle("fb-sheet", at.sheet);
  pop.style.top = at.sheet ? "" : `${at.top}px`;
  pop.style.left = at.sheet ? "" : `${at.left}px`;
  // a sheet covers the bottom of the window: keep the phrase it explains in view above it
  const covered = at.sheet ? last.bottom - (window.innerHeight - pop.offsetHeight) + 8 : 0;
  if (covered > 0) window.scrollBy(0, covered);
  title.focus({ preventScroll: true });
}

function close({ refocus = true } = {}) {
  if (!current) return;
  pop.hidden = true;
  current.setAttribute("aria-expanded", "false");
  if (refocus) current.focus();
  current = null;
}

article.addEventListener("click", (e) => {
  const mark = e.target.closest(".fb-mark");
  if (!mark) return;
  e.preventDefault();
  if (mark === current) close();
  else open(mark);
});
article.querySelectorAll(".fb-mark").forEach((m) => m.setAttribute("aria-expanded", "false"));
$("fb-pop-close").addEventListener("click", () => close());
// "My annotations" shows a highlight in the article: here, the mark that holds it, opened
$("annotation-list")?.addEventListener("click", (e) => {
  const id = e.target.closest("[data-act=go]")?.closest("li[data-id]")?.dataset.id;
  const m = id && Array.from(article.querySelectorAll(".fb-mark"))
    .find((el) => el.dataset.ids.split(" ").includes(id));
  if (!m) return;
  m.scrollIntoView({ block: "center" });
  open(m);
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && current) {
    e.preventDefault();
    close();
  }
});
document.addEventListener("mousedown", (e) => {
  if (current && !pop.contains(e.target) && !e.target.closest(".fb-mark")) close({ refocus: false });
});
