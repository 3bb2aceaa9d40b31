"""The save path's SQL, built once from the tables: the gate, the write statements, and the
columns of a stored annotation (``Saved``), all derived from ``Annotation.__table__``; and the
one way the statements are compiled for a driver (``Form``).

``ANNOTATIONS_MAX`` (``cap``): a save that would add an annotation (a new one, or a deleted
one brought back) needs room for it. SQLite counts the student's kept annotations (``KEPT``)
under its write lock, from a partial index alone. PostgreSQL can't count from an index alone
until a vacuum has marked the table's new pages all visible (it visits each kept row), so its
statements read and add one to the student's row of ``annotation_counts`` instead (``at_most``:
never fewer than they keep); a save that finds no room there counts (``RECOUNT``) and writes
the true count."""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import field, make_dataclass
from functools import lru_cache
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.compiler import SQLCompiler

from ..domain.annotations import AnnotationInput
from ..models import (
    Annotation,
    AnnotationCount,
    Assignment,
    Classroom,
    Enrollment,
    Submission,
    User,
)
from ..services import annotation_values

_ann, _asg, _sub, _enr, _cls, _usr, _cnt = (
    cast(sa.Table, m.__table__)
    for m in (Annotation, Assignment, Submission, Enrollment, Classroom, User, AnnotationCount)
)

# the student's annotations on the assignment, deleted ones apart: what ANNOTATIONS_MAX caps.
# SQLite: counted only by a save that would add one (a new annotation, or a deleted one brought
# back), never by an edit; from the partial index ``ix_annotations_kept`` alone, and no further
# than the cap (``cap``): whatever a student keeps, a count of a few hundred index entries.
_mine = _ann.alias("mine")
_kept_rows = (
    sa.select(_mine.c.assignment_id)
    .where(
        _mine.c.assignment_id == sa.bindparam("assignment"),
        _mine.c.student_id == sa.bindparam("student"),
        _mine.c.deleted_at.is_(None),
    )
    .limit(sa.bindparam("cap", type_=sa.Integer))
    .subquery("kept")
)
KEPT = sa.select(sa.func.count()).select_from(_kept_rows).scalar_subquery()

# an annotation's columns but its id, as the gate reads them (labelled: no clash with the rest)
STORED = tuple(c.name for c in _ann.c if c.name != "id")
DATES = frozenset(c.name for c in _ann.c if isinstance(c.type, sa.DateTime))

GATE = (
    sa.select(
        _asg.c.lesson_version_id,
        _sub.c.released_at,
        _sub.c.submitted_at,
        _ann.c.id.label("a_id"),
        *(_ann.c[name].label(f"a_{name}") for name in STORED),
    )
    .select_from(
        _asg.join(
            _usr,
            sa.and_(
                _usr.c.id == sa.bindparam("student"),
                _usr.c.session_version == sa.bindparam("session_version"),
                _usr.c.role == "student",
                _usr.c.password_is_temporary.is_(False),
            ),
        )
        .join(
            _enr,
            sa.and_(_enr.c.classroom_id == _asg.c.classroom_id, _enr.c.student_id == _usr.c.id),
        )
        .join(_cls, _cls.c.id == _asg.c.classroom_id)
        .outerjoin(
            _sub,
            sa.and_(
                _sub.c.assignment_id == _asg.c.id, _sub.c.student_id == sa.bindparam("student")
            ),
        )
        .outerjoin(_ann, _ann.c.id == sa.bindparam("uuid"))
    )
    .where(
        _asg.c.id == sa.bindparam("assignment"),
        _cls.c.archived_at.is_(None),
        _asg.c.archived_at.is_(None),
    )
)

# an annotation's content columns: what ``services.annotation_values`` fills
CONTENT = tuple(annotation_values(AnnotationInput("", None, None, "")))

# the columns to set come with the parameters: content, version, updated_at, deleted_at
UPDATE = _ann.update().where(
    _ann.c.id == sa.bindparam("b_id"), _ann.c.version == sa.bindparam("b_read")
)

# SQLite: RETURNING says whether the row was made (no row: the id was taken meanwhile)
INSERT = sqlite.insert(_ann).on_conflict_do_nothing(index_elements=["id"]).returning(_ann.c.id)


