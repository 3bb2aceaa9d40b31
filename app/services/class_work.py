"""A class's work as the teacher sees it: one assignment's students and their annotations,
marks and grades, loaded in a fixed number of queries whatever the class size."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..domain.work import (
    AnnotationRow,
    OmissionMark,
    RubricMark,
    StudentWork,
)
from ..extensions import DbSession
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


def teacher_assignment(session: DbSession, teacher: User, assignment_id: int) -> Assignment | None:
    """The assignment if it is in one of this teacher's classes; None otherwise (404)."""
    return session.execute(
        sa.select(Assignment)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, Classroom.teacher_id == teacher.id)
    ).scalar_one_or_none()


def _fields(raw: str | None) -> dict[str, str]:
    return json.loads(raw) if raw and raw != "{}" else {}


def load_works(
    session: DbSession, assignment: Assignment, student_id: int | None = None
) -> list[StudentWork]:
    """Every enrolled student's work on this assignment (or one student's), in six queries
    whatever the class size: roster, annotations, submissions, omission marks, rubric, grades."""
    works = _roster(session, assignment, student_id)
    if not works:
        return []
    scope = _Scope(assignment.id, student_id)
    _add_annotations(session, scope, works)
    _add_submissions(session, scope, works)
    _add_omission_marks(session, scope, works)
    _add_rubric(session, scope, works)
    _add_final_grades(session, scope, works)
    return list(works.values())


@dataclass(frozen=True)
class _Scope:
    """One assignment's rows, all students' or one student's."""

    assignment_id: int
    student_id: int | None

    def of(self, model) -> list:
        """The WHERE clause for ``model``'s rows in scope."""
        where = [model.assignment_id == self.assignment_id]
        if self.student_id is not None:
            where.append(model.student_id == self.student_id)
        return where


def _roster(
    session: DbSession, assignment: Assignment, student_id: int | None
) -> dict[int, StudentWork]:
    roster = (
        sa.select(
            User.id,
            User.display_name,
            User.username,
            Enrollment.sis_user_id,
            Enrollment.sis_login_id,
            Enrollment.section,
        )
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == assignment.classroom_id)
    )
    if student_id is not None:
        roster = roster.where(User.id == student_id)
    return {
        u.id: StudentWork(
            student_id=u.id,
            name=u.display_name,
            username=u.username or "",
            sis_user_id=u.sis_user_id or "",
            sis_login_id=u.sis_login_id or "",
            section=u.section or "",
        )
        for u in session.execute(roster.order_by(User.display_name, User.id))
    }


def _add_annotations(session: DbSession, scope: _Scope, works: dict[int, StudentWork]) -> None:
    # plain columns, not ORM objects: a class of 1,000 has 40,000 annotations
    rows = session.execute(
        sa.select(
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
            Annotation.anchored_by,
        )
        .where(*scope.of(Annotation), Annotation.deleted_at.is_(None))
        .order_by(Annotation.start_offset.is_(None), Annotation.start_offset, Annotation.created_at)
    )
    for r in rows:
        work = works.get(r.student_id)
        if work is not None:
            work.annotations.append(annotation_row(r))


def annotation_row(r: Any) -> AnnotationRow:
    """An annotation's columns (a row of them, or an ``Annotation``) as scoring reads them."""
    return AnnotationRow(
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
        r.anchored_by == "orphan",
    )


def _add_submissions(session: DbSession, scope: _Scope, works: dict[int, StudentWork]) -> None:
    subs = sa.select(
        Submission.student_id,
        Submission.submitted_at,
        Submission.closed_by_release,
        Submission.released_at,
        Submission.feedback_seen_at,
    ).where(*scope.of(Submission))
    for sub in session.execute(subs):
        work = works.get(sub.student_id)
        if work is not None:
            work.closed_by_release = bool(sub.closed_by_release)
            work.submitted_at = None if sub.closed_by_release else sub.submitted_at
            work.released_at = sub.released_at
            work.feedback_seen_at = sub.feedback_seen_at


def _add_omission_marks(session: DbSession, scope: _Scope, works: dict[int, StudentWork]) -> None:
    mark = OmissionMarkRow
    marks = session.execute(
        sa.select(mark.annotation_id, mark.key_item_id, mark.level, Annotation.student_id)
        .join(Annotation, Annotation.id == mark.annotation_id)
        .where(*scope.of(Annotation), Annotation.deleted_at.is_(None))
    )
    for m in marks:
        if m.student_id in works:
            works[m.student_id].omission_marks[m.annotation_id] = OmissionMark(
                m.annotation_id, m.key_item_id, m.level
            )


def _add_rubric(session: DbSession, scope: _Scope, works: dict[int, StudentWork]) -> None:
    rubric = sa.select(
        RubricScore.student_id, RubricScore.prompt_id, RubricScore.level, RubricScore.comment
    ).where(*scope.of(RubricScore))
    for r in session.execute(rubric):
        if r.student_id in works:
            works[r.student_id].rubric[r.prompt_id] = RubricMark(r.prompt_id, r.level, r.comment)


def _add_final_grades(session: DbSession, scope: _Scope, works: dict[int, StudentWork]) -> None:
    grades = sa.select(FinalGrade.student_id, FinalGrade.score, FinalGrade.reason).where(
        *scope.of(FinalGrade)
    )
    for g in session.execute(grades):
        if g.student_id in works:
            works[g.student_id].final_grade = g.score
            works[g.student_id].final_reason = g.reason


def work_of(session: DbSession, assignment: Assignment, student_id: int) -> StudentWork | None:
    found = load_works(session, assignment, student_id)
    return found[0] if found else None


def roster_ids(session: DbSession, assignment: Assignment) -> list[tuple[int, str]]:
    """(student id, name) in roster order, for next/previous on the review page."""
    return [
        (r.id, r.display_name)
        for r in session.execute(
            sa.select(User.id, User.display_name)
            .join(Enrollment, Enrollment.student_id == User.id)
            .where(Enrollment.classroom_id == assignment.classroom_id)
            .order_by(sa.func.lower(User.display_name), User.id)  # as the dashboard sorts them
        )
    ]
