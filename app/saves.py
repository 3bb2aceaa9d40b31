"""Saving an annotation through the API: the hot path of every lesson page, on SQLAlchemy Core.

A whole class autosaves at once, so a save is built to do little and to hold the database's
write lock as briefly as possible. Everything that needs no lock happens first: CSRF, the rate
limit and validation against the lesson (a pure function; which lesson version an assignment
uses, and the lesson, are kept per worker). Then two statements, on SQLite in one short
transaction:

1. the *gate*: one query that says whether the session's login still holds (the user id and
   session version the signed cookie names: no user is loaded before it; and not on a
   one-time password, which must be replaced before any work is saved), whether that
   student is in the assignment's class (and the class not archived), whether their work is
   still open (not submitted, feedback not released) and what is stored under the
   annotation's id;
2. one ``INSERT ... ON CONFLICT DO NOTHING`` or one ``UPDATE ... WHERE version = <read>``.

On SQLite the transaction starts with ``BEGIN IMMEDIATE``, so the gate and the write see the
same state; the statements, and the transaction, run on the sqlite3 connection itself. On PostgreSQL
they run without a transaction around them (see ``put_annotation``), on psycopg directly,
from a pool of their own that doesn't ping (``_save_engine``), and a new annotation's gate
and INSERT are one statement (``GATE_AND_CREATE``), as are an edit's gate and UPDATE when it
names its version (``GATE_AND_UPDATE``): one round trip. A concurrent save of the
same id makes the INSERT do nothing or the UPDATE match no row, and the save is decided again
from the new state. Either way a retry can never double a save, and no save overwrites a
version it did not read. The decisions are ``domain.annotations.plan_put``, shared with the
ORM path the no-JavaScript form uses (``services.put_annotation``).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

import psycopg
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from .domain.annotations import (
    CONFLICT,
    CREATE,
    SAME,
    AnnotationInput,
    Invalid,
    plan_put,
    validate_annotation,
)
from .extensions import db
from .models import Annotation, Assignment, Classroom, Enrollment, Submission, User, utcnow
from .services import (
    NotYours,
    VersionConflict,
    WorkClosed,
    annotation_values,
    input_of,
    lesson_by_version,
)

ATTEMPTS = 5  # times a save is decided again (a lost race for its id, a lesson version unseen)

_ann = Annotation.__table__
_asg = Assignment.__table__
_sub = Submission.__table__
_enr = Enrollment.__table__
_cls = Classroom.__table__
_usr = User.__table__

# the stored annotation's columns, as the gate reads them (labelled: no clash with the rest)
_STORED = (
    "assignment_id",
    "student_id",
    "category",
    "prompt_id",
    "start_offset",
    "end_offset",
    "exact",
    "prefix",
    "suffix",
    "anchored_by",
    "note",
    "fields_json",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
)

GATE = (
    sa.select(
        _asg.c.lesson_version_id,
        _asg.c.released_at,
        _sub.c.submitted_at,
        _ann.c.id.label("a_id"),
        *(_ann.c[name].label(f"a_{name}") for name in _STORED),
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
    .where(_asg.c.id == sa.bindparam("assignment"), _cls.c.archived_at.is_(None))
)

# an annotation's content columns: what ``services.annotation_values`` fills
CONTENT = tuple(annotation_values(AnnotationInput("", None, None, "")))

# the columns to set come with the parameters: content, version, updated_at, deleted_at
UPDATE = _ann.update().where(
    _ann.c.id == sa.bindparam("b_id"), _ann.c.version == sa.bindparam("b_read")
)

# SQLite: RETURNING says whether the row was made (no row: the id was taken meanwhile)
INSERT = sqlite.insert(_ann).on_conflict_do_nothing(index_elements=["id"]).returning(_ann.c.id)


# PostgreSQL: the gate and the INSERT of a new annotation as one statement (one round trip).
# The row is made only where ``plan_put`` would make it: the gate passes, nothing is stored
# under the id, the work is open and the assignment is on the lesson version the save was
# checked against; the gate's columns come back as they were before the statement either way.
_gate_cte = GATE.cte("gate")
_NEW = [c.name for c in _ann.c]
_made = (
    postgresql.insert(_ann)
    .from_select(
        _NEW,
        sa.select(*(sa.bindparam(f"new_{c}", type_=_ann.c[c].type) for c in _NEW)).where(
            _gate_cte.c.a_id.is_(None),
            _gate_cte.c.lesson_version_id == sa.bindparam("lesson_version"),
            _gate_cte.c.released_at.is_(None),
            _gate_cte.c.submitted_at.is_(None),
        ),
    )
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(_ann.c.id)
    .cte("made")
)
GATE_AND_CREATE = sa.select(*_gate_cte.c, sa.exists(_made.select()).label("made"))


def _new(name: str) -> sa.BindParameter:
    return sa.bindparam(f"new_{name}", type_=_ann.c[name].type)


# PostgreSQL: the gate and the UPDATE of an edit sent with ``If-Match`` as one statement. The
# row changes only where ``plan_put`` would say UPDATE: the gate passes, the work is open, the
# lesson version is the one checked, the row is this student's on this assignment at the
# version named, and it was deleted or its content differs. Anything else changes nothing,
# and the gate's row (as it was before the statement) says what, as for a create.
# Content: every stored column of it equal (not how it was anchored). Equal columns mean
# ``same_content`` (the fields are JSON written one way, ``annotation_values``), so a save
# this statement leaves alone as unchanged is one ``plan_put`` calls SAME too.
_gate_u = GATE.cte("gate")
_unchanged = sa.and_(
    _ann.c.deleted_at.is_(None),
    *(_ann.c[c].is_not_distinct_from(_new(c)) for c in CONTENT if c != "anchored_by"),
)
_changed = (
    sa.update(_ann)
    .where(
        _ann.c.id == sa.bindparam("uuid"),
        _ann.c.version == sa.bindparam("if_match"),
        _ann.c.student_id == sa.bindparam("student"),
        _ann.c.assignment_id == sa.bindparam("assignment"),
        sa.not_(_unchanged),
        sa.exists(
            sa.select(_gate_u.c.a_id).where(
                _gate_u.c.a_id.is_not(None),
                _gate_u.c.lesson_version_id == sa.bindparam("lesson_version"),
                _gate_u.c.released_at.is_(None),
                _gate_u.c.submitted_at.is_(None),
            )
        ),
    )
    .values(
        {
            **{c: _new(c) for c in CONTENT},
            "version": _ann.c.version + 1,
            "updated_at": _new("updated_at"),
            "deleted_at": None,
        }
    )
    .returning(_ann.c.version)
    .cte("changed")
)
GATE_AND_UPDATE = sa.select(
    *_gate_u.c, sa.select(_changed.c.version).scalar_subquery().label("changed")
)


class Student(NamedTuple):
    """Who the session says is saving: checked by the gate, not before."""

    id: int
    session_version: int


class NotMember(Exception):
    """The session's login has ended, or it is not a student of this assignment's class (or
    the class is archived): the API's 401 or 404."""


