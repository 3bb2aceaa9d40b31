"""The one way an annotation is saved, for the API, the no-JavaScript form and the tests'
seeders alike: validate against the lesson, then try the write until it is decided."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import scoped_session

from ..domain.annotations import AnnotationInput, Invalid, validate_annotation
from ..extensions import DbSession, db
from ..models import utcnow
from ..services import annotation_values, lesson_by_version
from . import backends, decide
from .decide import Attempt, LessonMoved, Student

ATTEMPTS = 5  # times a save is decided again (a lost race for its id, a lesson version unseen)


def check_member(session: DbSession, student: Student, assignment_id: int) -> Any:
    """The gate's row for the assignment; NotMember unless the login holds and the student is
    in the assignment's (unarchived) class."""
    return decide.gate(backends.CoreGate(session.connection()), student, assignment_id, "")[0]


def _validate(session: DbSession, version_id: int, payload: Any) -> AnnotationInput:
    config = current_app.config
    return validate_annotation(
        payload,
        lesson_by_version(session, version_id),
        note_max=config["NOTE_MAX_CHARS"],
        field_max=config["FIELD_MAX_CHARS"],
    )


def _lesson_versions() -> dict[int, int]:
    """Assignment id -> the lesson version it is pinned to, kept per worker. It changes only
    when a teacher moves the assignment to a newer version (``services.moving``), or when
    SQLite reuses an id after a deletion: the gate reads the version, and a save checked
    against another is checked again (``LessonMoved``)."""
    return current_app.extensions.setdefault("assignment_lesson_versions", {})


def put_annotation(
    session: DbSession,
    student: Student,
    assignment_id: int,
    uuid: str,
    payload: Any,
    if_match: int | None,
) -> tuple[Any, bool]:
    """Create or update the student's annotation ``uuid``; returns (what is now stored, as
    ``Saved``, and whether it was created).

    Raises NotMember, Invalid (with reasons for the student), WorkClosed, NotYours (an id that
    is someone else's), VersionConflict (``If-Match`` names another version) or TooMany (a
    new annotation past ``ANNOTATIONS_MAX``). The write
    runs on a DBAPI connection of its own and is committed; the request's ``session`` is
    only used (and so only made) to read what this worker doesn't know yet, and a
    transaction left open in it is ended first.
    """
    known = _lesson_versions()
    checked: tuple[int, AnnotationInput] | None = None
    for _ in range(ATTEMPTS):
        version_id = known.get(assignment_id)
        if version_id is None:
            row = check_member(session, student, assignment_id)
            version_id = known[assignment_id] = row.lesson_version_id
        if checked is None or checked[0] != version_id:
            try:
                checked = (version_id, _validate(session, version_id, payload))
            except Invalid:
                check_member(session, student, assignment_id)  # 401, 404 before 422
                raise
        if _in_transaction(session):
            session.commit()  # a read before: the write is its own transaction
        # the row a create would insert, made before any statement (and outside the lock)
        now = utcnow()
        new = {
            **annotation_values(checked[1]),
            "id": uuid,
            "assignment_id": assignment_id,
            "student_id": student.id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        cap = current_app.config["ANNOTATIONS_MAX"]
        attempt = Attempt(student, assignment_id, uuid, *checked, if_match, new, cap)
        try:
            # the DBAPI connection itself, outside the request's session: SQLAlchemy's
            # transaction machinery costs more than the statements
            result = backends.write(db.engine, attempt)
        except LessonMoved as moved:
            known[assignment_id] = moved.version_id
            continue
        if result is not None:
            return result
        # else decide again from what is stored now
    raise RuntimeError(f"annotation save lost {ATTEMPTS} races in a row")


def _in_transaction(session: DbSession) -> bool:
    if isinstance(session, scoped_session):
        return session.registry.has() and session().in_transaction()
    return session.in_transaction()
