"""A teacher deletes a class from its settings page: the confirmation page says what goes,
offers the grades first, has no serious accessibility problems at 1366x768, refuses a wrong
class name, and with the right one deletes the class and the students left in no class."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.extensions import db
from app.models import Classroom, User
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_pages import serious_violations

SHOTS = Path(tempfile.gettempdir()) / "shots"


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, SHOTS):  # /tmp/shots: to look at by hand
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def test_a_teacher_deletes_a_class_after_typing_its_name(page, live_server, world):
    w = world.assignment(students=2)
    world.add_work(
        w["assignment_id"],
        w["students"][0],
        [("loaded", "vented its anger", "Sounds furious", None)],
    )
    n = w["classroom_id"]
    with live_server.app.app_context():
        name = db.session.get(Classroom, n).name
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/classes/{n}/settings")
    shot(page, "class-settings-1366x768.png")
    page.get_by_role("link", name="Delete class…").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/teacher/classes/{n}/delete")
    assert page.get_by_role("heading", level=1).inner_text() == f"Delete {name} for good?"
    box = page.locator(".danger-box").inner_text()
    assert "All your students' work in this class will be deleted for good" in box
    assert "2 students are in no other class" in box
    assert page.get_by_role("link", name="Grades (CSV)").count() == 1
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "class-delete-1366x768.png")

    field = page.get_by_label("Type the class name to confirm")
    field.fill(name.lower())
    page.get_by_role("button", name="Delete this class for good").click()
    page.wait_for_load_state()
    assert "That isn't the class name" in page.locator(".error").inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == name.lower()  # what was typed stays
    shot(page, "class-delete-wrong-name-1366x768.png")

    field.fill(name)
    page.get_by_role("button", name="Delete this class for good").click()
    page.wait_for_load_state()
    assert page.url.endswith("/teacher/")
    flash = page.locator(".flash").inner_text()
    assert f"Deleted \u201c{name}\u201d with its 1 assignment" in flash
    with live_server.app.app_context():
        assert db.session.get(Classroom, n) is None
        assert (
            db.session.execute(db.select(User).where(User.username.in_(w["students"]))).first()
            is None
        )