@dataclass(slots=True)
class Saved:
    """An annotation as stored, with the attributes of ``models.Annotation`` that answers
    show (``web.present.annotation_json``); plain data, cheaper to make than a model."""

    id: str
    assignment_id: int
    student_id: int
    category: str
    prompt_id: str | None
    start_offset: int | None
    end_offset: int | None
    exact: str
    prefix: str
    suffix: str
    anchored_by: str
    note: str
    fields_json: str
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @property
    def fields(self) -> dict[str, str]:
        return json.loads(self.fields_json or "{}")


def _stored(row: sa.Row) -> Saved:
    """The annotation the gate found under the id."""
    return Saved(id=row.a_id, **{name: getattr(row, f"a_{name}") for name in _STORED})


class _Core:
    """The gate through SQLAlchemy Core, on the request's session (the first save of an
    assignment in a worker, and the membership check before a refusal)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def gate(self, params: dict[str, Any]) -> Any:
        return self.conn.execute(GATE, params).first()


_SQLITE = sqlite.dialect()
_to_text = sqlite.DATETIME().bind_processor(_SQLITE)
_from_text = sqlite.DATETIME().result_processor(_SQLITE, None)
_GateRow = namedtuple("_GateRow", list(GATE.selected_columns.keys()))
_GATE_DATES = [i for i, c in enumerate(GATE.selected_columns) if isinstance(c.type, sa.DateTime)]


def _sqlite_form(stmt: sa.Executable, keys: list[str] | None = None) -> tuple[str, tuple]:
    """The statement's SQL for sqlite3, and what fills each ``?``: a parameter's name, or
    ``(value,)`` for a constant of the statement's own (such as the role 'student')."""
    compiled = stmt.compile(dialect=_SQLITE, column_keys=keys)
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    return compiled.string, tuple((fixed[n],) if n in fixed else n for n in compiled.positiontup)


