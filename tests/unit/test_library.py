"""The lesson library's pure rules: a lesson's date as its data gives it, its size and key
counts, and which lessons a search finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.domain.dates import published_date
from app.domain.lessons import KeyItem, load_lesson_file
from app.domain.library import facts, matches
from app.domain.overlay import key_pieces

PATH = Path(__file__).resolve().parents[2] / "lessons" / "kiev-anger-milley.toml"


@pytest.fixture(scope="module")
def lesson():
    return load_lesson_file(PATH)[0]  # the real lesson (its tests check it loads cleanly)


@pytest.mark.parametrize(
    ("written", "day", "approximate"),
    [
        ("2022-11-15", date(2022, 11, 15), False),
        ("about 2022-11-15", date(2022, 11, 15), True),
        ("~2022-11-15", date(2022, 11, 15), True),
        ("Approx. 2022-11-15", date(2022, 11, 15), True),
        ("c. 2022-11-15", date(2022, 11, 15), True),
        (" 2022-11-15 ", date(2022, 11, 15), False),
        ("November 2022", None, False),  # not a day: shown as written
        ("about November 2022", None, False),
        ("2022-02-30", None, False),  # no such day
        ("", None, False),
    ],
)
def test_a_date_is_a_day_when_it_is_one_and_approximate_when_it_says_so(written, day, approximate):
    d = published_date(written)
    assert (d.day, d.approximate, d.text) == (day, approximate, written.strip())


def test_the_facts_count_words_and_key_items_by_category(lesson):
    f = facts(lesson)
    assert f.words == len(lesson.text.split())
    assert (f.key.sources, f.key.loaded, f.key.omissions, f.key.decoys) == (12, 12, 8, 3)
    assert f.key.other == 0
    assert f.published.day == date(2022, 11, 15)


def test_key_items_in_a_lessons_own_category_count_as_other(lesson):
    claim = KeyItem("claim-1", "claim", "A claim.", 1, quote="vented its anger")
    assert facts(replace(lesson, key=[*lesson.key, claim])).key.other == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", True),
        ("press", True),
        ("PRESS tv", True),
        ("tv press", True),  # any order
        ("milley press", False),  # every word must be somewhere
        ("monde", True),  # accents and case don't matter
        ("reuters", False),
    ],
)
def test_a_search_finds_every_word_in_the_title_or_outlet(query, found):
    assert matches(query, "Le Mondé on peace talks", "Press TV") is found


def test_the_key_is_marked_in_the_article_where_its_items_are(lesson):
    pieces = [p for block in key_pieces(lesson) for p in block]
    assert "".join(p.text for p in pieces) == lesson.text.replace("\n\n", "")
    vented = next(k for k in lesson.key if k.quote == "vented its anger")
    marked = [p for p in pieces if (vented.id, "loaded") in p.key]
    assert "".join(p.text for p in marked) == "vented its anger"
    decoy = lesson.decoys[0]
    assert any((decoy.id, "decoy") in p.key for p in pieces)
