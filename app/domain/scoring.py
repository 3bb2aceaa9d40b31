"""Scoring one student's work against a lesson's answer key: the match rule, auto score, omissions.

Pure Python over the plain data of :mod:`app.domain.work` and :mod:`app.domain.lessons`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lessons import KeyItem, Lesson
from .work import OMISSION_CREDIT, AnnotationRow, StudentWork

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
class _Place:
    id: str
    category: str
    start: int
    end: int
    order: int  # position in the lesson file
    points: float = 0.0


class _Places:
    """Ranges (key items or decoys) sorted by start, so a highlight finds the ones it may
    match with a binary search instead of a scan of the whole key."""

    def __init__(self, places: Iterable[_Place]) -> None:
        self.places = sorted(places, key=lambda p: (p.start, p.order))
        self.starts = [p.start for p in self.places]
        self.longest = max((p.end - p.start for p in self.places), default=0)

    def matching(self, start: int, end: int) -> list[_Place]:
        """Every place the highlight [start, end) :func:`matches`, in no particular order."""
        lo = bisect_right(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [p for p in self.places[lo:hi] if matches((start, end), (p.start, p.end))]


class KeyIndex:
    """A lesson's span key items and decoys, indexed for matching. Build once per class and
    pass it to :func:`score_work` for every student (the summaries do)."""

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.weights = {c.id: lesson.scoring.get(c.id, 1.0) for c in lesson.categories}
        self.items = {k.id: k for k in lesson.key}
        self.spans = _Places(
            _Place(k.id, k.category, k.start, k.end, i, k.points)
            for i, k in enumerate(lesson.key)
            if not k.is_omission and k.end > k.start
        )
        self.decoys = _Places(
            _Place(d.id, d.category, d.start, d.end, i)
            for i, d in enumerate(lesson.decoys)
            if d.end > d.start
        )

    def weight(self, category: str) -> float:
        return self.weights.get(category, 1.0)


# ---------------------------------------------------------------- one-to-one matching


@dataclass(frozen=True)
class Match:
    key_item_id: str
    annotation_id: str
    overlap: int  # code points shared
    fit: float  # shared / combined length, 1.0 for the exact phrase


def _is_scored_span(a: AnnotationRow) -> bool:
    return a.is_span and a.category != OMISSION


def _span(a: AnnotationRow) -> tuple[int, int]:
    return (a.start or 0, a.end or 0)  # only called on spans, whose offsets are set


def _pair(
    keys: Sequence[_Place], edges: dict[str, list[AnnotationRow]]
) -> dict[str, AnnotationRow]:
    """One-to-one pairing of key items with highlights (the edges say which may pair).

    Key items take turns by points (highest first, then lesson order); each tries its
    highlights best fit first (then earlier start, shorter, id) and may move an item that
    took a highlight earlier onto another of its candidates to make room (Kuhn's augmenting
    paths). So a student earns the most points any one-to-one pairing could give (matchable
    sets of items form a transversal matroid, where taking items heaviest first is optimal),
    a wide highlight never costs an item a second highlight could earn, and the result does
    not depend on the order the annotations arrive in.
    """
    owner: dict[str, str] = {}  # annotation id -> key item id
    by_id = {k.id: k for k in keys}

    def ranked(key: _Place) -> list[AnnotationRow]:
        span = (key.start, key.end)
        return sorted(
            edges.get(key.id, []),
            key=lambda a: (-fit(_span(a), span), *_span(a), a.id),
        )

    choices = {k.id: ranked(k) for k in keys if edges.get(k.id)}

    def place(key_id: str, seen: set[str]) -> bool:
        for a in choices[key_id]:
            if a.id in seen:
                continue
            seen.add(a.id)
            if a.id not in owner or place(owner[a.id], seen):
                owner[a.id] = key_id
                return True
        return False

    for key in sorted((by_id[k] for k in choices), key=lambda k: (-k.points, k.order)):
        place(key.id, set())
    rows = {a.id: a for options in choices.values() for a in options}
    return {key_id: rows[aid] for aid, key_id in owner.items()}


def _match_list(keys: Sequence[_Place], paired: dict[str, AnnotationRow]) -> list[Match]:
    out = []
    for key in sorted(keys, key=lambda k: k.order):
        a = paired.get(key.id)
        if a is not None:
            span = _span(a)
            out.append(
                Match(
                    key.id,
                    a.id,
                    overlap(span, (key.start, key.end)),
                    round(fit(span, (key.start, key.end)), 4),
                )
            )
    return out


def match_spans(key_items: Sequence[KeyItem], annotations: Sequence[AnnotationRow]) -> list[Match]:
    """Pair span key items with highlights of the same category, one-to-one (see :func:`_pair`
    for the tie-breaking). Omission items and answers take no part. Matches come back in key
    order."""
    places = _Places(
        _Place(k.id, k.category, k.start, k.end, i, k.points)
        for i, k in enumerate(key_items)
        if not k.is_omission and k.end > k.start
    )
    edges: dict[str, list[AnnotationRow]] = {}
    for a in annotations:
        if not _is_scored_span(a):
            continue
        for p in places.matching(*_span(a)):
            if p.category == a.category:
                edges.setdefault(p.id, []).append(a)
    return _match_list(places.places, _pair(places.places, edges))


# ---------------------------------------------------------------- scoring a student


@dataclass(frozen=True)
class CategoryScore:
    earned: float
    possible: float


@dataclass(frozen=True)
class Scored:
    """One student's work held against the key. Points are weighted by the lesson's
    ``[scoring]`` table, so the categories add up to ``auto_score`` (give or take rounding)."""

    matches: dict[str, str]  # annotation id -> span key item id
    found: frozenset[str]  # key item ids: span matches and omissions marked full/partial
    missed: list[KeyItem]  # in lesson key order
    extra: list[str]  # span annotation ids paired with no key item
    decoy_hits: list[tuple[str, str]]  # (annotation id, decoy id), among the extras
    wrong_category: list[tuple[str, str]]  # (annotation id, key item id), among the extras
    off_key: list[str]  # extras near no key item and no decoy: phrases the key lacks
    unmarked_omissions: list[str]  # omission answer ids the teacher has not marked yet
    omission_credit: dict[str, float]  # omission key item id -> best credit it was marked
    by_category: dict[str, CategoryScore]  # every category with key items
    auto_score: float
    possible: float
    final: float  # the teacher's final grade if given, else the auto score


def _best(places: list[_Place], span: tuple[int, int]) -> _Place:
    return min(places, key=lambda p: (-fit(span, (p.start, p.end)), p.order))


def score_work(lesson: Lesson, work: StudentWork, index: KeyIndex | None = None) -> Scored:
    """Score one student. ``index`` saves rebuilding the lesson's index per student."""
    if index is None or index.lesson is not lesson:
        index = KeyIndex(lesson)
    spans = [a for a in work.annotations if _is_scored_span(a)]
    nearby: dict[str, list[_Place]] = {}
    edges: dict[str, list[AnnotationRow]] = {}
    for a in spans:
        near = index.spans.matching(*_span(a))
        nearby[a.id] = near
        for p in near:
            if p.category == a.category:
                edges.setdefault(p.id, []).append(a)
    paired = _pair(index.spans.places, edges)
    matched = {a.id: key_id for key_id, a in paired.items()}

    extra: list[str] = []
    decoy_hits: list[tuple[str, str]] = []
    wrong: list[tuple[str, str]] = []
    off_key: list[str] = []
    for a in spans:
        if a.id in matched:
            continue
        extra.append(a.id)
        span = _span(a)
        others = [p for p in nearby[a.id] if p.category != a.category]
        if others:
            wrong.append((a.id, _best(others, span).id))
        decoys = index.decoys.matching(*span)
        same = [d for d in decoys if d.category == a.category]
        if same:
            decoy_hits.append((a.id, _best(same, span).id))
        if not nearby[a.id] and not decoys:
            off_key.append(a.id)

    # Omissions: the teacher's marks, best level per key item, for answers still present.
    present = {a.id for a in work.annotations}
    credit: dict[str, float] = {}
    for aid, mark in work.omission_marks.items():
        item = index.items.get(mark.key_item_id or "")
        if aid not in present or item is None or not item.is_omission:
            continue
        level = OMISSION_CREDIT.get(mark.level, 0.0)
        credit[item.id] = max(credit.get(item.id, 0.0), level)
    unmarked = [
        a.id for a in work.annotations if a.category == OMISSION and a.id not in work.omission_marks
    ]

    found_ids = set(paired) | {kid for kid, c in credit.items() if c > 0}
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for item in lesson.key:
        w = index.weight(item.category)
        possible[item.category] = possible.get(item.category, 0.0) + item.points * w
        got = credit.get(item.id, 0.0) if item.is_omission else float(item.id in paired)
        earned[item.category] = earned.get(item.category, 0.0) + item.points * w * got
    auto = round(sum(earned.values()), 2)
    return Scored(
        matches=matched,
        found=frozenset(found_ids),
        missed=[k for k in lesson.key if k.id not in found_ids],
        extra=extra,
        decoy_hits=decoy_hits,
        wrong_category=wrong,
        off_key=off_key,
        unmarked_omissions=unmarked,
        omission_credit=credit,
        by_category={
            c: CategoryScore(round(earned[c], 2), round(possible[c], 2)) for c in possible
        },
        auto_score=auto,
        possible=round(sum(possible.values()), 2),
        final=round(work.final_grade, 2) if work.final_grade is not None else auto,
    )


