"""Key items that accept other words (``also``) or any occurrence of a repeated quote: where
they sit, how a highlight earns them (once), and that snapshots and versions survive."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from app.domain.lessons import Alternative, Lesson, load_lesson_file, parse_lesson
from app.domain.matching import match_spans
from app.domain.overlay import review_pieces
from app.domain.scoring import score_work
from app.domain.summaries import summarise
from app.domain.work import StudentWork
from tests.unit.test_scoring import block_of, highlight, span, work_of

ROOT = Path(__file__).resolve().parents[2]
REAL = (ROOT / "lessons" / "kiev-anger-milley.toml").read_text(encoding="utf-8")
CAPTION_NAME = "US Joint Chiefs Chairman General Mark Milley"
MAIN = "US Army General Mark Milley"
# The real lesson as it was before it used alternatives, with the version assignments made
# then pinned: the new fields must not move it.
BEFORE = ROOT / "tests" / "data" / "kiev-anger-milley-72dbdc739ab9f3fc.toml"
BEFORE_VERSION = "72dbdc739ab9f3fc"


def edited(old: str, new: str, text: str = REAL) -> str:
    assert old in text, f"the test's edit must apply: {old!r}"
    return text.replace(old, new, 1)


WITH_ALSO = edited(
    f'quote = "{MAIN}"\n',
    f'quote = "{MAIN}"\nalso = ["{CAPTION_NAME}", {{ quote = "Mark Milley", occurrence = 2 }}]\n',
)


@pytest.fixture(scope="module")
def real() -> Lesson:
    lesson, problems = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert lesson is not None, problems
    return lesson


@pytest.fixture(scope="module")
def before() -> Lesson:
    lesson, problems = load_lesson_file(BEFORE)
    assert lesson is not None, problems
    return lesson


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    loaded, problems = parse_lesson(tomllib.loads(WITH_ALSO), "with-also.toml")
    assert problems == []
    assert loaded is not None
    return loaded


def item(lesson: Lesson, item_id: str):
    return next(k for k in lesson.key if k.id == item_id)


# ---------------------------------------------------------------- the format


def test_an_item_accepts_its_quote_first_then_each_alternative(lesson):
    milley = item(lesson, "src-milley")
    assert milley.also == [Alternative(CAPTION_NAME), Alternative("Mark Milley", 2)]
    assert milley.spans == [
        span(lesson.text, MAIN),
        span(lesson.text, CAPTION_NAME),
        span(lesson.text, "Mark Milley", 2),
    ]
    assert (milley.start, milley.end) == span(lesson.text, MAIN)  # the main span


def test_any_occurrence_accepts_every_whole_word_occurrence(lesson):
    kiev = item(lesson, "loaded-kiev-spelling")
    every = [(m.start(), m.end()) for m in re.finditer(r"\bKiev\b", lesson.text)]
    assert len(every) >= 6
    assert kiev.spans == every
    assert kiev.occurrence == "any"


def test_the_same_words_accepted_twice_count_once():
    text = edited('also = ["', 'also = ["US Army General Mark Milley", "', WITH_ALSO)
    loaded, problems = parse_lesson(tomllib.loads(text), "twice.toml")
    assert loaded is not None, problems
    assert len(item(loaded, "src-milley").spans) == 3


# ---------------------------------------------------------------- scoring


def test_a_highlight_on_an_alternative_earns_the_item_in_full(lesson):
    work = work_of(highlight(lesson, "a", "source", CAPTION_NAME))
    scored = score_work(lesson, work)
    assert scored.matches == {"a": "src-milley"}
    assert scored.by_category["source"].earned == item(lesson, "src-milley").points
    [match] = match_spans(lesson.key, work.annotations)
    assert (match.key_item_id, match.fit) == ("src-milley", 1.0)


def test_a_short_alternative_inside_the_quote_earns_what_the_quote_alone_does_not(real, lesson):
    work = work_of(highlight(lesson, "a", "source", "Mark Milley", 2))
    assert "src-milley" not in score_work(real, work).found  # 11 of 27 characters
    assert "src-milley" in score_work(lesson, work).found


def test_with_any_occurrence_the_second_kiev_earns_the_item(before, real):
    work = work_of(highlight(real, "a", "loaded", "Kiev", 2))
    assert "loaded-kiev-spelling" not in score_work(before, work).found  # occurrence = 1
    assert score_work(real, work).matches == {"a": "loaded-kiev-spelling"}


def test_a_whole_block_around_an_alternative_still_earns_nothing(lesson):
    start, end = block_of(lesson, CAPTION_NAME)
    caption = lesson.text[start:end]
    work = work_of(highlight(lesson, "a", "source", caption))
    assert score_work(lesson, work).matches == {}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((MAIN, 1), (CAPTION_NAME, 1)),
        ((CAPTION_NAME, 1), ("Mark Milley", 2)),
        (("Kiev", 3), ("Kiev", 5)),
    ],
)
def test_two_highlights_on_two_spans_of_one_item_earn_it_once(lesson, first, second):
    category = "loaded" if first[0] == "Kiev" else "source"
    key_id = "loaded-kiev-spelling" if category == "loaded" else "src-milley"
    work = work_of(
        highlight(lesson, "a", category, *first), highlight(lesson, "b", category, *second)
    )
    scored = score_work(lesson, work)
    assert list(scored.matches.values()) == [key_id]
    assert len(scored.extra) == 1
    assert scored.auto_score == item(lesson, key_id).points
    assert [m.key_item_id for m in match_spans(lesson.key, work.annotations)] == [key_id]


def test_one_highlight_on_two_overlapping_spans_of_an_item_earns_it_once(lesson):
    work = work_of(highlight(lesson, "a", "source", "General Mark Milley", 2))
    scored = score_work(lesson, work)
    assert scored.matches == {"a": "src-milley"}
    assert scored.extra == []


def test_the_review_overlay_marks_the_item_at_its_main_span(lesson):
    work = work_of(highlight(lesson, "a", "source", CAPTION_NAME))
    pieces = [p for block in review_pieces(lesson, work, score_work(lesson, work)) for p in block]
    marked = [p for p in pieces if ("src-milley", "found") in p.key]
    assert "".join(p.text for p in marked) == MAIN
    mine = [p for p in pieces if ("a", "matched") in p.mine]
    assert "".join(p.text for p in mine) == CAPTION_NAME


def test_the_class_summary_counts_an_item_once_per_student(lesson):
    works = [
        StudentWork(
            n,
            f"Student {n}",
            f"s{n}",
            [
                highlight(lesson, f"{n}a", "source", CAPTION_NAME, student=n),
                highlight(lesson, f"{n}b", "source", MAIN, student=n),
            ],
        )
        for n in (1, 2)
    ]
    summary = summarise(lesson, works, None)
    milley = next(i for i in summary.items if i.id == "src-milley")
    assert (milley.found, milley.share) == (2, 1.0)


# ---------------------------------------------------------------- snapshots and versions


def test_a_lesson_with_alternatives_survives_the_json_snapshot(lesson):
    copy = Lesson.from_dict(json.loads(json.dumps(lesson.to_dict())))
    assert copy == lesson
    assert copy.version == lesson.version
    assert item(copy, "src-milley").spans == item(lesson, "src-milley").spans


def test_alternatives_change_the_version(real, lesson):
    assert lesson.version != real.version


def test_a_lesson_without_alternatives_keeps_its_version_and_snapshot_shape(before):
    assert before.version == BEFORE_VERSION
    for entry in before.to_dict()["key"]:
        assert "also" not in entry
        assert "extra_spans" not in entry


def test_an_old_snapshot_without_the_new_fields_still_loads(before):
    old = before.to_dict()
    assert Lesson.from_dict(old) == before
    assert all(k.also == [] and k.extra_spans == [] for k in Lesson.from_dict(old).key)
