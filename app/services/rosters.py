"""Class management and rosters over the database: rename, archive, join codes, importing a
roster file, one-time passwords, removing a student. Like ``services``: functions take the
session, load what they need in few queries and ``flush()``; the view commits once.

One-time passwords
------------------
A teacher who imports a roster (or resets a student's password) gets a printable card per
student with a one-time password. The plain password exists only in the response that shows
the card; the database keeps a hash, and ``User.password_is_temporary`` makes the student
choose their own password (hashed with the app's normal method, scrypt) at their next login.

Hashing 10,000 passwords with scrypt takes about 1,000 s on a 2-core server (~100 ms each),
far too long for a web request. One-time passwords are therefore hashed with PBKDF2-SHA256 at
10,000 iterations (~2 ms each; ``TEMP_PASSWORD_HASH_METHOD`` changes it). That is weaker per
guess than scrypt, which is made up for by the password itself: 12 random characters from a
31-letter alphabet (about 59 bits, ``xxxx-xxxx-xxxx``) instead of a person's choice, so
finding one from a stolen hash takes around 2^72 HMAC-SHA256 computations; and it lives only
until the student's first login.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from ..domain.roster import RosterParse, RosterProblem, RosterRow
from ..extensions import DbSession
from ..models import (
    STUDENT_WORK_ROWS,
    Annotation,
    AnnotationCount,
    Assignment,
    Classroom,
    Enrollment,
    Submission,
    User,
    utcnow,
)
from .accounts import end_sessions, set_password
from .classes import new_join_code
from .errors import FieldError
from .rows import chunks

TEMP_HASH_METHOD = "pbkdf2:sha256:10000"
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0, 1: read off a printed card

# ---------------------------------------------------------------- the class itself


def rename_classroom(session: DbSession, classroom: Classroom, name: str) -> None:
    classroom.name = name.strip()
    session.flush()


def archive_classroom(session: DbSession, classroom: Classroom) -> None:
    """Archived: listed apart on the teacher's home, its code refuses joining, its lessons
    leave students' lists. Nothing is deleted; unarchiving brings it all back."""
    if classroom.archived_at is None:
        classroom.archived_at = utcnow()
        session.flush()


def unarchive_classroom(session: DbSession, classroom: Classroom) -> None:
    classroom.archived_at = None
    session.flush()


def regenerate_join_code(session: DbSession, classroom: Classroom) -> str:
    """A fresh code; the old one stops working at once."""
    old = classroom.join_code
    for _ in range(20):
        code = new_join_code()
        if (
            code != old
            and not session.execute(sa.select(Classroom.id).filter_by(join_code=code)).first()
        ):
            break
    classroom.join_code = code
    session.flush()
    return code


# ---------------------------------------------------------------- the roster


@dataclass(frozen=True)
class RosterEntry:
    enrollment: Enrollment
    student: User


def roster(session: DbSession, classroom: Classroom) -> list[RosterEntry]:
    """Everyone in the class, by name, in one query."""
    rows = session.execute(
        sa.select(Enrollment, User)
        .join(User, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == classroom.id)
        .order_by(sa.func.lower(User.display_name), User.username)
    ).all()
    return [RosterEntry(e, u) for e, u in rows]


def roster_entry(session: DbSession, classroom: Classroom, student_id: int) -> RosterEntry | None:
    """The student if they are in this class; None otherwise (the view answers 404)."""
    row = session.execute(
        sa.select(Enrollment, User)
        .join(User, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.student_id == student_id)
    ).first()
    return RosterEntry(*row) if row else None


# ---------------------------------------------------------------- one student's entry


@dataclass(frozen=True)
class EntryValues:
    """What a teacher may change about a student in their class: the name (on the account,
    the same in every class) and this enrolment's SIS ids and section. None: empty."""

    name: str
    sis_user_id: str | None
    sis_login_id: str | None
    section: str | None

    @classmethod
    def of(cls, entry: RosterEntry) -> EntryValues:
        e = entry.enrollment
        return cls(entry.student.display_name, e.sis_user_id, e.sis_login_id, e.section)


ENTRY_LABELS = {
    "name": "name",
    "sis_user_id": "SIS user ID",
    "sis_login_id": "SIS login ID",
    "section": "section",
}


def changed_fields(before: EntryValues, after: EntryValues) -> list[str]:
    """The fields (ENTRY_LABELS' keys, in that order) whose value differs."""
    return [f for f in ENTRY_LABELS if getattr(before, f) != getattr(after, f)]


def _holder_of(
    session: DbSession, entry: RosterEntry, column: sa.orm.InstrumentedAttribute, value: str
) -> str | None:
    """The name of another student in this class with this SIS id, if any."""
    return session.execute(
        sa.select(User.display_name)
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(
            Enrollment.classroom_id == entry.enrollment.classroom_id,
            Enrollment.id != entry.enrollment.id,
            column == value,
        )
        .limit(1)
    ).scalar_one_or_none()


NAME_SHARED = (
    "{name} is also in another teacher's class, and a student's name is the same in every "
    "class, so it can't be changed from here."
)