# PostgreSQL: the student's row of ``annotation_counts`` on the assignment
_their_count = sa.and_(
    _cnt.c.assignment_id == sa.bindparam("assignment"),
    _cnt.c.student_id == sa.bindparam("student"),
)


def _one_more(when: sa.ColumnElement[bool]) -> sa.CTE:
    """PostgreSQL: add one to the student's ``at_most`` where ``when`` holds and it is below
    the cap; the statement's write needs the row this returns. The row's lock makes a
    student's saves that add one wait for each other, so none goes past the cap. A write that
    then makes nothing (its id taken meanwhile) leaves the count one above: still never fewer
    than they keep."""
    return (
        sa.update(_cnt)
        .where(_their_count, _cnt.c.at_most < sa.bindparam("cap"), when)
        .values(at_most=_cnt.c.at_most + 1)
        .returning(_cnt.c.at_most)
        .cte("counted")
    )


def _open(gate: sa.CTE) -> tuple[sa.ColumnElement[bool], ...]:
    """The gate passed, on the lesson version the save was checked against, the work open."""
    return (
        gate.c.lesson_version_id == sa.bindparam("lesson_version"),
        gate.c.released_at.is_(None),
        gate.c.submitted_at.is_(None),
    )


def _all_of(gate: sa.CTE) -> sa.ColumnClause:
    """The gate's columns, in its order (``GateRow``), as ``gate.*``: each named, they made
    the edit's statement longer than psycopg keeps converted (``test_postgres``), and every
    edit paid for parsing it again."""
    return sa.literal_column(f"{gate.name}.*")


# PostgreSQL: the gate and the INSERT of a new annotation as one statement (one round trip).
# The row is made only where ``plan_put`` would make it: the gate passes, nothing is stored
# under the id, the work is open, the assignment is on the lesson version the save was
# checked against, and the student's count has room (and gains one); the gate's columns come
# back as they were before the statement either way.
_gate_cte = GATE.cte("gate")
_NEW = [c.name for c in _ann.c]
_counted = _one_more(
    sa.exists(
        sa.select(_gate_cte.c.lesson_version_id).where(
            _gate_cte.c.a_id.is_(None), *_open(_gate_cte)
        )
    )
)
_made = (
    postgresql.insert(_ann)
    .from_select(
        _NEW,
        sa.select(*(sa.bindparam(f"new_{c}", type_=_ann.c[c].type) for c in _NEW)).where(
            sa.exists(_counted.select())
        ),
    )
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(_ann.c.id)
    .cte("made")
)
GATE_AND_CREATE = sa.select(
    _all_of(_gate_cte), sa.exists(_made.select()).label("made")
).select_from(_gate_cte)


def _new(name: str) -> sa.BindParameter:
    return sa.bindparam(f"new_{name}", type_=_ann.c[name].type)


# PostgreSQL: the gate and the UPDATE of an edit as one statement, at the version it names
# (``If-Match``, or the version the gate read). The row changes only where ``plan_put`` would
# say UPDATE: the gate passes, the work is open, the lesson version is the one checked, the
# row is this student's on this assignment at the version named, and it was deleted or its
# content differs. Bringing back a deleted one needs room in the student's count (and adds
# one). Anything else changes nothing, and the gate's row (as it was before the statement)
# says what, as for a create.
# Content: every stored column of it equal (not how it was anchored). Equal columns mean
# ``same_content`` (the fields are JSON written one way, ``annotation_values``), so a save
# this statement leaves alone as unchanged is one ``plan_put`` calls SAME too.
_gate_u = GATE.cte("gate")
_theirs = (
    _ann.c.id == sa.bindparam("uuid"),
    _ann.c.version == sa.bindparam("if_match"),
    _ann.c.student_id == sa.bindparam("student"),
    _ann.c.assignment_id == sa.bindparam("assignment"),
)
_unchanged = sa.and_(
    _ann.c.deleted_at.is_(None),
    *(_ann.c[c].is_not_distinct_from(_new(c)) for c in CONTENT if c != "anchored_by"),
)
_restored = _one_more(
    sa.exists(
        sa.select(_gate_u.c.a_id).where(
            _gate_u.c.a_deleted_at.is_not(None),
            _gate_u.c.a_version == sa.bindparam("if_match"),
            _gate_u.c.a_student_id == sa.bindparam("student"),
            _gate_u.c.a_assignment_id == sa.bindparam("assignment"),
            *_open(_gate_u),
        )
    )
)
_changed = (
    sa.update(_ann)
    .where(
        *_theirs,
        sa.not_(_unchanged),
        sa.exists(
            sa.select(_gate_u.c.a_id).where(
                _gate_u.c.a_id.is_not(None),
                *_open(_gate_u),
                sa.or_(_gate_u.c.a_deleted_at.is_(None), sa.exists(_restored.select())),
            )
        ),
    )
    .values(
        {
            **{c: _new(c) for c in CONTENT},
            "version": _ann.c.version + 1,
            "updated_at": _new("updated_at"),
            "deleted_at": sa.null(),
        }
    )
    .returning(_ann.c.version)
    .cte("changed")
)
GATE_AND_UPDATE = sa.select(
    _all_of(_gate_u), sa.select(_changed.c.version).scalar_subquery().label("changed")
).select_from(_gate_u)