def _fill(names: tuple, params: dict[str, Any]) -> list[Any]:
    return [
        n[0] if isinstance(n, tuple) else _to_text(params[n]) if n in _DATES else params[n]
        for n in names
    ]


class _SQLite:
    """The same statements, compiled once, run on the sqlite3 connection itself, in a
    transaction of their own (``transaction``): a fifth of SQLAlchemy's cost per statement,
    and this is the time the write lock is held, every save of the class waiting behind it."""

    writes_with_gate = False

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cursor = conn.cursor()

    def transaction(self, attempt: Callable[[_SQLite], Any]) -> Any:
        """``attempt`` between ``BEGIN IMMEDIATE`` (the write lock, taken at once, so the gate
        and the write see the same state) and ``COMMIT``; rolled back if it returns None
        (decide again) or raises."""
        self._run(_BEGIN, {})
        try:
            result = attempt(self)
            if result is not None:
                self._run(_COMMIT, {})
                return result
        except BaseException:
            self._end()
            raise
        self._end()
        return None

    def _end(self) -> None:
        if self.conn.in_transaction:
            self._run(_ROLLBACK, {})

    def gate(self, params: dict[str, Any]) -> Any:
        row = self._run(_SQLITE_GATE, params).fetchone()
        if row is None:
            return None
        row = list(row)
        for i in _GATE_DATES:
            row[i] = _from_text(row[i])
        return _GateRow(*row)

    def _run(self, form: tuple[str, tuple], params: dict[str, Any]) -> sqlite3.Cursor:
        sql, names = form
        try:
            return self.cursor.execute(sql, _fill(names, params))
        except sqlite3.Error as e:  # as SQLAlchemy would raise it (the error log relies on it)
            raise sa.exc.DBAPIError.instance(
                sql, None, e, sqlite3.Error, hide_parameters=True, dialect=_SQLITE
            ) from e

    def insert(self, values: dict[str, Any]) -> bool:
        return self._run(_sqlite_insert(tuple(values)), values).fetchone() is not None

    def update(self, params: dict[str, Any]) -> bool:
        return self._run(_sqlite_update(tuple(params)), params).rowcount == 1


_DATES = {"created_at", "updated_at", "deleted_at"}
_SQLITE_GATE = _sqlite_form(GATE)
_BEGIN, _COMMIT, _ROLLBACK = ("BEGIN IMMEDIATE", ()), ("COMMIT", ()), ("ROLLBACK", ())


@lru_cache(maxsize=4)
def _sqlite_insert(keys: tuple[str, ...]) -> tuple[str, tuple]:
    return _sqlite_form(INSERT, list(keys))


@lru_cache(maxsize=4)
def _sqlite_update(keys: tuple[str, ...]) -> tuple[str, tuple]:
    return _sqlite_form(UPDATE, [k for k in keys if not k.startswith("b_")])


_PSYCOPG = postgresql.psycopg.dialect()


def _psycopg_form(stmt: sa.Executable, keys: list[str] | None = None) -> tuple[str, dict]:
    """The statement's SQL for psycopg (named ``%(name)s`` parameters), and the values of the
    statement's own constants (such as the role 'student')."""
    compiled = stmt.compile(dialect=_PSYCOPG, column_keys=keys)
    return compiled.string, {
        compiled.bind_names[b]: b.value for b in compiled.binds.values() if not b.required
    }


_PG_GATE = _psycopg_form(GATE)
_PG_GATE_AND_CREATE = _psycopg_form(GATE_AND_CREATE)
_PG_GATE_AND_UPDATE = _psycopg_form(GATE_AND_UPDATE)


@lru_cache(maxsize=4)
def _pg_update(keys: tuple[str, ...]) -> tuple[str, dict]:
    return _psycopg_form(UPDATE, [k for k in keys if not k.startswith("b_")])


