"""Exporting a lesson as a lesson file (``lesson_to_toml``): what ``parse_lesson`` reads back is
the same lesson, the same content version included, whatever characters its texts hold."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.lessons import Lesson, lesson_files, lesson_to_toml, load_lesson_file, parse_lesson
from tests.support.properties import examples
from tests.unit.test_alternative_spans import WITH_ALSO

os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "read-closely-hypothesis")
)

ROOT = Path(__file__).resolve().parents[2]
ALL_LESSONS = lesson_files(ROOT / "lessons") + lesson_files(ROOT / "tests" / "data" / "lessons")


def reimported(lesson: Lesson) -> Lesson:
    """The lesson exported, then read back as a file of the same name."""
    text = lesson_to_toml(lesson)
    again, problems = parse_lesson(tomllib.loads(text), lesson.source_file)
    assert again is not None, [str(p) for p in problems]
    return again


def assert_round_trips(lesson: Lesson) -> None:
    again = reimported(lesson)
    assert again.version == lesson.version
    assert again.to_dict() == lesson.to_dict()


def parsed(text: str, file: str = "lesson.toml") -> Lesson:
    lesson, problems = parse_lesson(tomllib.loads(text), file)
    assert lesson is not None, [str(p) for p in problems]
    return lesson


SMALL = """\
id = "small"
title = "Small"
minutes = 10

[[blocks]]
kind = "paragraph"
text = "The mayor said the plan was a disgrace."

[[prompts]]
id = "loaded"
category = "loaded"
question = "Which words push you?"

[[key]]
id = "loaded-disgrace"
category = "loaded"
quote = "disgrace"
explanation = "A strong word."
points = 1.5
"""


@pytest.mark.parametrize("path", ALL_LESSONS, ids=lambda p: p.name)
def test_every_lesson_file_exports_and_reimports_to_the_same_version(path):
    lesson, problems = load_lesson_file(path)
    assert lesson is not None, problems
    assert_round_trips(lesson)


def test_the_lesson_folders_are_not_empty():
    assert {p.name for p in ALL_LESSONS} >= {"kiev-anger-milley.toml", "eastbrook-parking.toml"}


def test_alternative_spans_and_any_occurrence_survive_the_round_trip():
    lesson = parsed(WITH_ALSO)
    assert_round_trips(lesson)
    text = lesson_to_toml(lesson)
    data = tomllib.loads(text)
    milley = next(k for k in data["key"] if k.get("also"))
    assert milley["also"] == [
        "US Joint Chiefs Chairman General Mark Milley",  # a plain quote stays plain
        {"quote": "Mark Milley", "occurrence": 2},  # a table where it says which
    ]
    kiev = next(k for k in data["key"] if k.get("quote") == "Kiev")
    assert kiev["occurrence"] == "any"


def test_the_file_has_only_what_an_author_writes():
    lesson, _ = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert lesson is not None
    text = lesson_to_toml(lesson)
    data = tomllib.loads(text)
    assert "categories" not in data  # the built-in ones only
    assert data["scoring"] == {"source": 1, "loaded": 1, "omission": 1}  # as written
    assert "scoring" not in tomllib.loads(lesson_to_toml(parsed(SMALL)))  # none written
    assert not re.search(r"^(start|end|extra_spans|fields|source_file) =", text, re.M)
    assert "points = 2\n" in text  # a whole number as the author writes it, not 2.0
    omission = next(k for k in data["key"] if k["category"] == "omission")
    assert "quote" not in omission
    assert "occurrence" not in omission
    unique = next(k for k in data["key"] if k["id"] == "src-milley")
    assert "occurrence" not in unique  # its quote occurs once
    assert text.startswith(
        f"# A Read Closely lesson file (format: lessons/README.md), version {lesson.version}."
    )


def test_the_readme_order_metadata_then_blocks_prompts_key_decoys():
    lesson = parsed(WITH_ALSO)
    text = lesson_to_toml(lesson)
    positions = [
        text.index(s) for s in ('\nid = "', "[[blocks]]", "[[prompts]]", "[[key]]", "[[decoys]]")
    ]
    assert positions == sorted(positions)
    assert 'teacher_note = """\n' in text  # long text with line breaks: a multi-line string


def test_extra_categories_and_scoring_are_written_and_come_back():
    text = (
        SMALL
        + """
[categories.claim]
label = "Claim"
color = "#2f855a"

[categories.source]
label = "Who says so"
color = "#2b6cb0"

[scoring]
loaded = 2
claim = 0.5
"""
    )
    lesson = parsed(text)
    assert_round_trips(lesson)
    data = tomllib.loads(lesson_to_toml(lesson))
    assert list(data["categories"]) == ["claim", "source"]  # a replaced built-in one too
    assert data["scoring"] == {"loaded": 2, "claim": 0.5}
    assert data["key"][0]["points"] == 1.5


