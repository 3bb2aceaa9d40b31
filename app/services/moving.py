"""Moving an assignment to a newer version of its lesson: which version is newer (for built-in
lessons and authored ones alike), what the move would do to the students' work (no writes),
and the move itself, in the request's transaction. The rules are ``domain.moving``'s.

An orphan (an annotation the new text has no place for) is stored with ``anchored_by =
'orphan'``, no offsets, and its old words and context in ``exact``, ``prefix`` and ``suffix``:
the columns an annotation already has, so nothing is dropped and every reader that handles an
annotation without a place (scores, summaries, exports) handles an orphan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa

from ..domain.anchoring import Target
from ..domain.lessons import Lesson, LessonSet
from ..domain.moving import (
    ORPHAN,
    WHOLE,
    MovePlan,
    ToMove,
    Words,
    fits,
    plan_move,
    what_changed,
)
from ..extensions import DbSession
from ..models import Annotation, Assignment, AuthoredLesson
from .lessons import lesson_by_version, lesson_of, pin_version

BUILTIN = "builtin"
AUTHORED = "authored"


class MoveError(ValueError):
    """A move that can't be made as asked; the message says why, in words."""


@dataclass(frozen=True)
class NewerVersion:
    """A version of an assignment's lesson newer than the one it is pinned to: the current
    file of a built-in lesson, or the last published version of an authored one."""

    lesson: Lesson
    kind: str  # BUILTIN or AUTHORED
    version_id: int | None  # the stored LessonVersion; None: a file's, pinned when moved to

    @property
    def version(self) -> str:
        return self.lesson.version


def newer_versions(
    session: DbSession, assignments: Iterable[Assignment], builtin: LessonSet
) -> dict[int, NewerVersion]:
    """Per assignment id, the newer version of its lesson, for those that have one.

    "Newer" means: for a built-in lesson (a slug among ``builtin``'s), the file's current
    content hashes to another version than the assignment's; for an authored lesson, its
    published version is another than the assignment's, and the class's teacher may still
    read it (theirs, or shared). A lesson file that no longer loads offers nothing. One query
    for any number of authored lessons, none for built-in ones.
    """
    out: dict[int, NewerVersion] = {}
    authored: list[Assignment] = []
    for a in assignments:
        pinned = a.lesson_version
        current = builtin.lessons.get(pinned.lesson_id)
        if current is not None:
            if current.version != pinned.version:
                out[a.id] = NewerVersion(current, BUILTIN, None)
        else:
            authored.append(a)
    if not authored:
        return out
    slugs = {a.lesson_version.lesson_id for a in authored}
    rows = session.execute(
        sa.select(
            AuthoredLesson.lesson_id,
            AuthoredLesson.owner_id,
            AuthoredLesson.shared,
            AuthoredLesson.published_version_id,
        ).where(
            AuthoredLesson.lesson_id.in_(slugs), AuthoredLesson.published_version_id.is_not(None)
        )
    ).all()
    published = {r.lesson_id: r for r in rows}
    for a in authored:
        r = published.get(a.lesson_version.lesson_id)
        if r is None or r.published_version_id == a.lesson_version_id:
            continue
        if r.owner_id == a.classroom.teacher_id or r.shared:
            lesson = lesson_by_version(session, r.published_version_id)
            out[a.id] = NewerVersion(lesson, AUTHORED, r.published_version_id)
    return out


def newer_version(
    session: DbSession, assignment: Assignment, builtin: LessonSet
) -> NewerVersion | None:
    """The newer version of the assignment's lesson (see ``newer_versions``), or None."""
    return newer_versions(session, [assignment], builtin).get(assignment.id)


# ---------------------------------------------------------------- the move


@dataclass(frozen=True)
class MovePreview:
    """What moving the assignment to ``newer`` would do, before anything is written."""

    current: Lesson
    newer: NewerVersion
    plan: MovePlan
    changes: list[str]  # what changed between the versions, one sentence each


def _to_move(session: DbSession, assignment: Assignment) -> list[ToMove]:
    """Every annotation of the assignment (deleted ones too: an undo brings them back)."""
    rows = session.execute(
        sa.select(
            Annotation.id,
            Annotation.student_id,
            Annotation.category,
            Annotation.prompt_id,
            Annotation.start_offset,
            Annotation.end_offset,
            Annotation.exact,
            Annotation.prefix,
            Annotation.suffix,
            Annotation.anchored_by,
            Annotation.deleted_at,
        )
        .where(Annotation.assignment_id == assignment.id)
        .order_by(Annotation.student_id, Annotation.created_at, Annotation.id)
    )
    out = []
    for r in rows:
        target = was = None
        if r.start_offset is not None and r.end_offset is not None:
            target = Target(r.start_offset, r.end_offset, r.exact, r.prefix, r.suffix)
        elif r.anchored_by == ORPHAN:
            was = Words(r.exact, r.prefix, r.suffix)
        out.append(
            ToMove(r.id, r.student_id, r.category, r.prompt_id, target, was, r.deleted_at is None)
        )
    return out


