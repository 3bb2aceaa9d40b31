"""A teacher deletes one assignment from the class page: the confirmation page says how many
students' work goes, has no serious accessibility problems at 1366x768, refuses without the
box ticked, and with it deletes the assignment and says what went."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.extensions import db
from app.models import Annotation, Assignment
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations

SHOTS = Path(tempfile.gettempdir()) / "shots"


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, SHOTS):  # /tmp/shots: to look at by hand
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def test_a_teacher_deletes_an_assignment_after_ticking_the_box(page, live_server, world):
    w = world.assignment(students=2)
    for student in w["students"]:
        world.add_work(
            w["assignment_id"], student, [("loaded", "vented its anger", "Sounds furious", None)]
        )
    a_id, c_id = w["assignment_id"], w["classroom_id"]
    with live_server.app.app_context():
        title = db.session.get(Assignment, a_id).lesson_version.title
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/classes/{c_id}")
    page.get_by_role("link", name=f"Delete \u201c{title}\u201d").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/teacher/assignments/{a_id}/delete")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Delete \u201c{title}\u201d for good?"
    )
    box = page.locator(".danger-box").inner_text()
    assert "2 students have work on it, which will be deleted for good" in box
    assert "2 annotations and 0 submitted lessons" in box
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "assignment-delete-1366x768.png")

    button = page.get_by_role("button", name="Delete this assignment for good")
    button.click()
    page.wait_for_load_state()
    box = page.get_by_label("I understand that my students' work on it will be deleted for good")
    assert "Tick the box" in page.locator(".error").inner_text()
    assert box.get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    shot(page, "assignment-delete-unticked-1366x768.png")
    with live_server.app.app_context():
        assert db.session.get(Assignment, a_id) is not None

    box.check()
    button.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/teacher/classes/{c_id}")
    flash = page.locator(".flash").inner_text()
    assert f"Deleted \u201c{title}\u201d and the work of 2 students on it" in flash
    assert "Nothing assigned yet" in page.locator("#assigned-h + *").inner_text()
    with live_server.app.app_context():
        assert db.session.get(Assignment, a_id) is None
        assert (
            db.session.execute(db.select(Annotation).filter_by(assignment_id=a_id)).first() is None
        )


def test_a_teacher_is_asked_before_assigning_a_lesson_again_and_can_archive_one(
    page, live_server, world
):
    w = world.assignment(students=1)
    a_id, c_id = w["assignment_id"], w["classroom_id"]
    with live_server.app.app_context():
        a = db.session.get(Assignment, a_id)
        title, lesson_id = a.lesson_version.title, a.lesson_version.lesson_id
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/classes/{c_id}")
    page.get_by_label("Lesson", exact=True).select_option(lesson_id)
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    warning = page.get_by_role("alert").inner_text()
    assert f"This class already has \u201c{title}\u201d" in warning
    assert "Assign it again?" in warning
    assert serious_violations(page) == []
    shot(page, "class-assign-again-1366x768.png")
    with live_server.app.app_context():
        assert len(db.session.get(Assignment, a_id).classroom.assignments) == 1

    page.get_by_role("button", name="Assign it again").click()
    page.wait_for_load_state()
    assert f"Assigned \u201c{title}\u201d." in page.locator(".flash").inner_text()
    page.get_by_role("button", name=f"Archive \u201c{title}\u201d").first.click()
    page.wait_for_load_state()
    archived = page.locator(".archived-assignments")
    assert title in archived.inner_text()
    assert archived.get_by_role("button", name=f"Unarchive \u201c{title}\u201d").count() == 1
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "class-archived-assignment-1366x768.png")
