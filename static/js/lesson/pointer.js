// Selecting with a mouse or a finger: a drag over words opens the panel for them (snapped to
// whole words), a click on a highlight edits it, a click between words offers "Something is
// missing here". Touch: a long press selects a word and handles adjust it, so the panel opens
// once the selection has stopped changing, not on the first touchend.

import { elementMaker } from "./dom.js";
import { snapToWords } from "./text.js";

/** The native selection in the article as UTF-16 offsets, snapped to words: {range, rect} for
 * words, {point, rect} for a caret, null when it is empty or outside the article. */
export function selectionOffsets(win, articleEl, map) {
  const sel = win.getSelection();
  if (!sel || sel.rangeCount === 0) return null;
  const range = sel.getRangeAt(0);
  if (!articleEl.contains(range.commonAncestorContainer) && !range.intersectsNode(articleEl)) return null;
  const offs = map.rangeOffsets(range);
  if (!offs) return null;
  if (sel.isCollapsed) return { point: offs[0], rect: range.getBoundingClientRect() };
  const [s, e] = snapToWords(map.text, offs[0], offs[1]);
  if (s === e) return null;
  return { range: [s, e], rect: range.getClientRects()[range.getClientRects().length - 1] };
}

/** panel: the reader's panel (open, isOpen); state: the AnnotationState;
 * blocked(): no selecting now (read-only page, or keyboard selection is on);
 * omissionPrompt(): the prompt a point in the text answers. */
export function createPointer({ win, articleEl, map, state, panel, blocked, omissionPrompt }) {
  const doc = win.document;
  const el = elementMaker(doc);
  let pointChip = null;
  let lastPointer = "mouse";
  let touchTimer = null;
  const found = () => selectionOffsets(win, articleEl, map);

  function offerPoint(offset, rect) {
    dismissPointChip();
    pointChip = el("button", { type: "button", class: "button small", style: "position:absolute;z-index:40" },
      "+ Something is missing here");
    pointChip.style.left = `${win.scrollX + rect.left}px`;
    pointChip.style.top = `${win.scrollY + rect.bottom + 6}px`;
    pointChip.addEventListener("click", () => {
      dismissPointChip();
      panel.open({ point: offset, promptId: omissionPrompt() });
    });
    doc.body.append(pointChip);
  }

  function dismissPointChip() { if (pointChip) { pointChip.remove(); pointChip = null; } }

  /** mouseup in the article. */
  function onMouseUp(e) {
    if (blocked()) return;
    win.setTimeout(() => {
      const hit = e.target.closest && e.target.closest(".hl, .pt");
      const sel = found();
      if (sel && sel.range && lastPointer !== "touch") {
        dismissPointChip();
        win.getSelection().removeAllRanges();
        panel.open({ range: sel.range, anchorRect: sel.rect }); // nothing chosen for them yet
        return;
      }
      if (hit) {
        const ids = hit.dataset.ids.split(" ").filter((id) => state.annotations.has(id));
        if (ids.length) { panel.open({ edit: ids[0] }); return; }
      }
      if (sel && sel.point !== undefined && e.target.closest(".block")) offerPoint(sel.point, sel.rect);
      else dismissPointChip();
    }, 0);
  }

  /** pointerdown in the article: remember whether a finger or a mouse is selecting. */
  function onPointerDown(e) { lastPointer = e.pointerType; }

  /** selectionchange on the document: with a finger, open the panel once it settles. */
  function onSelectionChange() {
    if (lastPointer !== "touch" || blocked() || panel.isOpen()) return;
    win.clearTimeout(touchTimer);
    touchTimer = win.setTimeout(() => {
      const sel = found();
      if (!sel || !sel.range || panel.isOpen()) return;
      win.getSelection().removeAllRanges();
      panel.open({ range: sel.range, anchorRect: sel.rect }); // nothing chosen for them yet
    }, 800);
  }

  /** mousedown anywhere: a press elsewhere takes the chip away. */
  function onDocumentMousedown(e) { if (pointChip && e.target !== pointChip) dismissPointChip(); }

  return { onMouseUp, onPointerDown, onSelectionChange, onDocumentMousedown };
}
