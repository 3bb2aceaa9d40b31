"""The student's lesson page on a laptop, a tablet and a phone (issue 12 items 5 and 6): the
article comes first and the questions and the list are one tap away; a point where something
is missing shows as a caret in the article, with a name, and as its words in the list."""

from __future__ import annotations

import re

import pytest

from app import services
from app.extensions import db
from app.models import Assignment, User
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations

SIZES = [(1366, 768), (768, 1024), (390, 844)]
FIVE = [
    ("source", "top US general", "Milley is the source of the proposal", None),
    ("loaded", "vented its anger", "", {"rewrite": "criticised"}),
    ("source", "Kiev officials", "", None),
    ("omission", None, "", {"missing": "What Ukraine's government actually said"}),
    ("loaded", "seize it", "", None),
]
SPOKEN = "he said to the Kiev officials"


def open_lesson(browser, live_server, world, width, height, work=FIVE):
    w = world.assignment()
    world.add_work(w["assignment_id"], w["students"][0], work)
    ctx = browser.new_context(
        bypass_csp=True, viewport={"width": width, "height": height}, has_touch=width < 1024
    )
    page = ctx.new_page()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    page.wait_for_function("document.querySelectorAll('#annotation-list .ann').length > 0")
    return ctx, page, w


def in_window(page, locator) -> bool:
    box = locator.bounding_box()
    bottom = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= bottom


def mark_a_point(world, w, words: str, after: str) -> None:
    """The student marked "something is missing here" just after ``after`` in ``words``."""
    with world.server.app.app_context():
        assignment = db.session.get(Assignment, w["assignment_id"])
        text = services.lesson_of(assignment).text
        at = text.index(words) + len(after)
        user = db.session.execute(db.select(User).filter_by(username=w["students"][0])).scalar_one()
        body = {
            "category": "omission",
            "prompt": "omissions",
            "target": {"start": at, "end": at, "exact": ""},
            "note": "",
            "fields": {"missing": "Which officials? None is named"},
        }
        world.server.factory().annotation(assignment, user, body)


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_the_article_starts_on_the_first_screen_with_five_annotations(
    browser, live_server, world, width, height
):
    ctx, page, _ = open_lesson(browser, live_server, world, width, height)
    assert page.locator("#annotation-list .ann").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways
    headline = page.locator("#article .block-headline")
    assert in_window(page, headline), "the article's headline is below the first screen"
    first_paragraph = page.locator("#article .block-paragraph").first.bounding_box()
    assert first_paragraph["y"] < height, "the article's text starts below the first screen"
    article = page.locator(".article-col").bounding_box()
    work = page.locator(".work-col").bounding_box()
    if width >= 1024:  # side by side
        assert work["x"] > article["x"] + article["width"] - 1
    else:  # stacked: the article, then the questions, the list and Submit
        assert work["y"] >= article["y"] + article["height"] - 1
        submit = page.locator("#submit-button").bounding_box()
        assert submit["y"] > article["y"] + article["height"]
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lesson-first-screen-{width}x{height}.png"))
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_the_questions_and_my_annotations_are_one_tap_away(
    browser, live_server, world, width, height
):
    ctx, page, _ = open_lesson(browser, live_server, world, width, height)
    # reading, half-way down the article
    page.locator("#article .block").nth(8).scroll_into_view_if_needed()
    question = page.locator(".prompt .question").first
    mine = page.locator("#mine-h")
    if width >= 1024:  # beside the article, in view all along
        assert in_window(page, question)
        assert not page.locator(".lesson-jump").is_visible()
    else:
        assert not in_window(page, question)
        page.get_by_role("link", name="Questions").tap()
        page.wait_for_function("location.hash === '#prompts-h'")
        assert in_window(page, question), "one tap on Questions does not show them"
        assert page.locator(".lesson-jump").is_visible()  # and the bar stays, to go back
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"questions-tapped-{width}x{height}.png"))
        page.get_by_role("link", name=re.compile(r"My annotations \(5\)")).tap()
        page.wait_for_function("location.hash === '#mine-h'")
        assert in_window(page, mine)
        page.screenshot(path=str(ARTIFACTS / f"mine-tapped-{width}x{height}.png"))
        page.get_by_role("link", name="Article", exact=True).tap()
        page.wait_for_function("location.hash === '#article-h'")
        assert in_window(page, page.locator("#article .block-headline"))
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_a_point_where_something_is_missing_shows_a_caret_and_its_words(
    browser, live_server, world, width, height
):
    w = world.assignment()
    mark_a_point(world, w, SPOKEN, "he said")
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = ctx.new_page()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .pt")
    # in the article: a caret with a size, a name and a colour that stands out from the paper
    caret = page.get_by_role("img", name="Something is missing here")
    assert caret.count() == 1
    caret.scroll_into_view_if_needed()
    box = caret.bounding_box()
    assert box["width"] >= 8
    assert box["height"] >= 14
    assert in_window(page, caret)
    ink = page.evaluate(
        "() => getComputedStyle(document.querySelector('#article .pt'), '::before').backgroundColor"
    )
    assert contrast(ink, (255, 255, 255)) >= 3, f"the caret's colour {ink} hardly shows on white"
    # the words either side are still the article's, unchanged
    block = page.locator("#article .block", has=page.locator(".pt"))
    assert "he said to the Kiev officials" in block.inner_text()
    # in the list: the words around the point, with the caret between them
    shown = page.evaluate(
        """() => {
          const q = document.querySelector('#annotation-list .ann-point').cloneNode(true);
          q.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
          return q.textContent;
        }"""
    )
    assert shown == "\u2026seize it,\u201d he said \u2038 to the Kiev officials"
    heard = page.locator("#annotation-list .ann-point").text_content()
    assert "he said (something is missing here) to the Kiev" in heard.replace("\u2038", "")
    assert "A point in the text" not in page.locator("#annotation-list").inner_text()
    # a tap on the caret opens it, and the panel shows the same words
    caret.click()
    page.locator("#panel").wait_for(state="visible")
    assert "he said \u2038" in page.locator("#panel-quote").inner_text()
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"missing-point-{width}x{height}.png"))
    ctx.close()


def contrast(css: str, other: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of a computed CSS colour (rgb() or color(srgb ...)) and ``other``."""
    nums = [float(n) for n in re.findall(r"[\d.]+", css)]
    rgb = [n / 255 for n in nums[:3]] if css.startswith("rgb") else nums[:3]

    def lum(c):
        lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = lum(rgb), lum([x / 255 for x in other])
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)
