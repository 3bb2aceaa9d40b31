"""Exploratory first pass; replaced by the full tests."""
from tests.browser.conftest import login


def test_student_sees_lesson(page, world, live_server):
    w = world.assignment()
    login(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/lesson.png", full_page=False)
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    page.reload()
    page.wait_for_timeout(500)
    print(msgs)
    assert page.locator("#save-status").inner_text() == "All changes saved"
