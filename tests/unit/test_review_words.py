"""The review page's words: structured fields by their labels, grade changes in sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.lessons import Lesson, load_lesson_file
from app.domain.review_words import ChangeWords, describe_change, field_words, fields_in_words

ROOT = Path(__file__).resolve().parents[2]
VENUE = "Where Milley spoke and who he was speaking to"
REST = "What else Milley said in the same remarks and the next day"


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    loaded, problems = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert loaded is not None, problems
    return loaded


@pytest.mark.parametrize(
    ("category", "name", "value", "words"),
    [
        ("source", "named", "named", ("Is the source named?", "Named")),
        ("source", "named", "unnamed", ("Is the source named?", "Unnamed / vague")),
        (
            "source",
            "independence",
            "interested",
            ("Independent or interested party?", "Interested party"),
        ),
        ("source", "independence", "unsure", ("Independent or interested party?", "Not sure")),
        ("source", "affiliation", "unsure", ("Who are they? (job, organisation)", "unsure")),
        (
            "source",
            "checked_url",
            "https://a.example",
            ("Where I checked (a web address)", "https://a.example"),
        ),
        ("loaded", "rewrite", "named", ("A neutral way to say it", "named")),
        ("omission", "why", "It matters", ("Why it matters", "It matters")),
        # an older lesson format's field, or a choice no longer offered: as stored
        ("source", "retired", "x", ("retired", "x")),
        ("source", "named", "maybe", ("Is the source named?", "maybe")),
        ("my-category", "named", "named", ("named", "named")),
    ],
)
def test_a_field_is_shown_with_the_words_the_student_saw(category, name, value, words):
    assert field_words(category, name, value) == words


def test_fields_come_in_the_panels_order_and_empty_ones_are_left_out():
    fields = {
        "checked_url": "https://a.example",
        "affiliation": " ",
        "independence": "interested",
        "named": "named",
    }
    assert fields_in_words("source", fields) == [
        ("Is the source named?", "Named"),
        ("Independent or interested party?", "Interested party"),
        ("Where I checked (a web address)", "https://a.example"),
    ]


@pytest.mark.parametrize(
    ("what", "old", "new", "words"),
    [
        (
            "omission answer",
            "",
            "partial (om-venue)",
            ChangeWords(
                "Mark for an omission answer", "not marked", f"partial credit for “{VENUE}”"
            ),
        ),
        (
            "omission answer",
            "partial (om-venue)",
            "full (om-rest-of-remarks)",
            ChangeWords(
                "Mark for an omission answer",
                f"partial credit for “{VENUE}”",
                f"full credit for “{REST}”",
            ),
        ),
        (
            "omission answer",
            "none (no item)",
            "none (om-gone)",
            ChangeWords(
                "Mark for an omission answer",
                "no credit, matching none of the key's omissions",
                "no credit for “om-gone”",
            ),
        ),
        (
            "rubric loaded",
            "basic: Only one phrase",
            "emergent: Better",
            ChangeWords(
                "Rubric level for Loaded wording",
                "Basic, with the comment “Only one phrase”",
                "Emergent, with the comment “Better”",
            ),
        ),
        (
            "rubric sources",
            "proficient: ",
            "",
            ChangeWords("Rubric level for Source", "Proficient", "not set"),
        ),
        (
            "final grade",
            "",
            "9.0",
            ChangeWords("Final grade", "the auto score", "9.0"),
        ),
        (
            "final grade",
            "9.0",
            "",
            ChangeWords("Final grade", "9.0", "the auto score (the final grade was removed)"),
        ),
        (
            "submission",
            "submitted 2026-11-02 09:15",
            "reopened",
            ChangeWords(
                "Submission",
                "submitted at 2 Nov 2026, 09:15 UTC",
                "reopened: the student can change their work and submit again",
            ),
        ),
    ],
)
def test_a_grade_change_is_told_in_words(lesson, what, old, new, words):
    assert describe_change(what, old, new, lesson, zone="UTC") == words


def test_a_reopened_submission_says_when_it_was_submitted_in_the_schools_zone(lesson):
    words = describe_change(
        "submission", "submitted 2026-12-07 19:05", "reopened", lesson, zone="America/New_York"
    )
    assert words.before == "submitted at 7 Dec 2026, 14:05 EST"


def test_no_key_item_id_or_level_key_is_left_in_the_words(lesson):
    words = describe_change(
        "omission answer", "partial (om-venue)", "full (om-rest-of-remarks)", lesson, zone="UTC"
    )
    text = " ".join((words.what, words.before, words.after))
    assert "om-" not in text
    assert "(" not in text
