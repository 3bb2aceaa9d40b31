"""Teacher-side services: load a class's work in a fixed number of queries, record marks and
grades (every change logged), reopen, release. Pure scoring lives in domain.scoring."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..domain import exports
from ..domain.lessons import Lesson
from ..domain.scoring import KeyIndex, Scored, match_spans, score_work
from ..domain.work import (
    OMISSION_LEVELS,
    RUBRIC_LEVELS,
    AnnotationRow,
    OmissionMark,
    RubricMark,
    StudentWork,
    status_of,
)
from ..models import (
    Annotation,
    Assignment,
    Classroom,
    Enrollment,
    FinalGrade,
    GradeChange,
    RubricScore,
    Submission,
    User,
    utcnow,
)
from ..models import OmissionMark as OmissionMarkRow
from .lessons import lesson_of
from .rows import insert_unique


class GradingError(ValueError):
    """Bad input from the teacher, with a message that says what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def teacher_assignment(session: Session, teacher: User, assignment_id: int) -> Assignment | None:
    """The assignment if it is in one of this teacher's classes; None otherwise (404)."""
    if assignment_id > 2**63 - 1:
        return None
    return session.execute(
        sa.select(Assignment)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, Classroom.teacher_id == teacher.id)
    ).scalar_one_or_none()


def _fields(raw: str | None) -> dict[str, str]:
    return json.loads(raw) if raw and raw != "{}" else {}


def load_works(
    session: Session, assignment: Assignment, student_id: int | None = None
) -> list[StudentWork]:
    """Every enrolled student's work on this assignment (or one student's), in six queries
    whatever the class size: roster, annotations, submissions, omission marks, rubric, grades."""
    roster = (
        sa.select(
            User.id,
            User.display_name,
            User.username,
            User.sis_user_id,
            User.sis_login_id,
            Enrollment.section,
        )
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == assignment.classroom_id)
    )
    if student_id is not None:
        roster = roster.where(User.id == student_id)
    works: dict[int, StudentWork] = {}
    for u in session.execute(roster.order_by(User.display_name, User.id)):
        works[u.id] = StudentWork(
            student_id=u.id,
            name=u.display_name,
            username=u.username or "",
            sis_user_id=u.sis_user_id or "",
            sis_login_id=u.sis_login_id or "",
            section=u.section or "",
        )
    if not works:
        return []

    def mine(model, *columns):
        q = sa.select(*columns).where(model.assignment_id == assignment.id)
        if student_id is not None:
            q = q.where(model.student_id == student_id)
        return q

    # plain columns, not ORM objects: a class of 1,000 has 40,000 annotations
    columns = sa.select(
        Annotation.id,
        Annotation.student_id,
        Annotation.category,
        Annotation.prompt_id,
        Annotation.start_offset,
        Annotation.end_offset,
        Annotation.exact,
        Annotation.note,
        Annotation.fields_json,
        Annotation.created_at,
        Annotation.updated_at,
    ).where(Annotation.assignment_id == assignment.id, Annotation.deleted_at.is_(None))
    if student_id is not None:
        columns = columns.where(Annotation.student_id == student_id)
    rows = session.execute(
        columns.order_by(
            Annotation.start_offset.is_(None), Annotation.start_offset, Annotation.created_at
        )
    )
    for r in rows:
        work = works.get(r.student_id)
        if work is not None:
            work.annotations.append(
                AnnotationRow(
                    r.id,
                    r.student_id,
                    r.category,
                    r.prompt_id,
                    r.start_offset,
                    r.end_offset,
                    r.exact,
                    r.note,
                    _fields(r.fields_json),
                    r.created_at,
                    r.updated_at,
                )
            )
    for sub in session.execute(mine(Submission, Submission.student_id, Submission.submitted_at)):
        if sub.student_id in works:
            works[sub.student_id].submitted_at = sub.submitted_at
    marks = session.execute(
        sa.select(
            OmissionMarkRow.annotation_id,
            OmissionMarkRow.key_item_id,
            OmissionMarkRow.level,
            Annotation.student_id,
        )
        .join(Annotation, Annotation.id == OmissionMarkRow.annotation_id)
        .where(
            Annotation.assignment_id == assignment.id,
            Annotation.deleted_at.is_(None),
            *([Annotation.student_id == student_id] if student_id is not None else []),
        )
    )
    for m in marks:
        if m.student_id in works:
            works[m.student_id].omission_marks[m.annotation_id] = OmissionMark(
                m.annotation_id, m.key_item_id, m.level
            )
    rubric = mine(
        RubricScore,
        RubricScore.student_id,
        RubricScore.prompt_id,
        RubricScore.level,
        RubricScore.comment,
    )
    for r in session.execute(rubric):
        if r.student_id in works:
            works[r.student_id].rubric[r.prompt_id] = RubricMark(r.prompt_id, r.level, r.comment)
    for g in session.execute(
        mine(FinalGrade, FinalGrade.student_id, FinalGrade.score, FinalGrade.reason)
    ):
        if g.student_id in works:
            works[g.student_id].final_grade = g.score
            works[g.student_id].final_reason = g.reason
    return list(works.values())


def work_of(session: Session, assignment: Assignment, student_id: int) -> StudentWork | None:
    found = load_works(session, assignment, student_id)
    return found[0] if found else None


