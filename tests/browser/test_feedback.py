"""Released feedback on the article, as a student uses it on a laptop, a tablet and a phone: the
marks, each opening its explanation (by click, tap or keyboard; Escape closes), a popover that
fits the window, a short page instead of a long list, and the home page's "Feedback ready"."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Assignment
from app.services import grading
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations
from tests.support.factory import LESSON_ID

SIZES = {"laptop": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, Path(tempfile.gettempdir()) / "shots"):  # /tmp/shots: by hand
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


@pytest.fixture
def released(world, live_server) -> dict:
    """A student's work: a source found, a phrase in the wrong category, a decoy and an
    omission answer; then the teacher releases feedback."""
    w = world.assignment()
    world.add_work(
        w["assignment_id"],
        w["students"][0],
        [
            ("source", "media reports said on Tuesday", "which reports?", None),
            ("source", "vented its anger", "", None),
            ("loaded", "alleged war crimes", "", None),
            ("omission", None, "", {"missing": "Where he said it"}),
        ],
    )
    with live_server.app.app_context():
        grading.release(db.session, db.session.get(Assignment, w["assignment_id"]))
        db.session.commit()
    return w


def mark(page, words: str):
    return page.locator("#feedback-article a.fb-mark", has_text=words).first


def click_words(page, locator) -> None:
    """Click a mark's words as a person does: on its first line (the middle of a phrase that
    wraps onto a second line is in the text between, not on the phrase)."""
    locator.scroll_into_view_if_needed()
    r = locator.evaluate(
        "el => { const r = el.getClientRects()[0];"
        " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"
    )
    page.mouse.click(r["x"], r["y"])


def inside_window(page, locator) -> bool:
    box = locator.bounding_box()
    view = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"]
        and box["y"] + box["height"] <= view["height"]
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_a_student_opens_each_marks_explanation_and_closes_it(browser, live_server, released, size):
    width, height = SIZES[size]
    page = browser.new_page(bypass_csp=True, viewport={"width": width, "height": height})
    log_in(page, live_server, released["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{released['assignment_id']}")
    pop = page.locator("#fb-pop")
    # the summary at the top, short; the marks' notes wait behind the marks
    assert "You found 1 of" in page.locator("#found-line").inner_text()
    assert page.locator("#feedback").bounding_box()["height"] < {"phone": 900}.get(size, 600)
    page.locator("#fb-notes").wait_for(state="hidden")
    assert page.locator("#article").is_hidden()  # one article on the page, the marked one
    assert serious_violations(page) == []
    shot(page, f"feedback-{size}.png")

    # a click (a tap) on a found phrase: its explanation, in the window
    found = mark(page, "media reports said on Tuesday")
    click_words(page, found)
    pop.wait_for(state="visible")
    assert "You found this: Source" in pop.inner_text()
    assert "names no outlet" in pop.inner_text()
    assert inside_window(page, pop)
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"feedback-open-{size}.png"))
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "shots" / f"feedback-open-{size}.png"))
    page.keyboard.press("Escape")
    pop.wait_for(state="hidden")
    assert found.evaluate("el => el === document.activeElement")

    # by keyboard: Tab reaches the next mark, Enter opens it, Close shuts it
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.classList.contains('fb-mark')")
    assert focused
    page.keyboard.press("Enter")
    pop.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "fb-pop-h"
    assert inside_window(page, pop)
    page.get_by_role("button", name="Close").click()
    pop.wait_for(state="hidden")

    # the phrase in the wrong category says both kinds
    wrong = mark(page, "vented its anger")
    click_words(page, wrong)
    assert "You marked this as Source, but the answer key lists it as Loaded wording." in (
        pop.inner_text()
    )
    assert inside_window(page, pop)
    page.keyboard.press("Escape")
    pop.wait_for(state="hidden")

    # "My annotations" leads to the mark on the article, opened
    page.locator("#annotation-list button.ann-go", has_text="alleged war crimes").click()
    pop.wait_for(state="visible")
    assert "Careful wording: not Loaded wording" in pop.inner_text()
    assert inside_window(page, pop)
    assert mark(page, "alleged war crimes").get_attribute("aria-expanded") == "true"
    page.close()


def test_the_home_page_says_feedback_is_ready_and_leads_to_it(page, live_server, released):
    log_in(page, live_server, released["students"][0])
    page.goto(f"{live_server.url}/student/")
    ready = page.locator(".feedback-ready")
    assert "Feedback ready: your grade is" in ready.inner_text()
    assert serious_violations(page) == []
    ready.get_by_role("link", name="Feedback ready").click()
    page.locator("#feedback").wait_for()
    assert page.url.endswith("#feedback")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_teacher_previews_the_feedback_on_the_article(browser, live_server, world, size):
    w = world.assignment(students=0)
    width, height = SIZES[size]
    page = browser.new_page(bypass_csp=True, viewport={"width": width, "height": height})
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/lessons/builtin/{LESSON_ID}/preview/feedback")
    page.locator("#fb-notes").wait_for(state="hidden")
    assert page.locator("#feedback-article a.fb-found").count() >= 1
    assert page.locator("#feedback-article a.fb-missed").count() >= 1
    assert serious_violations(page) == []
    shot(page, f"preview-feedback-{size}.png")
    first = page.locator("#feedback-article a.fb-mark").first
    first.focus()
    page.keyboard.press("Enter")
    pop = page.locator("#fb-pop")
    pop.wait_for(state="visible")
    assert inside_window(page, pop)
    page.keyboard.press("Escape")
    pop.wait_for(state="hidden")
    assert first.evaluate("el => el === document.activeElement")
    page.close()
