"""A draft written in the browser (app/domain/lessons/draft.py): highlighted words stored as
quote and occurrence, key items that stay on their words when the article is edited, data
any database can hold, and the limits that keep one save quick to check."""

from __future__ import annotations

import math
import time
from datetime import date

import pytest

from app.domain.lessons import parse, parse_lesson
from app.domain.lessons.draft import MAX_DEPTH, TooDeep, follow_edits, new_draft, place, plain

ARTICLE = [
    ("headline", "Parking plan a disaster, say shops"),
    ("paragraph", "Officials said the plan would slash traffic."),
    ("paragraph", "Shop owners called it a disaster for trade. The council disagreed."),
]


def lesson(**extra) -> dict:
    return {**new_draft("parking", {"title": "Parking"}, ARTICLE), **extra}


def text_of(data: dict) -> str:
    return "\n\n".join(b["text"] for b in data["blocks"])


def at(data: dict, words: str, nth: int = 1) -> list[int]:
    text, start = text_of(data), -1
    for _ in range(nth):
        start = text.index(words, start + 1)
    return [start, start + len(words)]


def loaded(span: list[int]) -> dict:
    return {"id": "loaded-1", "category": "loaded", "span": span, "explanation": "e"}


def test_an_item_stays_on_its_words_when_an_earlier_copy_is_added():
    data = lesson()
    data = place({**data, "key": [loaded(at(data, "disaster", 2))]})
    assert data["key"][0]["occurrence"] == 2
    before = parse(data, "d").read
    edited = {**data, "blocks": [dict(b) for b in data["blocks"]]}
    edited["blocks"][1]["text"] = "A disaster, officials said: the plan would slash traffic."
    moved = place(follow_edits(before, edited))
    assert moved["key"][0]["occurrence"] == 3  # still the shop owners' "disaster"
    item = parse(moved, "d").read.key[0]
    assert text_of(moved)[item.start - 24 : item.end] == "Shop owners called it a disaster"


def test_a_typo_fixed_inside_an_items_words_takes_the_item_along():
    data = lesson()
    data["blocks"][1]["text"] = "Officials said the plan would slahs traffic."
    data = place({**data, "key": [loaded(at(data, "slahs"))]})
    before = parse(data, "d").read
    data["blocks"][1]["text"] = "Officials said the plan would slash traffic."
    fixed = place(follow_edits(before, data))
    assert fixed["key"][0]["quote"] == "slash"
    assert parse_lesson(fixed, "d")[0] is not None


def test_an_alternative_follows_its_words_too():
    data = lesson()
    item = loaded(at(data, "disaster", 2)) | {"also": [{"span": at(data, "disaster", 1)}]}
    data = place({**data, "key": [item]})
    assert data["key"][0]["also"] == [{"quote": "disaster", "occurrence": 1}]
    before = parse(data, "d").read
    data["blocks"][0]["text"] = "A disaster: parking plan a disaster, say shops"
    moved = place(follow_edits(before, data))
    assert moved["key"][0]["also"] == [{"quote": "disaster", "occurrence": 2}]
    assert moved["key"][0]["occurrence"] == 3


def test_words_no_longer_there_are_left_for_the_checker_to_name():
    data = place({**lesson(), "key": [loaded(at(lesson(), "slash"))]})
    before = parse(data, "d").read
    data["blocks"][1]["text"] = "Officials said nothing at all about it, in the end, today."
    kept = follow_edits(before, data)
    assert kept["key"][0]["quote"] == "slash"
    assert "'slash' is not in the article" in str(parse_lesson(kept, "d")[1])


def test_plain_keeps_only_what_a_database_can_hold():
    raw = {"published": date(2024, 3, 4), "title": "A\x00B\ud800C", "key": [{"points": math.nan}]}
    assert plain(raw) == {"published": "2024-03-04", "title": "ABC", "key": [{"points": None}]}
    deep: list = []
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(TooDeep):
        plain({"blocks": deep})


def test_an_item_may_have_ten_other_ways_to_earn_it():
    data = lesson()
    item = {
        "id": "k",
        "category": "loaded",
        "quote": "disaster",
        "occurrence": "any",
        "explanation": "e",
        "also": ["the"] * 11,
    }
    _, problems = parse_lesson({**data, "key": [item]}, "d")
    assert "11 other ways to earn this item; a key item may have at most 10" in str(problems)


def test_a_quote_that_is_everywhere_is_refused_quickly():
    words = " ".join(f"a{i} a" for i in range(15_000))  # "a" about 30,000 times
    data = new_draft("big", {"title": "Big"}, [("paragraph", words[:99_000])])
    items = [
        {
            "id": f"k{i}",
            "category": "loaded",
            "quote": "a",
            "occurrence": "any",
            "explanation": "e",
            "also": [{"quote": "a", "occurrence": "any"}] * 10,
        }
        for i in range(20)
    ]
    started = time.perf_counter()
    _, problems = parse_lesson({**data, "key": items}, "d")
    assert time.perf_counter() - started < 5  # ten seconds and more before the cap
    assert "'a' occurs more than 200 times" in str(problems)
