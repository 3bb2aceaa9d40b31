"""PostgreSQL: the save path's own pool (no ping, autocommit), one statement for a new
annotation, and saves that survive connections the server has dropped."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation
from app.saves import postgres
from tests.conftest import TEST_DB_URL
from tests.support.factory import highlight, new_id
from tests.support.wait import until

pytestmark = pytest.mark.skipif(
    not TEST_DB_URL,
    reason="PostgreSQL's save path; this run is "
    "on SQLite, whose own tests (test_sqlite.py) cover its path",
)


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """The SQL of every statement the save path runs on its own connections."""
    ran: list[str] = []
    real = postgres.PostgresBackend._run

    def run(self, form, params):
        ran.append(form[0])
        return real(self, form, params)

    monkeypatch.setattr(postgres.PostgresBackend, "_run", run)
    return ran


@pytest.fixture
def app_statements(app) -> list[str]:
    """Every statement run through the app's own engine (the ORM and Core)."""
    ran: list[str] = []

    def record(conn, cursor, statement, *args):
        ran.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield ran
    sa.event.remove(db.engine, "before_cursor_execute", record)


def body(lesson, note: str) -> dict:
    return highlight(lesson, "vented its anger", note=note)


def rows(uid: str) -> list[Annotation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Annotation).where(Annotation.id == uid)))


def test_a_new_annotation_is_checked_and_made_in_one_statement(
    work, lesson, statements, app_statements
):
    aid = work.assignment.id
    work.api.put(aid, new_id(), body(lesson, "first"))  # this worker learns the lesson version
    statements.clear()
    app_statements.clear()
    uid = new_id()
    resp = work.api.put(aid, uid, body(lesson, "second"))
    assert resp.status_code == 201
    assert len(statements) == 1
    assert statements[0].startswith("WITH gate AS")
    assert "INSERT INTO annotations" in statements[0]
    assert app_statements == []  # nothing on the app's pool: no ping, no login query
    assert [r.note for r in rows(uid)] == ["second"]


def test_an_edit_naming_its_version_is_checked_and_made_in_one_statement(work, lesson, statements):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    statements.clear()
    resp = work.api.put(work.assignment, uid, body(lesson, "edited"), if_match=1)
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 2
    assert resp.headers["ETag"] == '"2"'
    assert len(statements) == 1
    assert statements[0].startswith("WITH gate AS")
    assert "UPDATE annotations" in statements[0]
    [row] = rows(uid)
    assert (row.note, row.version) == ("edited", 2)
    [shown] = work.api.mine(work.assignment)
    assert resp.get_json() == shown  # the answer is what is stored


def test_an_edit_without_if_match_tries_a_create_then_edits_at_the_version_read(
    work, lesson, statements
):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    statements.clear()
    resp = work.api.put(work.assignment, uid, body(lesson, "edited"))
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 2
    assert [s.split()[0] for s in statements] == ["WITH", "WITH"]
    assert "INSERT INTO annotations" in statements[0]
    assert "UPDATE annotations" in statements[1]


@pytest.mark.parametrize(
    ("if_match", "note", "status", "stored"),
    [
        (1, "first", 200, ("first", 1)),  # the same content: nothing to change (a retry)
        (5, "first", 200, ("first", 1)),  # a retry that already landed, with an older If-Match
        (5, "other", 409, ("first", 1)),  # another version named: a conflict, nothing written
    ],
)
def test_the_one_statement_edit_decides_as_plan_put(
    work, lesson, statements, if_match, note, status, stored
):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    statements.clear()
    resp = work.api.put(work.assignment, uid, body(lesson, note), if_match=if_match)
    assert resp.status_code == status
    assert len(statements) == 1
    [row] = rows(uid)
    assert (row.note, row.version) == stored
    if status == 409:
        assert resp.get_json()["current"]["note"] == "first"


