"""The demo class's work is drawn from each lesson's own key: the first lesson and a lesson
written for the tests both get every kind of answer, every highlight on whole words inside the
text, and the same work from the same seed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.demo.answers import KINDS, SampleWork, class_work, sample_student
from app.domain.anchoring import snap_to_words
from app.domain.annotations import validate_annotation
from app.domain.lessons import Category, Lesson, Prompt, load_lesson_file

ROOT = Path(__file__).resolve().parents[2]
LESSON_FILES = {
    "first lesson": ROOT / "lessons" / "kiev-anger-milley.toml",
    "test lesson": ROOT / "tests" / "data" / "lessons" / "eastbrook-parking.toml",
}


@pytest.fixture(params=list(LESSON_FILES), scope="module")
def lesson(request) -> Lesson:
    loaded, problems = load_lesson_file(LESSON_FILES[request.param])
    assert problems == []
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def works(lesson) -> list[SampleWork]:
    return class_work(lesson)


def answers(works: list[SampleWork], kind: str | None = None):
    return [a for w in works for a in w.answers if kind is None or a.kind == kind]


def test_the_class_finds_misses_miscategorises_adds_and_answers_omissions(works):
    kinds = {a.kind for a in answers(works)}
    assert kinds == set(KINDS)  # found, miscategorised, extra, decoy, omission, off-topic
    assert any(w.missed for w in works)
    assert any(not w.answers for w in works)  # some did nothing
    assert any(w.submitted_hours is not None for w in works)


def test_every_highlight_is_whole_words_inside_the_text_and_saves_as_it_is(lesson, works):
    text = lesson.text
    highlights = [a for a in answers(works) if a.start is not None]
    assert highlights
    for a in highlights:
        assert a.start is not None
        assert a.end is not None
        assert 0 <= a.start < a.end <= len(text)
        assert snap_to_words(text, a.start, a.end) == (a.start, a.end), text[a.start : a.end]
        saved = validate_annotation(a.payload(text), lesson)
        assert saved.target is not None
        assert not saved.reanchored
        assert (saved.target.start, saved.target.end) == (a.start, a.end)


def test_highlights_come_from_the_key_and_extras_from_words_it_lacks(lesson, works):
    key = {k.id: k for k in lesson.key}
    spans = [(k.start, k.end) for k in lesson.key if not k.is_omission]
    decoys = {(d.start, d.end) for d in lesson.decoys}
    for a in answers(works, "found") + answers(works, "miscategorised"):
        item = key[a.key_item_id or ""]
        assert a.start is not None
        assert a.end is not None
        assert a.start <= item.start
        assert item.end <= a.end
        assert (a.category == item.category) == (a.kind == "found")
    for a in answers(works, "extra"):
        assert a.start is not None
        assert a.end is not None
        assert not any(s < a.end and a.start < e for s, e in spans)
    assert {(a.start, a.end) for a in answers(works, "decoy")} <= decoys


def test_omission_answers_are_written_from_the_key_items_they_address(lesson, works):
    omissions = {k.id: k for k in lesson.key if k.is_omission}
    for a in answers(works, "omission"):
        item = omissions[a.key_item_id or ""]
        missing = a.fields["missing"].lower()
        assert item.statement.lower() in missing or any(c.lower() in missing for c in item.cues)
        assert validate_annotation(a.payload(lesson.text), lesson).target is None
    marks = [a.mark for a in answers(works) if a.mark is not None]
    assert {"full", "partial"} <= {m.level for m in marks}
    assert all((m.level == "none") == (m.key_item_id is None) for m in marks)


def test_a_seed_makes_the_same_class(lesson):
    assert class_work(lesson, seed=3) == class_work(lesson, seed=3)
    assert class_work(lesson, seed=3) != class_work(lesson, seed=4)


def test_a_lesson_with_a_category_of_its_own_and_no_paragraphs_decoys_or_omissions():
    """Any lesson: here one prompt, for a category of the lesson's own, requiring a note; the
    other key category asked by no prompt; no paragraph to draw extra words from."""
    base, _ = load_lesson_file(LESSON_FILES["test lesson"])
    assert base is not None
    lesson = replace(
        base,
        blocks=[replace(b, kind="aside") for b in base.blocks],
        categories=[*base.categories, Category("claim", "Claim", "#2f855a")],
        prompts=[Prompt("claims", "claim", "What does it claim?", required=["note"])],
        key=[
            replace(k, category="claim") if k.category == "loaded" else k
            for k in base.key
            if not k.is_omission
        ],
        decoys=[],
    )
    works = class_work(lesson)
    kinds = {a.kind for a in answers(works)}
    assert {"found", "miscategorised", "extra"} <= kinds
    assert not kinds & {"decoy", "omission", "off-topic"}
    for a in answers(works):
        saved = validate_annotation(a.payload(lesson.text), lesson)  # the required note too
        assert saved.target is not None
        assert (saved.target.start, saved.target.end) == (a.start, a.end)


def test_the_previews_sample_student_shows_a_bit_of_everything(lesson):
    """One made-up student for a teacher's preview of feedback: found, missed, in the wrong
    category, extra words and marked omission answers, the same each time."""
    work = sample_student(lesson)
    kinds = {a.kind for a in work.answers}
    assert {"found", "miscategorised", "extra", "omission"} <= kinds
    assert work.missed
    assert any(a.mark is not None for a in work.answers)
    assert sample_student(lesson) == work


def test_a_drafts_key_item_not_in_the_text_is_never_drawn():
    base, _ = load_lesson_file(LESSON_FILES["test lesson"])
    assert base is not None
    lost = replace(base.key[0], start=0, end=0)  # a draft's quote the text lacks
    lesson = replace(base, key=[lost, *base.key[1:]])
    assert not [a for w in class_work(lesson) for a in w.answers if a.key_item_id == lost.id]
    assert not [a for a in sample_student(lesson).answers if a.key_item_id == lost.id]
