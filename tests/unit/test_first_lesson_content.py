"""The first lesson's answer key says what the article and the lesson facts support (issue 12,
item 14): an inferred date shown as approximate, checked references for every omission, one
item for one framing, and a repeated word credited wherever a student finds it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.dates import published_date
from app.domain.lessons import KeyItem, Lesson, load_lesson_file
from app.domain.scoring import score_work
from tests.unit.test_scoring import highlight, work_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real() -> Lesson:
    lesson, problems = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert problems == []
    assert lesson is not None
    return lesson


def item(lesson: Lesson, item_id: str) -> KeyItem:
    return next(k for k in lesson.key if k.id == item_id)


def test_the_inferred_date_is_approximate(real):
    shown = published_date(real.published)
    assert shown.approximate
    assert shown.day == date(2022, 11, 15)
    assert "inferred" in real.teacher_note  # the note says how


def test_every_omission_names_a_reference_and_none_is_a_placeholder(real):
    for om in (k for k in real.key if k.is_omission):
        assert "No single publication" not in om.reference, om.id
        assert "check news coverage" not in om.reference, om.id


def test_the_counteroffensive_cites_the_checked_reports(real):
    ref = item(real, "om-counteroffensive").reference
    for source in ("Radio Free Europe/Radio Liberty, 9 Nov 2022", "AFP, 9 Nov 2022"):
        assert source in ref
    assert "The Kyiv Independent, 9 Nov 2022" in ref


def test_the_annexation_cites_reuters_and_the_un_vote(real):
    om = item(real, "om-annexation")
    assert "Reuters, 4 Oct 2022" in om.reference
    assert "ES-11/4, 12 Oct 2022" in om.reference
    assert "143 votes to 5" in om.reference
    assert "another president" in om.explanation


def test_banning_says_what_is_really_missing_not_what_the_article_already_says(real):
    banning = item(real, "loaded-banning")
    assert "with Russian President Vladimir Putin" in real.text  # the article names Putin
    assert "would say talks with Putin were ruled out" not in banning.explanation
    assert "does say the ban was on talks with Putin" in banning.explanation
    assert "four partly occupied Ukrainian regions" in banning.explanation  # the annexation
    assert "'but with another president'" in banning.explanation  # the caveat


def test_reoccupation_says_the_land_is_internationally_recognised_as_ukraines(real):
    explanation = item(real, "loaded-reoccupation").explanation
    assert "land internationally recognised as part of Ukraine" in explanation


# ---------------------------------------------------------------- one framing, one item


def test_the_peace_proposal_framing_is_one_item_with_two_spans(real):
    framing = [
        k
        for k in real.key
        if any(real.text[s:e] in ("proposal for peace", "for proposing peace") for s, e in k.spans)
    ]
    assert [k.id for k in framing] == ["loaded-peace-proposal"]
    [proposal] = framing
    assert [real.text[s:e] for s, e in proposal.spans] == [
        "proposal for peace",
        "for proposing peace",
    ]


@pytest.mark.parametrize("words", ["proposal for peace", "for proposing peace"])
def test_either_place_of_the_framing_earns_it_in_full(real, words):
    scored = score_work(real, work_of(highlight(real, "a", "loaded", words)))
    assert scored.matches == {"a": "loaded-peace-proposal"}
    assert scored.auto_score == 2


def test_both_places_of_the_framing_earn_it_once(real):
    work = work_of(
        highlight(real, "a", "loaded", "proposal for peace"),
        highlight(real, "b", "loaded", "for proposing peace"),
    )
    scored = score_work(real, work)
    assert list(scored.matches.values()) == ["loaded-peace-proposal"]
    assert scored.auto_score == 2  # not 2 + 1, as the two items gave


# ---------------------------------------------------------------- repeated words


@pytest.mark.parametrize("occurrence", [1, 2, 3, 4, 5, 6])
def test_any_kiev_earns_the_spelling_item(real, occurrence):
    assert real.text.count("Kiev") == 6
    scored = score_work(real, work_of(highlight(real, "k", "loaded", "Kiev", occurrence)))
    assert scored.matches == {"k": "loaded-kiev-spelling"}


def test_kiev_inside_another_item_leaves_that_item_its_words(real):
    """'re-occupation by Kiev' is its own item; the Kiev in it does not take the highlight."""
    scored = score_work(real, work_of(highlight(real, "r", "loaded", "re-occupation by Kiev")))
    assert scored.matches == {"r": "loaded-reoccupation"}
    said = highlight(real, "s", "source", "he said to the Kiev officials")
    assert score_work(real, work_of(said)).matches == {"s": "src-said-to-kiev"}


@pytest.mark.parametrize("occurrence", [1, 2, 3, 4])
def test_any_read_more_box_earns_the_read_more_item(real, occurrence):
    assert real.text.count("Read more") == 4
    scored = score_work(real, work_of(highlight(real, "r", "source", "Read more", occurrence)))
    assert scored.matches == {"r": "src-read-more"}


def test_the_explanations_say_any_occurrence_counts(real):
    assert "any one of them counts" in item(real, "loaded-kiev-spelling").explanation
    assert "Any of the four boxes counts" in item(real, "src-read-more").explanation