def test_the_one_statement_edit_brings_back_a_deleted_annotation(work, lesson, statements):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    assert work.api.delete(work.assignment, uid).status_code == 204
    [row] = rows(uid)
    statements.clear()
    resp = work.api.put(work.assignment, uid, body(lesson, "first"), if_match=row.version)
    assert resp.status_code == 200
    assert len(statements) == 1
    [row] = rows(uid)
    assert row.deleted_at is None
    assert resp.get_json()["version"] == row.version


def test_the_one_statement_edit_changes_nothing_in_closed_or_others_work(app, work, lesson, make):
    from tests.support.client import ApiClient

    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "mine"))
    other = make.student(classroom=work.classroom)
    theirs = ApiClient(app.test_client()).login(other)
    assert theirs.put(work.assignment, uid, body(lesson, "theirs"), if_match=1).status_code == 404
    assert [(r.note, r.version) for r in rows(uid)] == [("mine", 1)]
    assert work.api.submit(work.assignment).status_code == 200
    resp = work.api.put(work.assignment, uid, body(lesson, "late"), if_match=1)
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "submitted"
    assert [(r.note, r.version) for r in rows(uid)] == [("mine", 1)]


def test_an_edit_that_waits_on_a_concurrent_edit_is_decided_again(app, work, lesson):
    """Read committed: the statement's gate reads version 1, its UPDATE waits for another
    transaction's lock on the row, which then commits version 2. The UPDATE finds the row
    no longer at version 1 and changes nothing; the save is decided again from what is stored
    now: a conflict with the other edit, which is kept."""
    import threading

    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    aid = work.assignment.id
    db.session.rollback()
    engine = sa.create_engine(db.engine.url)
    answers: list = []
    with engine.connect() as other:
        other.execute(
            sa.update(Annotation).where(Annotation.id == uid).values(note="other tab", version=2)
        )  # holds the row's lock
        pid = other.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        save = threading.Thread(
            target=lambda: answers.append(
                work.api.put(aid, uid, body(lesson, "this tab"), if_match=1)
            )
        )
        save.start()
        with engine.connect() as watch:  # wait until the save is blocked behind the lock
            until(
                lambda: watch.execute(
                    sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> :pid"),
                    {"pid": pid},
                ).scalar(),
                timeout=4,
                what="the save to wait for the other edit's lock",
            )
        other.commit()
        save.join(30)
    engine.dispose()
    [resp] = answers
    assert resp.status_code == 409
    assert resp.get_json()["current"]["note"] == "other tab"
    assert [(r.note, r.version) for r in rows(uid)] == [("other tab", 2)]


def test_the_save_pool_does_not_ping_and_autocommits(app, work, lesson):
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    engine = app.extensions["save_engine"]
    assert engine.pool._pre_ping is False
    assert db.engine.pool._pre_ping is True  # the app's own pool still pings
    raw = engine.raw_connection()
    try:
        assert raw.driver_connection.autocommit is True
    finally:
        raw.close()


def _terminate(pids: list[int]) -> None:
    admin = sa.create_engine(TEST_DB_URL)
    with admin.connect() as conn:
        for pid in pids:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def _save_backends(app) -> list[int]:
    engine = app.extensions["save_engine"]
    raw = engine.raw_connection()
    try:
        return [raw.driver_connection.info.backend_pid]
    finally:
        raw.close()


def test_a_save_on_a_connection_the_server_dropped_lands_once(app, work, lesson):
    """No ping before use: a dead connection fails its first statement, and the save is sent
    again on a new one (the database restarted, an idle connection was cut...)."""
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    _terminate(_save_backends(app))
    uid = new_id()
    resp = work.api.put(work.assignment, uid, body(lesson, "after the cut"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [r.note for r in rows(uid)] == ["after the cut"]
    # and an edit after another cut
    _terminate(_save_backends(app))
    resp = work.api.put(work.assignment, uid, body(lesson, "edited"), if_match=1)
    assert resp.status_code == 200
    assert [(r.note, r.version) for r in rows(uid)] == [("edited", 2)]


def test_every_connection_of_the_app_dropped_at_once(app, work, lesson):
    """As after a server restart: the app's pool pings, the save pool tries again."""
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    admin = sa.create_engine(TEST_DB_URL)
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    uid = new_id()
    assert work.api.put(work.assignment, uid, body(lesson, "back")).status_code == 201
    assert len(work.api.mine(work.assignment)) == 2


def test_a_connection_that_stays_dead_gives_a_500_not_a_hang(app, work, lesson, monkeypatch):
    """Tried twice, then the error is the app's usual 500 (logged without the note)."""
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    tries: list[int] = []
    real = postgres.PostgresBackend._run

    def dead(self, form, params):
        tries.append(1)
        _terminate([self.conn.info.backend_pid])
        return real(self, form, params)

    monkeypatch.setattr(postgres.PostgresBackend, "_run", dead)
    uid = new_id()
    resp = work.api.put(work.assignment, uid, body(lesson, "never"))
    assert resp.status_code == 500
    assert "never" not in resp.get_data(as_text=True)
    assert len(tries) == 2
    monkeypatch.undo()
    assert rows(uid) == []


def test_disposing_the_apps_engine_closes_the_save_pool(app, work, lesson):
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    engine = app.extensions["save_engine"]
    assert engine.pool.checkedin() == 1
    db.engine.dispose()
    assert engine.pool.checkedin() == 0


def _setting(engine: sa.Engine) -> str:
    raw = engine.raw_connection()
    try:
        return raw.driver_connection.execute("SHOW synchronous_commit").fetchone()[0]
    finally:
        raw.close()


def test_saves_keep_the_servers_commit_durability_by_default(app, work, lesson):
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    assert app.config["SAVE_SYNCHRONOUS_COMMIT"] == ""
    assert _setting(app.extensions["save_engine"]) == "on"  # the server's default


def test_save_synchronous_commit_off_applies_to_saves_only(db_url, make, lesson):
    """FLASK_SAVE_SYNCHRONOUS_COMMIT=off: the save pool's connections don't wait for the
    disk at commit (as SQLite's NORMAL sync); every other write still does."""
    from app import create_app
    from tests.conftest import _base_config
    from tests.support.client import ApiClient

    fast = create_app({**_base_config(db_url), "SAVE_SYNCHRONOUS_COMMIT": "OFF "})
    assert fast.config["SAVE_SYNCHRONOUS_COMMIT"] == "off"
    classroom = make.classroom()
    aid = make.assignment(classroom).id
    api = ApiClient(fast.test_client()).login(make.student(classroom=classroom))
    uid = new_id()
    assert api.put(aid, uid, body(lesson, "fast")).status_code == 201
    assert api.put(aid, uid, body(lesson, "edited"), if_match=1).status_code == 200
    assert [(r.note, r.version) for r in rows(uid)] == [("edited", 2)]
    with fast.app_context():
        try:
            assert _setting(fast.extensions["save_engine"]) == "off"
            with db.engine.connect() as conn:  # the app's own pool: the server's setting
                assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        finally:
            db.engine.dispose()


@pytest.mark.parametrize("edit", [False, True])
def test_a_save_whose_answer_is_lost_after_its_commit_is_stored_once(
    app, work, lesson, monkeypatch, edit
):
    """The statement commits, then the connection is reported dead before the answer comes
    back: the save is sent again on a new connection, finds itself stored and changes
    nothing (one row, one new version)."""
    uid = new_id()
    # an earlier save (the student's count made: a first save counts before its statement)
    earlier = uid if edit else new_id()
    assert work.api.put(work.assignment, earlier, body(lesson, "first")).status_code == 201
    real = postgres.PostgresBackend._run
    cut: list[str] = []

    def commit_then_die(self, form, params):
        result = real(self, form, params)
        if not cut and form[0].split()[0] in ("WITH", "UPDATE"):
            cut.append(form[0].split()[0])
            raise sa.exc.DBAPIError(
                "(simulated) connection lost", None, Exception("gone"), connection_invalidated=True
            )
        return result

    monkeypatch.setattr(postgres.PostgresBackend, "_run", commit_then_die)
    resp = work.api.put(work.assignment, uid, body(lesson, "landed"), if_match=1 if edit else None)
    assert cut == ["WITH"]  # an edit naming its version is one statement too
    assert resp.status_code == 200  # the retry found the save already stored
    assert resp.get_json()["version"] == (2 if edit else 1)
    assert [(r.note, r.version) for r in rows(uid)] == [("landed", 2 if edit else 1)]


def test_a_connection_left_mid_transaction_is_not_reused(app, work, lesson, monkeypatch):
    """Something cuts a save off while its connection is in a transaction: the connection is
    dropped, not handed to the next save."""
    work.api.put(work.assignment, new_id(), body(lesson, "first"))
    real = postgres.PostgresBackend._run
    seen: list[int] = []

    def stuck(self, form, params):
        seen.append(self.conn.info.backend_pid)
        if len(seen) == 1:
            self.conn.execute("BEGIN")
            raise RuntimeError("cut off")
        return real(self, form, params)

    monkeypatch.setattr(postgres.PostgresBackend, "_run", stuck)
    assert work.api.put(work.assignment, new_id(), body(lesson, "cut")).status_code == 500
    uid = new_id()
    assert work.api.put(work.assignment, uid, body(lesson, "next")).status_code == 201
    assert seen[1] != seen[0]  # a new connection
    assert [r.note for r in rows(uid)] == ["next"]


def test_the_save_pool_takes_the_apps_engine_settings(db_url):
    """connect_args, pool sizes... from SQLALCHEMY_ENGINE_OPTIONS apply to saves too."""
    from app import create_app
    from tests.conftest import _base_config

    config = _base_config(db_url)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "pool_size": 2,
        "connect_args": {"application_name": "read-closely-test"},
    }
    other = create_app(config)
    with other.app_context():
        try:
            engine = postgres.save_engine()
            assert engine.pool.size() == 2
            assert engine.pool._pre_ping is False
            raw = engine.raw_connection()
            try:
                name = raw.driver_connection.execute("SHOW application_name").fetchone()[0]
            finally:
                raw.close()
            assert name == "read-closely-test"
        finally:
            db.engine.dispose()


def test_every_save_statement_is_parsed_once_per_worker_not_once_per_save(
    app, work, lesson, monkeypatch
):
    """psycopg turns a statement's named parameters into PostgreSQL's ($1...) and keeps the
    result, but only for statements up to 4,096 bytes (``MAX_CACHED_STATEMENT_LENGTH``); a
    longer one is parsed again on every call. The edit's statement had grown past it: half a
    millisecond of the worker's CPU on every edit. (psycopg's own module: what it parses
    without keeping goes through ``_query2pg_nocache``.)"""
    from psycopg import _queries

    parsed: list[bytes] = []
    real = _queries._query2pg_nocache
    monkeypatch.setattr(
        _queries,
        "_query2pg_nocache",
        lambda query, encoding: parsed.append(query) or real(query, encoding),
    )
    aid, uid, other = work.assignment.id, new_id(), new_id()
    assert work.api.put(aid, uid, body(lesson, "first")).status_code == 201  # counts first
    assert work.api.put(aid, other, body(lesson, "second")).status_code == 201
    assert work.api.put(aid, uid, body(lesson, "named"), if_match=1).status_code == 200
    assert work.api.put(aid, uid, body(lesson, "not named")).status_code == 200
    assert work.api.delete(aid, uid).status_code == 204
    assert work.api.put(aid, uid, body(lesson, "back"), if_match=4).status_code == 200
    assert [q[:60] for q in parsed] == []
