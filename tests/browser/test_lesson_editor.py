"""The lesson editor in the browser: a teacher builds an answer key by highlighting the
article, with the mouse and with the keyboard (a source, loaded wording, a decoy, an
omission and an alternative span), sees the live check find a problem beside its item and
fixes it, fixes a block, and publishes. Screenshots land in test-artifacts/."""

from __future__ import annotations

import json

import pytest

from app import services
from app.domain.lessons.draft import new_draft
from app.extensions import db
from app.models import AuthoredLesson, User
from app.services import library
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import drag_select, serious_violations, wait_saved

ARTICLE = [
    ("headline", "Council says parking plan will 'save' the high street"),
    (
        "paragraph",
        "Officials said on Monday that the plan would slash traffic. Shop owners said the "
        "scheme was a disaster for trade.",
    ),
    (
        "paragraph",
        "According to the council, fees could rise. Councillor Ann Lee called the critics "
        "alarmists. The council said fees could fall later.",
    ),
]


def new_lesson(server, email: str) -> int:
    with server.app.app_context():
        teacher = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        lessons = services.current_lessons(server.app.config["LESSONS_DIR"])
        data = new_draft(
            library.free_id(db.session, lessons, "Parking plan"),
            {"title": "Parking plan", "outlet": "Eastbrook Gazette", "published": "2024-03-04"},
            ARTICLE,
        )
        row = library.create_authored(db.session, teacher, data, lessons)
        db.session.commit()
        return row.id


def stored(server, row_id: int) -> dict:
    with server.app.app_context():
        return json.loads(db.session.get(AuthoredLesson, row_id).content)


def add(page, kind: str, explanation: str) -> None:
    panel = page.locator("#panel")
    panel.wait_for(state="visible")
    panel.locator("label", has_text=kind).first.click()
    page.locator("#panel-explanation").fill(explanation)
    page.locator("#panel-save").click()
    panel.wait_for(state="hidden")
    wait_saved(page)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.browser
def test_a_teacher_builds_a_key_by_highlighting(browser, live_server, world):
    w = world.assignment()
    row_id = new_lesson(live_server, w["teacher"])
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/lessons/authored/{row_id}/edit")
    page.locator("#article .block").first.wait_for()
    assert errors == []
    assert page.locator("#check-summary").inner_text().startswith("No problems found")

    # with the mouse: a source, then a decoy, then another way to earn the source
    page.locator("#article").scroll_into_view_if_needed()
    drag_select(page, "Officials said", 0, 9)
    add(page, "Source", "Unnamed officials: who?")
    drag_select(page, "According to the council", 17, 24)
    add(page, "Decoy", "Says whose claim it is: careful reporting.")
    drag_select(page, "Councillor Ann Lee", 0, 18)
    page.locator("#panel label", has_text="Another way to earn").click()
    page.locator("#panel-also").select_option("source-1")
    page.locator("#panel-save").click()
    wait_saved(page)

    # with the keyboard: loaded wording ("slash")
    page.get_by_role("button", name="Select with keyboard").click()
    for _ in range(17):  # from "Council" (headline) to "slash"
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.locator("#kind-loaded").focus()
    page.keyboard.press("Space")
    page.locator("#panel-explanation").fill("A strong verb: 'cut' says the same.")
    page.keyboard.press("Tab")
    page.locator("#panel-save").press("Enter")
    wait_saved(page)

    # an omission
    page.get_by_role("button", name="+ Something the article leaves out").click()
    page.locator("#panel-statement").fill("How much the fees are now")
    page.locator("#panel-explanation").fill("Without today's fee, 'rise' and 'fall' mean nothing.")
    page.locator("#panel-cues").fill("fee, cost, price")
    page.locator("#panel-save").click()
    assert "where a reader can check it" in page.locator("#panel-error").inner_text()
    page.locator("#panel-reference").fill("https://eastbrook.example/parking-fees")
    page.locator("#panel-save").click()
    wait_saved(page)

    data = stored(live_server, row_id)
    key = {k["id"]: k for k in data["key"]}
    assert key["source-1"]["quote"] == "Officials"
    assert key["source-1"]["also"] == ["Councillor Ann Lee"]
    assert key["loaded-1"]["quote"] == "slash"
    assert key["omission-1"]["cues"] == ["fee", "cost", "price"]
    assert data["decoys"][0]["quote"] == "council"
    assert data["decoys"][0]["occurrence"] == 1  # "the council said" has it again
    assert page.locator("#article .hl").count() == 4
    shot(page, "editor-key-1366x768.png")
    assert serious_violations(page) == []

    # the article changes and the key follows its words: a typo fixed inside them too
    block = page.locator("#block-text-1")
    block.fill(block.input_value().replace("slash", "slahs"))
    wait_saved(page)
    block.fill("Officials, in a statement, " + block.input_value()[len("Officials ") :])
    wait_saved(page)
    key = {k["id"]: k for k in stored(live_server, row_id)["key"]}
    assert key["loaded-1"]["quote"] == "slahs"
    assert page.locator("#article .hl", has_text="slahs").count() == 1

    # the live check: the sentence goes, and the item has nothing left to point at
    block.fill("Officials said so.")
    wait_saved(page)
    problems = page.locator("#entry-loaded-1 .problems")
    assert "'slahs' is not in the article" in problems.inner_text()
    assert "1 problem to fix" in page.locator("#check-summary").inner_text()
    page.get_by_role("button", name="Publish").click()
    assert "1 problem to fix" in page.locator(".flash, .error-box, [role=alert]").first.inner_text()
    block = page.locator("#block-text-1")
    block.fill("Officials said on Monday that the plan would slahs traffic.")
    wait_saved(page)
    assert page.locator("#entry-loaded-1 .problems").is_hidden()

    # split a block at the cursor, and merge it back
    block = page.locator("#block-text-2")
    block.focus()
    block.evaluate(
        "el => el.setSelectionRange(el.value.indexOf('Councillor'), el.value.indexOf('Councillor'))"
    )
    page.locator("#block-edit-2").get_by_role("button", name="Split at cursor").click()
    wait_saved(page)
    assert len(stored(live_server, row_id)["blocks"]) == 4
    page.locator("#block-edit-2").get_by_role("button", name="Merge with next").click()
    wait_saved(page)
    assert len(stored(live_server, row_id)["blocks"]) == 3

    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"**/teacher/lessons/authored/{row_id}")
    assert "Published" in page.locator(".lesson-status").inner_text()
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(768, 1024), (390, 844)])
def test_the_editor_fits_tablets_and_phones(browser, live_server, world, width, height):
    w = world.assignment()
    row_id = new_lesson(live_server, w["teacher"])
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = ctx.new_page()
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/lessons/authored/{row_id}/edit")
    page.locator("#article .block").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
    shot(page, f"editor-{width}x{height}.png")
    ctx.close()
