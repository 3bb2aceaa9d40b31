"""The lesson library in the browser: a teacher opens it from the header, searches, opens a
lesson and reads it with its key, on a laptop, a tablet and a phone; axe-core finds no serious
or critical problem on either page. Screenshots land in test-artifacts/."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app import services
from app.domain.lessons.export import lesson_data
from app.extensions import db
from app.models import User
from app.services import library
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations

SIZES = [(1366, 768), (768, 1024), (390, 844)]


def own_draft(server, email: str) -> None:
    """A draft of the teacher's own, so "My lessons" has one."""
    with server.app.app_context():
        teacher = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        lessons = services.current_lessons(server.app.config["LESSONS_DIR"])
        lesson = replace(
            lessons.lessons["kiev-anger-milley"],
            id=f"draft-{teacher.id}",
            title="Whose war is it? A draft on the same report",
            outlet="Press TV (my copy)",
        )
        library.create_authored(db.session, teacher, lesson_data(lesson), lessons)
        db.session.commit()


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_teacher_finds_a_lesson_and_reads_its_key(browser, live_server, world, width, height):
    w = world.assignment()
    own_draft(live_server, w["teacher"])
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = ctx.new_page()
    log_in(page, live_server, w["teacher"])
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Lessons").click()
    page.wait_for_url("**/teacher/lessons")
    assert page.locator(".lesson-card").count() == 3  # two built-in, one draft
    card = page.locator(".lesson-card", has_text="Who says so?")
    assert "Assigned in: Period 3" in card.inner_text()
    fits(page, width)
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lessons-{width}x{height}.png"), full_page=True)

    page.get_by_label("Title or outlet").fill("who says")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/teacher/lessons?q=who+says")
    assert page.get_by_role("status").inner_text() == "1 lesson matches “who says”."
    page.get_by_role("link", name="Who says so?").click()
    page.wait_for_url("**/teacher/lessons/builtin/kiev-anger-milley")
    assert page.locator(".key-article mark.key-mark").count() >= 20
    assert page.locator("#key-om-venue").is_visible()
    fits(page, width)
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"lesson-key-{width}x{height}.png"))
    page.locator("#key-om-venue").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"lesson-key-items-{width}x{height}.png"))
    ctx.close()
