"""The migration that moves SIS ids from the account to each enrolment: existing values are
copied to every enrolment of the student, the account's columns go, and a downgrade puts them
back. On a database of its own (SQLite, or PostgreSQL under TEST_DATABASE_URL), since it
migrates down and up."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, TEST_DB_URL, _base_config

MIGRATIONS = str(ROOT / "migrations")
REVISION = "a7c3e915d2b8"
NOW = datetime(2026, 12, 1, 9, 0)


def _before() -> str:
    """The revision this migration follows (whatever it is once heads are re-chained)."""
    script = ScriptDirectory(MIGRATIONS)
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
def empty_db(tmp_path: Path):
    """A database with no tables: a file of its own, or PostgreSQL's ``<name>_migration``."""
    if not TEST_DB_URL:
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    url = sa.engine.make_url(TEST_DB_URL)
    name = f"{url.database}_migration"
    admin = sa.create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if (
            conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            is None
        ):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    own = url.set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(own)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield own


def _rows(sql: str, **params) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(sa.text(sql), params)]


def test_sis_ids_move_to_each_enrolment_and_back(empty_db):
    app = create_app(_base_config(empty_db))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=_before())
        insert = (
            "INSERT INTO users (id, role, email, username, display_name, password_hash, "
            "password_is_temporary, sis_user_id, sis_login_id, created_at, session_version) "
            "VALUES (:id, :role, :email, :username, :name, 'x', false, :sis, :login, :now, 0)"
        )
        people = [
            (1, "teacher", "a@school.test", None, "Ms A", None, None),
            (2, "teacher", "b@school.test", None, "Mr B", None, None),
            (3, "student", None, "kim", "Kim", "S1", "kim.l"),
            (4, "student", None, "sam", "Sam", None, "sam.p"),
            (5, "student", None, "ida", "Ida", None, None),
        ]
        for id_, role, email, username, name, sis, login in people:
            db.session.execute(
                sa.text(insert),
                dict(
                    id=id_,
                    role=role,
                    email=email,
                    username=username,
                    name=name,
                    sis=sis,
                    login=login,
                    now=NOW,
                ),
            )
        for id_, teacher, code in ((1, 1, "AAAAAA"), (2, 2, "BBBBBB")):
            db.session.execute(
                sa.text(
                    "INSERT INTO classrooms (id, teacher_id, name, join_code, created_at) "
                    "VALUES (:id, :t, 'C', :code, :now)"
                ),
                dict(id=id_, t=teacher, code=code, now=NOW),
            )
        # Kim in both teachers' classes, Sam in one, Ida in one without ids
        for id_, classroom, student, section in (
            (1, 1, 3, "P1"),
            (2, 2, 3, None),
            (3, 1, 4, "P2"),
            (4, 2, 5, None),
        ):
            db.session.execute(
                sa.text(
                    "INSERT INTO enrollments (id, classroom_id, student_id, section, joined_at) "
                    "VALUES (:id, :c, :s, :section, :now)"
                ),
                dict(id=id_, c=classroom, s=student, section=section, now=NOW),
            )
        db.session.commit()

        db.session.remove()
        upgrade(directory=MIGRATIONS, revision=REVISION)
        assert _rows(
            "SELECT id, section, sis_user_id, sis_login_id FROM enrollments ORDER BY id"
        ) == [
            (1, "P1", "S1", "kim.l"),
            (2, None, "S1", "kim.l"),
            (3, "P2", None, "sam.p"),
            (4, None, None, None),
        ]
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert not columns & {"sis_user_id", "sis_login_id"}
        assert _rows("SELECT count(*) FROM users") == [(5,)]  # nothing else went

        # teacher B's own ids for Kim, after the upgrade; then back down
        db.session.execute(sa.text("UPDATE enrollments SET sis_user_id = 'B-77' WHERE id = 2"))
        db.session.commit()
        downgrade(directory=MIGRATIONS, revision=_before())
        assert _rows("SELECT id, sis_user_id, sis_login_id FROM users ORDER BY id") == [
            (1, None, None),
            (2, None, None),
            (3, "S1", "kim.l"),  # from the first enrolment with one
            (4, None, "sam.p"),
            (5, None, None),
        ]
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("enrollments")}
        assert not columns & {"sis_user_id", "sis_login_id"}
        assert _rows("SELECT id, section FROM enrollments ORDER BY id") == [
            (1, "P1"),
            (2, None),
            (3, "P2"),
            (4, None),
        ]
        db.session.remove()  # end the read: the migration's connection changes the schema
        upgrade(directory=MIGRATIONS, revision=REVISION)  # and up again
        assert _rows("SELECT id, sis_user_id FROM enrollments ORDER BY id") == [
            (1, "S1"),
            (2, "S1"),
            (3, None),
            (4, None),
        ]
        db.session.remove()
        db.engine.dispose()
