"""The migration to feedback released per student (9e4f7a2c5d18), on SQLite and PostgreSQL:
an assignment released before it becomes a release to every student in the class (work not
submitted closed by it, the release counted as opened, since nobody recorded it), and the
downgrade gives the assignment its one release time back."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, TEST_DB_URL, _base_config, _create_database

BEFORE, AFTER = "4b8d2f6a9c13", "9e4f7a2c5d18"
T0 = datetime(2024, 5, 1, 9, 0)
RELEASED = datetime(2024, 5, 3, 15, 30)


@pytest.fixture
def url(tmp_path):
    if not TEST_DB_URL:
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    own = sa.engine.make_url(TEST_DB_URL)
    own = own.set(database=f"{own.database}_migration").render_as_string(hide_password=False)
    if os.environ.get("TEST_DATABASE_URL"):
        _create_database(own)
    engine = sa.create_engine(own)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return own


def _seed(conn) -> None:
    q = sa.text
    conn.execute(
        q(
            "INSERT INTO users (id, role, email, username, display_name, password_hash, "
            "created_at) VALUES (1, 'teacher', 't@school.test', NULL, 'T', 'x', :t), "
            "(2, 'student', NULL, 'sub', 'Sub', 'x', :t), (3, 'student', NULL, 'busy', 'Busy', "
            "'x', :t), (4, 'student', NULL, 'idle', 'Idle', 'x', :t)"
        ),
        {"t": T0},
    )
    conn.execute(
        q(
            "INSERT INTO classrooms (id, teacher_id, name, join_code, created_at) "
            "VALUES (1, 1, 'P3', 'ABCDEF', :t)"
        ),
        {"t": T0},
    )
    conn.execute(
        q(
            "INSERT INTO enrollments (id, classroom_id, student_id, joined_at) VALUES "
            "(1, 1, 2, :t), (2, 1, 3, :t), (3, 1, 4, :t)"
        ),
        {"t": T0},
    )
    conn.execute(
        q(
            "INSERT INTO lesson_versions (id, lesson_id, version, title, content, created_at) "
            "VALUES (1, 'l', 'v1', 'L', '{}', :t)"
        ),
        {"t": T0},
    )
    conn.execute(
        q(
            "INSERT INTO assignments (id, classroom_id, lesson_version_id, created_at, "
            "released_at) VALUES (1, 1, 1, :t, :r), (2, 1, 1, :t, NULL)"
        ),
        {"t": T0, "r": RELEASED},
    )
    conn.execute(
        q(
            "INSERT INTO submissions (assignment_id, student_id, submitted_at) VALUES "
            "(1, 2, :t), (2, 3, :t)"
        ),
        {"t": T0},
    )


def _plain(row) -> tuple:
    """A row as both databases give it: SQLite's text SQL answers times as text."""
    return tuple(str(v) if isinstance(v, datetime) else v for v in row)


def _submissions(conn) -> set[tuple]:
    return {
        _plain(r)
        for r in conn.execute(
            sa.text(
                "SELECT assignment_id, student_id, submitted_at, closed_by_release, "
                "released_at, feedback_seen_at FROM submissions"
            )
        )
    }


def test_the_migration_moves_releases_to_students_and_back(url):
    app = create_app(_base_config(url))
    with app.app_context():
        directory = str(ROOT / "migrations")
        upgrade(directory=directory, revision=BEFORE)
        with db.engine.begin() as conn:
            _seed(conn)
        upgrade(directory=directory, revision=AFTER)
        with db.engine.connect() as conn:
            assert _submissions(conn) == {
                _plain(r)
                for r in [
                    (1, 2, T0, False, RELEASED, RELEASED),  # submitted, then released
                    (1, 3, RELEASED, True, RELEASED, RELEASED),  # closed by the release
                    (1, 4, RELEASED, True, RELEASED, RELEASED),
                    (2, 3, T0, False, None, None),  # the other assignment: not released
                ]
            }
            columns = {c["name"] for c in sa.inspect(conn).get_columns("assignments")}
            assert "released_at" not in columns
            enrolled = conn.execute(sa.text("SELECT count(*) FROM enrollments")).scalar_one()
            assert enrolled == 3  # nothing went through a cascade
        downgrade(directory=directory, revision=BEFORE)
        with db.engine.connect() as conn:
            released = {
                r[0]: _plain(r)[1]
                for r in conn.execute(sa.text("SELECT id, released_at FROM assignments"))
            }
            assert released == {1: str(RELEASED), 2: None}
            subs = conn.execute(
                sa.text("SELECT assignment_id, student_id, submitted_at FROM submissions")
            ).all()
            assert {_plain(r) for r in subs} == {(1, 2, str(T0)), (2, 3, str(T0))}
            columns = {c["name"] for c in sa.inspect(conn).get_columns("submissions")}
            assert columns.isdisjoint({"released_at", "feedback_seen_at", "closed_by_release"})
        db.engine.dispose()
