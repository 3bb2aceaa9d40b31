"""Text anchoring: where a highlight sits in a lesson's canonical text, in Unicode code points.

Python's ``str`` indexes by code point, which is what the W3C model counts, so offsets here
are plain string indices. The browser counts UTF-16 units and converts before it sends.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix/suffix kept beside a quote, as the W3C selectors do
MIN_FUZZY_SCORE = 0.8  # below this a fuzzy match is a look-alike sentence, not the quote


@dataclass(frozen=True)
class Target:
    """A TextPositionSelector and a TextQuoteSelector describing the same span."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""

    @property
    def is_point(self) -> bool:
        return self.start == self.end


class AnchorError(ValueError):
    """A target that does not fit the text; the message is shown to the student."""


def is_word_char(ch: str) -> bool:
    """Letters, digits and marks are word characters; apostrophes and hyphens inside a word
    are handled by :func:`snap_to_words`."""
    return unicodedata.category(ch)[0] in "LNM"


_JOINERS = "'\u2019-\u2010\u2011"  # apostrophes and hyphens that join two word parts


def _inside_word(text: str, i: int) -> bool:
    """True when position i (a character index) belongs to a word."""
    if i < 0 or i >= len(text):
        return False
    ch = text[i]
    if is_word_char(ch):
        return True
    return (
        ch in _JOINERS
        and 0 < i < len(text) - 1
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow [start, end) to whole words and trim surrounding spaces and punctuation.

    A drag over "ented its ang" becomes "vented its anger". A range with no word character
    collapses to an empty range. The browser does the same before it sends.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    # trim leading/trailing non-word characters inside the range
    while start < end and not _inside_word(text, start):
        start += 1
    while end > start and not _inside_word(text, end - 1):
        end -= 1
    if start == end:
        return start, start
    # then grow to the word edges
    while start > 0 and _inside_word(text, start - 1):
        start -= 1
    while end < len(text) and _inside_word(text, end):
        end += 1
    return start, end


def make_target(text: str, start: int, end: int) -> Target:
    """The selectors for text[start:end], with up to CONTEXT characters of context."""
    return Target(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def check_target(text: str, start: int, end: int, exact: str, *, allow_point: bool) -> Target:
    """Validate a target sent by a client; the server is the judge.

    Raises AnchorError with a reason a student understands. Where start/end are off but the
    quote occurs exactly once, the target is re-anchored by quote (the caller can tell by
    comparing offsets).
    """
    if start < 0 or end < 0:
        raise AnchorError("The highlight starts before the beginning of the article.")
    if end < start:
        raise AnchorError("The highlight ends before it starts.")
    if end > len(text):
        raise AnchorError("The highlight runs past the end of the article.")
    if start == end:
        if not allow_point:
            raise AnchorError("Select at least one word to highlight.")
        if exact:
            raise AnchorError("A point in the text cannot quote any words.")
        return make_target(text, start, end)
    if text[start:end] != exact:
        if not exact or len(_starts(text, exact)) != 1:
            raise AnchorError(
                "The highlighted words don't match the article. "
                "Reload the page and select them again."
            )
        start = text.index(exact)
        end = start + len(exact)
    if not text[start:end].strip():
        raise AnchorError("Select at least one word to highlight, not just spaces.")
    start, end = grow_to_words(text, start, end)
    return make_target(text, start, end)


def grow_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Complete words cut at either edge ("ented its ang" -> "vented its anger"), whichever
    client sent the range. Unlike :func:`snap_to_words` it trims nothing, so a client may
    deliberately include punctuation or an emoji."""
    while 0 < start < len(text) and _inside_word(text, start) and _inside_word(text, start - 1):
        start -= 1
    while 0 < end < len(text) and _inside_word(text, end - 1) and _inside_word(text, end):
        end += 1
    return start, end


def _starts(text: str, quote: str) -> list[int]:
    """Every index where ``quote`` starts in ``text``, overlapping repeats included ("ha ha"
    occurs twice in "ha ha ha"; ``str.count`` and ``re.finditer`` see it once)."""
    return [m.start() for m in re.finditer(f"(?={re.escape(quote)})", text)] if quote else []


def _fold(ch: str) -> str:
    """Case- and quote-insensitive form of one character, always one character long."""
    folded = {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
    }.get(ch, ch)
    lower = folded.lower()
    return lower if len(lower) == 1 else folded


def _collapse(s: str) -> tuple[str, list[int]]:
    """Fold and collapse runs of whitespace; return the result and, per character, its index
    in the original string."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(s):
        f = _fold(ch)
        if f.isspace():
            if out and out[-1] == " ":
                continue
            f = " "
        out.append(f)
        index.append(i)
    return "".join(out), index


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place the words of ``quote`` occur in ``text``, as (start, end) code points.

    Exact matches win; otherwise differences of case, straight/curly quotes and spacing are
    forgiven (students type quotes by hand in the no-JavaScript form).
    """
    quote = quote.strip()
    if not quote:
        return []
    exact = [(i, i + len(quote)) for i in _starts(text, quote)]
    if exact:
        return exact
    hay, index = _collapse(text)
    needle = _collapse(quote)[0].strip()
    return [(index[i], index[i + len(needle) - 1] + 1) for i in _starts(hay, needle)]


def anchor_quote(text: str, quote: str, occurrence: int | None = None) -> Target:
    """Anchor typed words: the n-th (1-based) occurrence of ``quote``, snapped to words."""
    places = find_quote(text, quote)
    if not places:
        raise AnchorError(
            "We couldn't find those words in the article. Copy them exactly as they appear."
        )
    if occurrence is None:
        if len(places) > 1:
            raise AnchorError(
                f"Those words appear {len(places)} times in the article. "
                "Say which time you mean (1 is the first)."
            )
        occurrence = 1
    if not 1 <= occurrence <= len(places):
        times = "once" if len(places) == 1 else f"{len(places)} times"
        raise AnchorError(f"Those words appear only {times}, so choose 1 to {len(places)}.")
    start, end = snap_to_words(text, *places[occurrence - 1])
    return make_target(text, start, end)


@dataclass(frozen=True)
class Reanchored:
    target: Target | None
    method: str  # exact | quote | fuzzy | orphan


def reanchor(new_text: str, old: Target) -> Reanchored:
    """Place a highlight made on an older version of the text in the new text.

    By position if the quote is still there; else by quote, using prefix/suffix to pick among
    repeats; else by a fuzzy match that must score at least MIN_FUZZY_SCORE; else orphan.
    """
    if old.is_point:
        # a point is anchored by its context on both sides; still in place means exact
        at = old.start
        if (
            at <= len(new_text)
            and new_text[max(0, at - len(old.prefix)) : at] == old.prefix
            and new_text[at : at + len(old.suffix)] == old.suffix
        ):
            return Reanchored(make_target(new_text, at, at), "exact")
        joined = old.prefix + old.suffix
        places = _starts(new_text, joined)
        if len(places) == 1:
            at = places[0] + len(old.prefix)
            return Reanchored(make_target(new_text, at, at), "quote")
        before = new_text[max(0, old.start - len(old.prefix)) : old.start]
        if old.end <= len(new_text) and before == old.prefix:
            return Reanchored(make_target(new_text, old.start, old.start), "exact")
        return Reanchored(None, "orphan")
    if new_text[old.start : old.end] == old.exact:
        return Reanchored(make_target(new_text, old.start, old.end), "exact")
    candidates = _starts(new_text, old.exact)
    if candidates:

        def context_score(pos: int) -> tuple[int, int]:
            before = new_text[max(0, pos - len(old.prefix)) : pos]
            after = new_text[pos + len(old.exact) : pos + len(old.exact) + len(old.suffix)]
            shared = _common_suffix(before, old.prefix) + _common_prefix(after, old.suffix)
            return shared, -abs(pos - old.start)

        best = max(candidates, key=context_score)
        return Reanchored(make_target(new_text, best, best + len(old.exact)), "quote")
    fuzzy = _fuzzy_find(new_text, old)
    if fuzzy is not None:
        return Reanchored(make_target(new_text, *fuzzy), "fuzzy")
    return Reanchored(None, "orphan")


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _fuzzy_find(text: str, old: Target) -> tuple[int, int] | None:
    """Best window of the new text resembling the old quote with its context, or None.

    Scoring the quote alone lands on look-alike sentences ("officials were angry about the
    remarks" vs "officials were pleased about the remarks" scores 0.9), Hypothesis's known
    failure. So windows are ranked by how well they, with the text around them, match the old
    quote with its prefix and suffix; the winner must score at least MIN_FUZZY_SCORE that way
    and on the quote alone. Both edges of the best window then move while the score improves,
    so an inserted or deleted word doesn't cut the match short.
    """
    size = len(old.exact)
    if size < 4:
        return None
    step = max(1, size // 8)
    loose = MIN_FUZZY_SCORE - 0.2  # a window a few characters off the quote scores lower
    quote = difflib.SequenceMatcher(None, "", old.exact, autojunk=False)
    context = difflib.SequenceMatcher(None, "", old.prefix + old.exact + old.suffix, autojunk=False)

    def with_context(start: int, end: int) -> float:
        context.set_seq1(text[max(0, start - len(old.prefix)) : end + len(old.suffix)])
        return context.ratio()

    best: tuple[float, int, int] | None = None
    for pos in range(0, max(1, len(text) - size + 1), step):
        quote.set_seq1(text[pos : pos + size])
        if quote.real_quick_ratio() < loose or quote.quick_ratio() < loose:
            continue
        if quote.ratio() < loose:
            continue
        score = with_context(pos, pos + size)
        if best is None or score > best[0]:
            best = (score, pos, pos + size)
    if best is None:
        return None
    score, start, end = best
    moves = [(-step, 0), (step, 0), (0, -step), (0, step), (-1, 0), (1, 0), (0, -1), (0, 1)]
    improved = True
    while improved:
        improved = False
        for ds, de in moves:
            s, e = start + ds, end + de
            if s >= 0 and e <= len(text) and e - s >= size // 2:
                t = with_context(s, e)
                if t > score:
                    score, start, end, improved = t, s, e, True
                    break
    quote.set_seq1(text[start:end])
    if score < MIN_FUZZY_SCORE or quote.ratio() < MIN_FUZZY_SCORE:
        return None
    start, end = snap_to_words(text, start, end)
    return (start, end) if start < end else None