def roster_ids(session: Session, assignment: Assignment) -> list[tuple[int, str]]:
    """(student id, name) in roster order, for next/previous on the review page."""
    return [
        tuple(r)
        for r in session.execute(
            sa.select(User.id, User.display_name)
            .join(Enrollment, Enrollment.student_id == User.id)
            .where(Enrollment.classroom_id == assignment.classroom_id)
            .order_by(sa.func.lower(User.display_name), User.id)  # as the dashboard sorts them
        )
    ]


def _log(
    session: Session,
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


def grade_history(session: Session, assignment: Assignment, student_id: int) -> list[tuple]:
    """(change, teacher name) newest first."""
    return list(
        session.execute(
            sa.select(GradeChange, User.display_name)
            .outerjoin(User, User.id == GradeChange.teacher_id)
            .where(GradeChange.assignment_id == assignment.id, GradeChange.student_id == student_id)
            .order_by(GradeChange.at.desc(), GradeChange.id.desc())
        )
    )


def _new_row(session: Session, row, existing):
    """Insert a row, or when a double-click's twin request inserted it a moment ago, use
    that one (the unique constraint says so) instead of answering 500."""
    return row if insert_unique(session, row) else existing()


def mark_omission(
    session: Session,
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


def set_rubric(
    session: Session,
    teacher: User,
    assignment: Assignment,
    lesson: Lesson,
    student_id: int,
    prompt_id: str,
    level: str,
    comment: str,
) -> None:
    if lesson.prompt(prompt_id) is None:
        raise GradingError("prompt", "That question isn't part of this lesson.")
    if level not in RUBRIC_LEVELS and level != "":
        raise GradingError("level", "Choose Proficient, Emergent or Basic.")
    if len(comment) > 2000:
        raise GradingError("comment", "Keep the comment under 2,000 characters.")
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
    session: Session,
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


def reopen(session: Session, teacher: User, assignment: Assignment, student_id: int) -> bool:
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


def release(session: Session, assignment: Assignment) -> None:
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
    session: Session, assignment: Assignment, student: User, lesson: Lesson
) -> Feedback | None:
    if assignment.released_at is None:
        return None
    work = work_of(session, assignment, student.id)
    if work is None:
        return None
    return Feedback(score_work(lesson, work), work)


# ---------------------------------------------------------------- exports

EXPORTS = ("grades.csv", "canvas.csv", "moodle.csv", "annotations.csv", "annotations.jsonld")


@dataclass
class Export:
    chunks: Iterator[str]
    media_type: str
    filename: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "export"


def _gradebook_score(work: StudentWork, scored: Scored) -> float | None:
    """The grade that counts, or None (a blank cell: "no score") for a student who has done
    nothing and has no grade from the teacher, so a gradebook doesn't record a zero."""
    if work.annotations or work.submitted_at or work.final_grade is not None:
        return scored.final
    return None


def export(
    session: Session, assignment: Assignment, kind: str, base_url: str, secret: str
) -> Export:
    """One export of an assignment, streamed (the tables are generators)."""
    lesson = lesson_of(assignment)
    works = load_works(session, assignment)
    index = KeyIndex(lesson)
    # grades need each student scored; annotation exports only need what each highlight matched
    scored = (
        [(w, score_work(lesson, w, index)) for w in works]
        if kind.endswith("csv") and kind != "annotations.csv"
        else []
    )
    title = lesson.title
    name = f"{_slug(assignment.classroom.name)}-{_slug(lesson.id)}"
    if kind == "grades.csv":
        rows = (
            exports.GradeRow(
                name=w.name,
                username=w.username,
                sis_user_id=w.sis_user_id,
                sis_login_id=w.sis_login_id,
                section=w.section,
                status=status_of(w, assignment.due_at),
                submitted_at=w.submitted_at,
                late=status_of(w, assignment.due_at) == "late",
                auto_score=s.auto_score,
                final_score=w.final_grade,
                possible=s.possible,
                category_scores={c: v.earned for c, v in s.by_category.items()},
            )
            for w, s in scored
        )
        table = exports.grades_table(title, rows, lesson.categories)
    elif kind == "canvas.csv":
        possible = score_work(lesson, StudentWork(0, "", ""), index).possible
        table = exports.canvas_table(
            [(title, assignment.id, possible)],
            [
                exports.CanvasStudent(
                    w.name,
                    "",
                    w.sis_user_id,
                    w.sis_login_id,
                    w.section,
                    {assignment.id: _gradebook_score(w, s)},
                )
                for w, s in scored
            ],
        )
    elif kind == "moodle.csv":
        table = exports.moodle_table(
            title,
            [
                exports.MoodleStudent(
                    w.username,
                    _gradebook_score(w, s),
                    feedback=" | ".join(r.comment for r in w.rubric.values() if r.comment),
                )
                for w, s in scored
            ],
        )
    elif kind == "annotations.csv":
        matches = {
            m.annotation_id: m.key_item_id
            for w in works
            for m in match_spans(lesson.key, w.annotations)
        }
        table = exports.annotations_table(exports.annotation_export_rows(lesson, works, matches))
    elif kind == "annotations.jsonld":
        rows = exports.annotation_export_rows(lesson, works)
        chunks = exports.annotation_collection_chunks(
            base_url,
            exports.AnnotatedAssignment(
                assignment.id, title, lesson.id, assignment.lesson_version.version
            ),
            rows,
            pseudonym=exports.pseudonymiser(secret, f"assignment:{assignment.id}"),
        )
        return Export(chunks, exports.JSONLD_MEDIA_TYPE, f"{name}-annotations.jsonld")
    else:
        raise GradingError("kind", "Unknown export.")
    return Export(exports.csv_lines(table), exports.CSV_MEDIA_TYPE, f"{name}-{kind}")
