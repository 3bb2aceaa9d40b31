"""Scoring one student's work against a lesson's answer key: auto score, omissions, suggestions.

Pure Python over the plain data of :mod:`app.domain.work` and :mod:`app.domain.lessons`; which
highlight earns which key phrase is :mod:`app.domain.matching`'s rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .lessons import KeyItem, Lesson
from .matching import (
    OMISSION,
    KeyIndex,
    Place,
    best_fit,
    pair_spans,
    scored_spans,
    span_of,
)
from .work import OMISSION_CREDIT, AnnotationRow, StudentWork

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


def _unpaired(
    index: KeyIndex, spans: list[AnnotationRow], nearby: dict[str, list[Place]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """For the highlights paired with no key item: (annotation, decoy) for those on a decoy of
    their category, (annotation, key item) for those on a key item of another category, and
    the ids of those near neither (phrases the key lacks)."""
    decoy_hits: list[tuple[str, str]] = []
    wrong: list[tuple[str, str]] = []
    off_key: list[str] = []
    for a in spans:
        span = span_of(a)
        others = [p for p in nearby[a.id] if p.category != a.category]
        if others:
            wrong.append((a.id, best_fit(others, span).id))
        decoys = index.decoys.matching(*span)
        same = [d for d in decoys if d.category == a.category]
        if same:
            decoy_hits.append((a.id, best_fit(same, span).id))
        if not nearby[a.id] and not decoys:
            off_key.append(a.id)
    return decoy_hits, wrong, off_key


def _omission_credit(index: KeyIndex, work: StudentWork) -> dict[str, float]:
    """The teacher's marks, best level per omission key item, for answers still present."""
    present = {a.id for a in work.annotations}
    credit: dict[str, float] = {}
    for aid, mark in work.omission_marks.items():
        item = index.items.get(mark.key_item_id or "")
        if aid not in present or item is None or not item.is_omission:
            continue
        level = OMISSION_CREDIT.get(mark.level, 0.0)
        credit[item.id] = max(credit.get(item.id, 0.0), level)
    return credit


def _points(
    index: KeyIndex, paired: Iterable[str], credit: dict[str, float]
) -> tuple[dict[str, float], dict[str, float]]:
    """Weighted points earned, and possible, per category of the key (unrounded)."""
    found = set(paired)
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for item in index.lesson.key:
        w = index.weight(item.category)
        possible[item.category] = possible.get(item.category, 0.0) + item.points * w
        got = credit.get(item.id, 0.0) if item.is_omission else float(item.id in found)
        earned[item.category] = earned.get(item.category, 0.0) + item.points * w * got
    return earned, possible


def score_work(lesson: Lesson, work: StudentWork, index: KeyIndex | None = None) -> Scored:
    """Score one student. ``index`` saves rebuilding the lesson's index per student."""
    if index is None or index.lesson is not lesson:
        index = KeyIndex(lesson)
    spans = scored_spans(work.annotations)
    paired, nearby = pair_spans(index.spans, spans)
    matched = {a.id: key_id for key_id, a in paired.items()}
    extra = [a for a in spans if a.id not in matched]
    decoy_hits, wrong, off_key = _unpaired(index, extra, nearby)
    credit = _omission_credit(index, work)
    found_ids = set(paired) | {kid for kid, c in credit.items() if c > 0}
    earned, possible = _points(index, paired, credit)
    auto = round(sum(earned.values()), 2)
    return Scored(
        matches=matched,
        found=frozenset(found_ids),
        missed=[k for k in lesson.key if k.id not in found_ids],
        extra=[a.id for a in extra],
        decoy_hits=decoy_hits,
        wrong_category=wrong,
        off_key=off_key,
        unmarked_omissions=[
            a.id
            for a in work.annotations
            if a.category == OMISSION and a.id not in work.omission_marks
        ],
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
    "OMISSION",
    "CategoryScore",
    "KeyIndex",
    "Scored",
    "Suggestion",
    "score_work",
    "suggest_omission",
]
