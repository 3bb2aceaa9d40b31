"""The teacher's dashboard, class page and review page on a Chromebook, a tablet and a phone:
no page scrolls sideways (a wide table scrolls inside its own box, which the keyboard can
reach), the review page's previous/next follow the dashboard's sort, and axe finds nothing
serious."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import serious_violations
from tests.browser.test_teacher import WORK

SIZES = [(1366, 768), (768, 1024), (390, 844)]


@pytest.fixture(scope="module")
def crowded(live_server):
    """A class of five with work, one with a long name, for every size."""
    from tests.browser.conftest import World

    world = World(live_server)
    w = world.assignment(students=5)
    world.add_work(w["assignment_id"], w["students"][0], WORK)
    world.add_work(w["assignment_id"], w["students"][1], WORK[:2])
    world.add_work(w["assignment_id"], w["students"][2], WORK[:1])
    return w


def page_width(p) -> int:
    return p.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_teacher_pages_never_scroll_sideways(browser, live_server, crowded, width, height):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    p = ctx.new_page()
    log_in(p, live_server, crowded["teacher"])
    ARTIFACTS.mkdir(exist_ok=True)
    dashboard = f"{live_server.url}/teacher/assignments/{crowded['assignment_id']}"
    pages = {
        "dashboard": dashboard,
        "class": f"{live_server.url}/teacher/classes/{crowded['classroom_id']}",
    }
    for name, url in pages.items():
        p.goto(url)
        p.screenshot(path=str(ARTIFACTS / f"teacher-{name}-{width}x{height}.png"), full_page=True)
        assert page_width(p) <= width, name
    p.goto(dashboard)
    p.locator(".progress tbody th a").first.click()
    p.wait_for_load_state()
    p.screenshot(path=str(ARTIFACTS / f"teacher-review-{width}x{height}.png"), full_page=True)
    assert page_width(p) <= width, "review"
    ctx.close()


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (390, 844)])
def test_the_student_table_scrolls_inside_its_box_and_the_keyboard_reaches_it(
    browser, live_server, crowded, width, height
):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    p = ctx.new_page()
    log_in(p, live_server, crowded["teacher"])
    p.goto(f"{live_server.url}/teacher/assignments/{crowded['assignment_id']}")
    box = p.locator(".table-wrap").first
    students = p.locator("section[aria-labelledby=progress-h]")
    students.screenshot(path=str(ARTIFACTS / f"teacher-students-{width}x{height}.png"))
    wrap = box.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right]")
    scroll_width, client_width, right = wrap
    assert right <= width  # the box ends inside the screen
    assert scroll_width > client_width  # the table is wider than the box: it scrolls, not cut
    # and says so: a region named after its heading, and a hint above it on a narrow screen
    region = p.get_by_role("region", name="Student table")
    assert region.evaluate("e => e.classList.contains('table-wrap')")
    assert p.get_by_text("scroll the table sideways").is_visible()
    # the last column can be scrolled into view, by keyboard too
    box.focus()
    assert box.evaluate("e => e === document.activeElement")
    p.keyboard.press("End")
    for _ in range(30):
        p.keyboard.press("ArrowRight")
    assert box.evaluate("e => e.scrollLeft") > 0
    students.screenshot(path=str(ARTIFACTS / f"teacher-students-scrolled-{width}x{height}.png"))
    last = p.locator(".progress thead th").last.bounding_box()
    assert last["x"] + last["width"] <= width + 1
    assert serious_violations(p) == []
    ctx.close()


def test_the_review_pages_next_follows_the_dashboards_sort_and_filter(
    browser, live_server, crowded
):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    p = ctx.new_page()
    log_in(p, live_server, crowded["teacher"])
    p.goto(f"{live_server.url}/teacher/assignments/{crowded['assignment_id']}")
    p.get_by_role("link", name="In progress").click()
    p.get_by_role("link", name="Auto score").click()
    p.get_by_role("link", name="Auto score").click()  # highest first
    shown = p.locator(".progress tbody th a").all_inner_texts()
    assert len(shown) == 3
    p.locator(".progress tbody th a").first.click()
    assert p.locator(".pager").inner_text().count("of 3") == 1
    name = "h1 => h1.firstChild.textContent.trim()"  # the name, without the username beside it
    walked = [p.locator("h1").evaluate(name)]
    while p.locator(".pager a[rel=next]").count():
        p.locator(".pager a[rel=next]").click()
        walked.append(p.locator("h1").evaluate(name))
    assert walked == shown
    assert serious_violations(p) == []
    ctx.close()
