"""The article to a screen reader, server side: each kind of block has its own element (the
same table as the browser's, static/js/lesson/article.js), and each piece of the teacher's
views says where the spans over it start and end, nested, across blocks too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.domain.lessons import BLOCK_KINDS, load_lesson_file
from app.domain.lessons.model import BLOCK_ELEMENTS, block_elements
from app.domain.overlay import cut_pieces, key_pieces

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture(scope="module")
def lesson():
    return load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")[0]


def test_every_kind_of_block_has_its_element():
    assert set(BLOCK_ELEMENTS) == set(BLOCK_KINDS)
    assert block_elements("headline") == ("", "h3")
    assert block_elements("paragraph") == ("", "p")
    assert block_elements("caption") == ("figure", "figcaption")
    assert block_elements("aside") == ("aside", "p")
    assert block_elements("footer") == ("footer", "p")
    assert block_elements("something new") == ("", "p")  # read as a paragraph


def test_the_browser_shows_blocks_in_the_same_elements():
    source = (ROOT / "static" / "js" / "lesson" / "article.js").read_text("utf-8")
    table = re.search(r"export const BLOCK_ELEMENTS = (\{.*?\});", source, re.DOTALL)
    assert table, "BLOCK_ELEMENTS is no longer in article.js"
    as_json = re.sub(r"(\w+):", r'"\1":', table.group(1)).replace(",\n}", "\n}")
    assert {k: tuple(v) for k, v in json.loads(as_json).items()} == BLOCK_ELEMENTS


def span(lesson, words: str, sid: str, said: str, occurrence: int = 0):
    start = -1
    for _ in range(occurrence + 1):
        start = lesson.text.index(words, start + 1)
    return (sid, start, start + len(words), "state", said)


def test_a_piece_says_where_each_span_over_it_starts_and_ends_nested(lesson):
    outer = span(lesson, "vented its anger on a top", "a", "A")
    inner = span(lesson, "its anger", "b", "B")
    same = span(lesson, "its anger", "c", "C")  # as long as B: opened after it, closed first
    pieces = [p for block in cut_pieces(lesson, [outer, inner], [same]) for p in block]
    said = [(p.opens, p.text, p.closes) for p in pieces if p.opens or p.closes]
    assert said == [
        (["A"], "vented ", []),
        (["B", "C"], "its anger", ["C", "B"]),
        ([], " on a top", ["A"]),
    ]


def test_a_span_over_two_blocks_starts_in_the_first_and_ends_in_the_second(lesson):
    first, second = lesson.blocks[3], lesson.blocks[4]
    over = ("x", first.end - len("Russia."), second.start + len("US Army"), "state", "X")
    pieces = cut_pieces(lesson, [over], [])
    [a] = [p for p in pieces[3] if p.key]
    [b] = [p for p in pieces[4] if p.key]
    assert (a.text, a.opens, a.closes) == ("Russia.", ["X"], [])
    assert (b.text, b.opens, b.closes) == ("US Army", [], ["X"])


def test_the_key_says_each_items_category_and_each_decoy(lesson):
    pieces = [p for block in key_pieces(lesson) for p in block]
    [vented] = [p for p in pieces if p.text == "vented its anger"]
    assert vented.opens == ["Loaded wording key item"]
    assert vented.closes == ["Loaded wording key item"]
    decoy = lesson.decoys[0]
    marked = [p for p in pieces if (decoy.id, "decoy") in p.key]
    assert marked[0].opens[-1] == "decoy"
    assert marked[-1].closes[0] == "decoy"
