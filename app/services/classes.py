"""Classes: making them, joining them by code, assigning lessons, archiving an assignment."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa

from ..domain.lessons import Lesson
from ..extensions import DbSession
from ..models import (
    Assignment,
    Classroom,
    Enrollment,
    LessonVersion,
    User,
    utcnow,
)
from .lessons import pin_version
from .rows import insert_unique

JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a board


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))


def normalise_join_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_classroom(session: DbSession, teacher: User, name: str) -> Classroom:
    for _ in range(10):
        code = new_join_code()
        if not session.execute(sa.select(Classroom.id).filter_by(join_code=code)).first():
            break
    classroom = Classroom(teacher_id=teacher.id, name=name.strip(), join_code=code)
    session.add(classroom)
    session.flush()
    return classroom


def classroom_by_code(session: DbSession, code: str) -> Classroom | None:
    return session.execute(
        sa.select(Classroom).filter_by(join_code=normalise_join_code(code), archived_at=None)
    ).scalar_one_or_none()


def enroll(session: DbSession, classroom: Classroom, student: User) -> Enrollment:
    existing = session.execute(
        sa.select(Enrollment).filter_by(classroom_id=classroom.id, student_id=student.id)
    ).scalar_one_or_none()
    if existing:
        return existing
    row = Enrollment(classroom_id=classroom.id, student_id=student.id)
    if insert_unique(session, row):
        return row
    return session.execute(
        sa.select(Enrollment).filter_by(classroom_id=classroom.id, student_id=student.id)
    ).scalar_one()


def teacher_classroom(session: DbSession, teacher: User, classroom_id: int) -> Classroom | None:
    """The class if this teacher owns it; None for anyone else's (the view answers 404)."""
    c = session.get(Classroom, classroom_id)
    return c if c is not None and c.teacher_id == teacher.id else None


def teacher_classrooms(session: DbSession, teacher: User) -> list[Classroom]:
    return list(
        session.execute(
            sa.select(Classroom)
            .filter_by(teacher_id=teacher.id)
            .order_by(Classroom.created_at.desc())
        ).scalars()
    )


def assign_lesson(
    session: DbSession, classroom: Classroom, lesson: Lesson, due_at: datetime | None = None
) -> Assignment:
    version = pin_version(session, lesson)
    a = Assignment(classroom_id=classroom.id, lesson_version_id=version.id, due_at=due_at)
    session.add(a)
    session.flush()
    return a


def already_assigned(session: DbSession, classroom: Classroom, lesson_id: str) -> Assignment | None:
    """The class's first assignment of this lesson (any version, archived or not), if any:
    assigning it again is asked about first."""
    return session.execute(
        sa.select(Assignment)
        .join(LessonVersion, Assignment.lesson_version_id == LessonVersion.id)
        .where(Assignment.classroom_id == classroom.id, LessonVersion.lesson_id == lesson_id)
        .order_by(Assignment.created_at, Assignment.id)
        .limit(1)
    ).scalar_one_or_none()


def archive_assignment(session: DbSession, assignment: Assignment) -> None:
    """Archived: gone from students' lists and the class's active ones, its work kept;
    unarchiving brings it back as it was."""
    if assignment.archived_at is None:
        assignment.archived_at = utcnow()
        session.flush()


def unarchive_assignment(session: DbSession, assignment: Assignment) -> None:
    assignment.archived_at = None
    session.flush()


def student_classrooms(session: DbSession, student: User) -> list[Classroom]:
    return list(
        session.execute(
            sa.select(Classroom)
            .join(Enrollment)
            .where(Enrollment.student_id == student.id)
            .order_by(Classroom.name)
        ).scalars()
    )
