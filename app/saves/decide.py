"""One attempt of a save, and what the gate's row decides about it: the part every database
shares. A backend (``backends``) runs the statements; ``domain.annotations.plan_put`` decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..domain.annotations import CONFLICT, SAME, AnnotationInput, plan_put
from ..services import NotYours, TooMany, VersionConflict, WorkClosed, input_of
from .statements import CONTENT, Saved, stored


class Backend(Protocol):
    """A database's way to run one attempt of a save (``sqlite``, ``postgres``): the gate and
    the write, on a DBAPI connection of its own, committed. None: decide again from what is
    stored now. Its gate methods are the ones ``gate`` calls."""

    def gate(self, params: dict[str, Any]) -> Any: ...

    def kept(self, params: dict[str, Any]) -> int: ...

    def write(self, attempt: Attempt) -> tuple[Any, bool] | None: ...


class Student(NamedTuple):
    """Who the session says is saving: checked by the gate, not before."""

    id: int
    session_version: int


class NotMember(Exception):
    """The session's login has ended, or it is not a student of this assignment's class (or
    the class is archived): the API's 401 or 404."""


class LessonMoved(Exception):
    """The assignment is pinned to another lesson version than the one the save was checked
    against (moved to a newer version, or an id SQLite reused after a deletion): check it
    again."""

    def __init__(self, version_id: int) -> None:
        super().__init__(version_id)
        self.version_id = version_id


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a save: who, where, what (checked against ``version_id``), the version it
    names (``If-Match``), ``new``, the row a create inserts (made before any statement), and
    ``cap``, the most annotations the student may keep on the assignment."""

    student: Student
    assignment_id: int
    uuid: str
    version_id: int
    data: AnnotationInput
    if_match: int | None
    new: dict[str, Any]
    cap: int

    def with_new(self) -> dict[str, Any]:
        """The parameters of a statement that writes with its gate (PostgreSQL)."""
        return {
            "lesson_version": self.version_id,
            "cap": self.cap,
            **{f"new_{k}": v for k, v in self.new.items()},
        }

    def created(self) -> tuple[Any, bool]:
        return Saved(**self.new), True

    def edited(self, version: int, created_at: Any) -> tuple[Any, bool]:
        """The new content at ``version``, made when the annotation was first made."""
        return Saved(**{**self.new, "version": version, "created_at": created_at}), False

    def update_params(self, read: int) -> dict[str, Any]:
        """An UPDATE of the row at version ``read`` to the new content, at the next version."""
        return {
            **{name: self.new[name] for name in CONTENT},
            "version": read + 1,
            "updated_at": self.new["updated_at"],
            "deleted_at": None,
            "b_id": self.uuid,
            "b_read": read,
        }


def gate(
    statements: Any,
    student: Student,
    assignment_id: int,
    uuid: str,
    create: dict[str, Any] | None = None,
    update: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """The gate's row (NotMember if none) and what was written with it (PostgreSQL): whether
    ``create`` (the new row's columns and the lesson version it was checked against) was
    inserted, or the version ``update`` (the same, and the version named by ``If-Match``)
    made (None: none)."""
    params = {
        "student": student.id,
        "session_version": student.session_version,
        "assignment": assignment_id,
        "uuid": uuid,
    }
    if create is not None:
        row, written = statements.gate_and_create({**params, **create})
    elif update is not None:
        row, written = statements.gate_and_update({**params, **update})
    else:
        row, written = statements.gate(params), None
    if row is None:
        raise NotMember
    return row, written


def decide(attempt: Attempt, row: Any) -> tuple[str, Any]:
    """What the gate's row says to do: ``plan_put``'s plan and the annotation stored under the
    id (None: nothing). Raises LessonMoved, WorkClosed, NotYours or VersionConflict."""
    if row.lesson_version_id != attempt.version_id:
        raise LessonMoved(row.lesson_version_id)
    if row.released_at is not None:
        raise WorkClosed(None, row.released_at)
    if row.submitted_at is not None:
        raise WorkClosed(row.submitted_at)
    found = stored(row) if row.a_id is not None else None
    if found is not None and (
        found.student_id != attempt.student.id or found.assignment_id != attempt.assignment_id
    ):
        raise NotYours
    plan = plan_put(
        None if found is None else input_of(found),
        None if found is None else found.version,
        found is not None and found.deleted_at is not None,
        attempt.data,
        attempt.if_match,
    )
    if plan == CONFLICT:
        raise VersionConflict(found)
    return plan, found


def make_room(backend: Backend, attempt: Attempt, plan: str, found: Any) -> None:
    """TooMany if the plan adds an annotation (a new one, or a deleted one brought back) and
    the student already keeps ``attempt.cap`` on the assignment. Only such a save counts."""
    if plan == SAME or (found is not None and found.deleted_at is None):
        return
    params = {
        "assignment": attempt.assignment_id,
        "student": attempt.student.id,
        "cap": attempt.cap,
    }
    if backend.kept(params) >= attempt.cap:
        raise TooMany(attempt.cap)
