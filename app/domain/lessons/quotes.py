"""Where a key item's or a decoy's words sit in the article, by the author's quote and
occurrence; and, for a quote that is not there, whether it differs from the text only in
quote marks, dashes, spaces or capitals (said in words, so the author can fix it)."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..anchoring import snap_to_words
from .model import ANY
from .report import Report

Span = tuple[int, int]

# Characters an author's copy often changes for a look-alike; each maps to one character, so
# a translated text keeps its offsets.
_LOOK_ALIKES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u00a0\u2007\u2009\u202f", " "),
    }
)
_NAMES = {
    "'": "straight apostrophe",
    "\u2018": "curly opening quote",
    "\u2019": "curly apostrophe",
    '"': "straight quote mark",
    "\u201c": "curly opening quote mark",
    "\u201d": "curly closing quote mark",
    "-": "hyphen",
    "\u2013": "en dash",
    "\u2014": "em dash",
    "\u2212": "minus sign",
}
_SPACES = {" ": "a space", "\u00a0": "a non-breaking space"}
MAX_DIFFERENCES = 3  # look-alike pairs named in one message
MAX_PLACES = 200  # places a quote may have: more, and it picks out no place a student would


def _show(ch: str) -> str:
    """A character as a teacher can read it in a message."""
    if ch in _SPACES or ch.isspace():
        return _SPACES.get(ch) or f"a {unicodedata.name(ch, 'space').lower()}"
    name = _NAMES.get(ch)
    return f"{ch} ({name})" if name else ch


class Article:
    """A lesson's canonical text, searched for quotes (its look-alike form made once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._plain: str | None = None

    def occurrences(self, quote: str, most: int = MAX_PLACES + 1) -> list[Span]:
        """Every place ``quote`` occurs exactly, overlapping repeats included: the first
        ``most`` of them (a quote such as "a" can occur thousands of times)."""
        places: list[Span] = []
        i = self.text.find(quote) if quote else -1
        while i >= 0 and len(places) < most:
            places.append((i, i + len(quote)))
            i = self.text.find(quote, i + 1)
        return places

    def on_words(self, span: Span) -> bool:
        return snap_to_words(self.text, *span) == span

    def look_alike(self, quote: str) -> str:
        """For a quote not in the text: what the text has instead ("" if nothing close)."""
        if self._plain is None:
            self._plain = self.text.translate(_LOOK_ALIKES)
        plain, wanted = self._plain, quote.translate(_LOOK_ALIKES)
        i = plain.find(wanted)
        if i < 0:  # capitals too, unless lower() lengthens a letter (a few do) and moves offsets
            lower = plain.lower(), wanted.lower()
            if len(lower[0]) == len(plain) and len(lower[1]) == len(wanted):
                i = lower[0].find(lower[1])
        if i < 0 or not wanted.strip():
            return ""
        pairs = dict.fromkeys(
            (t, q) for t, q in zip(self.text[i : i + len(quote)], quote, strict=True) if t != q
        )
        said = [f"{_show(t)} where the key has {_show(q)}" for t, q in pairs]
        return ": the text has " + "; and ".join(said[:MAX_DIFFERENCES])


def _bad_occurrence(occurrence: Any, allow_any: bool) -> str:
    """What is wrong with an occurrence as written ("" if nothing)."""
    if occurrence is None or (occurrence == ANY and allow_any):
        return ""
    if occurrence == ANY:
        return f'occurrence "{ANY}" is only for key items: give a decoy\'s as a number'
    if isinstance(occurrence, bool) or not isinstance(occurrence, int):
        extra = f' or "{ANY}" (every occurrence counts)' if allow_any else ""
        return f"'occurrence' must be a whole number (1 is the first){extra}"
    return ""


def locate(
    article: Article,
    quote: str,
    occurrence: Any,
    where: str,
    out: Report,
    *,
    noun: str = "quote",
    allow_any: bool = False,
) -> list[Span]:
    """Where a quote sits (every whole-word occurrence for ``"any"``), by the same exact text a
    student's highlight shows; [] after reporting why not."""
    wrong = _bad_occurrence(occurrence, allow_any)
    if wrong:
        out.add(where, wrong)
        return []
    places = article.occurrences(quote)
    if not places:
        out.add(where, f"{noun} {quote!r} is not in the article{article.look_alike(quote)}")
        return []
    if len(places) > MAX_PLACES:
        out.add(
            where,
            f"{noun} {quote!r} occurs more than {MAX_PLACES} times: choose words that pick "
            "out a place in the article",
        )
        return []
    if occurrence == ANY:
        places = [p for p in places if article.on_words(p)]
        if not places:
            out.add(where, f"{noun} {quote!r} must start and end on whole words")
        return places
    if occurrence is None and len(places) > 1:
        which = f' (or "{ANY}" if every one counts)' if allow_any else ""
        out.add(
            where,
            f"{noun} {quote!r} occurs {len(places)} times: say which with 'occurrence'{which}",
        )
        return []
    n = 1 if occurrence is None else occurrence
    if not 1 <= n <= len(places):
        out.add(where, f"occurrence {n} asked for, but {quote!r} occurs {len(places)} time(s)")
        return []
    span = places[n - 1]
    if not article.on_words(span):
        out.add(where, f"{noun} {quote!r} must start and end on whole words")
        return []
    return [span]
