"""SQLite is set up on every connection for several worker processes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import TEST_DB_URL

pytestmark = pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite settings; this run is on "
                                "PostgreSQL, whose own run covers its settings")


def pragma(name: str):
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_every_sqlite_connection_enforces_foreign_keys_and_waits_for_locks(app):
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000


def test_the_database_file_uses_the_write_ahead_log(app):
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL
