"""A teacher releases feedback from the dashboard: a confirmation page with the counts first
(no JavaScript needed: plain form posts), a release to those who submitted, then the undo;
at 1366x768, 768x1024 and 390x844, with the keyboard, and free of serious axe violations."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from app import services
from app.extensions import db
from app.models import Assignment, Submission, User
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations

SHOTS = Path(tempfile.gettempdir()) / "shots"
SIZES = [(1366, 768), (768, 1024), (390, 844)]


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, SHOTS):  # /tmp/shots: to look at by hand
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def check(page, width: int, name: str) -> None:
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, name)


def submit(live_server, assignment_id: int, username: str) -> None:
    with live_server.app.app_context():
        a = db.session.get(Assignment, assignment_id)
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
        services.submit(db.session, a, user)
        db.session.commit()


def released(live_server, assignment_id: int) -> list:
    with live_server.app.app_context():
        return list(
            db.session.execute(
                db.select(Submission.released_at).filter_by(assignment_id=assignment_id)
            ).scalars()
        )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_release_with_confirmation_then_undo(page, live_server, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    w = world.assignment(students=3)
    a_id = w["assignment_id"]
    done, busy, _idle = w["students"]
    for student in (done, busy):
        world.add_work(a_id, student, [("loaded", "vented its anger", "Sounds furious", None)])
    submit(live_server, a_id, done)
    size = f"{width}x{height}"

    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/assignments/{a_id}")
    page.get_by_role("link", name="Release feedback to students…").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/teacher/assignments/{a_id}/release")
    counts = page.locator(".release-counts").inner_text()
    assert counts == "1 submitted, 1 in progress, 1 not started: their work will be closed."
    check(page, width, f"release-confirm-{size}.png")
    assert released(live_server, a_id) == [None]  # the page alone releases nothing

    # with the keyboard: the first button is the release to those who submitted
    to_submitted = page.get_by_role("button", name="Release to the 1 who submitted")
    to_submitted.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/teacher/assignments/{a_id}")
    flash = page.locator(".flash").inner_text()
    assert "Feedback released to 1 student" in flash
    assert "2 students who have not submitted can keep working" in flash
    assert "feedback released to 1 of 3" in page.locator(".dash-head").inner_text()
    assert page.get_by_role("link", name="Release feedback to the rest…").is_visible()
    check(page, width, f"release-done-{size}.png")
    assert [r is not None for r in released(live_server, a_id)] == [True]

    page.get_by_role("button", name="Undo the release").click()
    page.wait_for_load_state()
    assert (
        "Release undone: feedback is hidden again from 1 student"
        in page.locator(".flash").inner_text()
    )
    assert "feedback not released" in page.locator(".dash-head").inner_text()
    check(page, width, f"release-undone-{size}.png")
    assert released(live_server, a_id) == [None]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_work_closed_by_a_release_reads_not_submitted_and_can_be_returned(
    page, live_server, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    w = world.assignment(students=1)
    a_id, [busy] = w["assignment_id"], w["students"]
    world.add_work(a_id, busy, [("loaded", "vented its anger", "Sounds furious", None)])
    size = f"{width}x{height}"
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/assignments/{a_id}/release")
    page.get_by_role("button", name="Release to all 1 and close the rest").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=busy_name(live_server, busy)).click()
    page.wait_for_load_state()
    head = page.locator(".dash-head").inner_text()
    assert "Missing" in head
    assert "not submitted: closed by the release" in head
    check(page, width, f"release-review-{size}.png")

    student = page.context.browser.new_context(
        bypass_csp=True, viewport={"width": width, "height": height}
    )
    sp = student.new_page()
    log_in(sp, live_server, busy)
    assert "Not submitted" in sp.locator(".card").inner_text()
    assert "Feedback ready" in sp.locator(".card").inner_text()
    check(sp, width, f"release-student-home-{size}.png")
    sp.locator(".card a").first.click()  # the title (the other link is "Feedback ready")
    sp.wait_for_load_state()
    assert "(not submitted)" in sp.locator(".score-line").inner_text()
    assert "counts as not submitted" in sp.locator("#submitted-banner").inner_text()
    check(sp, width, f"release-student-lesson-{size}.png")

    page.get_by_role("button", name=f"Return the work to {busy_name(live_server, busy)}").click()
    page.wait_for_load_state()
    assert "Their feedback is hidden" in page.locator(".flash").inner_text()
    sp.reload()
    assert sp.locator("#feedback").count() == 0
    assert sp.get_by_role("button", name="Submit my work").is_visible()
    student.close()


def busy_name(live_server, username: str) -> str:
    with live_server.app.app_context():
        return db.session.execute(
            db.select(User.display_name).filter_by(username=username)
        ).scalar_one()
