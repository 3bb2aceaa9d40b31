"""Marking and grading: omission marks, rubric levels and final grades (every change logged),
reopening a submission, releasing feedback. Pure scoring lives in domain.scoring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..domain.lessons import Lesson
from ..domain.scoring import Scored, score_work
from ..domain.work import (
    OMISSION_LEVELS,
    RUBRIC_LEVELS,
    StudentWork,
)
from ..extensions import DbSession
from ..models import (
    Annotation,
    Assignment,
    FinalGrade,
    GradeChange,
    RubricScore,
    Submission,
    User,
    utcnow,
)
from ..models import OmissionMark as OmissionMarkRow
from .class_work import work_of
from .errors import FieldError
from .lessons import lesson_of
from .rows import insert_unique


class GradingError(FieldError):
    """Bad input from the teacher, with a message that says what to change."""


def _log(
    session: DbSession,
    teacher: User,
    assignment: Assignment,
    student_id: int,
    what: str,
    old: object,
    new: object,
    reason: str = "",
) -> None:
    def show(v: object) -> str:
        return "" if v is None else str(v)

    if show(old) == show(new):
        return
    session.add(
        GradeChange(
            assignment_id=assignment.id,
            student_id=student_id,
            teacher_id=teacher.id,
            what=what,
            old_value=show(old),
            new_value=show(new),
            reason=reason,
        )
    )


def grade_history(session: DbSession, assignment: Assignment, student_id: int) -> list[tuple]:
    """(change, teacher name) newest first."""
    return list(
        session.execute(
            sa.select(GradeChange, User.display_name)
            .outerjoin(User, User.id == GradeChange.teacher_id)
            .where(GradeChange.assignment_id == assignment.id, GradeChange.student_id == student_id)
            .order_by(GradeChange.at.desc(), GradeChange.id.desc())
        )
    )


def _new_row(session: DbSession, row, existing):
    """Insert a row, or when a double-click's twin request inserted it a moment ago, use
    that one (the unique constraint says so) instead of answering 500."""
    return row if insert_unique(session, row) else existing()


def mark_omission(
    session: DbSession,
    teacher: User,
    assignment: Assignment,
    lesson: Lesson,
    annotation_id: str,
    key_item_id: str | None,
    level: str,
    student_id: int | None = None,
) -> None:
    """Mark one omission answer; with ``student_id``, only that student's answer (the review
    page's URL names the student, so another student's answer id is refused, not marked)."""
    if level not in OMISSION_LEVELS:
        raise GradingError("level", "Choose full, partial or none.")
    omission_ids = {k.id for k in lesson.key if k.is_omission}
    if key_item_id and key_item_id not in omission_ids:
        raise GradingError("key_item", "Choose one of this lesson's omissions.")
    a = session.get(Annotation, annotation_id)
    if (
        a is None
        or a.assignment_id != assignment.id
        or a.category != "omission"
        or a.deleted_at is not None
        or student_id not in (None, a.student_id)
    ):
        raise GradingError(
            "annotation",
            "That answer isn't one of this student's answers on this "
            "assignment (it may have been deleted). Reload the page.",
        )
    row = session.get(OmissionMarkRow, annotation_id)
    old = f"{row.level} ({row.key_item_id or 'no item'})" if row else None
    if row is None:
        row = _new_row(
            session,
            OmissionMarkRow(annotation_id=annotation_id, level=level),
            lambda: session.get(OmissionMarkRow, annotation_id),
        )
    row.key_item_id = key_item_id or None
    row.level = level
    row.updated_at = utcnow()
    _log(
        session,
        teacher,
        assignment,
        a.student_id,
        "omission answer",
        old,
        f"{level} ({key_item_id or 'no item'})",
    )


class RubricErrors(Exception):
    """A rubric refused as a whole: each refused question's problem, by prompt id."""

    def __init__(self, problems: dict[str, GradingError]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def rubric_problem(lesson: Lesson, prompt_id: str, level: str, comment: str) -> GradingError | None:
    if lesson.prompt(prompt_id) is None:
        return GradingError("prompt", "That question isn't part of this lesson.")
    if level not in RUBRIC_LEVELS and level != "":
        return GradingError("level", "Choose Proficient, Emergent or Basic.")
    if len(comment) > 2000:
        return GradingError("comment", "Keep the comment under 2,000 characters.")
    return None


def set_rubrics(
    session: DbSession,
    teacher: User,
    assignment: Assignment,
    lesson: Lesson,
    student_id: int,
    rows: dict[str, tuple[str, str]],
) -> None:
    """Several questions' (level, comment) at once, all or none: every row is checked before
    any is saved (``RubricErrors`` names each refused one)."""
    problems = {
        prompt_id: problem
        for prompt_id, (level, comment) in rows.items()
        if (problem := rubric_problem(lesson, prompt_id, level, comment))
    }
    if problems:
        raise RubricErrors(problems)
    for prompt_id, (level, comment) in rows.items():
        set_rubric(session, teacher, assignment, lesson, student_id, prompt_id, level, comment)


def set_rubric(
    session: DbSession,
    teacher: User,
    assignment: Assignment,
    lesson: Lesson,
    student_id: int,
    prompt_id: str,
    level: str,
    comment: str,
) -> None:
    if problem := rubric_problem(lesson, prompt_id, level, comment):
        raise problem
    row = session.execute(
        sa.select(RubricScore).filter_by(
            assignment_id=assignment.id, student_id=student_id, prompt_id=prompt_id
        )
    ).scalar_one_or_none()
    old = f"{row.level}: {row.comment}" if row else None
    if level == "":
        if row is not None:
            session.delete(row)
            _log(session, teacher, assignment, student_id, f"rubric {prompt_id}", old, None)
        return
    if row is None:
        row = _new_row(
            session,
            RubricScore(
                assignment_id=assignment.id, student_id=student_id, prompt_id=prompt_id, level=level
            ),
            lambda: session.execute(
                sa.select(RubricScore).filter_by(
                    assignment_id=assignment.id, student_id=student_id, prompt_id=prompt_id
                )
            ).scalar_one(),
        )
    row.level, row.comment, row.updated_at = level, comment, utcnow()
    _log(
        session, teacher, assignment, student_id, f"rubric {prompt_id}", old, f"{level}: {comment}"
    )


def set_final_grade(
    session: DbSession,
    teacher: User,
    assignment: Assignment,
    student_id: int,
    score: float | None,
    reason: str,
    possible: float,
) -> None:
    """Override the auto score (None clears the override). A reason is required."""
    if score is not None and not 0 <= score <= possible:
        raise GradingError("score", f"A grade must be between 0 and {possible:g}.")
    if score is not None and not reason.strip():
        raise GradingError("reason", "Say briefly why you are changing the grade.")
    row = session.execute(
        sa.select(FinalGrade).filter_by(assignment_id=assignment.id, student_id=student_id)
    ).scalar_one_or_none()
    old = row.score if row else None
    if score is None:
        if row is not None:
            session.delete(row)
    else:
        if row is None:
            row = _new_row(
                session,
                FinalGrade(assignment_id=assignment.id, student_id=student_id, score=score),
                lambda: session.execute(
                    sa.select(FinalGrade).filter_by(
                        assignment_id=assignment.id, student_id=student_id
                    )
                ).scalar_one(),
            )
        row.score, row.reason, row.updated_at = score, reason.strip(), utcnow()
    _log(session, teacher, assignment, student_id, "final grade", old, score, reason.strip())


def reopen(session: DbSession, teacher: User, assignment: Assignment, student_id: int) -> bool:
    sub = session.execute(
        sa.select(Submission).filter_by(assignment_id=assignment.id, student_id=student_id)
    ).scalar_one_or_none()
    if sub is None:
        return False
    _log(
        session,
        teacher,
        assignment,
        student_id,
        "submission",
        f"submitted {sub.submitted_at:%Y-%m-%d %H:%M}",
        "reopened",
    )
    session.delete(sub)
    return True


def release(session: DbSession, assignment: Assignment) -> None:
    if assignment.released_at is None:
        assignment.released_at = utcnow()


def set_due(assignment: Assignment, due_at: datetime | None) -> None:
    assignment.due_at = due_at


@dataclass
class Feedback:
    """What a student sees once feedback is released (never before)."""

    scored: Scored
    work: StudentWork


def released_feedback(
    session: DbSession, assignment: Assignment, student: User, lesson: Lesson
) -> Feedback | None:
    if assignment.released_at is None:
        return None
    work = work_of(session, assignment, student.id)
    if work is None:
        return None
    return feedback_of(lesson, work)


def feedback_of(lesson: Lesson, work: StudentWork) -> Feedback:
    """What a student sees of their work once feedback is released: the one scoring of it,
    for stored work and for a preview's made-up work alike."""
    return Feedback(score_work(lesson, work), work)


def released_grades(
    session: DbSession, student: User, assignments: list[Assignment]
) -> dict[int, Scored]:
    """The student's score on each of these assignments whose feedback is released, by
    assignment id (their home page says "Feedback ready" with the grade)."""
    out = {}
    for a in assignments:
        if a.released_at is None:
            continue
        feedback = released_feedback(session, a, student, lesson_of(a))
        if feedback is not None:
            out[a.id] = feedback.scored
    return out