# ---------------------------------------------------------------- suggesting an omission item


@dataclass(frozen=True)
class Suggestion:
    key_item_id: str
    score: int  # words of the matched cues (a two-word cue counts two)
    cues: tuple[str, ...]  # the cues found, in the key item's order


_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")  # words; apostrophes inside, hyphens split
_ENDINGS = ("d", "ed", "ing")  # what may follow a cue word: disagree -> disagreed


def _stem(word: str) -> str:
    """Lower-case, without a possessive 's or a plural s: "Ukraine's" and "Ukraines" -> ukraine."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def _words(text: str) -> list[str]:
    return [_stem(m.group()) for m in _WORD.finditer(text)]


def _same_word(cue: str, word: str) -> bool:
    if word == cue:
        return True
    return len(cue) >= 4 and word.startswith(cue) and word[len(cue) :] in _ENDINGS


def _contains(words: list[str], cue: list[str], at: dict[str, list[int]] | None = None) -> bool:
    """Whether the cue's words occur in a row in ``words``. ``at`` (word -> positions) lets
    the first cue word jump straight to where it could start."""
    n = len(cue)
    if n == 0:
        return False
    if at is None:
        starts: Iterable[int] = range(len(words) - n + 1)
    else:
        forms = [cue[0]] + ([cue[0] + e for e in _ENDINGS] if len(cue[0]) >= 4 else [])
        starts = sorted(i for f in forms for i in at.get(f, ()))
    return any(
        i + n <= len(words)
        and all(_same_word(c, w) for c, w in zip(cue, words[i : i + n], strict=True))
        for i in starts
    )


_cue_cache: dict[int, tuple[Lesson, list[tuple[str, list[tuple[str, list[str]]]]]]] = {}


def _omission_cues(lesson: Lesson) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Per omission item, its cues split into stemmed words: worked out once per lesson."""
    cached = _cue_cache.get(id(lesson))
    if cached is None or cached[0] is not lesson:
        cues = [
            (item.id, [(cue, _words(cue)) for cue in item.cues])
            for item in lesson.key
            if item.is_omission
        ]
        cached = _cue_cache[id(lesson)] = (lesson, cues)
    return cached[1]


def suggest_omission(lesson: Lesson, text: str) -> Suggestion | None:
    """The omission key item a student's answer most likely addresses, for the teacher to confirm.

    Cues are matched as whole words or phrases, ignoring case, plurals and possessives
    ("four regions" finds "four region", "disagree" finds "disagreed", "un" does not find
    "under"). An item scores the number of words in the cues it finds, so a specific phrase
    outweighs a single common word. Ties go to the item listed first; no cue found: None.
    """
    words = _words(text)
    at: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        at.setdefault(w, []).append(i)
    best: Suggestion | None = None
    for item_id, cues in _omission_cues(lesson):
        found = [(cue, split) for cue, split in cues if _contains(words, split, at)]
        score = sum(len(split) for _, split in found)
        if score and (best is None or score > best.score):
            best = Suggestion(item_id, score, tuple(cue for cue, _ in found))
    return best


__all__ = [
    "MAX_EXTRA_CHARS",
    "MAX_SIDE_CHARS",
    "MIN_COVERAGE",
    "OMISSION",
    "CategoryScore",
    "KeyIndex",
    "Match",
    "Scored",
    "Suggestion",
    "fit",
    "match_spans",
    "matches",
    "overlap",
    "score_work",
    "suggest_omission",
]