def edit_entry(
    session: DbSession, teacher: User, entry: RosterEntry, values: EntryValues
) -> list[str]:
    """Save a teacher's changes to a student in their class; returns the fields changed.

    The SIS ids and section are this enrolment's: no other class's change. The name is the
    account's, seen in every class, so only a teacher who has the student in none but their
    own classes may change it (as for resetting a password). FieldError says what to fix:
    a name this teacher may not change, or a SIS id another student in the class has."""
    changed = changed_fields(EntryValues.of(entry), values)
    if "name" in changed and not only_in_teachers_classes(session, teacher, entry.student):
        raise FieldError(
            "name",
            NAME_SHARED.format(name=entry.student.display_name),
        )
    for field_name, column in (
        ("sis_user_id", Enrollment.sis_user_id),
        ("sis_login_id", Enrollment.sis_login_id),
    ):
        value = getattr(values, field_name)
        holder = (
            _holder_of(session, entry, column, value) if field_name in changed and value else None
        )
        if holder is not None:
            raise FieldError(
                field_name,
                f"{holder} in this class already has the {ENTRY_LABELS[field_name]} "
                f"\u201c{value}\u201d; each student needs their own, or the gradebook "
                "gives one student's grade to the other.",
            )
    if "name" in changed:
        entry.student.display_name = values.name
    for field_name in ("sis_user_id", "sis_login_id", "section"):
        if field_name in changed:
            setattr(entry.enrollment, field_name, getattr(values, field_name))
    session.flush()
    return changed


# ---------------------------------------------------------------- one-time passwords


@dataclass(frozen=True)
class OneTimePassword:
    """What a printed card shows. Never stored: only the response that shows it has it."""

    name: str
    username: str
    password: str


