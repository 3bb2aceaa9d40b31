"""A login that has gone unused ends on the server: the next page is the login page, saying
why, in words; and a browser typing wrong class codes is told how long to wait."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import log_in
from tests.browser.helpers import serious_violations
from tests.browser.test_roster import shot

SIZES = [(1366, 768), (768, 1024), (390, 844)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_idle_login_ends_with_the_reason_on_the_login_page(
    browser, live_server, world, width, height
):
    w = world.assignment(students=1)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    app = live_server.app
    try:
        log_in(page, live_server, w["students"][0])
        assert "/student" in page.url
        app.config["SESSION_IDLE_TIMEOUT"] = 1
        time.sleep(2.2)  # the stamps count whole seconds
        page.reload()
        page.wait_for_load_state()
    finally:
        app.config["SESSION_IDLE_TIMEOUT"] = 8 * 60 * 60
    assert "/login" in page.url
    status = page.get_by_role("status")
    assert "You were logged out after about 1 second without using the site" in (
        status.inner_text()
    )
    assert "Please log in to see that page" not in page.locator("main").inner_text()  # once
    assert page.get_by_label("Username or email").is_visible()
    assert serious_violations(page) == []
    shot(page, f"session-ended-{width}x{height}.png")
    log_in(page, live_server, w["students"][0])  # and logging in again works
    assert "/student" in page.url
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_too_many_wrong_codes_in_one_browser_says_how_long_to_wait(
    browser, live_server, world, width, height
):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    app = live_server.app
    app.config["RATE_LIMIT_JOIN_FAILURES_PER_BROWSER"] = 1
    try:
        page.goto(f"{live_server.url}/join")
        for _ in range(2):
            page.get_by_label("Class code").fill("ZZZZZZ")
            page.get_by_label("First name").fill("Amira")
            page.get_by_label("Last name").fill("Khan")
            page.get_by_label("Choose a username").fill(f"amira-{width}")
            page.get_by_label("Password", exact=True).fill("my secret password")
            page.get_by_label("Type the password again").fill("my secret password")
            page.get_by_role("button", name="Join class").click()
            page.wait_for_load_state()
    finally:
        app.config["RATE_LIMIT_JOIN_FAILURES_PER_BROWSER"] = 10
    alert = page.get_by_role("alert").first
    assert "Too many wrong class codes or taken usernames" in alert.inner_text()
    assert "about 15 minutes" in alert.inner_text()
    assert page.get_by_label("Choose a username").input_value() == f"amira-{width}"  # kept
    assert serious_violations(page) == []
    shot(page, f"join-throttled-{width}x{height}.png")
    context.close()
