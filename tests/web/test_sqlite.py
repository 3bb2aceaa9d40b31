"""SQLite is set up on every connection for several worker processes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import TEST_DB_URL

pytestmark = pytest.mark.skipif(
    bool(TEST_DB_URL),
    reason="SQLite settings; this run is on PostgreSQL, whose own run covers its settings",
)


def pragma(name: str):
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_every_sqlite_connection_enforces_foreign_keys_and_waits_for_locks(app):
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000


def test_the_database_file_uses_the_write_ahead_log(app):
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL


WRITERS = 8
SAVES_EACH = 25


def _writer(url: str, username: str, assignment_id: int, barrier, results) -> None:
    """One process, as one gunicorn worker would be: its own app and connection pool, a
    student saving annotations (each save reads, then writes, in one transaction)."""
    from app import create_app
    from tests.conftest import LESSONS
    from tests.support.client import ApiClient
    from tests.support.factory import highlight, new_id

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "LESSONS_DIR": str(LESSONS),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    statuses, errors = [], []
    try:
        with app.app_context():
            from app import services

            lesson = services.current_lessons(str(LESSONS)).lessons["kiev-anger-milley"]
        api = ApiClient(app.test_client())

        class Student:
            email = None

        Student.username = username
        api.login(Student)
        barrier.wait(timeout=60)
        for i in range(SAVES_EACH):
            uid = new_id()
            body = highlight(lesson, "vented its anger", note=f"{username} save {i}")
            created = api.put(assignment_id, uid, body)
            body["note"] += " edited"
            edited = api.put(assignment_id, uid, body, if_match=created.headers.get("ETag"))
            statuses += [created.status_code, edited.status_code]
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
    results.put((username, statuses, errors))


@pytest.mark.slow
def test_eight_writer_processes_never_see_database_is_locked(app, make, db_url):
    """Eight processes save at once into one SQLite file: every save lands, and no request
    fails with "database is locked" (BEGIN IMMEDIATE makes writers wait their turn)."""
    import multiprocessing

    from app.models import Annotation

    classroom = make.classroom()
    assignment = make.assignment(classroom)
    students = [make.student(classroom=classroom) for _ in range(WRITERS)]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(db_url, s.username, assignment.id, barrier, results))
        for s in students
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    problems = [(name, errors) for name, _, errors in got if errors]
    assert problems == []
    for name, statuses, _ in got:
        assert statuses == [201, 200] * SAVES_EACH, name
    db.session.rollback()  # end this test's read snapshot, to see what the writers stored
    notes = db.session.scalars(sa.select(Annotation.note)).all()
    assert len(notes) == WRITERS * SAVES_EACH
    assert all(n.endswith(" edited") for n in notes)


def test_checking_a_password_at_login_holds_no_write_lock(app, make, client, db_url, monkeypatch):
    """A class logging in at once must not queue on the write lock for each ~0.1 s scrypt
    check: while the login checks the password, another process can write at once."""
    import sqlite3
    from types import SimpleNamespace

    from app.services import accounts
    from tests.support.client import login

    made = make.student()
    student = SimpleNamespace(id=made.id, email=None, username=made.username)
    db.session.rollback()  # the test's session is the requests' too: leave no transaction open
    writes = []
    real_check = accounts.check_password_hash

    def check_and_write(hashed, password):
        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the login held the lock
            other.execute(
                "UPDATE users SET display_name = display_name WHERE id = ?", (student.id,)
            )
            other.commit()
            writes.append("ok")
        finally:
            other.close()
        return real_check(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", check_and_write)
    assert login(client, student).status_code == 302
    assert writes == ["ok"]


def _a_student_saving(app, make):
    """A logged-in student's API client, their assignment's id, the lesson, the student."""
    from app import services
    from tests.support.client import ApiClient

    classroom = make.classroom()
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    api = ApiClient(app.test_client()).login(student)
    lesson = services.current_lessons(app.config["LESSONS_DIR"]).lessons["kiev-anger-milley"]
    return api, assignment.id, lesson, student


def test_a_save_holds_the_write_lock_only_for_its_gate_and_its_write(
    app, make, db_url, monkeypatch
):
    """Saves from a whole class queue for SQLite's one write lock, so a save takes it only for
    its statements (the gate query, then the INSERT or UPDATE; a new annotation first counts
    the student's, for ANNOTATIONS_MAX): any read before runs in a deferred transaction, and
    while the annotation is validated another process can write at once."""
    import sqlite3

    from app.saves import put
    from tests.support.factory import highlight, new_id

    api, aid, lesson, _student = _a_student_saving(app, make)
    db.session.rollback()  # the test's session is the requests' too: leave no transaction open

    other_writes = []
    real_validate = put.validate_annotation

    def validate_and_write(*args, **kwargs):
        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the save held the lock
            other.execute("UPDATE users SET display_name = display_name")
            other.commit()
            other_writes.append("ok")
        finally:
            other.close()
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(put, "validate_annotation", validate_and_write)
    statements: list[str] = []

    def record(sql: str) -> None:  # every statement SQLite runs, however it was sent
        words = sql.split()
        statements.append(" ".join(words[:2] if words[0] == "BEGIN" else words[:1]))

    def traced(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(record)

    db.engine.dispose()  # connections from now on are traced
    sa.event.listen(db.engine, "connect", traced)
    uid = new_id()
    body = highlight(lesson, "vented its anger", note="first")
    try:
        assert api.put(aid, uid, body).status_code == 201
        created = statements[:]
        statements.clear()
        assert api.put(aid, uid, {**body, "note": "edited"}, if_match=1).status_code == 200
        edited = statements[:]
    finally:
        sa.event.remove(db.engine, "connect", traced)
        db.engine.dispose()
    # the first save in this worker reads which lesson the assignment uses, and the lesson
    assert created == [
        "BEGIN",
        "SELECT",
        "SELECT",
        "COMMIT",
        "BEGIN IMMEDIATE",
        "SELECT",
        "SELECT",  # the student's annotations counted: room for one more?
        "INSERT",
        "COMMIT",
    ]
    # later saves know it: no read before the lock (the gate checks the login too); an edit
    # adds no annotation, so counts none
    assert edited == ["BEGIN IMMEDIATE", "SELECT", "UPDATE", "COMMIT"]
    assert other_writes == ["ok", "ok"]


def test_saves_wait_in_line_for_the_write_lock_and_go_on_when_it_is_free(app, make, db_url):
    """Saves queue on a file lock beside the database (tried every 0.1-2 ms, where SQLite's
    own wait sleeps up to 100 ms between tries): while another process holds it a save
    waits, and it lands once it is released. Held past ``QUEUE_WAIT`` (say by a writer that
    never lets go), a save stops waiting in line and goes on."""
    import fcntl
    import threading
    import time

    from app.saves import sqlite as sqlite_saves
    from tests.support.client import ApiClient
    from tests.support.factory import highlight, new_id

    api, aid, lesson, student = _a_student_saving(app, make)
    body = highlight(lesson, "vented its anger", note="queued")
    assert api.put(aid, new_id(), body).status_code == 201  # the worker has opened its queue
    second = ApiClient(app.test_client()).login(student)  # another tab
    db.session.rollback()

    path = db_url.removeprefix("sqlite:///") + "-writers"
    with open(path, "a+") as other_process:  # a lock of its own, as another worker's
        fcntl.flock(other_process, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free after a save
        statuses: list[int] = []
        saver = threading.Thread(
            target=lambda: statuses.append(second.put(aid, new_id(), body).status_code)
        )
        saver.start()
        # "still waiting" can only be seen over a span of time: half a second, ended at once
        # by a save that wrongly went ahead
        saver.join(0.5)
        assert saver.is_alive()  # waiting in line
        assert statuses == []
        fcntl.flock(other_process, fcntl.LOCK_UN)
        saver.join(10)
        assert statuses == [201]

        fcntl.flock(other_process, fcntl.LOCK_EX | fcntl.LOCK_NB)
        sqlite_saves.QUEUE_WAIT, wait = 0.3, sqlite_saves.QUEUE_WAIT
        try:
            started = time.monotonic()
            assert second.put(aid, new_id(), body).status_code == 201  # the line is held
            assert 0.3 <= time.monotonic() - started < 5
        finally:
            sqlite_saves.QUEUE_WAIT = wait


def test_sqlite_connections_are_not_pinged_before_use_but_server_ones_are(app):
    """A ping is a query before every checkout: useless for a file, kept for a server (a
    restarted PostgreSQL must not cost anyone a 500)."""
    from app import create_app

    assert db.engine.pool._pre_ping is False
    server = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1/none",
        }
    )
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_a_connection_left_in_its_transaction_is_rolled_back_before_reuse(app, make, monkeypatch):
    """If a save's transaction could not be ended (its ROLLBACK failed, say), the pool's
    reset ends it: kept open, it would hold the write lock and refuse the next BEGIN."""
    from app.saves import put
    from app.saves import sqlite as sqlite_saves
    from tests.support.factory import highlight, new_id

    api, aid, lesson, _student = _a_student_saving(app, make)
    body = highlight(lesson, "vented its anger", note="first")
    assert api.put(aid, new_id(), body).status_code == 201
    real_values = put.annotation_values
    monkeypatch.setattr(
        put, "annotation_values", lambda data: {**real_values(data), "start_offset": -1}
    )  # refused row
    monkeypatch.setattr(sqlite_saves.SQLiteBackend, "_end", lambda self: None)  # no ROLLBACK
    assert api.put(aid, new_id(), body).status_code == 500
    monkeypatch.undo()
    uid = new_id()
    assert api.put(aid, uid, {**body, "note": "next"}).status_code == 201
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT note FROM annotations WHERE id = :id"), {"id": uid}
            ).scalar()
            == "next"
        )


def test_opening_released_feedback_records_it_though_a_save_committed_meanwhile(
    app, make, lesson, db_url, monkeypatch
):
    """The lesson page reads, then (the first time it shows released feedback) writes when it
    was opened. A save by another worker committing between the two must not make the page a
    500 ("database is locked": SQLite can't upgrade the page's stale read snapshot), as it did
    in the gunicorn test with a class saving."""
    import sqlite3

    from app.models import Submission
    from app.services import grading
    from app.web import student as student_views
    from tests.support.client import ApiClient

    k = make.classwork(lesson)
    reader, saver = k.student("Rea Der"), k.student("Sam Saver")
    k.mark(reader, "vented its anger", "loaded")
    k.submit(reader)
    grading.release(db.session, k.assignment, everyone=False)
    db.session.commit()
    real_page = student_views.lesson_page
    writes = []

    def page_then_a_save_elsewhere(*args, **kwargs):
        html = real_page(*args, **kwargs)  # the page's reads are done
        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=5)
        try:
            other.execute("BEGIN IMMEDIATE")
            # a write that changes a row (one that changes nothing doesn't move the snapshot)
            other.execute("UPDATE users SET display_name = 'Sam Saved' WHERE id = ?", (saver.id,))
            other.commit()
            writes.append("ok")
        finally:
            other.close()
        return html

    client = ApiClient(app.test_client()).login(reader).client
    db.session.rollback()  # the test's session is the requests' too: leave no transaction open
    monkeypatch.setattr(student_views, "lesson_page", page_then_a_save_elsewhere)
    resp = client.get(f"/student/assignments/{k.assignment.id}")
    assert resp.status_code == 200
    assert writes == ["ok"]
    db.session.rollback()
    seen = db.session.scalar(sa.select(Submission.feedback_seen_at).filter_by(student_id=reader.id))
    assert seen is not None