def new_temporary_password() -> str:
    groups = ("".join(secrets.choice(TEMP_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def hash_temporary(password: str) -> str:
    method = current_app.config.get("TEMP_PASSWORD_HASH_METHOD", TEMP_HASH_METHOD)
    return generate_password_hash(password, method)


def only_in_teachers_classes(session: DbSession, teacher: User, student: User) -> bool:
    """True when every class the student is in belongs to this teacher: only then may the
    teacher reset their password (else they could log in as a student of someone else)."""
    return (
        session.execute(
            sa.select(Enrollment.id)
            .join(Classroom, Classroom.id == Enrollment.classroom_id)
            .where(Enrollment.student_id == student.id, Classroom.teacher_id != teacher.id)
        ).first()
        is None
    )


def reset_password(session: DbSession, student: User) -> OneTimePassword:
    """A new one-time password: the old password stops working, and the student's open
    sessions end (``set_password``)."""
    password = new_temporary_password()
    set_password(student, password, temporary=hash_temporary(password))
    session.flush()
    return OneTimePassword(student.display_name, student.username or "", password)


def set_own_password(session: DbSession, user: User, password: str) -> None:
    """The student's own choice, hashed like every chosen password; their other sessions end."""
    set_password(user, password)
    session.flush()


# ---------------------------------------------------------------- importing


@dataclass
class ImportResult:
    created: list[OneTimePassword] = field(default_factory=list)
    added: list[User] = field(default_factory=list)  # had an account in another of your classes
    updated: list[User] = field(default_factory=list)  # already here: SIS ids/section changed
    unchanged: list[User] = field(default_factory=list)  # already here, nothing new
    problems: list[RosterProblem] = field(default_factory=list)
    # usernames someone outside the teacher's classes has (each tells whether a username
    # exists: the view counts them toward a limit, ``limits.roster_taken``)
    taken: int = 0

    @property
    def imported(self) -> int:
        return len(self.created) + len(self.added) + len(self.updated) + len(self.unchanged)


def _users_by_username(session: DbSession, usernames: Iterable[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in chunks(sorted(set(usernames))):
        for user in session.execute(sa.select(User).where(User.username.in_(chunk))).scalars():
            found[user.username or ""] = user  # (found by username: it has one)
    return found


def _enrollments_here(
    session: DbSession, classroom: Classroom, ids: list[int]
) -> dict[int, Enrollment]:
    found: dict[int, Enrollment] = {}
    for chunk in chunks(ids):
        for e in session.execute(
            sa.select(Enrollment).where(
                Enrollment.classroom_id == classroom.id, Enrollment.student_id.in_(chunk)
            )
        ).scalars():
            found[e.student_id] = e
    return found


def _in_teachers_other_classes(
    session: DbSession, classroom: Classroom, ids: list[int]
) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(ids):
        found.update(
            session.execute(
                sa.select(Enrollment.student_id)
                .join(Classroom, Enrollment.classroom_id == Classroom.id)
                .where(
                    Classroom.teacher_id == classroom.teacher_id,
                    Classroom.id != classroom.id,
                    Enrollment.student_id.in_(chunk),
                )
            ).scalars()
        )
    return found


def _apply_ids(enrollment: Enrollment, row: RosterRow) -> bool:
    """Copy the SIS ids and section the file gives to the student's enrolment in this class
    (a blank cell keeps what is stored). Never to the account: the ids are this teacher's,
    and another teacher's import must not change what this one's exports say."""
    changed = False
    for attr in ("sis_user_id", "sis_login_id", "section"):
        value = getattr(row, attr)
        if value is not None and getattr(enrollment, attr) != value:
            setattr(enrollment, attr, value)
            changed = True
    return changed


def _enrollment(classroom: Classroom, student_id: int, row: RosterRow) -> Enrollment:
    return Enrollment(
        classroom_id=classroom.id,
        student_id=student_id,
        section=row.section,
        sis_user_id=row.sis_user_id,
        sis_login_id=row.sis_login_id,
    )


def _new_student(row: RosterRow) -> tuple[User, OneTimePassword]:
    """An account for a row whose username no one has, with its one-time password."""
    password = new_temporary_password()
    user = User(
        role="student",
        username=row.username,
        display_name=row.name,
        password_hash=hash_temporary(password),
        password_is_temporary=True,
    )
    return user, OneTimePassword(row.name, row.username, password)


def _taken(row: RosterRow) -> RosterProblem:
    return RosterProblem(
        row.line,
        f"The username \u201c{row.username}\u201d is already taken by "
        "someone outside your classes. Choose another one (e.g. add a "
        "number) and upload this line again.",
        row.name,
        row.username,
    )


def import_roster(session: DbSession, classroom: Classroom, parsed: RosterParse) -> ImportResult:
    """Add the file's good rows to the class, in the caller's transaction (all or nothing).

    * a new username: a student account with a one-time password, enrolled here;
    * a student already in this class: SIS ids and section of this enrolment updated; password
      untouched;
    * a student in another of this teacher's classes: enrolled here too; password untouched;
    * a username anyone else has: reported on its line, not imported (counted in ``taken``).
    """
    result = ImportResult(problems=list(parsed.problems))
    if parsed.refused:
        return result
    existing = _users_by_username(session, (r.username for r in parsed.rows))
    ids = [u.id for u in existing.values()]
    here = _enrollments_here(session, classroom, ids)
    mine = _in_teachers_other_classes(session, classroom, ids)

    new_users: list[tuple[User, RosterRow]] = []
    for row in parsed.rows:
        user = existing.get(row.username)
        if user is None:
            user, card = _new_student(row)
            new_users.append((user, row))
            result.created.append(card)
        elif user.id in here:
            changed = _apply_ids(here[user.id], row)
            (result.updated if changed else result.unchanged).append(user)
        elif user.is_student and user.id in mine:
            session.add(_enrollment(classroom, user.id, row))
            result.added.append(user)
        else:
            result.problems.append(_taken(row))
            result.taken += 1
    session.add_all(user for user, _ in new_users)
    session.flush()  # ids for the enrollments
    session.add_all(_enrollment(classroom, user.id, row) for user, row in new_users)
    session.flush()
    result.problems.sort(key=lambda p: p.line or 0)
    return result


# ---------------------------------------------------------------- removing


@dataclass(frozen=True)
class RemovalSummary:
    annotations: int
    submissions: int
    other_classes: int  # classes the student stays in; 0: the account is deleted

    @property
    def deletes_account(self) -> bool:
        return self.other_classes == 0


def _this_class_assignments(classroom: Classroom):
    return sa.select(Assignment.id).where(Assignment.classroom_id == classroom.id)


def removal_summary(session: DbSession, classroom: Classroom, student: User) -> RemovalSummary:
    ids = _this_class_assignments(classroom)

    def count(model, *where) -> int:
        return session.execute(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.student_id == student.id, *where)
        ).scalar_one()

    return RemovalSummary(
        annotations=count(
            Annotation, Annotation.assignment_id.in_(ids), Annotation.deleted_at.is_(None)
        ),
        submissions=count(
            Submission, Submission.assignment_id.in_(ids), Submission.closed_by_release.is_(False)
        ),
        other_classes=count(Enrollment, Enrollment.classroom_id != classroom.id),
    )


def remove_student(session: DbSession, classroom: Classroom, student: User) -> bool:
    """Take the student out of the class and delete their work in it: annotations (their
    omission marks go with them), submissions, rubric scores, final grades and grade history
    for this class's assignments. A student left in no class is deleted (privacy); the
    database's cascades remove whatever else was theirs. Returns True if the account went."""
    ids = _this_class_assignments(classroom)
    for model in (*STUDENT_WORK_ROWS, AnnotationCount):  # their work, and its count
        session.execute(
            sa.delete(model)
            .where(model.student_id == student.id, model.assignment_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    session.execute(
        sa.delete(Enrollment)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.student_id == student.id)
        .execution_options(synchronize_session=False)
    )
    end_sessions(student)  # logged out everywhere, also if other classes keep them
    session.flush()
    still_enrolled = session.execute(
        sa.select(Enrollment.id).where(Enrollment.student_id == student.id).limit(1)
    ).first()
    if still_enrolled is None:
        session.execute(
            sa.delete(User)
            .where(User.id == student.id, User.role == "student")
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    return still_enrolled is None