# PostgreSQL: count the student's kept annotations and write the count to their row of
# ``annotation_counts`` (made if missing). In one transaction: first take the row's lock
# (``HOLD_COUNT``), so every save adding one has committed or waits; then count, seeing all
# of them (read committed: each statement reads what is committed when it starts).
HOLD_COUNT = (
    postgresql.insert(_cnt)
    .values(assignment_id=sa.bindparam("assignment"), student_id=sa.bindparam("student"), at_most=0)
    .on_conflict_do_update(
        index_elements=["assignment_id", "student_id"], set_={"at_most": _cnt.c.at_most}
    )
)
RECOUNT = sa.update(_cnt).where(_their_count).values(at_most=KEPT).returning(_cnt.c.at_most)
EVERY = 2**31 - 1  # RECOUNT's ``cap``: count them all, as the cap may have been lowered since


def _fields(self: Any) -> dict[str, str]:
    return json.loads(self.fields_json or "{}")


# An annotation as stored, with the attributes of ``models.Annotation`` that answers show
# (``web.present.annotation_json``): plain data, cheaper to make than a model. Its fields are
# the table's columns, in the table's order.
Saved: Any = make_dataclass(
    "Saved",
    [(c.name, Any, field()) for c in _ann.c],
    namespace={"fields": property(_fields), "__module__": __name__},
    slots=True,
)

# the gate's columns, named as it selects them (mypy wants the names written out)
GateRow = namedtuple("GateRow", list(GATE.selected_columns.keys()))  # type: ignore[misc]
GATE_DATES = tuple(
    i for i, c in enumerate(GATE.selected_columns) if isinstance(c.type, sa.DateTime)
)


def stored(row: Any) -> Any:
    """The annotation the gate found under the id, as ``Saved``."""
    return Saved(id=row.a_id, **{name: getattr(row, f"a_{name}") for name in STORED})


class Form(NamedTuple):
    """A statement compiled for one driver: its SQL, with named parameters, and the values of
    the statement's own constants (such as the role 'student'), which a call's parameters
    complete."""

    sql: str
    constants: dict[str, Any]

    @classmethod
    def of(cls, stmt: sa.ClauseElement, dialect: sa.Dialect, keys: list[str] | None = None) -> Form:
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect, column_keys=keys))
        # a parameter without a value of the statement's own is the call's to give: one it
        # leaves out is an error from the driver, never a placeholder bound in its place
        given = {name for name, bind in compiled.binds.items() if bind.required}
        return cls(compiled.string, {k: v for k, v in compiled.params.items() if k not in given})

    def params(self, given: dict[str, Any]) -> dict[str, Any]:
        return {**self.constants, **given}


SQLITE = sqlite.dialect(paramstyle="named")
PSYCOPG = postgresql.psycopg.dialect()


@lru_cache(maxsize=8)
def update_form(dialect: sa.Dialect, keys: tuple[str, ...]) -> Form:
    """``UPDATE`` setting the columns among ``keys`` (the rest name the row: ``b_``)."""
    return Form.of(UPDATE, dialect, [k for k in keys if not k.startswith("b_")])


def kept(raw: Any, kind: Any) -> Any:
    """A backend's statements on a pooled DBAPI connection (``kind(connection)``), made once
    and kept with the connection."""
    statements = raw.info.get("save_statements")
    if statements is None:
        statements = raw.info["save_statements"] = kind(raw.driver_connection)
    return statements
