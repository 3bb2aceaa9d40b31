"""Two tabs of one student edit the same annotation: the tab whose save comes second is told,
sees both versions, and chooses "Keep the saved one" or "Keep mine". Nothing is overwritten or
dropped unseen, the conflicting change is not retried on its own, and the choice survives a
reload.

The waits here use locators, not wait_for_function (which needs eval), so the first test can
run with the Content-Security-Policy in force."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.helpers import let_time_pass, serious_violations

WORDS = "top US general"
EDIT = f"Edit Source: “{WORDS}”"
DELETE = f"Delete Source: “{WORDS}”"

# how many changes wait in each tab's queue on this device (localStorage is shared by tabs)
QUEUED_JS = """Object.keys(localStorage)
  .filter((k) => k.includes(':queue:') && !k.endsWith(':alive'))
  .map((k) => JSON.parse(localStorage.getItem(k)).length)"""


def two_tabs(context, live_server, world):
    """One student with one saved annotation, its lesson open in two tabs of one browser (whose
    clock the test can move on)."""
    context.clock.install()
    w = world.assignment()
    name = w["students"][0]
    world.add_work(w["assignment_id"], name, [("source", WORDS, "first thought", {})])
    url = f"{live_server.url}/student/assignments/{w['assignment_id']}"
    mine, theirs = context.new_page(), context.new_page()
    log_in(mine, live_server, name)
    for tab in (theirs, mine):
        tab.goto(url)
        tab.locator("#annotation-list .ann-note").wait_for()
    return name, url, mine, theirs


def edit_note(tab, note: str) -> None:
    tab.get_by_role("button", name=EDIT).click()
    tab.locator("#panel-note").fill(note)
    tab.locator("#panel-save").click()


def saved(tab) -> None:
    tab.locator("#save-status[data-state=saved]").wait_for()


def meet_a_conflict(context, live_server, world, mine_note="typed in this tab"):
    """The other tab saves first; this tab's save is then refused as a conflict."""
    name, url, mine, theirs = two_tabs(context, live_server, world)
    edit_note(theirs, "saved in the other tab")
    saved(theirs)
    puts = []
    mine.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
    edit_note(mine, mine_note)
    mine.locator("#annotation-list .conflict").wait_for()
    return name, url, mine, theirs, puts


def test_the_second_tab_is_asked_and_keep_mine_wins_on_purpose(browser, live_server, world):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # CSP enforced
    ctx.set_default_timeout(10000)
    violations = []
    ctx.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        name, _, mine, theirs, puts = meet_a_conflict(
            ctx, live_server, world, mine_note="<b>mine</b> & x < y"
        )
        box = mine.locator("#annotation-list .conflict")
        assert "You changed this note in another tab or device." in box.inner_text()
        assert box.locator(".conflict-theirs .ann-note").inner_text() == "saved in the other tab"
        # untrusted text stays text
        assert box.locator(".conflict-mine .ann-note").inner_text() == "<b>mine</b> & x < y"
        assert box.locator("b").count() == 0
        status = mine.locator("#save-status")
        assert status.get_attribute("data-state") == "attention"
        assert "choose which version to keep" in status.inner_text()
        mine.locator("#sr-announce", has_text="Keep mine").wait_for(state="attached")
        # held, not retried in a loop, and not lost: 3 s later (past the first retries' backoff,
        # within a heartbeat, so neither tab thinks the other closed) one PUT, still queued
        let_time_pass(mine, 3000)
        assert len(puts) == 1
        assert sorted(mine.evaluate(QUEUED_JS)) == [0, 1]
        [row] = world.annotations(name)
        assert (row.note, row.version) == ("saved in the other tab", 2)

        # by keyboard: Tab from "Keep the saved one" reaches "Keep mine"
        mine.get_by_role("button", name="Keep the saved one").focus()
        mine.keyboard.press("Tab")
        assert mine.evaluate("document.activeElement.textContent") == "Keep mine"
        mine.keyboard.press("Enter")
        saved(mine)
        assert mine.locator(".conflict").count() == 0
        # focus stays on the same annotation, on its Edit button
        assert mine.evaluate("document.activeElement.getAttribute('aria-label')") == EDIT
        [row] = world.annotations(name)
        assert (row.note, row.version) == ("<b>mine</b> & x < y", 3)
        assert mine.locator("#annotation-list .ann-note").inner_text() == "<b>mine</b> & x < y"
        assert sorted(mine.evaluate(QUEUED_JS)) == [0, 0]
        theirs.reload()
        theirs.locator("#annotation-list .ann-note", has_text="<b>mine</b>").wait_for()
        saved(theirs)
        assert theirs.locator(".conflict").count() == 0
        assert violations == []
    finally:
        ctx.close()


