"""Who a release of feedback reaches and whose work it closes, what the teacher is told, and
when an undo is refused (domain.releasing); the statuses and the blank grade of domain.work."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.releasing import release_plan
from app.domain.work import AnnotationRow, StudentWork, grade_of, status_of, student_words

NOW = datetime(2024, 3, 1, 12, 0)
DUE = NOW - timedelta(days=1)


def work(name: str, *, annotations: int = 0, **state) -> StudentWork:
    w = StudentWork(len(name), name, name.lower(), **state)
    w.annotations.extend(
        AnnotationRow(
            f"{name}-{i}", w.student_id, "loaded", "loaded", 0, 5, "words", "", {}, NOW, NOW
        )
        for i in range(annotations)
    )
    return w


def klass(submitted: int, in_progress: int, not_started: int) -> list[StudentWork]:
    return (
        [work(f"S{i}", annotations=1, submitted_at=NOW) for i in range(submitted)]
        + [work(f"P{i}", annotations=2) for i in range(in_progress)]
        + [work(f"N{i}") for i in range(not_started)]
    )


def test_the_plan_counts_the_class_as_the_confirmation_says():
    plan = release_plan(klass(12, 3, 2))
    assert plan.summary() == "12 submitted, 3 in progress, 2 not started: their work will be closed"
    assert (plan.to_everyone, plan.unsubmitted, plan.released) == (17, 5, 0)
    assert plan.waiting
    assert not plan.can_undo


def test_a_class_that_all_submitted_has_nothing_to_close():
    plan = release_plan(klass(4, 0, 0))
    assert plan.summary() == "4 submitted"
    assert plan.nothing_to_release(everyone=False) == ""


def test_students_already_released_are_not_counted_again():
    works = klass(2, 1, 0)
    works[0].released_at = NOW
    plan = release_plan(works)
    assert (plan.submitted, plan.in_progress, plan.released) == (1, 1, 1)
    assert plan.can_undo


def test_nothing_to_release_says_why():
    everyone_has_it = [work("A", submitted_at=NOW, released_at=NOW)]
    assert release_plan(everyone_has_it).nothing_to_release(everyone=True) == (
        "Every student already has their feedback."
    )
    nobody_submitted = release_plan(klass(0, 2, 1))
    assert "No student has submitted" in nobody_submitted.nothing_to_release(everyone=False)
    assert nobody_submitted.nothing_to_release(everyone=True) == ""


@pytest.mark.parametrize(
    ("seen", "who"),
    [
        (["Ana"], "Ana has already"),
        (["Ana", "Bo"], "Ana and Bo have already"),
        (["Ana", "Bo", "Cy"], "Ana, Bo and Cy have already"),
        (["Ana", "Bo", "Cy", "Di", "Ed"], "Ana, Bo, Cy and 2 others have already"),
    ],
)
def test_an_undo_is_refused_naming_who_opened_their_feedback(seen, who):
    works = [work(n, submitted_at=NOW, released_at=NOW, feedback_seen_at=NOW) for n in seen]
    works.append(work("Zed", submitted_at=NOW, released_at=NOW))
    plan = release_plan(works)
    assert not plan.can_undo
    assert plan.undo_refusal().startswith(f"The release can't be undone: {who} opened")


def test_an_undo_with_nothing_released_is_refused_too():
    assert "nothing to undo" in release_plan(klass(1, 1, 1)).undo_refusal()
    assert release_plan([work("A", submitted_at=NOW, released_at=NOW)]).undo_refusal() == ""


def test_the_teachers_message_after_a_release():
    plan = release_plan(klass(2, 1, 1))
    assert plan.released_message(4, everyone=True) == (
        "Feedback released to 4 students: they now see their marks, your comments and the key. "
        "The work of the 2 students who had not submitted is closed and marked "
        "\u201cnot submitted\u201d."
    )
    assert plan.released_message(2, everyone=False).endswith(
        "2 students who have not submitted can keep working and submit; release again to give "
        "them their feedback."
    )


# ---------------------------------------------------------------- statuses and the blank grade


@pytest.mark.parametrize(
    ("state", "due", "status"),
    [
        ({}, None, "not started"),
        ({}, NOW + timedelta(days=1), "not started"),
        ({}, DUE, "missing"),  # never started, and the due date has passed
        ({"annotations": 1}, None, "in progress"),
        ({"annotations": 1}, DUE, "missing"),
        ({"annotations": 1, "submitted_at": DUE - timedelta(hours=1)}, DUE, "submitted"),
        ({"annotations": 1, "submitted_at": DUE + timedelta(hours=1)}, DUE, "late"),
        ({"annotations": 1, "closed_by_release": True}, None, "missing"),  # closed unsubmitted
        ({"closed_by_release": True}, None, "missing"),
    ],
)
def test_status_of(state, due, status):
    assert status_of(work("A", **state), due, NOW) == status


def test_a_student_who_never_started_has_no_grade_until_the_teacher_gives_one():
    assert grade_of(work("A"), 0.0) is None
    assert grade_of(work("A", closed_by_release=True), 0.0) is None
    assert grade_of(work("A", final_grade=3.0), 3.0) == 3.0
    assert grade_of(work("A", annotations=1), 0.0) == 0.0
    assert grade_of(work("A", submitted_at=NOW), 0.0) == 0.0  # submitted nothing: a real 0


@pytest.mark.parametrize(
    ("status", "closed", "words"),
    [
        ("missing", True, "Not submitted"),  # a release of feedback closed it
        ("missing", False, "Missing"),  # past its due date
        ("in progress", False, "In progress"),
        ("not started", False, "Not started"),
        ("submitted", False, "Submitted"),
    ],
)
def test_a_student_reads_a_status_in_their_own_words(status, closed, words):
    assert student_words(status, closed) == words
