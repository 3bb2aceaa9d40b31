"""Hard deletes for students' privacy: deleting a class with everything in it (a teacher, from
the class settings page), deleting one assignment with its work (from the class page) and
purging classes archived long ago
(``flask --app app purge --archived-before DATE``).

Deleting leans on the database: every row that belongs to a class or a person points at it
through a foreign key declared ``ON DELETE CASCADE`` in the migrations, on SQLite (enforced
per connection, see ``extensions._sqlite_pragmas``) and PostgreSQL alike. Deleting a class
row deletes its enrolments and assignments; an assignment takes its annotations (and their
omission marks), submissions, rubric scores, final grades and grade history with it. A student
who was in the class and is then in no class at all is deleted as well: students have no way
into the app without a class, and their user row takes anything else of theirs with it.
Lesson snapshots (``lesson_versions``) hold lesson text, nobody's work, and stay.

Like every service, functions take the session and run their statements in the caller's
transaction; the caller commits once. Parsing and checking the purge date is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from ..extensions import DbSession
from ..models import (
    STUDENT_WORK_ROWS,
    Annotation,
    Assignment,
    Classroom,
    Enrollment,
    Submission,
    User,
)
from .rows import chunks

# ---------------------------------------------------------------- what a deletion takes


@dataclass(frozen=True)
class ClassContents:
    """One class and what deleting it would delete. ``annotations`` counts those the students
    kept; the ones they deleted themselves (kept for "undo") go as well."""

    id: int
    name: str
    teacher: str
    archived_at: datetime | None
    students: int
    assignments: int
    annotations: int
    submissions: int


@dataclass(frozen=True)
class Deletion:
    """What deleting some classes deletes, in total."""

    classes: list[ClassContents]
    accounts: int  # student accounts left in no class, deleted with them

    @property
    def students(self) -> int:
        return sum(c.students for c in self.classes)

    @property
    def assignments(self) -> int:
        return sum(c.assignments for c in self.classes)

    @property
    def annotations(self) -> int:
        return sum(c.annotations for c in self.classes)

    @property
    def submissions(self) -> int:
        return sum(c.submissions for c in self.classes)


def _counts(session: DbSession, ids: list[int], model, *where) -> dict[int, int]:
    """{classroom id: rows of ``model``} for these classes: enrolments and assignments by their
    class, a student's work (annotations, submissions) by its assignment's class."""
    if hasattr(model, "classroom_id"):
        by = model.classroom_id
        query = sa.select(by, sa.func.count())
    else:
        by = Assignment.classroom_id
        query = (
            sa.select(by, sa.func.count())
            .select_from(model)
            .join(Assignment, Assignment.id == model.assignment_id)
        )
    found: dict[int, int] = {}
    for chunk in chunks(ids):
        found.update(session.execute(query.where(by.in_(chunk), *where).group_by(by)).all())
    return found


def _teacher_emails(session: DbSession, classrooms: Sequence[Classroom]) -> dict[int, str | None]:
    if not classrooms:
        return {}
    teacher_ids = {c.teacher_id for c in classrooms}
    return dict(
        session.execute(sa.select(User.id, User.email).where(User.id.in_(teacher_ids))).all()
    )


def _members(session: DbSession, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(ids):
        found.update(
            session.execute(
                sa.select(Enrollment.student_id).where(Enrollment.classroom_id.in_(chunk))
            ).scalars()
        )
    return found


def _left_without_a_class(session: DbSession, ids: list[int]) -> int:
    """Students in these classes who are in no class outside them."""
    members = sorted(_members(session, ids))
    inside = set(ids)
    elsewhere: set[int] = set()
    for chunk in chunks(members):
        for student_id, classroom_id in session.execute(
            sa.select(Enrollment.student_id, Enrollment.classroom_id).where(
                Enrollment.student_id.in_(chunk)
            )
        ):
            if classroom_id not in inside:
                elsewhere.add(student_id)
    return len(set(members) - elsewhere)


def contents(session: DbSession, classrooms: Sequence[Classroom]) -> Deletion:
    """What deleting these classes would delete, in a few queries whatever their size."""
    ids = [c.id for c in classrooms]
    enrolled = _counts(session, ids, Enrollment)
    assigned = _counts(session, ids, Assignment)
    annotated = _counts(session, ids, Annotation, Annotation.deleted_at.is_(None))
    submitted = _counts(session, ids, Submission, Submission.closed_by_release.is_(False))
    teachers = _teacher_emails(session, classrooms)
    return Deletion(
        classes=[
            ClassContents(
                id=c.id,
                name=c.name,
                teacher=teachers.get(c.teacher_id) or "",
                archived_at=c.archived_at,
                students=enrolled.get(c.id, 0),
                assignments=assigned.get(c.id, 0),
                annotations=annotated.get(c.id, 0),
                submissions=submitted.get(c.id, 0),
            )
            for c in classrooms
        ],
        accounts=_left_without_a_class(session, ids) if ids else 0,
    )


def delete_classrooms(session: DbSession, classrooms: Sequence[Classroom]) -> Deletion:
    """Delete these classes and everything in them (through the database's cascades), then
    the student accounts that are in no class any more. Returns what went."""
    summary = contents(session, classrooms)
    ids = [c.id for c in classrooms]
    members = sorted(_members(session, ids))
    for chunk in chunks(ids):
        session.execute(
            sa.delete(Classroom)
            .where(Classroom.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    accounts = 0
    for chunk in chunks(members):
        gone = session.execute(
            sa.delete(User)
            .where(
                User.id.in_(chunk),
                User.role == "student",
                ~sa.exists().where(Enrollment.student_id == User.id),
            )
            .execution_options(synchronize_session=False)
        )
        accounts += cast(sa.CursorResult, gone).rowcount  # a DELETE's result has a rowcount
    session.expire_all()
    return Deletion(summary.classes, accounts)


def delete_classroom(session: DbSession, classroom: Classroom) -> Deletion:
    return delete_classrooms(session, [classroom])


# ---------------------------------------------------------------- one assignment


@dataclass(frozen=True)
class AssignmentContents:
    """What deleting one assignment deletes: ``students`` is how many have any work in it
    (an annotation they kept, a submission, or a mark or grade from the teacher)."""

    students: int
    annotations: int
    submissions: int


def assignment_contents(session: DbSession, assignment: Assignment) -> AssignmentContents:
    students: set[int] = set()
    for model in STUDENT_WORK_ROWS:
        query = sa.select(model.student_id).where(model.assignment_id == assignment.id)
        if model is Annotation:
            query = query.where(Annotation.deleted_at.is_(None))
        if model is Submission:  # a release closing work not started is no work of theirs
            query = query.where(Submission.closed_by_release.is_(False))
        students.update(session.execute(query.distinct()).scalars())
    annotations = session.execute(
        sa.select(sa.func.count())
        .select_from(Annotation)
        .where(Annotation.assignment_id == assignment.id, Annotation.deleted_at.is_(None))
    ).scalar_one()
    submissions = session.execute(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.assignment_id == assignment.id, Submission.closed_by_release.is_(False))
    ).scalar_one()
    return AssignmentContents(len(students), annotations, submissions)


def delete_assignment(session: DbSession, assignment: Assignment) -> AssignmentContents:
    """Delete the assignment and all its rows (annotations with their omission marks,
    submissions, rubric scores, final grades, grade history) through the database's
    cascades, in the caller's transaction. Returns what went. The lesson version stays."""
    summary = assignment_contents(session, assignment)
    session.execute(
        sa.delete(Assignment)
        .where(Assignment.id == assignment.id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return summary


# ---------------------------------------------------------------- purging archived classes


def archived_before(session: DbSession, cutoff: datetime) -> list[Classroom]:
    """Classes archived before ``cutoff`` (naive UTC), oldest first. A class that is not
    archived is never purged, however old."""
    return list(
        session.execute(
            sa.select(Classroom)
            .where(Classroom.archived_at.is_not(None), Classroom.archived_at < cutoff)
            .order_by(Classroom.archived_at, Classroom.id)
        ).scalars()
    )


def purge(session: DbSession, cutoff: datetime, confirmed: set[int]) -> Deletion:
    """Delete the classes archived before ``cutoff`` that are among ``confirmed`` (the ids
    listed to the operator): one unarchived since the list was shown stays."""
    return delete_classrooms(
        session, [c for c in archived_before(session, cutoff) if c.id in confirmed]
    )
