"""A teacher imports a roster through the class page and prints the one-time passwords; a
student logs in with one, must choose their own password, then sees their lessons. The class
page with a roster has no serious accessibility problems and looks right at 1366x768."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_pages import serious_violations
from tests.support.factory import PASSWORD

ROSTER = (
    "\ufeffStudent Name;Login;SIS ID;Period\r\n"
    "Amira Khan;amira.k{n};S1001;Period 3\r\n"
    "<b>Bold</b> Ben;ben.c{n};S1002;Period 3\r\n"
    "=1+2 Cy;cy.d{n};;Period 4\r\n"
    "Bad Row;no spaces allowed;;\r\n"
)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for folder in (ARTIFACTS, Path(tempfile.gettempdir())):  # also /tmp, to look at by hand
        page.screenshot(path=str(folder / name), full_page=True)


def test_teacher_imports_a_roster_and_a_student_starts_with_a_one_time_password(
    browser, live_server, world
):
    w = world.assignment(students=0)
    n = w["classroom_id"]
    teacher_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    t = teacher_ctx.new_page()
    log_in(t, live_server, w["teacher"])
    t.goto(f"{live_server.url}/teacher/classes/{n}/roster/import")
    assert serious_violations(t) == []
    shot(t, "roster-import-1366x768.png")
    t.goto(f"{live_server.url}/teacher/classes/{n}")
    t.get_by_label("Roster file (CSV)").set_input_files(
        files=[
            {
                "name": "period3.csv",
                "mimeType": "text/csv",
                "buffer": ROSTER.format(n=n).encode("utf-8"),
            }
        ]
    )
    t.get_by_role("button", name="Import", exact=True).click()
    t.wait_for_load_state()

    assert "shown only now: print them" in t.locator(".pw-warning").inner_text()
    cards = t.locator(".pw-card")
    assert cards.count() == 3
    names = cards.locator(".pw-name").all_inner_texts()
    assert names == ["Amira Khan", "<b>Bold</b> Ben", "=1+2 Cy"]  # as typed, shown as text
    problems = t.locator(".problem-table tbody tr")
    assert problems.count() == 1
    assert problems.first.locator("td").first.inner_text() == "5"  # reported by line
    amira = cards.filter(has_text="Amira Khan")
    password = amira.locator(".pw-secret").inner_text()
    assert amira.locator(".pw-url").inner_text().endswith("/login")
    shot(t, "roster-passwords-1366x768.png")
    t.emulate_media(media="print")
    assert t.locator(".site-header").is_hidden()
    assert t.locator(".pw-warning").is_hidden()
    assert cards.first.is_visible()
    shot(t, "roster-passwords-print.png")
    t.emulate_media(media="screen")

    student_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    s = student_ctx.new_page()
    log_in(s, live_server, f"amira.k{n}", password)
    assert s.url.endswith("/account/new-password")
    s.goto(f"{live_server.url}/student/")  # every page leads back here until it's done
    assert s.url.endswith("/account/new-password")
    assert serious_violations(s) == []
    shot(s, "roster-new-password-1366x768.png")
    s.get_by_label("New password").fill("my own long passphrase")
    s.get_by_label("Type it again").fill("my own long passphrase")
    s.get_by_role("button", name="Save my password").click()
    s.wait_for_load_state()
    assert s.url.endswith("/student/")
    assert "Your new password is saved" in s.locator(".flash").inner_text()
    assert s.get_by_role("link", name="Who says so?").is_visible()  # the assigned lesson

    t.goto(f"{live_server.url}/teacher/classes/{n}")
    rows = t.locator(".roster-table tbody tr")
    assert rows.count() == 3
    amira_row = rows.filter(has_text="Amira Khan")
    assert "Their own" in amira_row.inner_text()
    assert "S1001" in amira_row.inner_text()
    assert "One-time, not yet changed" in rows.filter(has_text="Bold").inner_text()
    assert t.evaluate("document.documentElement.scrollWidth") <= 1366
    assert serious_violations(t) == []
    shot(t, "roster-class-page-1366x768.png")
    teacher_ctx.close()
    student_ctx.close()


def test_a_teacher_resets_a_password_and_removes_a_student(page, live_server, world):
    w = world.assignment(students=2)
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    first, second = w["students"]
    row = page.locator(".roster-table tbody tr").filter(has_text=first)
    row.get_by_role("link", name="Reset password").click()
    page.get_by_role("button", name="Reset password").click()
    password = page.locator(".pw-secret").inner_text()
    assert len(password) == 14
    assert page.locator(".pw-card .pw-mono").first.inner_text() == first

    page.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    row = page.locator(".roster-table tbody tr").filter(has_text=second)
    row.get_by_role("link", name="Remove").click()
    assert "Their work in this class will be deleted" in page.locator(".danger-box").inner_text()
    assert serious_violations(page) == []
    shot(page, "roster-remove-1366x768.png")
    page.get_by_role("button", name="Remove and delete their work").click()
    assert "was removed" in page.locator(".flash").inner_text()
    assert page.locator(".roster-table tbody tr").count() == 1

    log_in(page, live_server, second, PASSWORD)  # the account went with its only class
    assert page.url.endswith("/login")


SIZES = [(1366, 768), (768, 1024), (390, 844)]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_teacher_edits_a_students_ids_by_keyboard_and_canvas_warns_about_the_others(
    browser, live_server, world, width, height
):
    w = world.assignment(students=2)
    first = w["students"][0]
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    t = ctx.new_page()
    log_in(t, live_server, w["teacher"])
    size = f"{width}x{height}"

    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    t.get_by_text("Export", exact=True).focus()
    t.keyboard.press("Enter")
    warning = t.locator("#canvas-unmatched")
    assert warning.is_visible()
    assert "2 students have no SIS user ID or SIS login ID" in warning.inner_text()
    box = warning.bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= box["x"] + box["width"] <= width  # all of it on screen
    assert t.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(t) == []
    shot(t, f"dashboard-canvas-warning-{size}.png")
    t.screenshot(path=str(ARTIFACTS / f"dashboard-export-menu-{size}.png"))  # the screen only

    t.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    row = t.locator(".roster-table tbody tr").filter(has_text=first)
    row.get_by_role("link", name="Edit").focus()
    with t.expect_navigation():
        t.keyboard.press("Enter")
    assert t.get_by_label("Name", exact=True).evaluate("e => e === document.activeElement")
    assert serious_violations(t) == []
    t.get_by_label("Name", exact=True).fill("")
    t.get_by_label("SIS user ID").fill("S1001")
    with t.expect_navigation():
        t.keyboard.press("Enter")
    assert t.locator("#name-error").inner_text() == "Type the student's name."
    assert t.get_by_label("SIS user ID").input_value() == "S1001"  # kept
    t.get_by_label("Name", exact=True).fill("Amira Khan")
    assert t.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(t) == []
    shot(t, f"roster-edit-error-{size}.png")
    with t.expect_navigation():
        t.get_by_label("SIS user ID").press("Enter")
    assert "name and SIS user ID changed" in t.locator(".flash").inner_text()
    assert "S1001" in t.locator(".roster-table tbody tr").filter(has_text="Amira Khan").inner_text()
    assert serious_violations(t) == []
    # the table scrolls in its box; its hidden link words don't widen the page
    assert t.evaluate("document.documentElement.scrollWidth") <= width
    shot(t, f"roster-edited-{size}.png")

    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    t.get_by_text("Export", exact=True).click()
    warning = t.locator("#canvas-unmatched")
    assert "1 student has no SIS user ID" in warning.inner_text()
    assert warning.inner_text().count("Student ") == 1  # the other one, by name
    ctx.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_join_form_asks_for_a_first_and_last_name_and_keeps_them(
    browser, live_server, world, width, height
):
    w = world.assignment(students=0)
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    s = ctx.new_page()
    s.goto(f"{live_server.url}/join")
    s.get_by_label("Class code").fill(w["code"])
    s.get_by_label("First name").fill("Amira")
    s.get_by_label("Choose a username").fill(f"amira-{width}")
    s.get_by_label("Password", exact=True).fill("another passphrase")
    s.get_by_label("Type the password again").fill("another passphrase")
    with s.expect_navigation():
        s.get_by_role("button", name="Join class").click()
    assert s.locator("#last_name-error").inner_text() == "Tell us your last name."
    assert s.get_by_label("First name").input_value() == "Amira"
    assert s.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(s) == []
    shot(s, f"join-name-error-{width}x{height}.png")
    s.get_by_label("Last name").fill("Khan")
    s.get_by_label("Password", exact=True).fill("another passphrase")
    s.get_by_label("Type the password again").fill("another passphrase")
    with s.expect_navigation():
        s.get_by_role("button", name="Join class").click()
    assert "Amira Khan" in s.locator(".site-header").inner_text()
    ctx.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_teacher_past_the_taken_usernames_limit_is_told_why_and_when_on_the_import_page(
    browser, live_server, world, width, height
):
    elsewhere = world.assignment(students=2)["students"]  # another teacher's students
    w = world.assignment(students=0)
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    t = ctx.new_page()
    log_in(t, live_server, w["teacher"])
    app = live_server.app
    app.config["RATE_LIMIT_ROSTER_TAKEN_PER_HOUR"] = 1
    try:
        t.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}/roster/import")
        t.get_by_label("Roster file").set_input_files(
            files=[
                {
                    "name": "guesses.csv",
                    "mimeType": "text/csv",
                    "buffer": (
                        "name,username\n"
                        + "".join(f"S,{u}\n" for u in elsewhere)
                        + f"B,free{width}\n"
                    ).encode(),
                }
            ]
        )
        t.get_by_role("button", name="Import", exact=True).focus()
        with t.expect_navigation():
            t.keyboard.press("Enter")
    finally:
        app.config["RATE_LIMIT_ROSTER_TAKEN_PER_HOUR"] = 30
    alert = t.get_by_role("alert")
    assert "Nothing was imported" in alert.inner_text()
    assert "Wait about" in alert.inner_text()
    assert "more than 1 username" in alert.inner_text()
    for username in elsewhere:
        assert username not in t.content()  # no word about which username is taken
    assert t.get_by_role("button", name="Import", exact=True).is_visible()  # try again here
    assert t.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(t) == []
    shot(t, f"roster-import-paused-{width}x{height}.png")
    ctx.close()
