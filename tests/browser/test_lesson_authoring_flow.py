"""A lesson from pasted text to a moved assignment, in the real Chromium: a teacher pastes an
article (plain text, and HTML from a web page whose headings are kept), builds its key by
highlighting (an item with an alternative span, one whose every occurrence counts), publishes
and assigns it; a student annotates and is scored against that key, by the alternative span
and by a second occurrence; the teacher edits the lesson, publishes version 2 and moves the
assignment, and the student's highlights stay on their words."""

from __future__ import annotations

import re

import pytest

from app import services
from app.domain.scoring import score_work
from app.extensions import db
from app.models import Assignment, AuthoredLesson, User
from app.services.class_work import work_of
from tests.browser.conftest import ARTIFACTS, log_in, logout
from tests.browser.helpers import (
    choose,
    drag_select,
    serious_violations,
    shown_text,
    wait_saved,
)

HEADLINE = "Council says parking plan will 'save' the high street"
FIRST = (
    "Officials said on Monday that the plan would slash traffic. Shop owners called the "
    "scheme a disaster and its critics alarmists."
)
SECOND = (
    "According to the council, fees could rise. Councillor Ann Lee called the critics "
    "alarmists. The council said fees could fall later."
)
PASTED_HTML = (
    "<html><body><nav>Home / News</nav><article><h1>Parking: the council's plan</h1>"
    "<p>Officials said on <b>Monday</b> that fees would rise.</p>"
    "<figure><img src='x.jpg'><figcaption>The high street in March.</figcaption></figure>"
    "<p>Shop owners disagreed.</p></article><script>alert(1)</script></body></html>"
)


def add(page, kind: str, explanation: str, *, every_time: bool = False) -> None:
    panel = page.locator("#panel")
    panel.wait_for(state="visible")
    panel.locator("label", has_text=kind).first.click()
    page.locator("#panel-explanation").fill(explanation)
    if every_time:
        page.locator("#panel-any").check()
    page.locator("#panel-save").click()
    panel.wait_for(state="hidden")
    wait_saved(page)


def paste_html(page, html: str) -> None:
    """Paste as a browser does from a web page: text/html and text/plain on the clipboard."""
    page.locator("#article").focus()
    page.evaluate(
        """(html) => {
          const data = new DataTransfer();
          data.setData('text/html', html);
          data.setData('text/plain', 'plain fallback');
          document.getElementById('article').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        html,
    )


@pytest.mark.browser
def test_pasted_html_keeps_its_headings_and_captions(browser, live_server, world):
    w = world.assignment()
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/lessons")
    page.get_by_role("link", name="New lesson").click()
    assert serious_violations(page) == []
    paste_html(page, PASTED_HTML)
    status = page.locator("#paste-status")
    status.filter(
        has_text=re.compile(r"^Pasted \d+ blocks")
    ).wait_for()  # not "Reading the pasted page"
    assert "1 headline" in status.inner_text()
    assert "1 caption" in status.inner_text()
    assert "alert" not in page.locator("#article").input_value()
    assert page.get_by_label("Title", exact=True).input_value() == "Parking: the council's plan"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "new-lesson-1366x768.png"), full_page=True)
    page.get_by_role("button", name="Make the draft").click()
    page.wait_for_url("**/edit")
    kinds = [page.locator(f"#block-kind-{i}").input_value() for i in range(4)]
    assert kinds[0] == "headline"
    assert "caption" in kinds
    ctx.close()


@pytest.mark.browser
def test_from_pasted_text_to_a_moved_assignment(browser, live_server, world):
    w = world.assignment()
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    t = ctx.new_page()
    log_in(t, live_server, w["teacher"])

    # a new lesson from pasted plain text; a missing title is said beside its field
    t.goto(f"{live_server.url}/teacher/lessons/new")
    t.get_by_label("The article", exact=True).fill(f"{HEADLINE}\n\n{FIRST}\n\n{SECOND}\n")
    t.get_by_role("button", name="Make the draft").click()
    assert "Give the lesson a title" in t.locator("#title-error").inner_text()
    assert (
        t.get_by_label("The article", exact=True).input_value().startswith(HEADLINE)
    )  # nothing lost
    t.get_by_label("Title", exact=True).fill("Parking plan")
    t.get_by_label("Outlet (who published it)").fill("Eastbrook Gazette")
    t.get_by_role("button", name="Make the draft").click()
    t.wait_for_url("**/edit")
    row_id = int(t.url.split("/")[-2])

    # the key: a source with an alternative span, and loaded words that count every time
    drag_select(t, "Officials said", 0, 9)
    add(t, "Source", "Unnamed officials: who are they?")
    drag_select(t, "Councillor Ann Lee", 0, 18)
    t.locator("#panel label", has_text="Another way to earn").click()
    t.locator("#panel-also").select_option("source-1")
    t.locator("#panel-save").click()
    wait_saved(t)
    drag_select(t, "its critics alarmists", 11, 21)
    add(t, "Loaded wording", "A label that dismisses the critics.", every_time=True)
    t.get_by_role("button", name="Publish").click()
    t.wait_for_url(f"**/teacher/lessons/authored/{row_id}")

    # assign it
    t.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    t.get_by_label("Lesson", exact=True).select_option(label="Parking plan")
    t.get_by_role("button", name="Assign").click()
    t.locator(".flash-success").filter(has_text="Assigned").wait_for()
    with live_server.app.app_context():
        a = (
            db.session.execute(db.select(Assignment).order_by(Assignment.id.desc()))
            .scalars()
            .first()
        )
        assignment_id = a.id
    logout(t)

    # the student finds the source by its alternative words and the second "alarmists"
    student = w["students"][0]
    log_in(t, live_server, student)
    t.goto(f"{live_server.url}/student/assignments/{assignment_id}")
    drag_select(t, "Councillor Ann Lee", 0, 18)
    choose(t, "Source")
    t.locator("#panel-save").click()
    wait_saved(t)
    drag_select(t, "the critics alarmists", 12, 21)
    choose(t, "Loaded")
    t.locator("#panel-save").click()
    wait_saved(t)
    with live_server.app.app_context():
        a = db.session.get(Assignment, assignment_id)
        user = db.session.execute(db.select(User).filter_by(username=student)).scalar_one()
        scored = score_work(services.lesson_of(a), work_of(db.session, a, user.id))
        assert scored.found == {"source-1", "loaded-1"}
    logout(t)

    # version 2: a sentence added before the student's words; the assignment moves to it
    log_in(t, live_server, w["teacher"])
    t.goto(f"{live_server.url}/teacher/lessons/authored/{row_id}/edit")
    block = t.locator("#block-text-2")
    block.fill("Yesterday, in a statement: " + block.input_value())
    wait_saved(t)
    t.get_by_role("button", name="Publish").click()
    t.wait_for_url(f"**/teacher/lessons/authored/{row_id}")
    t.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    t.locator(".newer-note").get_by_role("link", name="Review the move").click()
    counts = t.locator("table.move-counts")
    assert counts.get_by_role("row", name="Moved by quote").locator("td").inner_text() == "2"
    assert serious_violations(t) == []
    t.get_by_role("button", name="Move to the newer version").click()
    t.locator(".flash-success").wait_for()
    with live_server.app.app_context():
        row = db.session.get(AuthoredLesson, row_id)
        a = db.session.get(Assignment, assignment_id)
        assert a.lesson_version_id == row.published_version_id
        lesson = services.lesson_of(a)
    logout(t)

    log_in(t, live_server, student)
    t.goto(f"{live_server.url}/student/assignments/{assignment_id}")
    marks = t.locator("#article .hl")
    marks.first.wait_for()
    assert sorted(shown_text(m) for m in marks.all()) == ["Councillor Ann Lee", "alarmists"]
    for a in world.annotations(student):
        assert lesson.text[a.start_offset : a.end_offset] == a.exact
    ctx.close()
