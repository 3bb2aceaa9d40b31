"""Browser tests: the app served on 127.0.0.1 by a thread, driven by Playwright in Debian's
Chromium (Playwright's own browser download does not work on these machines)."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app, services
from app.extensions import db
from tests.conftest import LESSONS, PASSWORD, TEST_DB_URL, _base_config
from tests.support.seeds import save_annotation

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# A small lesson whose text has astral characters (emoji) before the words students
# highlight: offsets must count code points, as the server does, not UTF-16 units.
EMOJI_LESSON = """
id = "emoji-test"
title = "Emoji test"
[[blocks]]
kind = "headline"
text = "Fans \U0001f600\U0001f389 cheer the team"
[[blocks]]
kind = "paragraph"
text = "The \U0001f3c6 trophy went to the home side after a tense final."
[[prompts]]
id = "sources"
category = "source"
question = "Who says so?"
[[prompts]]
id = "loaded"
category = "loaded"
question = "Which words push you?"
"""


@dataclass
class LiveServer:
    url: str
    app: object
    thread: threading.Thread
    server: object


def _buffered(app):
    """Read each response whole, then close it, before sending. The development server leaves
    a file response unclosed when the browser drops the connection (offline tests do), and the
    file's ResourceWarning would then surface in some later, unrelated test."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return [body]

    return wsgi


@pytest.fixture(scope="session")
def live_server(migrated_db, tmp_path_factory):
    if TEST_DB_URL:
        url = TEST_DB_URL
    else:
        path = tmp_path_factory.mktemp("live") / "live.sqlite3"
        shutil.copy(migrated_db, path)
        url = f"sqlite:///{path}"
    lessons = tmp_path_factory.mktemp("lessons")
    shutil.copy(LESSONS / "kiev-anger-milley.toml", lessons)
    (lessons / "emoji-test.toml").write_text(EMOJI_LESSON, encoding="utf-8")
    app = create_app({**_base_config(url), "LESSONS_DIR": str(lessons)})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the output
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, thread, server)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


_counter = itertools.count(1)


class World:
    """Creates people and classes in the live server's database, as a teacher would."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def assignment(self, students: int = 1, lesson_id: str = "kiev-anger-milley"):
        n = next(_counter)
        with self.server.app.app_context():
            teacher = services.create_teacher(
                db.session, f"bt{n}@school.test", f"Ms Browser {n}", PASSWORD
            )
            c = services.create_classroom(db.session, teacher, f"Browser class {n}")
            lesson = services.current_lessons(self.server.app.config["LESSONS_DIR"]).lessons[
                lesson_id
            ]
            a = services.assign_lesson(db.session, c, lesson)
            names = []
            for i in range(students):
                s = services.create_student(db.session, f"bs{n}x{i}", f"Student {n}-{i}", PASSWORD)
                services.enroll(db.session, c, s)
                names.append(s.username)
            db.session.commit()
            return {
                "assignment_id": a.id,
                "students": names,
                "teacher": teacher.email,
                "code": c.join_code,
                "classroom_id": c.id,
            }

    def annotations(self, username: str):
        from app.models import Annotation, User

        with self.server.app.app_context():
            user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
            rows = (
                db.session.execute(
                    db.select(Annotation)
                    .filter_by(student_id=user.id)
                    .order_by(Annotation.created_at)
                )
                .scalars()
                .all()
            )
            db.session.expunge_all()
            return rows


@pytest.fixture
def world(live_server) -> World:
    return World(live_server)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


# Playwright's wait_for_function evaluates its predicate with eval(), which the app's
# Content-Security-Policy forbids; these contexts bypass the CSP so tests can poll, and
# test_csp.py drives the real pages with the CSP in force.
@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    ctx.set_default_timeout(10000)
    yield ctx
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, pg in enumerate(ctx.pages):
            with contextlib.suppress(Exception):  # best effort: the page may be gone
                pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def login(page, server: LiveServer, login_name: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username or email").fill(login_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def logout(page) -> None:
    """Log out with the header's button: the page first deletes the offline copies (site.js),
    then leaves for the login page."""
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def add_work(server: LiveServer, assignment_id: int, username: str, items: list[tuple]) -> None:
    """Give a student annotations straight through the services: (category, words or None,
    note, fields)."""

    from app.models import Assignment, User

    with server.app.app_context():
        a = db.session.get(Assignment, assignment_id)
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
        lesson = services.lesson_of(a)
        for category, words, note, fields in items:
            prompt = next(p for p in lesson.prompts if p.category == category)
            payload = {
                "category": category,
                "prompt": prompt.id,
                "note": note,
                "fields": fields or {},
            }
            if words:
                start = lesson.text.index(words)
                payload["target"] = {"start": start, "end": start + len(words), "exact": words}
            save_annotation(a.id, user, payload)
