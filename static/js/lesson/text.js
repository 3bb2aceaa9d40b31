// Text positions: UTF-16 indices in the page, Unicode code points on the wire (the W3C model
// and the server count code points), word snapping and word-by-word stepping.

const WORD = /[\p{L}\p{N}\p{M}]/u;
const JOINERS = new Set(["'", "\u2019", "-", "\u2010", "\u2011"]);

/** Code point offset -> UTF-16 index in str. */
export function cpToU16(str, cp) {
  let i = 0;
  let n = 0;
  while (n < cp && i < str.length) {
    const c = str.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < str.length ? 2 : 1;
    n += 1;
  }
  return i;
}

/** UTF-16 index -> code point offset in str. */
export function u16ToCp(str, i) {
  let n = 0;
  for (let j = 0; j < i && j < str.length; j += 1) {
    const c = str.charCodeAt(j);
    if (!(c >= 0xdc00 && c <= 0xdfff && j > 0 && isHigh(str.charCodeAt(j - 1)))) n += 1;
  }
  return n;
}

function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }

/** The character (a whole code point) that starts at UTF-16 index i. */
function charAt(str, i) {
  if (i < 0 || i >= str.length) return "";
  return String.fromCodePoint(str.codePointAt(i));
}

/** The character that ends just before UTF-16 index i. */
function charBefore(str, i) {
  if (i <= 0) return "";
  const c = str.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2 && isHigh(str.charCodeAt(i - 2))) return str.slice(i - 2, i);
  return str[i - 1];
}

export function isWordChar(ch) { return ch !== "" && WORD.test(ch); }

/** Is the character starting at i part of a word (apostrophes/hyphens between letters are)? */
function insideWord(str, i) {
  const ch = charAt(str, i);
  if (isWordChar(ch)) return true;
  return JOINERS.has(ch) && isWordChar(charBefore(str, i)) && isWordChar(charAt(str, i + 1));
}

/** Grow [start, end) to whole words, trimming spaces and punctuation at the edges. Same rule as
 * the server's snap_to_words. Indices are UTF-16. */
export function snapToWords(str, start, end) {
  start = Math.max(0, Math.min(start, str.length));
  end = Math.max(start, Math.min(end, str.length));
  while (start < end && !insideWord(str, start)) start += charAt(str, start).length || 1;
  while (end > start && !insideWord(str, end - charBefore(str, end).length)) end -= charBefore(str, end).length || 1;
  if (start === end) return [start, start];
  while (start > 0 && insideWord(str, start - charBefore(str, start).length)) start -= charBefore(str, start).length;
  while (end < str.length && insideWord(str, end)) end += charAt(str, end).length;
  return [start, end];
}

/** Every word of str as [start, end) UTF-16 ranges, in order. */
export function wordRanges(str) {
  const out = [];
  let i = 0;
  while (i < str.length) {
    if (insideWord(str, i)) {
      const [s, e] = snapToWords(str, i, i + charAt(str, i).length);
      out.push([s, e]);
      i = e;
    } else {
      i += charAt(str, i).length || 1;
    }
  }
  return out;
}

/** W3C selectors for str[start:end) (UTF-16 in), offsets and context in code points out. */
export function targetFor(str, start, end) {
  const cpStart = u16ToCp(str, start);
  const cpEnd = cpStart + u16ToCp(str.slice(start, end), end - start);
  const before = Array.from(str.slice(0, start));
  const after = Array.from(str.slice(end));
  return {
    start: cpStart,
    end: cpEnd,
    exact: str.slice(start, end),
    prefix: before.slice(Math.max(0, before.length - 32)).join(""),
    suffix: after.slice(0, 32).join(""),
  };
}

/** The words either side of a point (UTF-16 index `at`) in its paragraph, for showing where
 * "something is missing here" was marked: { before: "…of the war", after: "in Kyiv…" }, with
 * "…" where the paragraph goes on. Paragraphs are joined by "\n\n" in the canonical text. */
export function wordsAround(str, at, count = 4) {
  at = Math.max(0, Math.min(at, str.length));
  const sep = at === 0 ? -1 : str.lastIndexOf("\n\n", at - 1);
  const paraStart = sep < 0 ? 0 : sep + 2;
  const next = str.indexOf("\n\n", at);
  const paraEnd = next < 0 ? str.length : next;
  const words = wordRanges(str.slice(paraStart, paraEnd)).map(([s, e]) => [s + paraStart, e + paraStart]);
  const left = words.filter(([, e]) => e <= at).slice(-count);
  const right = words.filter(([s]) => s >= at).slice(0, count);
  // a point inside a word (the page never makes one, but a lesson may change): keep its halves
  const inside = words.find(([s, e]) => s < at && e > at);
  const from = left.length ? left[0][0] : inside ? inside[0] : at;
  const upTo = right.length ? right[right.length - 1][1] : inside ? inside[1] : at;
  const before = str.slice(from, at).replace(/\s+/g, " ").trim();
  const after = str.slice(at, upTo).replace(/\s+/g, " ").trim();
  const cutBefore = words.some(([, e]) => e <= from);
  const cutAfter = words.some(([s]) => s >= upTo);
  return { before: (cutBefore ? "…" : "") + before, after: after + (cutAfter ? "…" : "") };
}
