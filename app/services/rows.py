"""What several services need: a row added unless it already exists, ids in chunks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from ..extensions import DbSession

T = TypeVar("T")


def insert_unique(session: DbSession, row: object) -> bool:
    """Add a row in a savepoint; False when a unique constraint says it already exists
    (a double-clicked button, two requests at once) instead of an error page."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


CHUNK = 1000  # ids per IN (...) list: well under every database's limit on parameters


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, for ``IN (...)`` queries over many ids."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])
