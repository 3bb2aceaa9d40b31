"""PostgreSQL: a save's statements on psycopg directly, in autocommit, from a pool of the save
path's own that doesn't ping (``save_engine``). A new annotation's gate and INSERT are one
statement (``GATE_AND_CREATE``), as are an edit's gate and UPDATE when it names its version
(``GATE_AND_UPDATE``): one round trip. Each statement is atomic on its own, and a transaction
around them would add two round trips (BEGIN, COMMIT) and close no race: under read committed
the gate's reads are not held either. The write's own conditions (nothing under the id / the
version read, room in the student's count) are what keep a save from doubling, overwriting
or going past ``ANNOTATIONS_MAX``."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import sqlalchemy as sa
from flask import current_app

from ..domain.annotations import CREATE, SAME
from ..extensions import db
from . import decide
from .decide import Attempt
from .statements import (
    EVERY,
    GATE,
    GATE_AND_CREATE,
    GATE_AND_UPDATE,
    HOLD_COUNT,
    PSYCOPG,
    RECOUNT,
    Form,
    GateRow,
    kept,
)

_GATE = Form.of(GATE, PSYCOPG)
_GATE_AND_CREATE = Form.of(GATE_AND_CREATE, PSYCOPG)
_GATE_AND_UPDATE = Form.of(GATE_AND_UPDATE, PSYCOPG)
_HOLD_COUNT = Form.of(HOLD_COUNT, PSYCOPG)
_RECOUNT = Form.of(RECOUNT, PSYCOPG)


class PostgresBackend:
    """The statements, compiled once, on a psycopg connection of the save pool: SQLAlchemy's
    execution costs more than the statements, and a new annotation (most saves) is checked and
    made in one statement; so is an edit that names its version, as the page's do."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.cursor = conn.cursor()

    def write(self, attempt: Attempt) -> tuple[Any, bool] | None:
        """One attempt; None: decide again (a concurrent save of the same id got there
        between the gate and the write, or the student's count was written just now)."""
        who = (attempt.student, attempt.assignment_id, attempt.uuid)
        if attempt.if_match is None:  # most saves make a new annotation
            row, made = decide.gate(self, *who, create=attempt.with_new())
            if made:
                return attempt.created()
        else:  # an edit from the page names the version it changes
            row, version = self._edit(attempt, attempt.if_match)
            if version is not None:
                return attempt.edited(version, row.a_created_at)
        plan, found = decide.decide(attempt, row)
        if plan == SAME:
            return found, False  # a retry of a write that already landed
        # the statement found no room in the student's count (or no count): TooMany if they
        # do keep the cap, else the count is now true and the statement can try again
        decide.make_room(self, attempt, plan, found)
        if plan == CREATE or attempt.if_match is not None:
            return None  # a row made or changed since the gate, or a count written
        # an edit that named no version: the same statement, at the version the gate read
        _, version = self._edit(attempt, found.version)
        return None if version is None else attempt.edited(version, found.created_at)

    def _edit(self, attempt: Attempt, if_match: int) -> tuple[Any, int | None]:
        update = {**attempt.with_new(), "if_match": if_match}
        return decide.gate(
            self, attempt.student, attempt.assignment_id, attempt.uuid, update=update
        )

    def _run(self, form: Form, params: dict[str, Any]) -> Any:
        try:
            return self.cursor.execute(form.sql, form.params(params))
        except psycopg.Error as e:  # as SQLAlchemy would raise it (the error log relies on it)
            raise sa.exc.DBAPIError.instance(
                form.sql,
                None,
                e,
                psycopg.Error,
                hide_parameters=True,
                dialect=PSYCOPG,
                connection_invalidated=self.conn.closed or self.conn.broken,
            ) from e

    def gate(self, params: dict[str, Any]) -> Any:
        row = self._run(_GATE, params).fetchone()
        return None if row is None else GateRow(*row)

    def kept(self, params: dict[str, Any]) -> int:
        """The student's kept annotations on the assignment, counted, and written to their row
        of ``annotation_counts`` under its lock (one transaction: see ``RECOUNT``)."""
        try:
            with self.conn.transaction():
                self._run(_HOLD_COUNT, params)
                return self._run(_RECOUNT, {**params, "cap": EVERY}).fetchone()[0]
        except sa.exc.IntegrityError as e:  # the assignment or the student deleted just now
            raise decide.NotMember from e

    def gate_and_create(self, params: dict[str, Any]) -> tuple[Any, bool]:
        row = self._run(_GATE_AND_CREATE, params).fetchone()
        return (None, False) if row is None else (GateRow(*row[:-1]), row[-1])

    def gate_and_update(self, params: dict[str, Any]) -> tuple[Any, int | None]:
        """The gate's row and the version the edit made (None: it changed nothing)."""
        row = self._run(_GATE_AND_UPDATE, params).fetchone()
        return (None, None) if row is None else (GateRow(*row[:-1]), row[-1])


def write(attempt: Attempt) -> tuple[Any, bool] | None:
    """One attempt on a connection of the save pool; once more on a new connection if the
    first was dead (a save is safe to send twice: see ``plan_put``)."""
    engine = save_engine()
    for tries_left in (1, 0):
        raw = engine.raw_connection()
        try:
            # If the statement committed and then the connection died, the save is sent
            # again and finds itself stored (SAME): one row, answered 200 rather than 201.
            backend: decide.Backend = kept(raw, PostgresBackend)
            return backend.write(attempt)
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


_engine_lock = threading.Lock()


def save_engine() -> sa.Engine:
    """PostgreSQL: the pool the save path takes its connections from, one per app.

    The app's own pool tests each connection before use (``pool_pre_ping``: a round trip);
    this one doesn't, and its connections are in autocommit (the save's statements are each
    atomic; see this module). A connection found dead (a restarted server) is dropped
    with the rest of the pool and the save is tried again on a new one (``write``).
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
