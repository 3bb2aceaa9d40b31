"""The pages work with the Content-Security-Policy in force (other browser tests bypass it so
Playwright can poll with eval): annotate, save, reload; no policy violation reported."""

from __future__ import annotations

from tests.browser.conftest import log_in, logout
from tests.browser.helpers import choose, drag_select

SENTENCE = "Ukraine has vented its anger on a top US general"


def test_the_lesson_page_runs_under_the_content_security_policy(browser, live_server, world):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # CSP enforced
    page = ctx.new_page()
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    w = world.assignment()
    log_in(page, live_server, w["students"][0])
    resp = page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    start = SENTENCE.index("vented")
    drag_select(page, SENTENCE, start, start + len("vented its anger"))
    choose(page, "Loaded wording")
    page.locator("#panel-note").fill("saved under the CSP")
    page.locator("#panel-save").click()
    page.locator("#save-status[data-state=saved]").wait_for()
    page.locator("#annotation-list .ann-quote", has_text="vented its anger").wait_for()
    [row] = world.annotations(w["students"][0])
    assert row.note == "saved under the CSP"
    page.reload()
    page.locator(".hl", has_text="vented its anger").wait_for()
    # the teacher's pages too
    logout(page)
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    page.locator(".score-chart").wait_for()
    assert violations == []
    ctx.close()