def _plan(session: DbSession, assignment: Assignment, current: Lesson, new: Lesson) -> MovePlan:
    prompts = [(p.id, p.category) for p in new.prompts]
    return plan_move(current.text, new.text, _to_move(session, assignment), prompts)


def preview(session: DbSession, assignment: Assignment, builtin: LessonSet) -> MovePreview | None:
    """What a move to the newer version would do (None: there is none). Writes nothing."""
    newer = newer_version(session, assignment, builtin)
    if newer is None:
        return None
    current = lesson_of(assignment)
    plan = _plan(session, assignment, current, newer.lesson)
    return MovePreview(current, newer, plan, what_changed(current, newer.lesson))


def apply(
    session: DbSession, assignment: Assignment, builtin: LessonSet, to_version: str
) -> MovePlan:
    """Move the assignment to the newer version the teacher reviewed (``to_version``, its
    hash): every annotation re-anchored, orphans kept, the assignment pinned to it. Flushes;
    the view commits. Raises MoveError if there is no newer version any more, or another.

    The assignment's row is locked first (PostgreSQL: ``FOR UPDATE``; SQLite's write lock is
    already held), so two moves of one assignment wait for each other and a save in flight
    has landed before the annotations are read. A moved annotation's ``version`` goes up (a
    tab still showing the old text meets a conflict rather than overwriting it); its
    ``updated_at`` stays, since the student did nothing.
    """
    session.refresh(assignment, with_for_update=True)
    newer = newer_version(session, assignment, builtin)
    if newer is None:
        raise MoveError("This assignment already uses the newest version of its lesson.")
    if newer.version != to_version:
        raise MoveError(
            "The lesson changed again since you opened the review: look at the new summary "
            "before you move the assignment."
        )
    plan = _plan(session, assignment, lesson_of(assignment), newer.lesson)
    _write(session, plan)
    version = newer.version_id or pin_version(session, newer.lesson).id
    assignment.lesson_version_id = version
    session.flush()
    session.expire(assignment, ["lesson_version"])
    return plan


def _write(session: DbSession, plan: MovePlan) -> None:
    """Each annotation's new place and how it got there, in one statement per kind of change
    (executemany): content changes move the version on; only the method: just that."""
    moved, relabelled = [], []
    for x in plan.landings:
        if not x.changed:
            if x.method != WHOLE:
                relabelled.append({"b_id": x.id, "how": x.method})
            continue
        t, w = x.target, x.was
        moved.append(
            {
                "b_id": x.id,
                # what the save path stores for an annotation without a place
                "n_anchored_by": x.method if x.method != WHOLE else "exact",
                "n_prompt_id": x.prompt_id,
                "n_start_offset": t.start if t else None,
                "n_end_offset": t.end if t else None,
                "n_exact": t.exact if t else (w.exact if w else ""),
                "n_prefix": t.prefix if t else (w.prefix if w else ""),
                "n_suffix": t.suffix if t else (w.suffix if w else ""),
            }
        )
    table = cast(sa.Table, Annotation.__table__)
    if moved:
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                {
                    **{k[2:]: sa.bindparam(k) for k in moved[0] if k.startswith("n_")},
                    "version": table.c.version + 1,
                }
            ),
            moved,
        )
    if relabelled:
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.anchored_by != sa.bindparam("how"))
            .values(anchored_by=sa.bindparam("how")),
            relabelled,
        )


def settle(session: DbSession, assignment: Assignment) -> int:
    """After a move is committed: place again any annotation whose target doesn't fit the
    assignment's text (PostgreSQL: a save checked against the old version whose statement
    started before the move committed, and waited on its lock). Returns how many; flushes."""
    lesson = lesson_of(assignment)
    stale = [
        a
        for a in _to_move(session, assignment)
        if a.target is not None and not fits(lesson.text, a.target)
    ]
    if not stale:
        return 0
    # they were checked against an older text: place them by their words, as a move does
    prompts = [(p.id, p.category) for p in lesson.prompts]
    plan = plan_move(None, lesson.text, stale, prompts)
    _write(session, plan)
    session.flush()
    return len(stale)
