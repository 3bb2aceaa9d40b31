"""Marking and grading: omission marks, rubric levels and final grades (every change logged),
returning a student's work, releasing feedback (to everyone or to those who submitted) and
undoing a release. Pure scoring lives in domain.scoring, who a release reaches in
domain.releasing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from ..domain.lessons import Lesson
from ..domain.releasing import ReleasePlan, release_plan
from ..domain.scoring import Scored, score_work
from ..domain.work import (
    OMISSION_LEVELS,
    RUBRIC_LEVELS,
    StudentWork,
    grade_of,
)
from ..extensions import DbSession, writing
from ..models import (
    Annotation,
    Assignment,
    Enrollment,
    FinalGrade,
    GradeChange,
    RubricScore,
    Submission,
    User,
    utcnow,
)
from ..models import OmissionMark as OmissionMarkRow
from .class_work import load_works, work_of
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
    """Return the work to the student: their submission (or the closing of their work by a
    release) is undone, so they can change it and submit again; feedback released to them is
    hidden again until the next release. False when there is nothing to return."""
    sub = session.execute(
        sa.select(Submission).filter_by(assignment_id=assignment.id, student_id=student_id)
    ).scalar_one_or_none()
    if sub is None:
        return False
    if sub.closed_by_release:
        old = f"closed by the release {sub.submitted_at:%Y-%m-%d %H:%M}, not submitted"
    else:
        old = f"submitted {sub.submitted_at:%Y-%m-%d %H:%M}"
    if sub.released_at is not None:
        old += ", feedback released"
    _log(session, teacher, assignment, student_id, "submission", old, "reopened")
    session.delete(sub)
    return True


def released_assignments(session: DbSession, assignments: list[Assignment]) -> set[int]:
    """The ids of those assignments whose feedback is released to at least one student."""
    ids = [a.id for a in assignments]
    if not ids:
        return set()
    return set(
        session.execute(
            sa.select(Submission.assignment_id)
            .where(Submission.assignment_id.in_(ids), Submission.released_at.is_not(None))
            .distinct()
        ).scalars()
    )


def _changed(session: DbSession, statement: sa.Update | sa.Delete) -> int:
    """Run an UPDATE or DELETE of submissions; how many rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast(sa.CursorResult, result).rowcount  # an UPDATE's result has a rowcount


def plan(session: DbSession, assignment: Assignment) -> ReleasePlan:
    return release_plan(load_works(session, assignment))


def release(session: DbSession, assignment: Assignment, *, everyone: bool = True) -> int:
    """Release feedback to every student who submitted and has not got it yet; with
    ``everyone``, also to the rest, whose work the release closes (a submission row marked
    ``closed_by_release``). The students who are not released keep working. Returns how many
    students got feedback."""
    now = utcnow()
    count = _changed(
        session,
        sa.update(Submission)
        .where(Submission.assignment_id == assignment.id, Submission.released_at.is_(None))
        .values(released_at=now),
    )
    if not everyone:
        return count
    has_row = sa.select(Submission.id).where(
        Submission.assignment_id == assignment.id, Submission.student_id == Enrollment.student_id
    )
    rest = session.execute(
        sa.select(Enrollment.student_id).where(
            Enrollment.classroom_id == assignment.classroom_id, ~has_row.exists()
        )
    ).scalars()
    for student_id in list(rest):
        row = Submission(
            assignment_id=assignment.id,
            student_id=student_id,
            submitted_at=now,
            closed_by_release=True,
            released_at=now,
        )
        if not insert_unique(session, row):  # they submitted this very moment
            session.execute(
                sa.update(Submission)
                .filter_by(assignment_id=assignment.id, student_id=student_id, released_at=None)
                .values(released_at=now)
                .execution_options(synchronize_session=False)
            )
        count += 1
    return count


class UndoRefused(Exception):
    """Feedback can't be taken back: someone has opened it (the message says who)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def undo_release(session: DbSession, assignment: Assignment) -> int:
    """Take feedback back from every student, while none has opened it: the work a release
    closed opens again, submitted work stays submitted. Returns how many students it was
    released to; raises UndoRefused (saying why) otherwise."""
    refusal = plan(session, assignment).undo_refusal()
    if refusal:
        raise UndoRefused(refusal)
    released = Submission.assignment_id == assignment.id, Submission.released_at.is_not(None)
    closed = _changed(
        session,
        sa.delete(Submission).where(
            *released,
            Submission.closed_by_release.is_(True),
            Submission.feedback_seen_at.is_(None),  # opened a moment ago: theirs stays
        ),
    )
    kept = _changed(
        session,
        sa.update(Submission)
        .where(*released, Submission.feedback_seen_at.is_(None))
        .values(released_at=None),
    )
    session.expire_all()
    return closed + kept


def feedback_seen(session: DbSession, submission: Submission) -> None:
    """The student has opened their released feedback (``submission``, their row as the page
    read it): the first time is kept (and from then on the release can't be undone). Feedback
    seen before asks nothing more of the database. The first view writes in a transaction of
    its own that takes the write lock first: on SQLite a page's reading transaction can't
    become a writing one once another worker's save has committed ("database is locked")."""
    if submission.released_at is None or submission.feedback_seen_at is not None:
        return
    session.commit()  # the page's reads end here
    with writing():
        session.execute(
            sa.update(Submission)
            .where(
                Submission.id == submission.id,
                Submission.released_at.is_not(None),  # not undone meanwhile
                Submission.feedback_seen_at.is_(None),  # nor recorded by another tab
            )
            .values(feedback_seen_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()


def set_due(assignment: Assignment, due_at: datetime | None) -> None:
    assignment.due_at = due_at


@dataclass
class Feedback:
    """What a student sees once feedback is released (never before)."""

    scored: Scored
    work: StudentWork

    @property
    def grade(self) -> float | None:
        """The grade that counts; None (no grade yet) for work never started."""
        return grade_of(self.work, self.scored.final)


def released_feedback(
    session: DbSession,
    assignment: Assignment,
    student: User,
    lesson: Lesson,
    submission: Submission | None,
) -> Feedback | None:
    """The student's feedback if it is released to them (``submission``, their row of the
    assignment, says so), else None without loading their work: most lesson pages have none."""
    if submission is None or submission.released_at is None:
        return None
    work = work_of(session, assignment, student.id)
    if work is None or work.released_at is None:
        return None
    return feedback_of(lesson, work)


def feedback_of(lesson: Lesson, work: StudentWork) -> Feedback:
    """What a student sees of their work once feedback is released: the one scoring of it,
    for stored work and for a preview's made-up work alike."""
    return Feedback(score_work(lesson, work), work)


def released_grades(
    session: DbSession, student: User, works: list[tuple[Assignment, Submission | None]]
) -> dict[int, Feedback]:
    """The student's feedback on each of these assignments (with their row of each) where it
    is released to them, by assignment id (their home page says "Feedback ready" with the
    grade)."""
    out = {}
    for a, submission in works:
        feedback = released_feedback(session, a, student, lesson_of(a), submission)
        if feedback is not None:
            out[a.id] = feedback
    return out
