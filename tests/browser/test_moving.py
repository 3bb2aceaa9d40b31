"""Moving an assignment to a newer version of its lesson, in the browser: the teacher sees the
notice, reviews what the move does to the students' work and confirms; the student's highlight
is still on the same words, and the one whose words were taken out is listed, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import World, log_in
from tests.browser.helpers import serious_violations, shown_text
from tests.support import versions
from tests.support.live import live_server

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(template_config, tmp_path_factory):
    """A live server of its own: its lessons folder has the test lesson, which the test
    changes to version 2 as an author would."""
    lessons = {versions.EASTBROOK.name: versions.version_1()}
    with live_server(template_config, tmp_path_factory.mktemp("moving"), lessons) as s:
        yield s


def test_the_teacher_moves_the_assignment_and_the_students_highlight_stays_on_its_words(
    browser, server
):
    world = World(server)
    w = world.assignment(students=1, lesson_id=versions.LESSON_ID)
    student = w["students"][0]
    world.add_work(
        w["assignment_id"],
        student,
        [
            ("source", "Local dog walker Peter Lind", "a resident who pays", {}),
            ("source", "Councillor Sam Reyes", "the only one against", {}),
        ],
    )
    versions.write(Path(server.app.config["LESSONS_DIR"]), versions.version_2())
    teacher_ctx = browser.new_context(bypass_csp=True, viewport=VIEWPORT)
    student_ctx = browser.new_context(bypass_csp=True, viewport=VIEWPORT)
    try:
        t = teacher_ctx.new_page()
        log_in(t, server, w["teacher"])
        t.goto(f"{server.url}/teacher/classes/{w['classroom_id']}")
        notice = t.locator(".newer-note")
        assert "A newer version of this lesson is available." in notice.inner_text()
        assert serious_violations(t) == []
        notice.get_by_role("link", name="Review the move").click()
        t.wait_for_url(f"**/teacher/assignments/{w['assignment_id']}/move")
        counts = t.locator("table.move-counts")
        assert counts.get_by_role("row", name="Moved by quote").locator("td").inner_text() == "1"
        assert counts.get_by_role("row", name="Could not be placed").locator("td").inner_text() == (
            "1"
        )
        assert t.get_by_text("1 student's work: 2 annotations with a place").is_visible()
        assert serious_violations(t) == []
        t.get_by_role("button", name="Move to the newer version").click()
        t.wait_for_url(f"**/teacher/assignments/{w['assignment_id']}")
        assert t.locator(".flash-success").inner_text() == (
            "Moved to the newer version: 0 moved exactly, 1 by their words, 0 fuzzily; 1 could "
            "not be placed (kept, shown as “no longer in the text”)."
        )
        assert t.locator(".newer-note").count() == 0

        s = student_ctx.new_page()
        log_in(s, server, student)
        s.goto(f"{server.url}/student/assignments/{w['assignment_id']}")
        highlight = s.locator("#article .hl")
        highlight.first.wait_for()
        assert highlight.count() == 1
        assert shown_text(highlight) == "Local dog walker Peter Lind"
        # the words before it changed: it is in the paragraph after the reworded vote
        assert "Councillors voted 9-8 on Monday" in shown_text(s.locator("#article"))
        lost = s.locator("#annotation-list .ann.orphan")
        said = lost.locator(".ann-lost").inner_text()
        assert said == "No longer in the text: Councillor Sam Reyes", said
        assert "the only one against" in lost.inner_text()
        assert lost.get_by_role("button").count() == 0  # kept as it was: no Edit, no Delete
        assert serious_violations(s) == []
    finally:
        teacher_ctx.close()
        student_ctx.close()
