"""Saving faster than the server allows (429 with Retry-After): the page keeps the work, says
it is saving, waits as long as the server says, then sends it."""

from __future__ import annotations

from tests.browser.helpers import let_time_pass, wait_saved
from tests.browser.test_saving import QUEUED_JS, annotate, open_lesson


def test_a_429_keeps_the_work_and_sends_it_when_allowed(page, live_server, world):
    page.clock.install()  # the page's timers run on a clock the test can move on
    w, _ = open_lesson(page, live_server, world)
    app = live_server.app
    answers = []
    page.on(
        "response",
        lambda r: (
            answers.append((r.status, r.headers.get("retry-after")))
            if "/annotations/" in r.url
            else None
        ),
    )
    app.config["RATE_LIMIT_API_PER_MINUTE"] = 1
    try:
        annotate(page, "top US general", "Source", "first, allowed")
        wait_saved(page)
        with page.expect_response(lambda r: "/annotations/" in r.url) as refusal:
            annotate(page, "vented its anger", "Loaded wording", "second, over the limit")
        assert refusal.value.status == 429
        retry_after = int(refusal.value.headers["retry-after"])
        assert retry_after >= 1
        page.wait_for_function("document.getElementById('save-status').dataset.state === 'saving'")
        # the retry waits for Retry-After: until just before it, nothing more is refused
        let_time_pass(page, retry_after * 1000 - 200)
        assert [a[0] for a in answers].count(429) == 1
        assert page.evaluate(QUEUED_JS) == [1]  # kept on this device
        assert [r.note for r in world.annotations(w["students"][0])] == ["first, allowed"]
    finally:
        app.config["RATE_LIMIT_API_PER_MINUTE"] = 600
        app.extensions["limiter"].store.reset()  # a new minute, as far as it knows
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a nudge: send now
    wait_saved(page)
    assert [r.note for r in world.annotations(w["students"][0])] == [
        "first, allowed",
        "second, over the limit",
    ]
