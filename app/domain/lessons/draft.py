"""A lesson being written in the browser (a draft), kept as the data of a lesson file: what
``tomllib`` reads from one. So the one checker reads a draft as it reads a file, problems and
all (a draft may have errors: it is work in progress), and an export writes it out unchanged.

The editor points at words by offsets, never by typing a quote: an entry it sends with
``span = [start, end]`` (code points in the article's canonical text) is given the quote and
occurrence those words have, by the checker's own rule for finding them (``place``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, time
from typing import Any

from ..anchoring import make_target, reanchor, snap_to_words
from .model import ANY, Lesson
from .parse import article_text
from .quotes import Article, Span

# The three built-in prompts a new lesson starts with: the author edits them to fit the article.
PROMPT_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "sources",
        "category": "source",
        "question": (
            "Who does this article get its information from? Highlight every person, group or "
            "report it relies on. For each one, decide: is it named? Who are they? Do they have "
            "a side in the story? Could you check what they said?"
        ),
        "hints": [
            "Look for words that introduce a source: 'said', 'says', 'stated', 'reports', "
            "'according to'.",
            "Find the sentence the headline's claim is based on. Who says it?",
        ],
    },
    {
        "id": "loaded",
        "category": "loaded",
        "question": (
            "Find words or phrases that push you towards a feeling or a side when plainer words "
            "would do. Highlight them and write a more neutral way to say the same thing."
        ),
        "hints": [
            "Try swapping a word for a plainer one. If the facts stay the same but the sentence "
            "feels different, the original word was doing extra work.",
            "Careful: words that show a claim is not yet proven, or that a label is someone "
            "else's, are careful reporting, not loaded wording.",
        ],
    },
    {
        "id": "omissions",
        "category": "omission",
        "question": (
            "What would you need to know that this article doesn't tell you? Describe something "
            "that is missing and explain why it matters."
        ),
        "hints": ["Whose voices do you hear in the article, and whose are missing?"],
        "required": ["missing"],
    },
]

META_FIELDS = ("title", "outlet", "byline", "published", "url", "grade_band", "teacher_note")


def new_draft(
    lesson_id: str, meta: dict[str, Any], blocks: list[tuple[str, str]]
) -> dict[str, Any]:
    """A new lesson's data: its details, its article in blocks and the template prompts."""
    data: dict[str, Any] = {"id": lesson_id}
    data.update({name: meta.get(name, "") for name in META_FIELDS})
    data["minutes"] = meta.get("minutes") or 30
    data["blocks"] = [{"kind": kind, "text": text} for kind, text in blocks]
    data["prompts"] = [dict(p) for p in PROMPT_TEMPLATES]
    return data


def _quote_at(article: Article, span: Any) -> tuple[str, int | None] | None:
    """The words at ``span`` (snapped to whole words) and which occurrence of them they are:
    None when they occur once. None for a span that is not two offsets into the text."""
    ok = (
        isinstance(span, list | tuple)
        and len(span) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        and 0 <= span[0] < span[1] <= len(article.text)
    )
    if not ok:
        return None
    start, end = snap_to_words(article.text, span[0], span[1])
    quote = article.text[start:end]
    places = article.occurrences(quote)
    if not quote.strip() or (start, end) not in places:
        return None
    return quote, None if len(places) == 1 else places.index((start, end)) + 1


def _placed(entry: dict[str, Any], article: Article) -> dict[str, Any]:
    """An entry with its ``span`` turned into ``quote`` (and ``occurrence`` when the words
    occur more than once; "any" is kept)."""
    if "span" not in entry:
        return entry
    out = {k: v for k, v in entry.items() if k != "span"}
    found = _quote_at(article, entry["span"])
    if found is None:
        out.pop("quote", None)  # the checker says the words are missing
        return out
    out["quote"], occurrence = found
    if out.get("occurrence") != ANY:
        out.pop("occurrence", None)
        if occurrence is not None:
            out["occurrence"] = occurrence
    return out


def place(data: dict[str, Any]) -> dict[str, Any]:
    """The draft with every ``span`` the editor sent (on key items, their alternatives and
    decoys) turned into quote and occurrence in the draft's own article."""
    article = Article(article_text(data))
    out = dict(data)
    for section in ("key", "decoys"):
        entries = out.get(section)
        if not isinstance(entries, list):
            continue
        placed = []
        for entry in entries:
            if isinstance(entry, dict):
                entry = _placed(entry, article)
                also = entry.get("also")
                if isinstance(also, list):
                    entry["also"] = [
                        _alternative(_placed(a, article)) if isinstance(a, dict) else a
                        for a in also
                    ]
            placed.append(entry)
        out[section] = placed
    return out


