// Small DOM helpers for the reader's modules, which are handed the window or an element
// instead of reaching for the page's globals.

// Node and NodeFilter constants, named here so that no module needs those globals
export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const SHOW_TEXT = 0x4;
export const DOCUMENT_POSITION_FOLLOWING = 0x4;

/** An element maker for doc: el("p", { class, text, onclick, ...attributes }, ...children).
 * `text` sets textContent (never HTML); false, null and undefined attributes are left out. */
export function elementMaker(doc) {
  return function el(tag, attrs = {}, ...children) {
    const node = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  };
}
