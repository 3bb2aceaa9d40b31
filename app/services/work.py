"""A student's work: their assignments, annotations, submission and everything kept about them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..domain.anchoring import Target
from ..domain.annotations import AnnotationInput
from ..domain.work import student_words, work_status
from ..extensions import DbSession
from ..models import (
    Annotation,
    Assignment,
    Classroom,
    Enrollment,
    LessonVersion,
    Submission,
    User,
    utcnow,
)
from .classes import student_classrooms
from .errors import NotYours, VersionConflict, WorkClosed
from .rows import insert_unique


@dataclass
class StudentAssignmentRow:
    assignment: Assignment
    classroom: Classroom
    title: str
    count: int
    submission: Submission | None
    now: datetime

    @property
    def status(self) -> str:
        """As the teacher sees it (``domain.work.work_status``), but "late" is "submitted"
        (a student who submitted late is told so on the lesson page, not in their list)."""
        sub = self.submission
        status = work_status(
            submitted_at=sub.submitted_at if sub else None,
            closed_by_release=sub is not None and sub.closed_by_release,
            has_work=self.count > 0,
            due_at=self.assignment.due_at,
            now=self.now,
        )
        return "submitted" if status == "late" else status

    @property
    def status_words(self) -> str:
        closed = self.submission is not None and self.submission.closed_by_release
        return student_words(self.status, closed)

    @property
    def feedback_ready(self) -> bool:
        return self.submission is not None and self.submission.released_at is not None


def student_assignments(session: DbSession, student: User) -> list[StudentAssignmentRow]:
    """Everything assigned to this student, with their progress, in three queries."""
    rows = session.execute(
        sa.select(Assignment, Classroom, LessonVersion.title)
        .join(Classroom, Assignment.classroom_id == Classroom.id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .join(LessonVersion, Assignment.lesson_version_id == LessonVersion.id)
        .where(
            Enrollment.student_id == student.id,
            Classroom.archived_at.is_(None),
            Assignment.archived_at.is_(None),
        )
        .order_by(Assignment.created_at.desc())
    ).all()
    ids = [a.id for a, _, _ in rows]
    counts = (
        dict(
            session.execute(
                sa.select(Annotation.assignment_id, sa.func.count())
                .where(
                    Annotation.student_id == student.id,
                    Annotation.assignment_id.in_(ids),
                    Annotation.deleted_at.is_(None),
                )
                .group_by(Annotation.assignment_id)
            ).all()
        )
        if ids
        else {}
    )
    submitted = (
        {
            sub.assignment_id: sub
            for sub in session.execute(
                sa.select(Submission).where(
                    Submission.student_id == student.id, Submission.assignment_id.in_(ids)
                )
            ).scalars()
        }
        if ids
        else {}
    )
    now = utcnow()
    return [
        StudentAssignmentRow(a, c, t, counts.get(a.id, 0), submitted.get(a.id), now)
        for a, c, t in rows
    ]


def assignment_for_student(
    session: DbSession, student: User, assignment_id: int
) -> Assignment | None:
    """The assignment if this student is in its class and neither is archived; None otherwise
    (the view answers 404)."""
    return session.execute(
        sa.select(Assignment)
        .join(Enrollment, Enrollment.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(
            Assignment.id == assignment_id,
            Enrollment.student_id == student.id,
            Classroom.archived_at.is_(None),
            Assignment.archived_at.is_(None),
        )
    ).scalar_one_or_none()


def submission_of(session: DbSession, assignment: Assignment, student: User) -> Submission | None:
    return session.execute(
        sa.select(Submission).filter_by(assignment_id=assignment.id, student_id=student.id)
    ).scalar_one_or_none()


def student_annotations(
    session: DbSession, assignment: Assignment, student: User
) -> list[Annotation]:
    return list(
        session.execute(
            sa.select(Annotation)
            .filter_by(assignment_id=assignment.id, student_id=student.id, deleted_at=None)
            .order_by(
                Annotation.start_offset.is_(None), Annotation.start_offset, Annotation.created_at
            )
        ).scalars()
    )


def input_of(a: Annotation) -> AnnotationInput:
    """What a stored annotation says, in the shape a save sends (any object with the
    ``Annotation`` columns and ``fields``: the save path's ``saves.Saved`` too)."""
    target = None
    if a.start_offset is not None and a.end_offset is not None:
        target = Target(a.start_offset, a.end_offset, a.exact, a.prefix, a.suffix)
    return AnnotationInput(a.category, a.prompt_id, target, a.note, a.fields)


def annotation_values(data: AnnotationInput) -> dict[str, object]:
    """The stored columns of an annotation's content."""
    t = data.target
    return {
        "category": data.category,
        "prompt_id": data.prompt_id,
        "start_offset": t.start if t else None,
        "end_offset": t.end if t else None,
        "exact": t.exact if t else "",
        "prefix": t.prefix if t else "",
        "suffix": t.suffix if t else "",
        "anchored_by": "quote" if data.reanchored else "exact",
        "note": data.note,
        "fields_json": json.dumps(data.fields, ensure_ascii=False, sort_keys=True),
    }


def _check_open(session: DbSession, assignment: Assignment, student: User) -> None:
    sub = submission_of(session, assignment, student)
    if sub is not None:
        if sub.released_at is not None:
            raise WorkClosed(None, sub.released_at)
        raise WorkClosed(sub.submitted_at)


def _owned(
    session: DbSession, assignment: Assignment, student: User, uuid: str
) -> Annotation | None:
    a = session.get(Annotation, uuid)
    if a is not None and (a.student_id != student.id or a.assignment_id != assignment.id):
        raise NotYours
    return a


def delete_annotation(
    session: DbSession, assignment: Assignment, student: User, uuid: str, if_match: int | None
) -> None:
    """Soft delete; deleting twice is fine. Raises NotYours for an unknown id."""
    _check_open(session, assignment, student)
    a = _owned(session, assignment, student, uuid)
    if a is None:
        raise NotYours
    if a.deleted_at is not None:
        return
    if if_match is not None and if_match != a.version:
        raise VersionConflict(a)
    a.deleted_at = utcnow()
    a.version += 1
    a.updated_at = a.deleted_at


def submit(session: DbSession, assignment: Assignment, student: User) -> Submission:
    sub = submission_of(session, assignment, student)
    if sub is not None:
        if sub.closed_by_release:  # a release closed it: submitting now changes nothing
            raise WorkClosed(None, sub.released_at or sub.submitted_at)
        return sub
    sub = Submission(assignment_id=assignment.id, student_id=student.id)
    if insert_unique(session, sub):
        return sub
    theirs = submission_of(session, assignment, student)  # a submit at the same moment won
    if theirs is None:
        raise LookupError("a submission inserted at the same moment was removed at once")
    return theirs


def my_work(session: DbSession, student: User) -> dict:
    """Everything stored about a student, for them to download (their own data only)."""
    rows = session.execute(
        sa.select(Annotation, LessonVersion.title, Classroom.name)
        .join(Assignment, Assignment.id == Annotation.assignment_id)
        .join(LessonVersion, LessonVersion.id == Assignment.lesson_version_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Annotation.student_id == student.id, Annotation.deleted_at.is_(None))
        .order_by(
            Annotation.assignment_id,
            Annotation.start_offset.is_(None),
            Annotation.start_offset,
            Annotation.created_at,
        )
    ).all()
    submissions = {
        s.assignment_id: s.submitted_at
        for s in session.execute(sa.select(Submission).filter_by(student_id=student.id)).scalars()
    }
    work: dict[int, dict] = {}
    for a, title, class_name in rows:
        entry = work.setdefault(
            a.assignment_id,
            {
                "lesson": title,
                "class": class_name,
                "submitted_at": _iso(submissions.get(a.assignment_id)),
                "annotations": [],
            },
        )
        entry["annotations"].append(
            {
                "category": a.category,
                "prompt": a.prompt_id,
                "quote": a.exact,
                "start": a.start_offset,
                "end": a.end_offset,
                "note": a.note,
                "fields": a.fields,
                "created": _iso(a.created_at),
                "modified": _iso(a.updated_at),
            }
        )
    return {
        "account": {
            "username": student.username,
            "name": student.display_name,
            "created": _iso(student.created_at),
        },
        "classes": [c.name for c in student_classrooms(session, student)],
        "work": list(work.values()),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None
