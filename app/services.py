"""Services over the database: they take the session, load rows in few queries, call domain
logic and ``flush()``. The view that called them commits once."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .domain.anchoring import Target
from .domain.annotations import CONFLICT, SAME, AnnotationInput, plan_put
from .domain.lessons import Lesson, LessonSet, lesson_files, load_lessons
from .extensions import writing
from .models import (
    Annotation,
    Assignment,
    Classroom,
    Enrollment,
    LessonVersion,
    Submission,
    User,
    utcnow,
)

# ---------------------------------------------------------------- lessons

_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, LessonSet]] = {}


def current_lessons(directory: str) -> LessonSet:
    """The lessons on disk, re-read only when a file changes (checked by name, size, mtime)."""
    paths = lesson_files(Path(directory))
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    with _cache_lock:
        cached = _cache.get(directory)
        if cached and cached[0] == stamp:
            return cached[1]
    loaded = load_lessons(paths)
    with _cache_lock:
        _cache[directory] = (stamp, loaded)
    return loaded


def pin_version(session: Session, lesson: Lesson) -> LessonVersion:
    """The stored snapshot of this exact lesson content, created on first use."""
    version = lesson.version
    row = session.execute(
        sa.select(LessonVersion).filter_by(lesson_id=lesson.id, version=version)
    ).scalar_one_or_none()
    if row is None:
        row = LessonVersion(
            lesson_id=lesson.id,
            version=version,
            title=lesson.title,
            content=json.dumps(lesson.to_dict(), ensure_ascii=False),
        )
        session.add(row)
        session.flush()
    return row


@lru_cache(maxsize=64)
def _lesson_from_snapshot(version_id: int, content: str) -> Lesson:
    return Lesson.from_dict(json.loads(content))


def lesson_of(assignment: Assignment) -> Lesson:
    """The lesson an assignment is pinned to. Versions never change once stored, so each app
    keeps the ones it has read by id (on the hot path of every save: no snapshot to load)."""
    cache = current_app.extensions.setdefault("lessons_by_version", {})
    lesson = cache.get(assignment.lesson_version_id)
    if lesson is None:
        lv = assignment.lesson_version
        lesson = cache[lv.id] = _lesson_from_snapshot(lv.id, lv.content)
    return lesson


def lesson_by_version(session: Session | sa.Connection, version_id: int) -> Lesson:
    """``lesson_of`` by the version's id (the save path knows only that), same cache."""
    cache = current_app.extensions.setdefault("lessons_by_version", {})
    lesson = cache.get(version_id)
    if lesson is None:
        content = session.execute(
            sa.select(LessonVersion.content).where(LessonVersion.id == version_id)
        ).scalar_one()
        lesson = cache[version_id] = _lesson_from_snapshot(version_id, content)
    return lesson


# ---------------------------------------------------------------- accounts


class AccountError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def hash_password(password: str) -> str:
    """Werkzeug's default (scrypt) unless PASSWORD_HASH_METHOD says otherwise (tests use a
    fast method; a hash records its method, so logins keep working if it changes)."""
    return generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])


def create_teacher(
    session: Session, email: str, name: str, password: str, password_hash: str | None = None
) -> User:
    email = email.strip().lower()
    if session.execute(sa.select(User.id).filter_by(email=email)).first():
        raise AccountError("email", "An account with that email already exists. Log in instead.")
    user = User(
        role="teacher",
        email=email,
        display_name=name.strip(),
        password_hash=password_hash or hash_password(password),
    )
    if not insert_unique(session, user):
        raise AccountError("email", "An account with that email already exists. Log in instead.")
    return user


def create_student(
    session: Session, username: str, name: str, password: str, password_hash: str | None = None
) -> User:
    username = username.strip().lower()
    if session.execute(sa.select(User.id).filter_by(username=username)).first():
        raise AccountError("username", "That username is taken. Try adding a number to it.")
    user = User(
        role="student",
        username=username,
        display_name=name.strip() or username,
        password_hash=password_hash or hash_password(password),
    )
    if not insert_unique(session, user):  # someone took it a moment ago
        raise AccountError("username", "That username is taken. Try adding a number to it.")
    return user


