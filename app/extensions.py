"""Flask extensions, created unbound and attached in ``create_app``."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeAlias

from flask import current_app, has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

# what the services take: the request's session (``db.session``, a scoped_session) or a plain
# Session of a command or a test
DbSession: TypeAlias = Session | scoped_session[Any]


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()  # settings and csrf_token() in templates; the check: web/security/csrf.py
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite settings that hold per connection: foreign keys (and so cascades) enforced, a
    wait instead of an instant "database is locked", and the write-ahead log so readers never
    block a writer (with NORMAL sync, which is safe in WAL mode)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # The sqlite3 module's own implicit BEGIN is turned off: ``_sqlite_begin`` emits it,
        # so that transactions that write can take the write lock up front.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        if cur.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


# Requests with these methods only read; every other request may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_write_intent: ContextVar[bool | None] = ContextVar("write_intent", default=None)


@contextmanager
def writing(intent: bool = True) -> Iterator[None]:
    """Outside a request (CLI commands, scripts), mark transactions begun inside as writing;
    ``writing(False)`` marks a read inside a writing request (e.g. checking a password, which
    takes ~0.1 s and must not hold SQLite's write lock meanwhile)."""
    token = _write_intent.set(intent)
    try:
        yield
    finally:
        _write_intent.reset(token)


# A view may declare (``web.policy.writes_itself``) that its writes all take the write lock
# themselves: its other transactions (the login check, say) start deferred, so the lock is
# held only while it writes.
WRITES_ITSELF = "takes_write_lock_itself"


def wants_write() -> bool:
    """Whether a transaction starting now will write: code inside ``writing()``, or a request
    that is not a GET, HEAD, OPTIONS or TRACE (unless its view takes the lock itself)."""
    forced = _write_intent.get()
    if forced is not None:
        return forced
    if not has_request_context() or request.method in READ_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, WRITES_ITSELF, False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """SQLite: ``BEGIN IMMEDIATE`` for transactions that write, plain ``BEGIN`` otherwise.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" if another process wrote in between, whatever the busy timeout (SQLite cannot
    upgrade its stale snapshot). Taking the write lock at BEGIN makes writers queue for it,
    within ``busy_timeout``, instead. Readers are never blocked in WAL mode.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write() else "BEGIN")
