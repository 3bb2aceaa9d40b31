"""The teacher's grading flow in the browser: dashboard, review and mark a student, release,
export; the student then sees the feedback. Accessibility of the teacher pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_pages import serious_violations
from tests.support.factory import PASSWORD

WORK = [
    ("loaded", "vented its anger", "makes Ukraine sound emotional", {"rewrite": "objected"}),
    ("source", "media reports said on Tuesday", "which reports?", {"named": "unnamed"}),
    ("loaded", "a regional capital in southern Ukraine", "", {}),
    (
        "omission",
        None,
        "",
        {
            "missing": "He spoke at the Economic Club of New York",
            "why": "the article says he spoke to Kiev officials",
        },
    ),
]


def class_with_work(world, live_server):
    w = world.assignment(students=3)
    world.add_work(w["assignment_id"], w["students"][0], WORK)
    world.add_work(w["assignment_id"], w["students"][1], WORK[:1])
    return w


def test_teacher_reviews_marks_releases_and_exports(browser, live_server, world):
    w = class_with_work(world, live_server)
    ctx = browser.new_context(
        bypass_csp=True, viewport={"width": 1366, "height": 768}, accept_downloads=True
    )
    t = ctx.new_page()
    log_in(t, live_server, w["teacher"])
    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    assert t.locator("h2", has_text="What the class missed").is_visible()
    assert t.locator(".score-chart").count() == 1
    assert serious_violations(t) == []
    # the heatmap shows counts on keyboard focus too
    heat = t.locator(".heat").first
    heat.focus()
    said = heat.locator("[data-say]").first.text_content()  # to a screen reader
    assert said == "start of highlight by 2 of 3 students"
    # sort by final grade, descending
    t.get_by_role("link", name="Final grade").click()
    t.get_by_role("link", name="Final grade").click()
    assert "dir=desc" in t.url
    # open the first student (has all the work)
    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    t.locator(".progress tbody th a").first.click()
    assert t.locator(".ov-found").count() >= 2
    assert t.locator(".ov-missed").count() >= 1
    assert t.locator(".ov-extra").count() >= 1
    assert t.get_by_text("✓ Matches the key").count() == 2
    assert serious_violations(t) == []
    # the suggestion is preselected; confirm it as full
    form = t.locator(".mark-form").first
    assert form.locator("select option:checked").inner_text().startswith("Where Milley spoke")
    form.get_by_label("Full").check()
    form.get_by_role("button", name="Confirm mark").click()
    assert t.locator(".mark-form").first.get_by_text("(saved: full)").is_visible()
    # rubric and an override with a reason
    rubric = t.locator("#rubric-loaded")
    rubric.get_by_label("Level").select_option("emergent")
    rubric.get_by_label("Comment for the student").fill("Good eye for verbs; look at nouns too.")
    t.get_by_role("button", name="Save rubric").click()
    t.get_by_role("spinbutton", name="Final grade").fill("7")
    t.get_by_label("Why (the student sees this", exact=False).fill("Great omission answer")
    t.get_by_role("button", name="Save grade").click()
    history = t.locator("#final table").inner_text()
    assert "Final grade\tthe auto score\t7.0\tGreat omission answer" in history
    assert "Great omission answer" in history
    # next student without going back to the list
    t.locator("a[rel=next]").click()
    assert "2 of 3" in t.locator(".pager").inner_text()
    # export the Canvas file and read it back
    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    t.locator(".exports summary").click()
    with t.expect_download() as dl:
        t.get_by_role("link", name="Canvas gradebook (CSV)").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1][0] == "    Points Possible"
    assert any(r[0].startswith("Student") and r[5] == "7" for r in rows[2:])
    # release
    t.get_by_role("link", name="Release feedback to students").click()
    assert "submitted" in t.locator("main").inner_text()  # the counts come first
    t.get_by_role("button", name=re.compile("^Release to all")).click()
    assert "Feedback released" in t.locator(".flash").inner_text()
    ctx.close()

    # the student sees marks, the comment and the key beside their work
    s = browser.new_page(bypass_csp=True, viewport={"width": 1366, "height": 768})
    log_in(s, live_server, w["students"][0], PASSWORD)
    s.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    fb = s.locator("#feedback")
    assert "Your grade: 7" in fb.inner_text()
    assert "Good eye for verbs; look at nouns too." in fb.inner_text()
    assert "You found" in fb.inner_text()
    assert serious_violations(s) == []
    s.close()


def test_students_see_no_feedback_before_release(page, live_server, world):
    w = class_with_work(world, live_server)
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    assert page.locator("#feedback").count() == 0
    assert "Still to spot" not in page.content()


def test_a_refused_final_grade_is_in_view_and_the_rubric_saves_with_one_click(
    browser, live_server, world
):
    """At 1366x768 the review page is several screens long: a refused grade comes back with
    its error in view, not at the top of the page; the rubric's questions save together."""
    w = class_with_work(world, live_server)
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    t = ctx.new_page()
    log_in(t, live_server, w["teacher"])
    t.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    t.locator(".progress tbody th a").first.click()
    t.get_by_role("spinbutton", name="Final grade").fill("75")
    t.get_by_label("Why (the student sees this", exact=False).fill("Extra credit")
    t.get_by_role("button", name="Save grade").click()
    expect(t.locator("#score-error")).to_contain_text("A grade must be between 0 and")
    expect(t.locator("#score-error")).to_be_in_viewport()
    assert t.url.endswith("#final")
    assert t.get_by_role("spinbutton", name="Final grade").input_value() == "75"
    assert t.get_by_label("Why (the student sees this", exact=False).input_value() == "Extra credit"
    assert serious_violations(t) == []
    ARTIFACTS.mkdir(exist_ok=True)
    t.screenshot(path=str(ARTIFACTS / "final-grade-refused-1366x768.png"))
    # every question's level and comment, then one Save
    rows = t.locator(".rubric-row")
    assert rows.count() >= 2
    rows.nth(0).get_by_label("Level").select_option("proficient")
    rows.nth(0).get_by_label("Comment for the student").fill("Named every source.")
    rows.nth(1).get_by_label("Level").select_option("basic")
    assert t.locator("#rubric").get_by_role("button").count() == 1
    t.get_by_role("button", name="Save rubric").click()
    expect(t.locator("#rubric").get_by_text("Rubric saved.")).to_be_in_viewport()
    assert rows.nth(0).get_by_label("Level").input_value() == "proficient"
    assert rows.nth(0).get_by_label("Comment for the student").input_value() == (
        "Named every source."
    )
    assert rows.nth(1).get_by_label("Level").input_value() == "basic"
    assert serious_violations(t) == []
    t.screenshot(path=str(ARTIFACTS / "rubric-saved-1366x768.png"))
    ctx.close()
