"""The app under gunicorn (`gunicorn.conf.py`, 3 workers) on this test's database (the SQLite copy,
or PostgreSQL with TEST_DATABASE_URL): 8 simulated students (bench/students.py) log in over HTTP
and autosave for 10 s while one worker is killed with SIGKILL halfway (a second one if the first
was between two requests and cut nothing). Their retries (same UUID, same body) must land
everything: every acknowledged save is stored once with the content that was acknowledged
(count and checksum), nothing stored that was not acknowledged, no 5xx, no "database is
locked", and gunicorn replaces the killed worker. The access log has paths, never query
strings."""

from __future__ import annotations

import contextlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.domain.anchoring import snap_to_words
from app.extensions import db
from app.models import Annotation
from bench.students import (
    GunicornServer,
    ServerFailed,
    Student,
    get,
    kill_mid_request,
    merge,
    verify,
    word_targets,
)
from tests.support.factory import PASSWORD
from tests.support.wait import until

pytestmark = pytest.mark.slow

WORKERS = 3
STUDENTS = 8
SECONDS = 10.0
SECRET_IN_QUERY = "note-text-in-a-query-string"


def server_env(db_url: str) -> dict[str, str]:
    """This machine's environment without any app or gunicorn setting, and the test's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GUNICORN_", "FLASK_"))
        and k
        not in (
            "BIND",
            "PORT",
            "WEB_CONCURRENCY",
            "DATABASE_URL",
            "SECRET_KEY",
            "REDIS_URL",
            "TEST_DATABASE_URL",
        )
    }
    return {
        **env,
        "DATABASE_URL": db_url,
        "FLASK_DEBUG": "0",
        "FLASK_SECRET_KEY": "gunicorn-test-secret",
        "FLASK_SESSION_COOKIE_SECURE": "false",  # plain http to 127.0.0.1
        "FLASK_RATE_LIMIT_API_PER_MINUTE": "1000000",  # the limiter runs, never throttles
        "FLASK_ANNOTATIONS_MAX": "1000000",  # each student makes more than a real one may keep
        # the tests' fast hash (tests/conftest.py), so a login is no rehash to scrypt
        "FLASK_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WEB_CONCURRENCY": str(WORKERS),
    }


@pytest.fixture
def server(db_url, app, tmp_path):
    try:
        s = GunicornServer(server_env(db_url), tmp_path / "gunicorn.log", wait=30)
    except ServerFailed as e:
        pytest.fail(str(e))
    yield s
    s.stop()  # before db_url's teardown empties the PostgreSQL tables


@pytest.fixture
def students(make, lesson) -> tuple[int, list[str]]:
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    logins = [make.student(f"loadtest{i}", classroom=classroom).username for i in range(STUDENTS)]
    return assignment.id, logins


def stored(assignment_id: int) -> dict[str, tuple[str, int | None, int | None]]:
    db.session.rollback()  # a fresh snapshot
    rows = db.session.execute(
        sa.select(
            Annotation.id, Annotation.note, Annotation.start_offset, Annotation.end_offset
        ).where(Annotation.assignment_id == assignment_id)
    )
    return {r.id: (r.note, r.start_offset, r.end_offset) for r in rows}


def test_a_worker_killed_mid_run_loses_no_acknowledged_save(server, students, lesson):
    assignment_id, logins = students
    assert get(server.port, f"/login?next=/{SECRET_IN_QUERY}") == 200
    targets = word_targets(lesson.text, snap_to_words)
    crowd = [
        Student("127.0.0.1", server.port, login, PASSWORD, assignment_id, targets, 0, seed=i)
        for i, login in enumerate(logins)
    ]
    with ThreadPoolExecutor(STUDENTS) as pool:  # everyone logged in before the clock starts
        list(pool.map(Student.log_in, crowd))
    stop_at = time.monotonic() + SECONDS
    for s in crowd:
        s.stop_at = stop_at
        s.start()

    time.sleep(SECONDS / 2)  # the load is timed: kill the workers in its middle, not its start
    before = server.workers()
    assert len(before) == WORKERS, server.text()
    saved_before_kill = sum(len(s.tally.acked) for s in crowd)
    victims = []
    for _ in range(len(before)):
        victims.append(kill_mid_request(sorted(before - set(victims)), server.port))
        time.sleep(1)  # a second of load between kills, so each lands in a request of its own
        if sum(s.tally.connection_errors for s in crowd):
            break

    for s in crowd:
        s.join(timeout=SECONDS + 60)
    assert not [s.name for s in crowd if s.is_alive()], "a student never finished"
    assert [(s.name, s.error) for s in crowd if s.error] == []
    tally = merge(crowd)

    with contextlib.suppress(AssertionError):  # the report below says what was left
        until(
            lambda: not set(victims) & server.workers() and len(server.workers()) == WORKERS,
            timeout=15,
            every=0.1,
        )
    after = server.workers()
    server.stop()
    log = server.text()
    print(
        f"{tally.statuses}, {tally.connection_errors} connection errors, "
        f"{tally.retries} retries, killed {victims}: {sorted(before)} -> {sorted(after)}"
    )

    assert tally.failures == []
    assert {status: n for status, n in tally.statuses.items() if status >= 500} == {}
    assert tally.connection_errors >= 1, "the kill cut no request: nothing was retried"
    verdict = verify(tally.acked, tally.sent, stored(assignment_id))
    assert verdict.ok, verdict.summary()
    assert 0 < saved_before_kill < len(tally.acked), tally.statuses  # saving went on past the kill
    assert not set(victims) & after, (before, after)  # gunicorn replaced the killed worker
    assert len(after) == WORKERS
    assert len(after - before) == len(victims)
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]
    assert "GET /login " in log  # the access log is on, with paths ...
    assert SECRET_IN_QUERY not in log  # ... but never query strings


FORGED = '127.0.0.1 [07/Dec/2026:02:00:00 +0000] "POST /teacher/classes/1/delete HTTP/1.1" 302'


def test_no_request_adds_a_line_to_the_access_log(db_url, app, tmp_path):
    """An anonymous request with a line feed (or a carriage return, a NUL, a line separator in
    UTF-8) in its path is one line of the log, the forged line in it escaped."""
    env = {**server_env(db_url), "WEB_CONCURRENCY": "1"}
    try:
        server = GunicornServer(env, tmp_path / "gunicorn.log", wait=30)
    except ServerFailed as e:
        pytest.fail(str(e))
    forged = FORGED.replace(" ", "%20").replace('"', "%22")
    try:
        for end in ("%0a", "%0d%0a", "%0d", "%00%0a", "%e2%80%a8", "%85"):
            assert get(server.port, f"/x{end}{forged}") == 404
    finally:
        server.stop()
    lines = server.text().splitlines()
    assert [line for line in lines if "POST /teacher" in line and "/x" not in line] == []
    assert len([line for line in lines if "/x" in line]) == 6, lines
