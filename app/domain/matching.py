"""The match rule and one-to-one pairing: which highlight earns which key phrase.

Pure Python over the plain data of :mod:`app.domain.work` and :mod:`app.domain.lessons`;
:mod:`app.domain.scoring` turns the pairing into points. A key item may accept several spans
(its quote, alternatives, every occurrence of a repeated word): each is a :class:`Place` with
the item's id, a highlight earns the item when it :func:`matches` any of them, and the pairing
is of items, so an item is earned once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lessons import KeyItem, Lesson
from .work import AnnotationRow

OMISSION = "omission"  # the category whose answers the teacher marks instead of matching

# The match rule's two numbers (see :func:`matches`).
MIN_COVERAGE = 0.5  # share of the key phrase the highlight must cover
MAX_EXTRA_CHARS = 40  # characters a highlight may run past a key phrase (or the key's length)
MAX_SIDE_CHARS = 24  # ... on either one side (or half the key's length): "a few words"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """How many code points the ranges [a0, a1) and [b0, b1) share (0 when apart)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def matches(highlight: tuple[int, int], key: tuple[int, int]) -> bool:
    """Whether a student's highlight earns the key phrase at ``key`` (same category assumed).

    Both ranges are [start, end) in code points. The highlight matches when

    1. it covers at least half of the key phrase (``MIN_COVERAGE``): overlap * 2 >= key length;
    2. the part of it outside the key phrase is at most max(40, key length) characters
       (``MAX_EXTRA_CHARS``), so a few words either side are fine but a paragraph is not;
    3. on each side it runs past the key by at most max(24, half the key length) characters
       (``MAX_SIDE_CHARS``): a few words, not the rest of a short paragraph or "Read more"
       box (the whole 63-character box "Read more: Zelensky signs a decree preventing peace
       with Russia" adds 28 characters before the 23-character key "decree preventing peace",
       so it does not earn it).

    With the 16-character key "vented its anger":

    - "vented its anger" (exact): covers 16/16, 0 extra -> match;
    - "its anger" covers 9/16 -> match; "vented" covers 6/16 -> no match;
    - "Ukraine has vented its anger on a top US general" (49 chars): 33 extra <= 40, 12 before
      and 20 after <= 24 -> match;
    - the whole 81-character paragraph around it: 65 extra > 40 -> no match;
    - the whole 3,076-character article: no match.

    A 100-character key may carry up to 100 extra characters, 50 a side: a highlight at most twice
    the key is still "the key with some context", never a paragraph around a short phrase.
    Empty ranges never match.
    """
    key_len = key[1] - key[0]
    if key_len <= 0 or highlight[1] <= highlight[0]:
        return False
    shared = min(highlight[1], key[1]) - max(highlight[0], key[0])  # overlap(), inlined: hot
    if shared * 2 < key_len:  # MIN_COVERAGE, in integers so 8/16 is exactly half
        return False
    extra = (highlight[1] - highlight[0]) - shared
    side = max(MAX_SIDE_CHARS, key_len // 2)
    return (
        extra <= max(MAX_EXTRA_CHARS, key_len)
        and key[0] - highlight[0] <= side
        and highlight[1] - key[1] <= side
    )


def fit(highlight: tuple[int, int], key: tuple[int, int]) -> float:
    """How closely two ranges agree: shared length over combined length (1.0 = identical)."""
    union = max(highlight[1], key[1]) - min(highlight[0], key[0])
    return overlap(highlight, key) / union if union > 0 else 0.0


# ---------------------------------------------------------------- finding candidates fast


@dataclass(frozen=True)
class Place:
    id: str
    category: str
    start: int
    end: int
    order: int  # position in the lesson file
    points: float = 0.0


class Places:
    """Ranges (key items or decoys) sorted by start, so a highlight finds the ones it may
    match with a binary search instead of a scan of the whole key."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = sorted(places, key=lambda p: (p.start, p.order))
        self.starts = [p.start for p in self.places]
        self.longest = max((p.end - p.start for p in self.places), default=0)
        self.by_id: dict[str, list[Place]] = {}  # several for an item with alternative spans
        for p in self.places:
            self.by_id.setdefault(p.id, []).append(p)

    def matching(self, start: int, end: int) -> list[Place]:
        """Every place the highlight [start, end) :func:`matches`, in no particular order."""
        lo = bisect_right(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [p for p in self.places[lo:hi] if matches((start, end), (p.start, p.end))]


def key_places(key_items: Sequence[KeyItem]) -> Places:
    """The span key items (omissions point at nothing), in lesson order with their points: a
    place for each span an item accepts (its quote, its alternatives, every occurrence of an
    ``occurrence = "any"`` quote), all with the item's id."""
    return Places(
        Place(k.id, k.category, start, end, i, k.points)
        for i, k in enumerate(key_items)
        for start, end in k.spans
        if end > start
    )


class KeyIndex:
    """A lesson's span key items and decoys, indexed for matching. Build once per class and
    pass it to :func:`~app.domain.scoring.score_work` for every student (the summaries do)."""

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.weights = {c.id: lesson.scoring.get(c.id, 1.0) for c in lesson.categories}
        self.items = {k.id: k for k in lesson.key}
        self.spans = key_places(lesson.key)
        self.decoys = Places(
            Place(d.id, d.category, d.start, d.end, i)
            for i, d in enumerate(lesson.decoys)
            if d.end > d.start
        )

    def weight(self, category: str) -> float:
        return self.weights.get(category, 1.0)


def best_fit(places: list[Place], span: tuple[int, int]) -> Place:
    """The place ``span`` fits most closely (the first in the lesson on a tie)."""
    return min(places, key=lambda p: (-fit(span, (p.start, p.end)), p.order))


# ---------------------------------------------------------------- one-to-one matching


@dataclass(frozen=True)
class Match:
    key_item_id: str
    annotation_id: str
    overlap: int  # code points shared
    fit: float  # shared / combined length, 1.0 for the exact phrase


def scored_spans(annotations: Iterable[AnnotationRow]) -> list[AnnotationRow]:
    """The highlights that take part in matching: spans, omission answers left out."""
    return [a for a in annotations if a.is_span and a.category != OMISSION]


def span_of(a: AnnotationRow) -> tuple[int, int]:
    return (a.start or 0, a.end or 0)  # only called on spans, whose offsets are set


def _closeness(places: list[Place], span: tuple[int, int]) -> tuple[float, tuple[int, int]]:
    """How closely a highlight fits a key item: its best fit, and the span of the item it fits
    best, among the item's spans it :func:`matches` (an item may accept several). Only called
    for a highlight that matches one of them."""
    if len(places) == 1:  # most items: no need to ask which span it matches
        only = (places[0].start, places[0].end)
        return fit(span, only), only
    return max(
        (
            (fit(span, (p.start, p.end)), (p.start, p.end))
            for p in places
            if matches(span, (p.start, p.end))
        ),
        default=(0.0, (places[0].start, places[0].end)),
    )


def _pair(
    items: dict[str, list[Place]], edges: dict[str, dict[str, AnnotationRow]]
) -> dict[str, AnnotationRow]:
    """One-to-one pairing of key items (``items``: id -> its places) with highlights (the edges
    say which may pair).

    Key items take turns by points (highest first, then lesson order); each tries its
    highlights best fit first (then earlier start, shorter, id) and may move an item that
    took a highlight earlier onto another of its candidates to make room (Kuhn's augmenting
    paths). So a student earns the most points any one-to-one pairing could give (matchable
    sets of items form a transversal matroid, where taking items heaviest first is optimal),
    a wide highlight never costs an item a second highlight could earn, and the result does
    not depend on the order the annotations arrive in. An item with several accepted spans is
    still earned once.
    """
    owner: dict[str, str] = {}  # annotation id -> key item id

    def ranked(key_id: str) -> list[AnnotationRow]:
        return sorted(
            edges[key_id].values(),
            key=lambda a: (-_closeness(items[key_id], span_of(a))[0], *span_of(a), a.id),
        )

    choices = {key_id: ranked(key_id) for key_id in edges}

    def place(key_id: str, seen: set[str]) -> bool:
        for a in choices[key_id]:
            if a.id in seen:
                continue
            seen.add(a.id)
            if a.id not in owner or place(owner[a.id], seen):
                owner[a.id] = key_id
                return True
        return False

    for key_id in sorted(choices, key=lambda k: (-items[k][0].points, items[k][0].order)):
        place(key_id, set())
    rows = {a.id: a for options in choices.values() for a in options}
    return {key_id: rows[aid] for aid, key_id in owner.items()}


def _match_list(items: dict[str, list[Place]], paired: dict[str, AnnotationRow]) -> list[Match]:
    out = []
    for key_id, places in sorted(items.items(), key=lambda kv: kv[1][0].order):
        a = paired.get(key_id)
        if a is not None:
            span = span_of(a)
            closeness, key = _closeness(places, span)
            out.append(Match(key_id, a.id, overlap(span, key), round(closeness, 4)))
    return out


def pair_spans(
    places: Places, spans: Sequence[AnnotationRow]
) -> tuple[dict[str, AnnotationRow], dict[str, list[Place]]]:
    """Key item id -> the highlight it is paired with (see :func:`_pair`), and annotation id ->
    every place the highlight matches, of any category (what it is near when unpaired)."""
    nearby: dict[str, list[Place]] = {}
    edges: dict[str, dict[str, AnnotationRow]] = {}  # key item id -> annotation id -> row
    for a in spans:
        near = places.matching(*span_of(a))
        nearby[a.id] = near
        for p in near:
            if p.category == a.category:
                edges.setdefault(p.id, {})[a.id] = a
    return _pair(places.by_id, edges), nearby


def match_spans(key_items: Sequence[KeyItem], annotations: Sequence[AnnotationRow]) -> list[Match]:
    """Pair span key items with highlights of the same category, one-to-one (see :func:`_pair`
    for the tie-breaking). Omission items and answers take no part. Matches come back in key
    order."""
    places = key_places(key_items)
    paired, _ = pair_spans(places, scored_spans(annotations))
    return _match_list(places.by_id, paired)


__all__ = [
    "MAX_EXTRA_CHARS",
    "MAX_SIDE_CHARS",
    "MIN_COVERAGE",
    "OMISSION",
    "KeyIndex",
    "Match",
    "Place",
    "Places",
    "best_fit",
    "fit",
    "key_places",
    "match_spans",
    "matches",
    "overlap",
    "pair_spans",
    "scored_spans",
    "span_of",
]