def _alternative(entry: dict[str, Any]) -> str | dict[str, Any]:
    """An alternative as the format writes it: the bare quote when it occurs once."""
    if set(entry) == {"quote"}:
        return str(entry["quote"])
    return entry


MAX_DEPTH = 12  # tables in lists in tables: a lesson's data is four deep at most
_UNSTORABLE = re.compile(
    "[\x00\ud800-\udfff]"
)  # NUL, halves of a character: no database takes them


class TooDeep(ValueError):
    """Data nested far deeper than any lesson's: not a lesson."""


def plain(value: Any, depth: int = 0) -> Any:
    """Lesson data that JSON and both databases can hold: a TOML date or time (``published =
    2022-11-15`` without quotes) as the text the checker reads it as, a number that is not
    finite as nothing (the checker then asks for a number), text without NUL characters or
    halves of a character. TooDeep for data nested deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise TooDeep("nested too deeply")
    if isinstance(value, dict):
        return {plain(k, depth + 1): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _spans_of(read: Lesson) -> dict[tuple[str, str], list[Span]]:
    """Where each quoted entry of a checked lesson sits: (section, id) -> its spans."""
    spans: dict[tuple[str, str], list[Span]] = {}
    for k in read.key:
        if not k.is_omission and k.end > k.start:
            spans[("key", k.id)] = [(k.start, k.end)]
    for d in read.decoys:
        if d.end > d.start:
            spans[("decoys", d.id)] = [(d.start, d.end)]
    return spans


def follow_edits(before: Lesson, data: dict[str, Any]) -> dict[str, Any]:
    """When the article's text changed, each key item and decoy the editor did not just place
    keeps pointing at its own words: it is given a ``span`` where they are now (found by the
    re-anchoring a student's highlight gets), so that ``place`` writes the quote and
    occurrence those words have in the new text. Without this, adding an earlier "disaster"
    would move an item on the second one to the first. Words no longer there are left as
    they were, for the checker to name. An "every time" item needs nothing."""
    text = article_text(data)
    if text == before.text:
        return data
    old = _spans_of(before)
    out = dict(data)
    for section in ("key", "decoys"):
        entries = out.get(section)
        if not isinstance(entries, list):
            continue
        out[section] = [
            _followed(e, old.get((section, str(e.get("id")))), before.text, text)
            if isinstance(e, dict)
            else e
            for e in entries
        ]
    return out


def _moved(span: Span, before: str, text: str) -> list[int] | None:
    """Where the words at ``span`` of the old text are in the new one (None if nowhere)."""
    moved = reanchor(text, make_target(before, *span))
    return None if moved.target is None else [moved.target.start, moved.target.end]


def _followed(
    entry: dict[str, Any], spans: list[Span] | None, before: str, text: str
) -> dict[str, Any]:
    if "span" in entry:
        return entry
    out = dict(entry)
    also = entry.get("also")
    if isinstance(also, list):
        out["also"] = [_followed_alternative(a, before, text) for a in also]
    if not spans or entry.get("occurrence") == ANY:
        return out
    start, end = spans[0]
    if entry.get("quote") != before[start:end]:
        return out
    span = _moved(spans[0], before, text)
    return out if span is None else {**out, "span": span}


def _followed_alternative(alt: Any, before: str, text: str) -> Any:
    table = alt if isinstance(alt, dict) else {"quote": alt}
    quote, occurrence = table.get("quote"), table.get("occurrence")
    if not isinstance(quote, str) or not quote or occurrence == ANY or "span" in table:
        return alt
    n = occurrence if isinstance(occurrence, int) and not isinstance(occurrence, bool) else 1
    places = Article(before).occurrences(quote)
    if not 1 <= n <= len(places):
        return alt
    span = _moved(places[n - 1], before, text)
    return alt if span is None else {"span": span}


def slug_for(title: str, taken: Callable[[str], bool]) -> str:
    """A lesson id made from its title ("Kiev 'angry' at Milley" -> "kiev-angry-at-milley"),
    numbered when that one is taken."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-") or "lesson"
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug
