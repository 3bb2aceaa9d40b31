"""A teacher previews their draft as a student in the real Chromium: highlights words with the
mouse, saves an annotation, sees it in "My annotations", and nothing reaches the server or
stays in the browser; then previews the feedback a sample student would see. Both pages on a
laptop and a phone, checked by axe. Screenshots land in test-artifacts/."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import services
from app.domain.lessons.draft import new_draft
from app.extensions import db
from app.models import Annotation, Submission, User
from app.services import library
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import (
    choose,
    drag_select,
    serious_violations,
    shown_text,
    wait_saved,
)

ARTICLE = [
    ("headline", "Council says parking plan will 'save' the high street"),
    (
        "paragraph",
        "Officials said on Monday that the plan would slash traffic. Shop owners said the "
        "scheme was a disaster for trade.",
    ),
    ("paragraph", "According to the council, fees could rise. The council said fees could fall."),
]
KEY = [
    {"id": "source-1", "category": "source", "quote": "Officials", "explanation": "Who?"},
    {"id": "loaded-1", "category": "loaded", "quote": "slash", "explanation": "Say 'cut'."},
    {"id": "loaded-2", "category": "loaded", "quote": "a disaster", "explanation": "Whose view?"},
    {
        "id": "omission-1",
        "category": "omission",
        "statement": "How much the fees are now",
        "explanation": "Rise from what?",
        "reference": "https://eastbrook.example/fees",
        "cues": ["fee", "cost"],
    },
]


def new_draft_with_key(server, email: str) -> int:
    with server.app.app_context():
        teacher = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        lessons = services.current_lessons(server.app.config["LESSONS_DIR"])
        lesson_id = library.free_id(db.session, lessons, "Parking plan")
        details = {"title": "Parking plan", "outlet": "Eastbrook Gazette"}
        data = new_draft(lesson_id, details, ARTICLE)
        row = library.create_authored(db.session, teacher, {**data, "key": KEY}, lessons)
        db.session.commit()
        return row.id


def stored_work(server) -> tuple[int, int]:
    """How many annotations and submissions the database holds."""
    with server.app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
            for m in (Annotation, Submission)
        )


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def traces(page) -> dict:
    """What the page has left in the browser: storage keys and service workers."""
    return page.evaluate(
        """async () => ({
          local: Object.keys(localStorage),
          session: Object.keys(sessionStorage),
          workers: (await navigator.serviceWorker.getRegistrations()).length,
        })"""
    )


@pytest.mark.browser
def test_a_teacher_previews_a_draft_as_a_student_and_nothing_is_saved(browser, live_server, world):
    w = world.assignment()
    row_id = new_draft_with_key(live_server, w["teacher"])
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, w["teacher"])
    before = stored_work(live_server)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.url}"))

    # the editor opens the previews in a new tab, beside it
    page.goto(f"{live_server.url}/teacher/lessons/authored/{row_id}/edit")
    link = page.locator(".lesson-tools .actions").get_by_role("link", name="Preview as a student")
    assert link.get_attribute("target") == "_blank"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".lesson-tools").screenshot(path=str(ARTIFACTS / "preview-links-editor.png"))
    page.goto(f"{live_server.url}/teacher/lessons/authored/{row_id}")
    page.locator(".lesson-read-head").screenshot(path=str(ARTIFACTS / "preview-links-lesson.png"))
    sent.clear()  # from here on, the previews' requests
    page.get_by_role("link", name="Preview as a student").click()
    page.wait_for_url(f"**/teacher/lessons/authored/{row_id}/preview")
    page.locator("#article .block").first.wait_for()
    banner = page.locator(".preview-banner").inner_text()
    assert "Preview: this is what students see. Nothing you do here is saved." in banner

    # highlight with the mouse and annotate, exactly as a student does
    drag_select(page, "the plan would slash traffic", 15, 20)
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel-quote").inner_text() == "slash"
    choose(page, "Loaded wording")
    page.locator("#panel-note").fill("Sounds violent: 'cut' would do")
    page.locator("#panel-save").click()
    wait_saved(page)
    assert page.locator("#save-status").inner_text() == "All changes saved"
    assert shown_text(page.locator("#article .hl").first) == "slash"
    mine = page.locator("#annotation-list")
    assert mine.locator(".ann-quote").inner_text() == "slash"
    assert "Sounds violent" in mine.inner_text()
    assert page.locator("#total-count").inner_text() == "(1)"
    shot(page, "preview-student-1366x768.png")
    assert serious_violations(page) == []

    # submitting works as for a student, and a change after it is refused, as it would be
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Submit my work").click()
    page.wait_for_function("document.getElementById('submit-button').textContent === 'Submitted'")
    assert page.locator("#submit-button").is_disabled()
    assert "in this preview nothing was kept" in page.locator("#toast").inner_text()
    drag_select(page, "a disaster for trade", 0, 10)
    choose(page, "Loaded wording")
    page.locator("#panel-save").click()
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'submitted'")
    assert "You submitted this preview" in page.locator("#save-status").inner_text()

    assert errors == []
    assert [s for s in sent if "/api/" in s] == []
    assert [s for s in sent if not s.startswith("GET ")] == []
    assert traces(page) == {"local": [], "session": [], "workers": 0}
    assert stored_work(live_server) == before

    # the feedback a sample student would see, from the banner
    page.get_by_role("link", name="Preview feedback").click()
    page.wait_for_url(f"**/teacher/lessons/authored/{row_id}/preview/feedback")
    feedback = page.locator("#feedback")
    feedback.wait_for()
    assert "Your grade:" in feedback.inner_text()
    # the sample's work on the article: a mark opens its explanation, never the annotate panel
    first_mark = page.locator("#feedback-article .fb-mark").first
    first_mark.wait_for()
    assert page.locator("#panel").is_hidden()
    first_mark.focus()
    page.keyboard.press("Enter")
    page.locator("#fb-pop").wait_for()
    assert page.locator("#panel").is_hidden()
    page.keyboard.press("Escape")
    page.locator("#fb-pop").wait_for(state="hidden")
    assert page.locator("#submit-button").count() == 0
    shot(page, "preview-feedback-1366x768.png")
    assert serious_violations(page) == []
    assert errors == []
    assert [s for s in sent if "/api/" in s or not s.startswith("GET ")] == []
    assert traces(page) == {"local": [], "session": [], "workers": 0}
    assert stored_work(live_server) == before
    ctx.close()


@pytest.mark.browser
def test_both_previews_of_a_built_in_lesson_fit_a_phone_under_the_csp(browser, live_server, world):
    w = world.assignment()
    ctx = browser.new_context(viewport={"width": 390, "height": 844})  # CSP enforced
    page = ctx.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, live_server, w["teacher"])
    before = stored_work(live_server)
    base = f"{live_server.url}/teacher/lessons/builtin/kiev-anger-milley/preview"
    for url, name in ((base, "student"), (f"{base}/feedback", "feedback")):
        page.goto(url)
        article = "#feedback-article" if name == "feedback" else "#article"
        page.locator(f"{article} .block").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        if name == "student":
            drag_select(page, "Ukraine has vented its anger", 12, 28)
            choose(page, "Loaded wording")
            page.locator("#panel-save").click()
            page.locator("#annotation-list .ann-quote", has_text="vented its anger").wait_for()
            page.locator("#save-status[data-state=saved]").wait_for()
            # typing the words is a form for pages without JavaScript: off in a preview
            page.locator("#quote-form summary").click()
            assert page.locator("#quote-form textarea, #quote-form select").count() > 1
            controls = "#quote-form :is(input, textarea, select, button)"
            assert page.locator(f"{controls}:enabled").count() == 0
            assert page.locator("#quote-preview").is_visible()
        assert serious_violations(page) == [], name
        shot(page, f"preview-{name}-390x844.png")
    assert violations == []
    assert stored_work(live_server) == before
    ctx.close()
