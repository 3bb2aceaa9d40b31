"""The class heatmap: how many students highlighted each word of the text, per category.

Words are counted by the same rule that snaps a selection to words; each student's highlights
are merged into runs of words first, so a student counts once per word.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from functools import lru_cache

from .anchoring import is_word_char, snap_to_words
from .matching import OMISSION
from .work import AnnotationRow

ALL = "all"  # heatmap key: any span category


@lru_cache(maxsize=32)
def _word_ranges(text: str) -> tuple[tuple[int, int], ...]:
    words = []
    i = 0
    while i < len(text):
        if is_word_char(text[i]):
            start, end = snap_to_words(text, i, i + 1)
            words.append((start, end))
            i = end
        else:
            i += 1
    return tuple(words)


def word_ranges(text: str) -> list[tuple[int, int]]:
    """The words of ``text`` as [start, end) code-point ranges, by the same rule that snaps a
    selection to words (so "re-occupation" and "Milley's" are one word each)."""
    return list(_word_ranges(text))


def spans_by_category(annotations: list[AnnotationRow]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for a in annotations:
        if a.is_span and a.category != OMISSION:
            out[a.category].append((a.start or 0, a.end or 0))
    return out


class Heat:
    """Per-word student counts, added as +1/-1 at the edges of each student's merged runs of
    words and summed once at the end: a student's highlight costs the same whatever its length,
    and a student counts once per word however many highlights cover it."""

    def __init__(self, words: list[tuple[int, int]], categories: list[str]) -> None:
        self.starts = [w[0] for w in words]
        self.ends = [w[1] for w in words]
        self.diff = {c: [0] * (len(words) + 1) for c in [*categories, ALL]}

    def word_run(self, start: int, end: int) -> tuple[int, int]:
        """First and one-past-last word overlapping [start, end)."""
        return bisect_right(self.ends, start), bisect_left(self.starts, end)

    def add_student(self, spans: dict[str, list[tuple[int, int]]]) -> None:
        every: list[tuple[int, int]] = []
        for cat, ranges in spans.items():
            runs = [r for r in (self.word_run(*s) for s in ranges) if r[0] < r[1]]
            every.extend(runs)
            if cat in self.diff:
                self._add(cat, runs)
        self._add(ALL, every)

    def _add(self, cat: str, runs: list[tuple[int, int]]) -> None:
        diff = self.diff[cat]
        lo = hi = -1
        for first, last in sorted(runs):
            if first > hi:
                if hi > lo:
                    diff[lo] += 1
                    diff[hi] -= 1
                lo, hi = first, last
            else:
                hi = max(hi, last)
        if hi > lo:
            diff[lo] += 1
            diff[hi] -= 1

    def counts(self) -> dict[str, list[int]]:
        out = {}
        for cat, diff in self.diff.items():
            running, row = 0, []
            for d in diff[:-1]:
                running += d
                row.append(running)
            out[cat] = row
        return out
