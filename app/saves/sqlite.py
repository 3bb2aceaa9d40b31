"""SQLite: a save's gate and write in one ``BEGIN IMMEDIATE`` transaction on the sqlite3
connection itself (a fifth of SQLAlchemy's cost per statement, and this is the time the write
lock is held, every save of the class waiting behind it), after waiting in line for that lock
on a file lock beside the database (``writers_queue``)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from ..domain.annotations import CREATE, SAME
from . import decide
from .decide import Attempt
from .statements import (
    DATES,
    GATE,
    GATE_DATES,
    INSERT,
    KEPT,
    SQLITE,
    Form,
    GateRow,
    kept,
    update_form,
)

_to_text: Callable[[Any], Any] = sqlite.DATETIME().bind_processor(SQLITE)  # type: ignore[assignment]
_from_text: Callable[[Any], Any] = sqlite.DATETIME().result_processor(SQLITE, None)  # type: ignore[assignment]
_GATE = Form.of(GATE, SQLITE)
_KEPT = Form.of(sa.select(KEPT), SQLITE)
_BEGIN, _COMMIT, _ROLLBACK = (Form(sql, {}) for sql in ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"))


@lru_cache(maxsize=4)
def _insert(keys: tuple[str, ...]) -> Form:
    return Form.of(INSERT, SQLITE, list(keys))


class SQLiteBackend:
    """The save's statements, compiled once, on one pooled sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cursor = conn.cursor()

    def write(self, attempt: Attempt) -> tuple[Any, bool] | None:
        """One attempt in its own transaction; None: decide again (the id was taken, or the
        row changed, since the gate read it: not under ``BEGIN IMMEDIATE``, but kept safe)."""
        self._run(_BEGIN, {})
        try:
            result = self._attempt(attempt)
            if result is not None:
                self._run(_COMMIT, {})
                return result
        except BaseException:
            self._end()
            raise
        self._end()
        return None

    def _attempt(self, attempt: Attempt) -> tuple[Any, bool] | None:
        row, _ = decide.gate(self, attempt.student, attempt.assignment_id, attempt.uuid)
        plan, found = decide.decide(attempt, row)
        if plan == SAME:
            return found, False  # a retry of a write that already landed
        decide.make_room(self, attempt, plan, found)
        if plan == CREATE:
            return attempt.created() if self.insert(attempt.new) else None
        if not self.update(attempt.update_params(found.version)):
            return None
        return attempt.edited(found.version + 1, found.created_at)

    def _end(self) -> None:
        if self.conn.in_transaction:
            self._run(_ROLLBACK, {})

    def gate(self, params: dict[str, Any]) -> Any:
        row = self._run(_GATE, params).fetchone()
        if row is None:
            return None
        row = list(row)
        for i in GATE_DATES:
            row[i] = _from_text(row[i])
        return GateRow(*row)

    def kept(self, params: dict[str, Any]) -> int:
        return self._run(_KEPT, params).fetchone()[0]

    def _run(self, form: Form, params: dict[str, Any]) -> sqlite3.Cursor:
        given = {k: _to_text(v) if k in DATES else v for k, v in params.items()}
        try:
            return self.cursor.execute(form.sql, form.params(given))
        except sqlite3.Error as e:  # as SQLAlchemy would raise it (the error log relies on it)
            raise sa.exc.DBAPIError.instance(
                form.sql, None, e, sqlite3.Error, hide_parameters=True, dialect=SQLITE
            ) from e

    def insert(self, values: dict[str, Any]) -> bool:
        return self._run(_insert(tuple(values)), values).fetchone() is not None

    def update(self, params: dict[str, Any]) -> bool:
        return self._run(update_form(SQLITE, tuple(params)), params).rowcount == 1


def write(engine: sa.Engine, attempt: Attempt) -> tuple[Any, bool] | None:
    """One attempt on a pooled sqlite3 connection, checked out before waiting in line for the
    write lock (``writers_queue``)."""
    raw = engine.raw_connection()
    try:
        backend: decide.Backend = kept(raw, SQLiteBackend)
        with writers_queue(engine):
            return backend.write(attempt)
    finally:
        raw.close()  # the pool's reset on return rolls back a transaction left open


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