class _Postgres:
    """The statements, compiled once, run on a psycopg connection of the save pool (see
    ``_save_engine``): SQLAlchemy's execution costs more than the statements, and a new
    annotation (most saves) is checked and made in one statement, one round trip; so is an
    edit that names its version (``If-Match``), as the page's do."""

    writes_with_gate = True

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.cursor = conn.cursor()

    def _run(self, form: tuple[str, dict], params: dict[str, Any]) -> Any:
        sql, fixed = form
        try:
            return self.cursor.execute(sql, {**fixed, **params} if fixed else params)
        except psycopg.Error as e:  # as SQLAlchemy would raise it (the error log relies on it)
            raise sa.exc.DBAPIError.instance(
                sql,
                None,
                e,
                psycopg.Error,
                hide_parameters=True,
                dialect=_PSYCOPG,
                connection_invalidated=self.conn.closed or self.conn.broken,
            ) from e

    def gate(self, params: dict[str, Any]) -> Any:
        row = self._run(_PG_GATE, params).fetchone()
        return None if row is None else _GateRow(*row)

    def gate_and_create(self, params: dict[str, Any]) -> tuple[Any, bool]:
        row = self._run(_PG_GATE_AND_CREATE, params).fetchone()
        return (None, False) if row is None else (_GateRow(*row[:-1]), row[-1])

    def gate_and_update(self, params: dict[str, Any]) -> tuple[Any, int | None]:
        """The gate's row and the version the edit made (None: it changed nothing)."""
        row = self._run(_PG_GATE_AND_UPDATE, params).fetchone()
        return (None, None) if row is None else (_GateRow(*row[:-1]), row[-1])

    def update(self, params: dict[str, Any]) -> bool:
        return self._run(_pg_update(tuple(params)), params).rowcount == 1


_engine_lock = threading.Lock()


def _save_engine() -> sa.Engine:
    """PostgreSQL: the pool the save path takes its connections from, one per app.

    The app's own pool tests each connection before use (``pool_pre_ping``: a round trip);
    this one doesn't, and its connections are in autocommit (the save's statements are each
    atomic; see ``put_annotation``). A connection found dead (a restarted server) is dropped
    with the rest of the pool and the save is tried again on a new one (``_on_postgres``).
    It is disposed with the app's engine. With ``SAVE_SYNCHRONOUS_COMMIT`` set, its
    connections start with that ``synchronous_commit`` (``off``: a save is acknowledged once
    its commit is in PostgreSQL's write-ahead log buffer, not yet on disk); the app's other
    writes keep the server's setting."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("save_engine")
    if engine is None:
        with _engine_lock:
            engine = app.extensions.get("save_engine")
            if engine is None:
                main = db.engine
                # the app's engine settings (connect_args such as TLS, pool sizes...), but
                # no ping, and autocommit
                options = {
                    **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                    "pool_pre_ping": False,
                    "pool_reset_on_return": None,
                    "isolation_level": "AUTOCOMMIT",
                    "hide_parameters": True,
                }
                engine = sa.create_engine(main.url, **options)
                sync = app.config["SAVE_SYNCHRONOUS_COMMIT"]
                if sync:  # one of PostgreSQL's own values (checked in config.py)
                    sa.event.listen(
                        engine, "connect", lambda conn, _record, sync=sync: _set_sync(conn, sync)
                    )
                sa.event.listen(main, "engine_disposed", lambda _e, mine=engine: mine.dispose())
                app.extensions["save_engine"] = engine
    return engine


def _set_sync(conn: Any, value: str) -> None:
    """A new connection of the save pool: its ``synchronous_commit`` (a SET, not a startup
    option, which connection poolers such as PgBouncer refuse)."""
    conn.execute(f"SET synchronous_commit = {value}")
    conn.commit()  # if the connection is not in autocommit yet


def _statements(raw: Any, kind: type[_SQLite] | type[_Postgres]) -> Any:
    """The save's statements on a pooled connection, made once and kept with it."""
    statements = raw.info.get("save_statements")
    if statements is None:
        statements = raw.info["save_statements"] = kind(raw.driver_connection)
    return statements


