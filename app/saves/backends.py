"""Where a save's statements run: one backend per database driver, each with the same shape
(``decide.Backend``), and the gate through SQLAlchemy on the request's session (``CoreGate``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import postgres, sqlite
from .decide import Attempt
from .statements import GATE


class CoreGate:
    """The gate alone, through SQLAlchemy Core on the request's session: the first save of an
    assignment in a worker (to learn its lesson version), and the membership check before a
    refusal."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def gate(self, params: dict[str, Any]) -> Any:
        return self.conn.execute(GATE, params).first()


def write(engine: sa.Engine, attempt: Attempt) -> tuple[Any, bool] | None:
    """One attempt of a save on the engine's database, through that database's backend."""
    if engine.dialect.name == "postgresql":
        return postgres.write(attempt)
    return sqlite.write(engine, attempt)
