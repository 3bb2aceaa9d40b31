"""Cutting the article into runs for the teacher's views: the class heatmap and one student's
work laid over the answer key. Pure: offsets in, text pieces with their marks out."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from .lessons import Lesson
from .scoring import Scored
from .work import StudentWork


@dataclass(frozen=True)
class Run:
    """A stretch of one block whose words all have the same heat."""

    text: str
    start: int
    end: int
    count: int


def heat_runs(lesson: Lesson, words: list[tuple[int, int]], counts: list[int]) -> list[list[Run]]:
    """Per block, the text cut where the per-word count changes (spaces join their words'
    run when both sides have the same count, so a phrase highlighted by 5 reads as one run)."""
    out: list[list[Run]] = []
    w = 0
    for block in lesson.blocks:
        runs: list[Run] = []
        pos = block.start
        while w < len(words) and words[w][1] <= block.end:
            ws, we = words[w]
            c = counts[w]
            if ws > pos:  # the gap before this word
                gap_count = c if runs and runs[-1].count == c and runs[-1].end == pos else 0
                runs.append(Run(lesson.text[pos:ws], pos, ws, gap_count))
            runs.append(Run(lesson.text[ws:we], ws, we, c))
            pos = we
            w += 1
        if pos < block.end:
            runs.append(Run(lesson.text[pos : block.end], pos, block.end, 0))
        out.append(_merge(runs))
    return out


def heat_legend(top: int) -> list[tuple[float, int]]:
    """The heatmap legend's swatches as (shade from 0 to 1, students): none, a middle, the most.

    The middle is a whole number of students strictly between 0 and ``top`` (half of it, rounded
    up), shaded as the article shades it; with ``top`` below 2 there is no such number, so there
    is no middle (never a middle labelled 0). No highlights at all: an empty legend.
    """
    if top <= 0:
        return []
    if top == 1:
        return [(0.0, 0), (1.0, 1)]
    middle = (top + 1) // 2
    return [(0.0, 0), (round(middle / top, 2), middle), (1.0, top)]


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for r in runs:
        if merged and merged[-1].count == r.count and merged[-1].end == r.start:
            m = merged[-1]
            merged[-1] = Run(m.text + r.text, m.start, r.end, m.count)
        else:
            merged.append(r)
    return merged


@dataclass
class Piece:
    """A stretch of one block with the same student highlights and key items over it."""

    text: str
    start: int
    end: int
    key: list[tuple[str, str]] = field(default_factory=list)  # (key item id, found|missed)
    mine: list[tuple[str, str]] = field(default_factory=list)  # (annotation id, matched|extra)
    # what a screen reader says before and after the piece's words: the spans that start
    # here (the longest first) and those that end here (the shortest first), in words
    opens: list[str] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)


Span = tuple[str, int, int, str, str]  # (id, start, end, state, what it is in words)

REVIEW_WORDS = {
    "found": "key phrase they found",
    "missed": "key phrase they missed",
    "matched": "their highlight",
    "extra": "their highlight, not in the key",
}


def review_pieces(lesson: Lesson, work: StudentWork, scored: Scored) -> list[list[Piece]]:
    """Per block, the text cut at every edge of a key span or a student highlight."""
    found = scored.found
    keys = [
        (k.id, k.start, k.end, state, REVIEW_WORDS[state])
        for k in lesson.key
        if not k.is_omission
        for state in ["found" if k.id in found else "missed"]
    ]
    mine = [
        (a.id, *span, state, REVIEW_WORDS[state])
        for a in work.annotations
        if (span := a.span)
        for state in ["matched" if a.id in scored.matches else "extra"]
    ]
    return cut_pieces(lesson, keys, mine)


def key_pieces(lesson: Lesson) -> list[list[Piece]]:
    """The answer key over the article, as a teacher reads a lesson: each key span with its
    category as its state, each decoy with "decoy"."""
    labels = {c.id: c.label for c in lesson.categories}
    keys = [
        (k.id, k.start, k.end, k.category, f"{labels.get(k.category, k.category)} key item")
        for k in lesson.key
        if not k.is_omission
    ]
    keys += [(d.id, d.start, d.end, "decoy", "decoy") for d in lesson.decoys]
    return cut_pieces(lesson, keys, [])


def cut_pieces(lesson: Lesson, keys: list[Span], mine: list[Span]) -> list[list[Piece]]:
    """Per block, the text cut at every edge of a span, each piece with the spans over it and
    the words that mark where a span starts and ends (a span over two blocks starts in the
    first and ends in the second)."""
    out: list[list[Piece]] = []
    spans = keys + mine
    for block in lesson.blocks:
        cuts = {block.start, block.end}
        for _, s, e, _, _ in spans:
            if s < block.end and e > block.start:
                cuts.update((max(s, block.start), min(e, block.end)))
        edges = sorted(cuts)
        pieces = []
        for s, e in pairwise(edges):
            if s == e:
                continue
            pieces.append(
                Piece(
                    lesson.text[s:e],
                    s,
                    e,
                    key=[(kid, state) for kid, ks, ke, state, _ in keys if ks < e and ke > s],
                    mine=[(aid, state) for aid, ms, me, state, _ in mine if ms < e and me > s],
                    opens=[w for _, ss, se, _, w in sorted(spans, key=_longest) if ss == s < se],
                    closes=[  # nested: of two as long, the one opened last closes first
                        w
                        for _, ss, se, _, w in sorted(reversed(spans), key=_shortest)
                        if se == e > ss
                    ],
                )
            )
        out.append(pieces)
    return out


def _longest(span: Span) -> int:
    return span[1] - span[2]


def _shortest(span: Span) -> int:
    return span[2] - span[1]
