// Keyboard selection mode: arrow keys move word by word, Shift extends, Up/Down jump a
// paragraph, Enter annotates, E edits the highlight under the caret, M marks something
// missing, Escape leaves. Native selection is invisible to screen readers, so this mode
// shows the page's own selection and reads it out.

import { TEXT_NODE } from "./dom.js";
import { wordRanges } from "./text.js";

/** Where a movement key takes the caret, or null for a key this mode doesn't move on.
 * words: every word's [start, end) in order (wordRanges); caret: an index into words;
 * blockIndexAt(offset): the paragraph (block) an offset is in (ArticleMap.blockIndexAt). */
export function moveCaret(key, caret, words, blockIndexAt) {
  const last = words.length - 1;
  const firstIn = (b) => words.findIndex((w) => blockIndexAt(w[0]) >= b);
  const b = blockIndexAt(words[caret][0]);
  switch (key) {
    case "ArrowRight": return Math.min(last, caret + 1);
    case "ArrowLeft": return Math.max(0, caret - 1);
    case "ArrowDown": { const i = firstIn(b + 1); return i < 0 ? last : i; }
    case "ArrowUp": {
      // to the start of this paragraph, or of the one before if already there
      const goal = caret === firstIn(b) ? Math.max(0, b - 1) : b;
      return Math.max(0, firstIn(goal));
    }
    case "Home": return firstIn(b);
    case "End": { const i = firstIn(b + 1); return (i < 0 ? words.length : i) - 1; }
    default: return null;
  }
}

/** Turn the mode on with `button` (absent on a read-only page: then nothing is wired), for
 * the article in `map`/`articleEl`. Returns its state; `on` tells whether the mode is on. */
export function keyboardMode({ win, map, articleEl, button, help, announce, busy, annotate, markMissing,
  edit }) {
  // the words of the text as it is now (an editor's article may change under the mode)
  let words = wordRanges(map.text);
  let wordsOf = map.text;
  const state = { on: false, anchor: 0, caret: 0 };
  if (!button) return state;
  function current() {
    if (map.text !== wordsOf) {
      words = wordRanges(map.text);
      wordsOf = map.text;
      state.caret = Math.min(state.caret, words.length - 1);
      state.anchor = Math.min(state.anchor, words.length - 1);
    }
    return words;
  }

  const selection = () => {
    current();
    const a = Math.min(state.anchor, state.caret);
    const b = Math.max(state.anchor, state.caret);
    return [words[a][0], words[b][1]];
  };

  function show() {
    const [s, e] = selection();
    const sel = win.getSelection();
    sel.removeAllRanges();
    const r = map.domRange(s, e);
    sel.addRange(r);
    const node = r.startContainer.nodeType === TEXT_NODE ? r.startContainer.parentElement : r.startContainer;
    const box = r.getBoundingClientRect();
    if (box.top < 60 || box.bottom > win.innerHeight - 20) node.scrollIntoView({ block: "center" });
    const count = Math.abs(state.caret - state.anchor) + 1;
    announce(`${map.text.slice(s, e)}${count > 1 ? ` (${count} words)` : ""}`);
  }

  function set(on) {
    state.on = on;
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Stop keyboard selection" : "Select with keyboard";
    help.hidden = !on;
    articleEl.classList.toggle("kbd-active", on);
    if (on) {
      articleEl.tabIndex = 0;
      // "application" so screen readers pass the arrow keys to the page instead of browsing
      articleEl.setAttribute("role", "application");
      articleEl.setAttribute("aria-roledescription", "article, word selection");
      articleEl.setAttribute("aria-label", "Article. Arrow keys move word by word, Shift and arrows select, "
        + "Enter annotates, E edits a highlight, M marks something missing, Escape stops.");
      articleEl.focus();
      show();
    } else {
      win.getSelection().removeAllRanges();
      for (const a of ["tabindex", "role", "aria-roledescription", "aria-label"]) articleEl.removeAttribute(a);
      button.focus();
      announce("Keyboard selection off.");
    }
  }

  articleEl.addEventListener("keydown", (e) => {
    if (!state.on || busy()) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const actions = {
      Enter: () => annotate(selection()),
      " ": () => annotate(selection()),
      e: () => edit(...current()[state.caret]),
      m: () => markMissing(selection()[1]),
      Escape: () => set(false),
    };
    if (actions[key]) { e.preventDefault(); actions[key](); return; }
    const next = moveCaret(e.key, state.caret, current(), (offset) => map.blockIndexAt(offset));
    if (next === null) return;
    e.preventDefault();
    state.caret = next;
    if (!e.shiftKey) state.anchor = next;
    show();
  });

  button.hidden = false;
  button.addEventListener("click", () => { if (!busy()) set(!state.on); });
  articleEl.addEventListener("mousedown", () => { if (state.on) set(false); });
  return state;
}