def test_a_built_in_category_written_out_unchanged_keeps_its_place():
    """Restating a built-in category moves it after the others: the export says so again."""
    lesson = parsed(SMALL + '\n[categories.source]\nlabel = "Source"\ncolor = "#2b6cb0"\n')
    assert [c.id for c in lesson.categories] == ["loaded", "omission", "source"]
    assert_round_trips(lesson)


def test_a_redundant_occurrence_is_kept_as_written():
    lesson = parsed(SMALL.replace('quote = "disgrace"\n', 'quote = "disgrace"\noccurrence = 1\n'))
    assert_round_trips(lesson)
    assert tomllib.loads(lesson_to_toml(lesson))["key"][0]["occurrence"] == 1


def test_a_cr_lf_in_a_text_survives_though_it_cannot_be_in_a_multi_line_string():
    lesson = parsed(
        SMALL.replace('explanation = "A strong word."', 'explanation = "Strong.\\r\\nNo."')
    )
    assert lesson.key[0].explanation == "Strong.\r\nNo."
    assert_round_trips(lesson)


def test_texts_with_line_breaks_are_written_as_multi_line_strings():
    lesson = parsed(
        SMALL.replace('explanation = "A strong word."', 'explanation = "Strong.\\nNo."')
    )
    assert 'explanation = """\nStrong.\nNo."""' in lesson_to_toml(lesson)


# ---------------------------------------------------------------- hostile text

NASTY = st.sampled_from(
    ['"', "'", '"""', "'''", "\\", "\\n", "\\u0041", "\r\n", "\r", "\n", "\t", "\x00", "\x08",
     "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff", "\u200b", "😀", "\U0001d518", "é", "#",
     "=", "[[key]]"]
)  # fmt: skip
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=8).map("".join)
REQUIRED = TEXT.filter(str.strip)
WORDS = ("Zorblat", "said", "deal", "agreed")  # what the key quotes: only in QUOTED
# A block holds no blank line and neither starts nor ends with a line break.
BLOCK = TEXT.map(lambda s: re.sub(r"\n+", "\n", s).strip("\n")).filter(
    lambda s: s.strip() and not any(w in s for w in WORDS)
)
# The words the key and decoy quote: quote marks and a backslash, in a block of their own.
QUOTED = 'Zorblat said “it\'s a \\"deal\\"” and \'\'\'Zorblat\'\'\' """agreed"""'
ALTERNATIVES = st.sampled_from(
    ["deal", "it's a \\\"deal", {"quote": "said “it's"}, {"quote": "Zorblat", "occurrence": 2}]
)


@st.composite
def hostile_lessons(draw) -> dict:
    """A lesson file's data with hostile texts everywhere an author writes text."""
    blocks = [{"kind": "paragraph", "text": t} for t in draw(st.lists(BLOCK, max_size=3))]
    blocks.insert(draw(st.integers(0, len(blocks))), {"kind": "paragraph", "text": QUOTED})
    meta = {k: draw(TEXT) for k in ("outlet", "byline", "published", "url", "grade_band")}
    span = {"quote": "Zorblat", "occurrence": draw(st.sampled_from([1, 2, "any"]))}
    return {
        "id": "hostile",
        "title": draw(REQUIRED),
        "teacher_note": draw(TEXT),
        "minutes": draw(st.integers(1, 600)),
        **meta,
        "blocks": blocks,
        "categories": {"claim": {"label": draw(REQUIRED), "color": "#2f855a"}},
        "prompts": [
            {
                "id": "p",
                "category": "loaded",
                "question": draw(REQUIRED),
                "hints": draw(st.lists(TEXT, max_size=3)),
            }
        ],
        "key": [
            {
                "id": "k1",
                "category": "loaded",
                **span,
                "explanation": draw(REQUIRED),
                "also": [draw(ALTERNATIVES)],
                "points": draw(st.integers(0, 100) | st.floats(0, 100)),
            },
            {
                "id": "k2",
                "category": "omission",
                "statement": draw(REQUIRED),
                "explanation": draw(REQUIRED),
                "reference": draw(REQUIRED),
                "cues": draw(st.lists(TEXT, min_size=1, max_size=3)),
                "points": 1,
            },
        ],
        "decoys": [
            {"id": "d", "category": "claim", "quote": "agreed", "explanation": draw(REQUIRED)}
        ],
        "scoring": draw(st.dictionaries(st.sampled_from(["loaded", "claim"]), st.floats(0, 1e6))),
    }


@settings(max_examples=examples(150), deadline=None, database=None)
@given(hostile_lessons())
def test_any_text_survives_the_round_trip(raw):
    lesson, problems = parse_lesson(raw, "hostile.toml")
    assert lesson is not None, [str(p) for p in problems]
    assert_round_trips(lesson)
