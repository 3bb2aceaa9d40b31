"""The lesson library: the built-in lessons, a teacher's own and those other teachers share,
with where each is assigned; and the lessons teachers write, stored as ``AuthoredLesson``."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..domain.lessons import Lesson, LessonSet
from ..domain.library import LessonFacts, facts, matches
from ..extensions import DbSession
from ..models import Assignment, AuthoredLesson, Classroom, LessonVersion, User, utcnow
from .lessons import pin_version

BUILTIN = "builtin"
AUTHORED = "authored"


class LibraryError(ValueError):
    """A lesson that can't be stored as asked; the message says why, in words."""


@dataclass(frozen=True)
class ClassUse:
    """One of the teacher's classes with the lesson assigned."""

    id: int
    name: str
    archived: bool


@dataclass(frozen=True)
class Entry:
    """A lesson as the library shows it. ``ref`` is what its page's URL names: a built-in
    lesson's slug, an authored lesson's row id."""

    kind: str
    ref: str | int
    lesson: Lesson
    facts: LessonFacts
    status: str  # "built-in", "draft" or "published"
    classes: list[ClassUse] = field(default_factory=list)
    author: str | None = None  # who wrote a lesson another teacher shared
    shared: bool = False


@dataclass(frozen=True)
class BrokenFile:
    """A lesson file that doesn't load, with every problem the checker found."""

    file: str
    problems: list[str]


@dataclass
class Library:
    builtin: list[Entry]
    broken: list[BrokenFile]
    mine: list[Entry]
    shared: list[Entry]

    @property
    def count(self) -> int:
        return len(self.builtin) + len(self.broken) + len(self.mine) + len(self.shared)


@lru_cache(maxsize=128)
def _lesson(content: str) -> Lesson:
    """A stored lesson, read once per worker for as long as its content stays the same."""
    return Lesson.from_dict(json.loads(content))


def lesson_of_authored(row: AuthoredLesson) -> Lesson:
    return _lesson(row.content)


def classes_using(session: DbSession, teacher: User) -> dict[str, list[ClassUse]]:
    """Per lesson slug, the teacher's classes that have it assigned (any version), by name."""
    rows = session.execute(
        sa.select(LessonVersion.lesson_id, Classroom.id, Classroom.name, Classroom.archived_at)
        .join(Assignment, Assignment.lesson_version_id == LessonVersion.id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Classroom.teacher_id == teacher.id)
        .distinct()
        .order_by(Classroom.name, Classroom.id)
    ).all()
    uses: dict[str, list[ClassUse]] = defaultdict(list)
    for slug, cid, name, archived_at in rows:
        uses[slug].append(ClassUse(cid, name, archived_at is not None))
    return uses


def builtin_entry(lesson: Lesson, uses: dict[str, list[ClassUse]]) -> Entry:
    return Entry(BUILTIN, lesson.id, lesson, facts(lesson), "built-in", uses.get(lesson.id, []))


def authored_entry(row: AuthoredLesson, teacher: User, uses: dict[str, list[ClassUse]]) -> Entry:
    lesson = lesson_of_authored(row)
    return Entry(
        AUTHORED,
        row.id,
        lesson,
        facts(lesson),
        row.status,
        uses.get(row.lesson_id, []),
        author=None if row.owner_id == teacher.id else row.owner.display_name,
        shared=row.shared,
    )


def _found(entry: Entry, query: str) -> bool:
    return matches(query, entry.lesson.title, entry.lesson.outlet)


def library(session: DbSession, teacher: User, builtin: LessonSet, query: str = "") -> Library:
    """Every lesson this teacher may read, found by ``query`` (words of a title or outlet)."""
    uses = classes_using(session, teacher)
    rows = session.execute(
        sa.select(AuthoredLesson)
        .where(sa.or_(AuthoredLesson.owner_id == teacher.id, AuthoredLesson.shared.is_(True)))
        .options(joinedload(AuthoredLesson.owner))
        .order_by(AuthoredLesson.updated_at.desc(), AuthoredLesson.id.desc())
    ).scalars()
    authored = [authored_entry(row, teacher, uses) for row in rows]
    builtin_entries = [builtin_entry(lesson, uses) for lesson in builtin.lessons.values()]
    problems: dict[str, list[str]] = defaultdict(list)
    for p in builtin.problems:
        problems[p.file].append(f"{p.item}: {p.message}")
    return Library(
        builtin=[e for e in builtin_entries if _found(e, query)],
        broken=[BrokenFile(f, found) for f, found in sorted(problems.items()) if matches(query, f)],
        mine=[e for e in authored if e.author is None and _found(e, query)],
        shared=[e for e in authored if e.author is not None and _found(e, query)],
    )


def readable(session: DbSession, teacher: User, authored_id: int) -> AuthoredLesson | None:
    """A lesson this teacher wrote, or one another teacher shares; None for anyone else's."""
    row = session.get(AuthoredLesson, authored_id)
    if row is None or (row.owner_id != teacher.id and not row.shared):
        return None
    return row


def create_authored(
    session: DbSession,
    owner: User,
    lesson: Lesson,
    builtin: LessonSet,
    *,
    shared: bool = False,
) -> AuthoredLesson:
    """A new draft lesson of ``owner``'s with this content. Its slug must be free: neither a
    built-in lesson's nor another authored one's."""
    taken = (
        lesson.id in builtin.lessons
        or session.execute(sa.select(AuthoredLesson.id).filter_by(lesson_id=lesson.id)).first()
    )
    if taken:
        raise LibraryError(
            f"The lesson id \u201c{lesson.id}\u201d is already used: choose another."
        )
    row = AuthoredLesson(
        owner_id=owner.id,
        lesson_id=lesson.id,
        shared=shared,
        content=json.dumps(lesson.to_dict(), ensure_ascii=False),
    )
    session.add(row)
    session.flush()
    return row


def publish(session: DbSession, row: AuthoredLesson) -> LessonVersion:
    """Freeze the lesson's content as a version (the one new assignments pin)."""
    version = pin_version(session, lesson_of_authored(row))
    row.published_version_id = version.id
    row.status = "published"
    row.updated_at = utcnow()
    session.flush()
    return version
