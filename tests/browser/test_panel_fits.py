"""The annotation panel (issue 12 item 4): its Save button is in the window when it opens, with
the mouse and in keyboard mode, for the prompt with the most questions (sources), and it never
covers the words it is open for; it shows the question it answers. On a laptop it floats beside
the article; on a tablet or phone it is a sheet over the bottom of the window, and the page
scrolls so the words stay in view above it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import choose, drag_select

SENTENCE = "Ukraine has vented its anger on a top US general"


def in_window(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= view["height"]


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


SIZES = [(1366, 768), (768, 1024), (390, 844)]


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
@pytest.mark.parametrize("how", ["mouse", "keyboard"])
def test_the_panel_fits_the_window_and_leaves_the_words_in_view(
    browser, live_server, world, how, width, height
):
    w = world.assignment()
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = ctx.new_page()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    if how == "mouse":
        start = SENTENCE.index("top US general")
        drag_select(page, SENTENCE, start, start + len("top US general"))
    else:
        page.get_by_role("button", name="Select with keyboard").click()
        for _ in range(12):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    page.locator("#panel").wait_for(state="visible")
    choose(page, "Source")
    page.locator("#pf-checked_url").wait_for()
    assert in_window(page, "#panel-save"), "Save is out of the window"
    assert "Who does this article get its information from?" in page.locator("#panel").inner_text()
    marks = page.locator("#article .pending-sel").all()
    panel = page.locator("#panel").bounding_box()
    assert panel["y"] >= 0
    assert panel["y"] + panel["height"] <= height, "the panel goes past the window"
    assert panel["x"] >= 0
    assert panel["x"] + panel["width"] <= width
    assert marks, "the words the panel is open for are marked"
    bar = page.locator(".lesson-jump")
    top = bar.bounding_box()["y"] + bar.bounding_box()["height"] if bar.is_visible() else 0
    for mark in marks:
        box = mark.bounding_box()
        assert not overlaps(box, panel), "the panel covers the words"
        assert box["y"] >= top, "the words are out of the window (or under the bar)"
        assert box["y"] + box["height"] <= height, "the words are out of the window"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"panel-{how}-{width}x{height}.png"))
    ctx.close()


@pytest.mark.browser
def test_a_new_highlight_starts_with_nothing_chosen(browser, live_server, world):
    """Issue 12 item 6: the panel chose the category used last, so a source was easily saved
    as loaded wording."""
    w = world.assignment()
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    start = SENTENCE.index("vented")
    drag_select(page, SENTENCE, start, start + len("vented"))
    choose(page, "Loaded wording")
    page.locator("#panel-save").click()
    page.locator("#panel").wait_for(state="hidden")
    start = SENTENCE.index("top US general")
    drag_select(page, SENTENCE, start, start + len("top US general"))
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel-prompts input:checked").count() == 0
    page.locator("#panel-save").click()
    assert page.locator("#panel").is_visible()  # asked to choose, nothing saved as loaded
    ctx.close()
