"""What a URL names, loaded for the person asking, or 404: one loader per resource.

Ids in URLs are matched by the ``id`` converter (``<id:assignment_id>``), which takes only
what an ``id`` column can hold (``ID_MAX``, from the column's type: PostgreSQL's INTEGER is
32-bit), so a larger number is a 404 from the URL map and never reaches a query. Someone
else's class, assignment or student is a 404 too, never a 403: a stranger can't tell it from
one that doesn't exist.
"""

from __future__ import annotations

import re
from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from .. import services
from ..extensions import db
from ..models import Assignment, AuthoredLesson, Classroom
from ..services import class_work, library, rosters

T = TypeVar("T")

BITS = {sa.SmallInteger: 16, sa.BigInteger: 64, sa.Integer: 32}  # subclasses first


def largest(column: sa.ColumnElement) -> int:
    """The largest value an integer column holds on every database the app runs on."""
    bits = next(b for kind, b in BITS.items() if isinstance(column.type, kind))
    return 2 ** (bits - 1) - 1


ID_MAX = largest(Assignment.__table__.c.id)  # every table's id has this type (a test checks)


def up_to(n: int) -> str:
    """A regular expression for the whole numbers 1 to ``n`` (leading zeros allowed)."""
    top = str(n)
    shorter = [rf"[1-9]\d{{0,{len(top) - 2}}}"] if len(top) > 1 else []
    same_length = [
        f"{top[:i]}[{int(i == 0)}-{int(d) - 1}]" + rf"\d{{{len(top) - i - 1}}}"
        for i, d in enumerate(top)
        if int(d) > int(i == 0)
    ]
    return "0*(?:" + "|".join([*shorter, *same_length, top]) + ")"


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id, 1 to ``ID_MAX``. The bound is in the pattern, not a check
    after it, so a URL with any other number matches no route at all: a 404 (a check after
    matching would answer 405 where another method's route has the same path)."""

    regex = up_to(ID_MAX)


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def found(thing: T | None) -> T:
    """What a loader found, or 404."""
    if thing is None:
        abort(404)
    return thing


def teacher_classroom(classroom_id: int) -> Classroom:
    """The current teacher's own class."""
    return found(services.teacher_classroom(db.session, current_user, classroom_id))


def teacher_assignment(assignment_id: int) -> Assignment:
    """An assignment in one of the current teacher's classes."""
    return found(class_work.teacher_assignment(db.session, current_user, assignment_id))


def student_assignment(assignment_id: int) -> Assignment:
    """An assignment of a class the current student is in (no one else's, whatever role)."""
    if not current_user.is_student:
        abort(404)
    return found(services.assignment_for_student(db.session, current_user, assignment_id))


def readable_lesson(authored_id: int) -> AuthoredLesson:
    """A lesson the current teacher wrote, or one another teacher shares."""
    return found(library.readable(db.session, current_user, authored_id))


def own_lesson(authored_id: int) -> AuthoredLesson:
    """A lesson the current teacher wrote (a colleague's, even shared, is not theirs to edit)."""
    return found(library.owned(db.session, current_user, authored_id))


def roster_entry(classroom: Classroom, student_id: int) -> rosters.RosterEntry:
    """A student in this class."""
    return found(rosters.roster_entry(db.session, classroom, student_id))


def annotation_id(uuid: str) -> str:
    """An annotation's id as stored (a lower-case UUID); anything else names none."""
    uuid = uuid.lower()
    if not UUID.match(uuid):
        abort(404)
    return uuid
