"""The lesson library: the built-in lessons, a teacher's own and those other teachers share,
with where each is assigned; and the lessons teachers write, stored as ``AuthoredLesson``."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..domain.lessons import SLUG, Lesson, LessonSet, Parsed, parse
from ..domain.lessons.draft import follow_edits, place, plain, slug_for
from ..domain.library import LessonFacts, facts, matches
from ..extensions import DbSession
from ..models import Assignment, AuthoredLesson, Classroom, LessonVersion, User, utcnow
from .lessons import lesson_by_version, pin_version

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
    errors: int = 0  # problems a draft must have fixed before it can be published
    published_version: int | None = None  # the version a draft published last, if any


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


class DraftConflict(Exception):
    """A save made from an older revision of the lesson: it was changed in another tab."""


@lru_cache(maxsize=128)
def _parsed(content: str) -> Parsed:
    """A stored lesson, checked once per worker for as long as its content stays the same."""
    return parse(json.loads(content), "draft")


def checked(row: AuthoredLesson) -> Parsed:
    """The lesson's working copy as the checker reads it: its problems, and the lesson."""
    return _parsed(row.content)


def lesson_of_authored(row: AuthoredLesson) -> Lesson:
    """The lesson as far as it can be read (a draft may have problems still to fix)."""
    return checked(row).read


def data_of(row: AuthoredLesson) -> dict[str, Any]:
    """The working copy: a lesson file's data."""
    data: dict[str, Any] = json.loads(row.content)
    return data


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
    parsed = checked(row)
    lesson = parsed.read
    return Entry(
        AUTHORED,
        row.id,
        lesson,
        facts(lesson),
        row.status,
        uses.get(row.lesson_id, []),
        author=None if row.owner_id == teacher.id else row.owner.display_name,
        shared=row.shared,
        errors=sum(p.is_error for p in parsed.problems),
        published_version=row.published_version_id,
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


def assignable(session: DbSession, teacher: User, builtin: LessonSet) -> dict[str, Lesson]:
    """Every lesson this teacher may assign, by id: the built-in ones, then the published
    version of their own lessons and of those colleagues share (never a draft's changes)."""
    rows = session.execute(
        sa.select(AuthoredLesson.published_version_id)
        .where(
            sa.or_(AuthoredLesson.owner_id == teacher.id, AuthoredLesson.shared.is_(True)),
            AuthoredLesson.published_version_id.is_not(None),
        )
        .order_by(AuthoredLesson.owner_id != teacher.id, AuthoredLesson.id)
    ).scalars()
    published = [lesson_by_version(session, version_id) for version_id in rows if version_id]
    return {**builtin.lessons, **{lesson.id: lesson for lesson in published}}


def readable(session: DbSession, teacher: User, authored_id: int) -> AuthoredLesson | None:
    """A lesson this teacher wrote, or one another teacher shares; None for anyone else's."""
    row = session.get(AuthoredLesson, authored_id)
    if row is None or (row.owner_id != teacher.id and not row.shared):
        return None
    return row


def owned(session: DbSession, teacher: User, authored_id: int) -> AuthoredLesson | None:
    """A lesson this teacher wrote; None for anyone else's, shared or not."""
    row = session.get(AuthoredLesson, authored_id)
    return row if row is not None and row.owner_id == teacher.id else None


def _taken(session: DbSession, builtin: LessonSet, lesson_id: str) -> bool:
    """Whether a lesson id is used: by a built-in lesson or an authored one."""
    return lesson_id in builtin.lessons or (
        session.execute(sa.select(AuthoredLesson.id).filter_by(lesson_id=lesson_id)).first()
        is not None
    )


def free_id(session: DbSession, builtin: LessonSet, title: str) -> str:
    """A lesson id made from a title, numbered when a lesson has it already."""
    return slug_for(title, lambda slug: _taken(session, builtin, slug))


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def create_authored(
    session: DbSession,
    owner: User,
    data: dict[str, Any],
    builtin: LessonSet,
    *,
    shared: bool = False,
) -> AuthoredLesson:
    """A new draft lesson of ``owner``'s with this content (a lesson file's data). Its id must
    be free: neither a built-in lesson's nor another authored one's."""
    lesson_id = data.get("id")
    if not isinstance(lesson_id, str) or not SLUG.fullmatch(lesson_id):
        raise LibraryError("A lesson id is lower-case letters, digits and hyphens.")
    if _taken(session, builtin, lesson_id):
        raise LibraryError(
            f"The lesson id \u201c{lesson_id}\u201d is already used: choose another."
        )
    row = AuthoredLesson(
        owner_id=owner.id,
        lesson_id=lesson_id,
        shared=shared,
        content=_dumps(place(plain(data))),
    )
    session.add(row)
    session.flush()
    return row


def save_draft(
    session: DbSession, row: AuthoredLesson, data: dict[str, Any], revision: int
) -> Parsed:
    """Store the editor's copy of the lesson (its spans placed as quotes, its items kept on
    their words when the article changed) and check it. A published lesson that changes is a
    draft again; its published version stays as it was for the classes that have it.
    Refused when ``revision`` is not the stored one; ``TooDeep`` for data no lesson has."""
    session.refresh(row, with_for_update=True)  # one save at a time (two tabs at once)
    if revision != row.revision:
        raise DraftConflict()
    followed = follow_edits(checked(row).read, plain({**data, "id": row.lesson_id}))
    content = _dumps(place(followed))
    if content != row.content:
        row.content = content
        row.revision += 1
        row.updated_at = utcnow()
        if row.status == "published":
            row.status = "draft"
        session.flush()
    return checked(row)


def publish(session: DbSession, row: AuthoredLesson) -> LessonVersion:
    """Freeze the lesson's content as a version (the one new assignments pin). Refused while
    the checker finds an error."""
    parsed = checked(row)
    if parsed.lesson is None:
        errors = sum(p.is_error for p in parsed.problems)
        raise LibraryError(
            f"This lesson has {errors} problem{'s' if errors != 1 else ''} to fix before it "
            "can be published: each is shown beside its part of the lesson."
        )
    version = pin_version(session, parsed.lesson)
    row.published_version_id = version.id
    row.status = "published"
    row.updated_at = utcnow()
    session.flush()
    return version


def delete(session: DbSession, row: AuthoredLesson) -> None:
    """Delete a lesson no class has. One that is assigned stays: its classes' work is read
    against it (a teacher can stop sharing it instead)."""
    assigned = session.execute(
        sa.select(Assignment.id)
        .join(LessonVersion, LessonVersion.id == Assignment.lesson_version_id)
        .where(LessonVersion.lesson_id == row.lesson_id)
        .limit(1)
    ).first()
    if assigned is not None:
        raise LibraryError(
            "This lesson is assigned to a class, so it stays: students' work is read against "
            "it. You can stop sharing it, so no other teacher assigns it."
        )
    session.delete(row)
    session.flush()


def duplicate(
    session: DbSession, owner: User, data: dict[str, Any], builtin: LessonSet
) -> AuthoredLesson:
    """A draft of ``owner``'s copied from a lesson's data, to adapt: its own id, "(copy)" after
    its title, not shared."""
    title = str(data.get("title") or "Lesson")
    copy = {**data, "title": f"{title} (copy)"}
    copy["id"] = free_id(session, builtin, copy["title"])
    return create_authored(session, owner, copy, builtin)
