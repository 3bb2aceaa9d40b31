"""Whole flows and page quality: a teacher sets up, a student joins and annotates; layout on a
laptop and a tablet; accessibility (axe-core); code points with emoji."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, log_in, logout
from tests.browser.helpers import (
    choose,
    drag_select,
    serious_violations,
    shown_text,
    wait_saved,
)
from tests.support.factory import PASSWORD


def test_teacher_sets_up_a_class_and_a_student_joins_and_annotates(browser, live_server, world):
    teacher_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    t = teacher_ctx.new_page()
    t.goto(live_server.url + "/")
    t.get_by_role("link", name="Teacher sign-up").click()
    t.get_by_label("Your name").fill("Ms Rivera")
    t.get_by_label("School email").fill("rivera@flow.test")
    t.get_by_label("Password", exact=True).fill("a long enough passphrase")
    t.get_by_label("Type the password again").fill("a long enough passphrase")
    t.get_by_role("button", name="Create account").click()
    t.get_by_label("Class name").fill("Period 2 English")
    t.get_by_role("button", name="Create class").click()
    code = t.locator(".code.big").inner_text()
    assert len(code) == 6
    t.get_by_label("Lesson", exact=True).select_option("kiev-anger-milley")
    t.get_by_role("button", name="Assign").click()
    assert "Assigned" in t.locator(".flash").inner_text()

    student_ctx = browser.new_context(bypass_csp=True, viewport={"width": 768, "height": 1024})
    s = student_ctx.new_page()
    s.goto(live_server.url + "/join")
    s.get_by_label("Class code").fill(code.lower())
    s.get_by_label("First name").fill("Sam")
    s.get_by_label("Last name").fill("Flow")
    s.get_by_label("Choose a username").fill("sam-flow")
    s.get_by_label("Password", exact=True).fill("another passphrase")
    s.get_by_label("Type the password again").fill("another passphrase")
    s.get_by_role("button", name="Join class").click()
    assert "You joined Period 2 English" in s.locator(".flash").inner_text()
    s.get_by_role("link", name="Who says so?").click()
    sentence = "Ukraine has vented its anger on a top US general"
    i = sentence.index("top US general")
    drag_select(s, sentence, i, i + len("top US general"))
    choose(s, "Source")
    s.locator("#panel-fields").get_by_text("Named", exact=True).click()
    s.locator("#pf-checked_url").fill("https://example.org/milley")
    s.locator("#panel-save").click()
    wait_saved(s)
    [row] = world.annotations("sam-flow")
    assert row.fields == {"named": "named", "checked_url": "https://example.org/milley"}
    # the answers show in "My annotations", the address as a safe link
    item = s.locator("#annotation-list .ann")
    assert "Named" in item.locator(".ann-fields").inner_text()
    link = item.locator(".ann-fields a")
    assert link.get_attribute("href") == "https://example.org/milley"
    assert link.get_attribute("rel") == "nofollow noopener noreferrer ugc"
    # the teacher's class page shows the new student
    t.reload()
    assert "Sam" in t.locator(".roster").inner_text()
    logout(s)
    teacher_ctx.close()
    student_ctx.close()


def test_emoji_before_the_words_anchors_by_code_points(page, live_server, world):
    w = world.assignment(lesson_id="emoji-test")
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    sentence = "trophy went to the home side"
    drag_select(page, sentence, 0, len("trophy went"))
    choose(page, "Loaded wording")
    page.locator("#panel-save").click()
    wait_saved(page)
    [row] = world.annotations(w["students"][0])
    text = "Fans \U0001f600\U0001f389 cheer the team\n\nThe \U0001f3c6 trophy went to the home side"
    assert row.exact == "trophy went"
    assert text[row.start_offset : row.end_offset] == "trophy went"  # code points, not UTF-16
    page.reload()
    wait_saved(page)
    assert shown_text(page.locator(".hl")) == "trophy went"


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (768, 1024)])
def test_lesson_page_fits_laptops_and_tablets(browser, live_server, world, width, height):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = ctx.new_page()
    w = world.assignment()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    article = page.locator(".article-col").bounding_box()
    work = page.locator(".work-col").bounding_box()
    if width >= 1024:
        assert work["x"] > article["x"] + article["width"] - 1  # side by side
    else:  # stacked: the article first, then the questions, both full width
        assert work["y"] >= article["y"] + article["height"] - 1
        assert abs(article["x"] - work["x"]) < 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"lesson-{width}x{height}.png"))
    ctx.close()


def test_lesson_page_has_no_serious_accessibility_violations(page, live_server, world):
    w = world.assignment()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    sentence = "Ukraine has vented its anger on a top US general"
    drag_select(page, sentence, 12, 28)
    choose(page, "Loaded wording")
    page.locator("#panel-save").click()
    wait_saved(page)
    assert serious_violations(page) == []
    # with the panel open too
    drag_select(page, sentence, 34, 48)
    page.locator("#panel").wait_for(state="visible")
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/login", "/join", "/signup"])
def test_public_pages_have_no_serious_accessibility_violations(page, live_server, path):
    page.goto(live_server.url + path)
    assert serious_violations(page) == []


def test_account_pages_have_no_serious_accessibility_violations(page, live_server, world):
    w = world.assignment()
    log_in(page, live_server, w["teacher"])
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/teacher/classes/{w['classroom_id']}")
    assert serious_violations(page) == []
    logout(page)
    log_in(page, live_server, w["students"][0], PASSWORD)
    assert serious_violations(page) == []
