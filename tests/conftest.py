"""Shared fixtures: a migrated database, an app per test, and the factory (``make``).

The schema is built by the real migrations once per run. SQLite (the default): each test gets
a copy of the migrated file. PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...): the
tables are emptied after each test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade
from hypothesis import settings

from app import create_app, services
from app.extensions import db
from tests.support.factory import Factory

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def _own_database(url: str) -> str:
    """Under pytest-xdist (``-n 2``) each worker empties and fills a PostgreSQL database of
    its own: ``test_gw0``, ``test_gw1``... beside the one named (made on first use)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    named = sa.engine.make_url(url)
    return named.set(database=f"{named.database}_{worker}").render_as_string(hide_password=False)


def _create_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        known = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if known.first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


TEST_DB_URL = _own_database(os.environ.get("TEST_DATABASE_URL", ""))
BROWSER_TESTS = ROOT / "tests" / "browser"

# Property tests: the same examples on every run (a failure in CI is one anyone can repeat),
# unless HYPOTHESIS_PROFILE=fuzz (``make fuzz``) asks for new ones. No example database is
# kept, so nothing is written into the repository.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_collection_modifyitems(items) -> None:
    """Mark every test under tests/browser ``browser`` (a ``pytestmark`` in a conftest.py
    marks nothing), so ``-m "not browser"`` leaves them out."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "LESSONS_DIR": str(LESSONS),
        "WTF_CSRF_ENABLED": True,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast: tests make many accounts
    }


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> str:
    """Run the migrations once; return the database URL (or SQLite file) to copy from."""
    if TEST_DB_URL:
        if os.environ["TEST_DATABASE_URL"] != TEST_DB_URL:
            _create_database(TEST_DB_URL)
        engine = sa.create_engine(TEST_DB_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(_base_config(TEST_DB_URL))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            db.engine.dispose()
        return TEST_DB_URL
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app(_base_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    return str(path)


@pytest.fixture
def db_url(migrated_db, tmp_path) -> str:
    if TEST_DB_URL:
        yield TEST_DB_URL
        engine = sa.create_engine(TEST_DB_URL)
        with engine.begin() as conn:
            names = [t.name for t in reversed(db.metadata.sorted_tables)]
            conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "test.sqlite3"
    shutil.copy(migrated_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(db_url):
    """The app, with an app context pushed so tests can use ``db.session`` directly.

    Flask reuses a pushed app context for every test-client request, so ``g`` would carry
    over between requests (Flask-Login's cached user, Flask-WTF's cached token). Each request
    starts with an empty ``g``, as it does on a real server.
    """
    app = create_app(_base_config(db_url))

    def fresh_g() -> None:
        for name in list(vars(g)):
            g.pop(name, None)

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def lesson(app):
    """The first lesson, as loaded from lessons/."""
    lessons = services.current_lessons(str(LESSONS))
    return lessons.lessons["kiev-anger-milley"]


@pytest.fixture
def make(app) -> Factory:
    """tests/support/factory.py's factory, filling this test's database."""
    return Factory(app)


@pytest.fixture(scope="session")
def template_config(migrated_db) -> dict:
    """The test config on the migrated database a live server copies (or PostgreSQL's)."""
    return _base_config(TEST_DB_URL or f"sqlite:///{migrated_db}")
