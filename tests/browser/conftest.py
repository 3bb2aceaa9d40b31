"""Browser tests: the app served on 127.0.0.1 by a thread, driven by Playwright in Debian's
Chromium (Playwright's own browser download does not work on these machines)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from app import services
from app.extensions import db
from app.models import Annotation, Assignment, User
from tests.support.factory import LESSON_ID, PASSWORD, highlight
from tests.support.live import LiveServer
from tests.support.live import live_server as serve

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


@pytest.fixture(scope="session")
def live_server(template_config, tmp_path_factory) -> LiveServer:
    """The app served for the whole run, with the real lesson and the emoji lesson."""
    folder = tmp_path_factory.mktemp("live")
    with serve(template_config, folder, {"emoji-test.toml": EMOJI_LESSON}) as server:
        yield server


class World:
    """Makes people, classes and work in the live server's database with the one factory."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def assignment(self, students: int = 1, lesson_id: str = LESSON_ID) -> dict:
        """A teacher's class with ``students`` students and the lesson assigned: their logins,
        the assignment's id, the class's id and join code."""
        with self.server.app.app_context():
            make = self.server.factory()
            c = make.classroom()
            a = make.assignment(c, lesson_id)
            names = [make.student(classroom=c).username for _ in range(students)]
            return {
                "assignment_id": a.id,
                "students": names,
                "teacher": c.teacher.email,
                "code": c.join_code,
                "classroom_id": c.id,
            }

    def add_work(self, assignment_id: int, username: str, items: list[tuple]) -> None:
        """Give a student annotations: (category, words or None, note, fields)."""
        with self.server.app.app_context():
            make = self.server.factory()
            a = db.session.get(Assignment, assignment_id)
            user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
            lesson = services.lesson_of(a)
            for category, words, note, fields in items:
                prompt = next(p for p in lesson.prompts if p.category == category).id
                body = {"category": category, "prompt": prompt, "note": note}
                if words:
                    body = highlight(lesson, words, category=category, prompt=prompt, note=note)
                make.annotation(a, user, {**body, "fields": fields or {}})

    def annotations(self, username: str):
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


def log_in(page, server: LiveServer, login_name: str, password: str = PASSWORD) -> None:
    """Log in through the login page, as a person types it."""
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