def test_keep_the_saved_one_drops_this_tabs_change(context, live_server, world):
    name, _, mine, _, puts = meet_a_conflict(context, live_server, world)
    assert serious_violations(mine) == []
    # on a tablet the choice fits the width, both versions and both buttons in view
    mine.set_viewport_size({"width": 768, "height": 1024})
    assert mine.evaluate("document.documentElement.scrollWidth") <= 768
    for part in (".conflict-theirs", ".conflict-mine", "[data-act=theirs]", "[data-act=mine]"):
        box = mine.locator(f"#annotation-list .conflict {part}").bounding_box()
        assert 0 <= box["x"] <= box["x"] + box["width"] <= 768, part
    mine.get_by_role("button", name="Keep the saved one").click()
    saved(mine)
    assert mine.locator("#save-status").inner_text() == "All changes saved"
    assert mine.locator("#annotation-list .ann-note").inner_text() == "saved in the other tab"
    assert mine.locator(".conflict, .ann.unsaved").count() == 0
    assert mine.evaluate(QUEUED_JS) == [0, 0]
    let_time_pass(mine, 3000)
    assert len(puts) == 1  # nothing sent after the choice
    [row] = world.annotations(name)
    assert (row.note, row.version) == ("saved in the other tab", 2)
    # editing again now builds on the saved version: no second conflict
    edit_note(mine, "an edit after choosing")
    saved(mine)
    [row] = world.annotations(name)
    assert (row.note, row.version) == ("an edit after choosing", 3)


def test_a_reload_before_choosing_asks_again(context, live_server, world):
    name, _, mine, theirs, _ = meet_a_conflict(context, live_server, world)
    # the other tab saves once more meanwhile: after the reload the newest saved one is shown
    edit_note(theirs, "saved again in the other tab")
    saved(theirs)
    mine.reload()
    box = mine.locator("#annotation-list .conflict")
    box.wait_for()
    assert box.locator(".conflict-theirs .ann-note").inner_text() == "saved again in the other tab"
    assert box.locator(".conflict-mine .ann-note").inner_text() == "typed in this tab"
    assert mine.locator("#save-status").get_attribute("data-state") == "attention"
    mine.get_by_role("button", name="Keep mine").click()
    saved(mine)
    [row] = world.annotations(name)
    assert (row.note, row.version) == ("typed in this tab", 4)


@pytest.mark.parametrize("deleted_in", ["mine", "theirs"])
def test_an_edit_against_a_delete_is_a_choice_too(context, live_server, world, deleted_in):
    name, _, mine, theirs = two_tabs(context, live_server, world)
    if deleted_in == "theirs":
        theirs.get_by_role("button", name=DELETE).click()
        saved(theirs)
        edit_note(mine, "still think so")
        message = "You deleted this note in another tab or device."
    else:
        edit_note(theirs, "saved in the other tab")
        saved(theirs)
        mine.get_by_role("button", name=DELETE).click()
        message = "You changed this note in another tab or device, and deleted it here."
    box = mine.locator("#annotation-list .conflict")
    box.wait_for()
    assert message in box.inner_text()
    if deleted_in == "theirs":
        # keep mine: the annotation comes back with this tab's note
        mine.get_by_role("button", name="Keep mine").click()
        saved(mine)
        [row] = world.annotations(name)
        assert (row.note, row.deleted_at) == ("still think so", None)
    else:
        # keep the saved one: the deletion is undone here, the other tab's note stays
        mine.get_by_role("button", name="Keep the saved one").click()
        saved(mine)
        assert mine.locator("#annotation-list .ann-note").inner_text() == "saved in the other tab"
        [row] = world.annotations(name)
        assert (row.note, row.deleted_at) == ("saved in the other tab", None)
    assert mine.evaluate(QUEUED_JS) == [0, 0]
