"""A class's work as the teacher sees it: one assignment's students and their annotations,
marks and grades, loaded in a fixed number of queries whatever the class size."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..domain.work import (
    AnnotationRow,
    OmissionMark,
    RubricMark,
    StudentWork,
)
from ..models import (
    Annotation,
    Assignment,
    Classroom,
    Enrollment,
    FinalGrade,
    RubricScore,
    Submission,
    User,
)
from ..models import OmissionMark as OmissionMarkRow


def teacher_assignment(session: Session, teacher: User, assignment_id: int) -> Assignment | None:
    """The assignment if it is in one of this teacher's classes; None otherwise (404)."""
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