def insert_unique(session: Session, row: object) -> bool:
    """Add a row in a savepoint; False when a unique constraint says it already exists
    (a double-clicked button, two requests at once) instead of an error page."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def authenticate(session: Session, login: str, password: str) -> User | None:
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    user = session.execute(sa.select(User).where(column == login)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # same time whether or not the user exists
        return None
    return user if check_password_hash(user.password_hash, password) else None


def log_in(session: Session, login: str, password: str) -> User | None:
    """``authenticate`` for the login form: the hash is checked (and, if the policy changed,
    re-made) outside any write transaction, so a class logging in at once never queues on
    SQLite's write lock for ~0.1 s of scrypt each; only the upgrade's UPDATE writes."""
    with writing(False):
        user = authenticate(session, login, password)
        stale = (
            user is not None and not user.password_is_temporary and needs_rehash(user.password_hash)
        )
        session.rollback()  # end the read: nothing is held while hashing below
    if stale:
        user.password_hash = hash_password(password)  # upgraded on login
        session.commit()
    return user


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with other settings than PASSWORD_HASH_METHOD makes now (a hash
    starts with its method and parameters, e.g. ``scrypt:32768:8:1$``)."""
    return password_hash.split("$", 1)[0] != _method_prefix(
        current_app.config["PASSWORD_HASH_METHOD"]
    )


@cache
def _method_prefix(method: str) -> str:
    return generate_password_hash("x", method).split("$", 1)[0]


def set_password(user: User, password: str, *, temporary: str | None = None) -> None:
    """A new password (or, with ``temporary``, the hash of a one-time one): every session
    the person has open ends, on every device."""
    user.password_hash = temporary or hash_password(password)
    user.password_is_temporary = temporary is not None
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Log the person out everywhere: sessions hold ``id.session_version`` (``User.get_id``),
    so moving the version on makes every existing session load no one."""
    user.session_version = (user.session_version or 0) + 1


_DUMMY_HASH = generate_password_hash("not-a-real-password")

# ---------------------------------------------------------------- classes

MAX_ID = 2**63 - 1  # an id from a URL past this can't be in the database (SQLite can't bind it)

JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a board


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))


def normalise_join_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_classroom(session: Session, teacher: User, name: str) -> Classroom:
    for _ in range(10):
        code = new_join_code()
        if not session.execute(sa.select(Classroom.id).filter_by(join_code=code)).first():
            break
    classroom = Classroom(teacher_id=teacher.id, name=name.strip(), join_code=code)
    session.add(classroom)
    session.flush()
    return classroom


def classroom_by_code(session: Session, code: str) -> Classroom | None:
    return session.execute(
        sa.select(Classroom).filter_by(join_code=normalise_join_code(code), archived_at=None)
    ).scalar_one_or_none()


def enroll(session: Session, classroom: Classroom, student: User) -> Enrollment:
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


def teacher_classroom(session: Session, teacher: User, classroom_id: int) -> Classroom | None:
    """The class if this teacher owns it; None for anyone else's (the view answers 404)."""
    if not 0 < classroom_id <= MAX_ID:
        return None
    c = session.get(Classroom, classroom_id)
    return c if c is not None and c.teacher_id == teacher.id else None


def teacher_classrooms(session: Session, teacher: User) -> list[Classroom]:
    return list(
        session.execute(
            sa.select(Classroom)
            .filter_by(teacher_id=teacher.id)
            .order_by(Classroom.created_at.desc())
        ).scalars()
    )


def assign_lesson(
    session: Session, classroom: Classroom, lesson: Lesson, due_at: datetime | None = None
) -> Assignment:
    version = pin_version(session, lesson)
    a = Assignment(classroom_id=classroom.id, lesson_version_id=version.id, due_at=due_at)
    session.add(a)
    session.flush()
    return a


# ---------------------------------------------------------------- student work


@dataclass
class StudentAssignmentRow:
    assignment: Assignment
    classroom: Classroom
    title: str
    count: int
    submitted_at: datetime | None

    @property
    def status(self) -> str:
        if self.submitted_at:
            return "submitted"
        return "in progress" if self.count else "not started"