def _on_postgres(attempt: Callable[[_Postgres], Any]) -> Any:
    """Run one attempt of a save on a connection of the save pool; once more on a new
    connection if the first was dead (a save is safe to send twice: see ``plan_put``)."""
    engine = _save_engine()
    for tries_left in (1, 0):
        raw = engine.raw_connection()
        try:
            statements = _statements(raw, _Postgres)
            # If the statement committed and then the connection died, the save is sent
            # again and finds itself stored (SAME): one row, answered 200 rather than 201.
            return attempt(statements)
        except sa.exc.DBAPIError as e:
            if not e.connection_invalidated:
                raise
            raw.invalidate(e)
            engine.dispose()  # the others in the pool are likely dead too
            if not tries_left:
                raise
        finally:
            conn = raw.driver_connection if raw.is_valid else None
            if conn is not None and (  # cut off mid-statement or mid-transaction: drop it
                conn.closed
                or conn.broken
                or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
            ):
                raw.invalidate()
            raw.close()
    raise AssertionError("unreachable")


def _gate(
    statements: _Core | _SQLite | _Postgres,
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


def check_member(session: Session | scoped_session, student: Student, assignment_id: int) -> None:
    """Raise NotMember unless the login holds and the student is in the assignment's
    (unarchived) class."""
    _gate(_Core(session.connection()), student, assignment_id, "")


def _validate(session: Session | scoped_session, version_id: int, payload: Any) -> AnnotationInput:
    config = current_app.config
    return validate_annotation(
        payload,
        lesson_by_version(session, version_id),
        note_max=config["NOTE_MAX_CHARS"],
        field_max=config["FIELD_MAX_CHARS"],
    )


_queues: dict[tuple[int, str], tuple[threading.Lock, int]] = {}
_queues_lock = threading.Lock()


QUEUE_WAIT = 5.0  # seconds a save waits in line before it falls back to SQLite's own wait


@contextmanager
def writers_queue(engine: sa.Engine) -> Iterator[None]:
    """SQLite file: wait in line for the write lock, trying again every 0.1 to 2 ms.

    SQLite's own wait (``busy_timeout``) sleeps 1, 2, 5, 10, 15, 20, 25... up to 100 ms
    between tries, however soon the lock frees, which is what made a class's saves slow at
    the tail. Saves first take a file lock beside the database (``flock``; a thread lock in
    front of it for gthread workers), so ``BEGIN IMMEDIATE`` almost never waits. Other
    writers (pages, commands) meet only the busy timeout; a save that has waited
    ``QUEUE_WAIT`` (one of them holds SQLite's lock for long) goes on to that wait too
    rather than keep the line. A worker that dies releases its lock. PostgreSQL needs none
    of this (row locks, no polling)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    key = (os.getpid(), path)  # a forked worker opens its own: flock belongs to the open file
    with _queues_lock:
        queue = _queues.get(key)
        if queue is None:
            fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
            queue = _queues[key] = (threading.Lock(), fd)
    thread_lock, fd = queue
    deadline = time.monotonic() + QUEUE_WAIT
    if not thread_lock.acquire(timeout=QUEUE_WAIT):
        yield
        return
    try:
        held = _flock_until(fd, deadline)
        try:
            yield
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        thread_lock.release()


def _flock_until(fd: int, deadline: float) -> bool:
    delay = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.002)


def _lesson_versions() -> dict[int, int]:
    """Assignment id -> the lesson version it is pinned to, kept per worker: an assignment's
    version never changes (an id SQLite reuses after a deletion is caught by the gate)."""
    return current_app.extensions.setdefault("assignment_lesson_versions", {})


def put_annotation(
    session: scoped_session,
    student: Student,
    assignment_id: int,
    uuid: str,
    payload: Any,
    if_match: int | None,
) -> tuple[Saved, bool]:
    """Create or update the student's annotation ``uuid``; returns (what is now stored, created).

    Raises NotMember, Invalid (with reasons for the student), WorkClosed, NotYours (an id that
    is someone else's) or VersionConflict (``If-Match`` names another version). The write
    runs on a DBAPI connection of its own and is committed; the request's ``session`` is
    only used (and so only made) to read what this worker doesn't know yet, and a
    transaction left open in it is ended first.
    """
    known = _lesson_versions()
    checked: tuple[int, AnnotationInput] | None = None
    for _ in range(ATTEMPTS):
        version_id = known.get(assignment_id)
        if version_id is None:
            version_id = known[assignment_id] = _gate(
                _Core(session.connection()), student, assignment_id, ""
            )[0].lesson_version_id
        if checked is None or checked[0] != version_id:
            try:
                checked = (version_id, _validate(session, version_id, payload))
            except Invalid:
                check_member(session, student, assignment_id)  # 401, 404 before 422
                raise
        if session.registry.has() and session().in_transaction():
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

        def attempt(statements: _SQLite | _Postgres, checked=checked, new=new) -> Any:
            return _write(statements, student, assignment_id, uuid, *checked, if_match, new)

        engine = db.engine
        # the DBAPI connection itself, outside the request's session: SQLAlchemy's
        # transaction machinery costs more than the statements
        if engine.dialect.name == "postgresql":
            # Each statement is atomic on its own, and a transaction around them would add
            # two round trips (BEGIN, COMMIT) and close no race: under read committed the
            # gate's reads are not held either. The write's own conditions (nothing under
            # the id / the version read) are what keep a save from doubling or overwriting.
            result = _on_postgres(attempt)
        else:
            result = _on_sqlite(engine, attempt)
        if result is not None:
            return result
        # else decide again from what is stored now
    raise RuntimeError(f"annotation save lost {ATTEMPTS} races in a row")


def _on_sqlite(engine: sa.Engine, attempt: Callable[[_SQLite], Any]) -> Any:
    """One attempt of a save in its own transaction on a pooled sqlite3 connection, checked
    out before waiting in line for the write lock (``writers_queue``)."""
    raw = engine.raw_connection()
    try:
        statements = _statements(raw, _SQLite)
        with writers_queue(engine):
            return statements.transaction(attempt)
    finally:
        raw.close()  # the pool's reset on return rolls back a transaction left open


def _write(
    statements: _SQLite | _Postgres,
    student: Student,
    assignment_id: int,
    uuid: str,
    version_id: int,
    data: AnnotationInput,
    if_match: int | None,
    new: dict[str, Any],
) -> tuple[Saved, bool] | None:
    """One attempt inside the write transaction (``new``: the row a create inserts). None
    when it must be decided again: a concurrent save of the same id got there between the
    gate and the write (PostgreSQL), or the assignment is not pinned to the lesson version
    ``data`` was checked against."""
    student_id = student.id
    together = statements.writes_with_gate  # PostgreSQL: the write goes with the gate
    if not together:
        row, _ = _gate(statements, student, assignment_id, uuid)
    else:
        with_new = {"lesson_version": version_id, **{f"new_{k}": v for k, v in new.items()}}
        if if_match is None:  # most saves make a new annotation
            row, made = _gate(statements, student, assignment_id, uuid, create=with_new)
            if made:
                return Saved(**new), True
        else:  # an edit from the page names the version it changes
            row, version = _gate(
                statements, student, assignment_id, uuid, update={**with_new, "if_match": if_match}
            )
            if version is not None:  # the new content at that version, made when it was
                return Saved(**{**new, "version": version, "created_at": row.a_created_at}), False
    if row.lesson_version_id != version_id:
        _lesson_versions()[assignment_id] = row.lesson_version_id
        return None
    if row.submitted_at is not None:
        raise WorkClosed(row.submitted_at)
    if row.released_at is not None:
        raise WorkClosed(None, row.released_at)
    stored = _stored(row) if row.a_id is not None else None
    if stored is not None and (
        stored.student_id != student_id or stored.assignment_id != assignment_id
    ):
        raise NotYours
    plan = plan_put(
        None if stored is None else input_of(stored),
        None if stored is None else stored.version,
        stored is not None and stored.deleted_at is not None,
        data,
        if_match,
    )
    if plan == CONFLICT:
        raise VersionConflict(stored)
    if plan == SAME:
        return stored, False  # a retry of a write that already landed
    if plan == CREATE:
        if together or not statements.insert(new):
            return None  # the gate saw nothing under the id, but the insert met a row made since
        return Saved(**new), True
    if together and if_match is not None:
        return None  # the statement's UPDATE met a row changed since the gate read it
    version = stored.version + 1
    if not statements.update(
        {
            **{name: new[name] for name in CONTENT},
            "version": version,
            "updated_at": new["updated_at"],
            "deleted_at": None,
            "b_id": uuid,
            "b_read": stored.version,
        }
    ):
        return None
    # an edit leaves the new content (``new``) at the next version, made when it was
    return Saved(**{**new, "version": version, "created_at": stored.created_at}), False
