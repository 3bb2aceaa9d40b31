"""Browser tests: the app served on 127.0.0.1 by a thread, driven by Playwright in Debian's
Chromium (Playwright's own browser download does not work on these machines)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.factory import LESSON_ID
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
