"""The lesson library's rules: what a teacher reads about each lesson in the list (its date,
size and answer-key counts) and which lessons a search finds. Pure: no Flask, no database."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from .dates import PublishedDate, published_date
from .lessons import Lesson


@dataclass(frozen=True)
class KeyCounts:
    sources: int
    loaded: int
    omissions: int
    decoys: int
    other: int  # key items in a lesson's own categories


@dataclass(frozen=True)
class LessonFacts:
    """What the list says about a lesson besides its title and outlet."""

    words: int
    key: KeyCounts
    published: PublishedDate


def facts(lesson: Lesson) -> LessonFacts:
    per_category = Counter(k.category for k in lesson.key)
    builtin = per_category["source"] + per_category["loaded"] + per_category["omission"]
    counts = KeyCounts(
        sources=per_category["source"],
        loaded=per_category["loaded"],
        omissions=per_category["omission"],
        decoys=len(lesson.decoys),
        other=len(lesson.key) - builtin,
    )
    return LessonFacts(len(lesson.text.split()), counts, published_date(lesson.published))


def _folded(text: str) -> str:
    """Lower case without accents, so "Le Monde" finds "Le Mondé" and "reuters" "Reuters"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(query: str, *texts: str) -> bool:
    """Whether every word of the query is in one of the texts (a title, an outlet)."""
    haystack = _folded(" ".join(texts))
    return all(word in haystack for word in _folded(query).split())