def student_assignments(session: Session, student: User) -> list[StudentAssignmentRow]:
    """Everything assigned to this student, with their progress, in three queries."""
    rows = session.execute(
        sa.select(Assignment, Classroom, LessonVersion.title)
        .join(Classroom, Assignment.classroom_id == Classroom.id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .join(LessonVersion, Assignment.lesson_version_id == LessonVersion.id)
        .where(Enrollment.student_id == student.id, Classroom.archived_at.is_(None))
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
        dict(
            session.execute(
                sa.select(Submission.assignment_id, Submission.submitted_at).where(
                    Submission.student_id == student.id, Submission.assignment_id.in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    return [
        StudentAssignmentRow(a, c, t, counts.get(a.id, 0), submitted.get(a.id)) for a, c, t in rows
    ]


def student_classrooms(session: Session, student: User) -> list[Classroom]:
    return list(
        session.execute(
            sa.select(Classroom)
            .join(Enrollment)
            .where(Enrollment.student_id == student.id)
            .order_by(Classroom.name)
        ).scalars()
    )


def assignment_for_student(
    session: Session, student: User, assignment_id: int
) -> Assignment | None:
    """The assignment if this student is in its class; None otherwise (the view answers 404)."""
    if not 0 < assignment_id <= MAX_ID:
        return None
    return session.execute(
        sa.select(Assignment)
        .join(Enrollment, Enrollment.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(
            Assignment.id == assignment_id,
            Enrollment.student_id == student.id,
            Classroom.archived_at.is_(None),
        )
    ).scalar_one_or_none()


def submission_of(session: Session, assignment: Assignment, student: User) -> Submission | None:
    return session.execute(
        sa.select(Submission).filter_by(assignment_id=assignment.id, student_id=student.id)
    ).scalar_one_or_none()


def student_annotations(
    session: Session, assignment: Assignment, student: User
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


class WorkClosed(Exception):
    """Writes refused: the student submitted, or the teacher released feedback (after which
    the key is visible, so work can no longer change)."""

    def __init__(self, submitted_at: datetime | None, released_at: datetime | None = None) -> None:
        super().__init__("released" if released_at else "submitted")
        self.submitted_at = submitted_at
        self.released_at = released_at


class NotYours(Exception):
    """An annotation id that belongs to someone else or another assignment."""


class VersionConflict(Exception):
    def __init__(self, current: Annotation | None) -> None:
        super().__init__("conflict")
        self.current = current


def input_of(a: Annotation) -> AnnotationInput:
    """What a stored annotation says, in the shape a save sends (any object with the
    ``Annotation`` columns and ``fields``: the save path's ``saves.Saved`` too)."""
    target = None
    if a.start_offset is not None:
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


def _apply(a: Annotation, data: AnnotationInput) -> None:
    for name, value in annotation_values(data).items():
        setattr(a, name, value)


def _check_open(session: Session, assignment: Assignment, student: User) -> None:
    sub = submission_of(session, assignment, student)
    if sub is not None:
        raise WorkClosed(sub.submitted_at)
    if assignment.released_at is not None:
        raise WorkClosed(None, assignment.released_at)


def _owned(session: Session, assignment: Assignment, student: User, uuid: str) -> Annotation | None:
    a = session.get(Annotation, uuid)
    if a is not None and (a.student_id != student.id or a.assignment_id != assignment.id):
        raise NotYours
    return a


def put_annotation(
    session: Session,
    assignment: Assignment,
    student: User,
    uuid: str,
    data: AnnotationInput,
    if_match: int | None,
) -> tuple[Annotation, bool]:
    """Create or update; idempotent. Returns (annotation, created)."""
    _check_open(session, assignment, student)
    a = _owned(session, assignment, student, uuid)
    if a is None:
        if plan_put(None, None, False, data, if_match) == CONFLICT:
            raise VersionConflict(None)
        a = Annotation(id=uuid, assignment_id=assignment.id, student_id=student.id, version=1)
        _apply(a, data)
        try:
            with session.begin_nested():
                session.add(a)
        except IntegrityError:
            # the same UUID arrived twice at once: the other request created it; update it
            a = _owned(session, assignment, student, uuid)
            if a is None:
                raise
            return _update(a, data, if_match), False
        return a, True
    return _update(a, data, if_match), False


def _update(a: Annotation, data: AnnotationInput, if_match: int | None) -> Annotation:
    plan = plan_put(input_of(a), a.version, a.deleted_at is not None, data, if_match)
    if plan == CONFLICT:
        raise VersionConflict(a)
    if plan == SAME:
        return a  # a retry of a write that already landed
    _apply(a, data)
    a.deleted_at = None
    a.version += 1
    a.updated_at = utcnow()
    return a


def delete_annotation(
    session: Session, assignment: Assignment, student: User, uuid: str, if_match: int | None
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


def submit(session: Session, assignment: Assignment, student: User) -> Submission:
    sub = submission_of(session, assignment, student)
    if sub is not None:
        return sub
    if assignment.released_at is not None:
        raise WorkClosed(None, assignment.released_at)
    sub = Submission(assignment_id=assignment.id, student_id=student.id)
    if insert_unique(session, sub):
        return sub
    return submission_of(session, assignment, student)


def my_work(session: Session, student: User) -> dict:
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
