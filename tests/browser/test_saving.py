"""Saving never loses work: offline and reload, an expired CSRF token, submitting."""

from __future__ import annotations

import time

from tests.browser.conftest import log_in, logout
from tests.browser.helpers import choose, drag_select, let_time_pass, wait_saved

SENTENCE = "Ukraine has vented its anger on a top US general"
NOTE = "Ünïcode & <b>markup</b> 😀 stays x < y\nsecond line"


KEPT_OFFLINE_JS = """async () => {
  for (let i = 0; i < 100; i += 1) {
    if (await caches.match(location.href)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}"""


def set_offline(context, offline: bool) -> None:
    """Drop the network, as a school Wi-Fi does. Playwright's offline mode alone doesn't reach
    requests that pass through a service worker, so every request is also refused."""
    context.set_offline(offline)
    if offline:
        context.route("**/*", lambda route: route.abort("internetdisconnected"))
    else:
        context.unroute("**/*")


# how many changes wait in each tab's queue on this device
QUEUED_JS = """Object.keys(localStorage)
  .filter((k) => k.includes(':queue:') && !k.endsWith(':alive'))
  .map((k) => JSON.parse(localStorage.getItem(k)).length)"""


def open_lesson(page, live_server, world):
    w = world.assignment()
    log_in(page, live_server, w["students"][0])
    url = f"{live_server.url}/student/assignments/{w['assignment_id']}"
    page.goto(url)
    page.wait_for_selector("#article .block")
    return w, url


def annotate(page, words: str, label: str, note: str) -> None:
    s = SENTENCE.index(words)
    drag_select(page, SENTENCE, s, s + len(words))
    choose(page, label)
    page.locator("#panel-note").fill(note)
    page.locator("#panel-save").click()


def test_work_typed_offline_survives_a_reload_and_lands_when_back_online(
    page, context, live_server, world
):
    w, url = open_lesson(page, live_server, world)
    annotate(page, "top US general", "Source", "saved while online")
    wait_saved(page)
    assert page.evaluate(KEPT_OFFLINE_JS), "the page was not kept for offline use"
    set_offline(context, True)
    annotate(page, "vented its anger", "Loaded wording", NOTE)
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    assert "Offline" in page.locator("#save-status").inner_text()
    assert len(world.annotations(w["students"][0])) == 1  # nothing reached the server yet
    # reload while still offline: the page comes from this device's copy, the work is shown
    page.reload()
    page.wait_for_selector("#article .block")
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    assert page.locator("#annotation-list .ann-quote").all_inner_texts() == [
        "top US general",
        "vented its anger",
    ]  # grouped by prompt: sources first
    assert page.locator(".ann.unsaved .ann-note").inner_text() == NOTE
    assert page.evaluate(QUEUED_JS) == [1]
    set_offline(context, False)
    page.goto(url)
    wait_saved(page)
    rows = world.annotations(w["students"][0])
    assert [(r.exact, r.note) for r in rows] == [
        ("top US general", "saved while online"),
        ("vented its anger", NOTE),
    ]
    assert page.evaluate(QUEUED_JS) == [0]


def test_a_dropped_connection_is_retried_without_a_reload(page, context, live_server, world):
    w, _ = open_lesson(page, live_server, world)
    set_offline(context, True)
    annotate(page, "top US general", "Source", "typed offline")
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    set_offline(context, False)
    wait_saved(page, timeout=20000)
    [row] = world.annotations(w["students"][0])
    assert row.note == "typed offline"


def test_an_expired_csrf_token_is_renewed_and_the_note_is_kept(
    page, live_server, world, monkeypatch
):
    w, _ = open_lesson(page, live_server, world)
    refused = []
    page.on(
        "response",
        lambda r: refused.append(r.url) if r.status == 400 and "/annotations/" in r.url else None,
    )
    # the page's token is out of date: the server (in this process) lives a minute later; its
    # tokens are signed and checked with time.time (itsdangerous reads it at each call)
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    live_server.app.config["WTF_CSRF_TIME_LIMIT"] = 30
    try:
        annotate(page, "top US general", "Source", "kept after the token expired")
        wait_saved(page)
    finally:
        live_server.app.config["WTF_CSRF_TIME_LIMIT"] = 3600
        monkeypatch.undo()
    assert len(refused) == 1  # refused once for its old token, then sent with a new one
    [row] = world.annotations(w["students"][0])
    assert row.note == "kept after the token expired"


def test_student_submits_and_the_work_becomes_read_only(page, live_server, world):
    w, _ = open_lesson(page, live_server, world)
    annotate(page, "top US general", "Source", "final answer")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Submit my work").click()
    page.wait_for_selector("#submitted-banner")
    assert "You submitted this lesson on" in page.locator("#submitted-banner").inner_text()
    assert page.locator("#save-status").inner_text() == "Submitted"
    [row] = world.annotations(w["students"][0])
    assert row.note == "final answer"  # flushed before submitting
    # no way to change it from the page: no panel, no edit buttons, no submit button
    s = SENTENCE.index("vented")
    drag_select(page, SENTENCE, s, s + 6)
    assert page.locator("#panel").is_hidden()
    assert page.get_by_role("button", name="Edit Source: “top US general”").count() == 0
    assert page.get_by_role("button", name="Submit my work").count() == 0
    # and the API refuses writes with 409
    token = page.evaluate(
        "JSON.parse(document.getElementById('lesson-data').textContent).csrfToken"
    )
    resp = page.request.put(
        f"{live_server.url}/api/assignments/{w['assignment_id']}/annotations/{row.id}",
        data={
            "category": "source",
            "target": {"start": row.start_offset, "end": row.end_offset, "exact": row.exact},
            "note": "changed",
        },
        headers={"X-CSRFToken": token},
    )
    assert resp.status == 409
    assert "submitted" in resp.json()["error"]


def test_markup_in_a_note_is_shown_as_typed_and_never_runs(page, live_server, world):
    _, url = open_lesson(page, live_server, world)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    annotate(page, "top US general", "Source", evil)
    wait_saved(page)
    page.goto(url)
    wait_saved(page)
    assert page.locator(".ann-note").inner_text() == evil
    assert page.locator("#annotation-list img, #annotation-list script").count() == 0
    assert dialogs == []


def test_work_left_by_a_closed_tab_is_sent_by_the_next_tab(page, context, live_server, world):
    w, url = open_lesson(page, live_server, world)
    set_offline(context, True)
    annotate(page, "top US general", "Source", "typed in a tab that was then closed")
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    page.close()
    set_offline(context, False)
    other = context.new_page()
    other.goto(url)
    wait_saved(other, timeout=20000)
    [row] = world.annotations(w["students"][0])
    assert row.note == "typed in a tab that was then closed"


def test_logging_out_forgets_the_offline_copies_but_never_unsent_work(
    page, context, live_server, world
):
    w, url = open_lesson(page, live_server, world)
    assert page.evaluate(KEPT_OFFLINE_JS)
    set_offline(context, True)
    annotate(page, "top US general", "Source", "unsent when logging out")
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    context.route("**/api/**", lambda route: route.abort())  # keep it unsent
    set_offline(context, False)
    page.once("dialog", lambda d: d.accept())  # "some changes haven't been sent yet"
    logout(page)
    page.wait_for_load_state("load")
    # the offline helper went with the copies: nothing the login page loads passes through it
    # (it used to, and put the login page's files back into the deleted cache)
    assert page.evaluate("navigator.serviceWorker.controller") is None
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':state'))") == []
    assert [n for n in page.evaluate(QUEUED_JS) if n] == [1]
    # the author logs in again: the work is sent
    context.unroute("**/api/**")
    log_in(page, live_server, w["students"][0])
    page.goto(url)
    wait_saved(page)
    [row] = world.annotations(w["students"][0])
    assert row.note == "unsent when logging out"


def test_staying_on_the_page_at_the_leave_prompt_keeps_the_log_out_button_working(
    page, context, live_server, world
):
    page.clock.install()  # the page's timers run on a clock the test can move on
    _w, url = open_lesson(page, live_server, world)
    set_offline(context, True)
    annotate(page, "top US general", "Source", "unsent, then stay")
    page.wait_for_function("document.getElementById('save-status').dataset.state === 'offline'")
    seen: list[str] = []

    def answer(d):  # "Log out anyway?": yes; the browser's "Leave site?": no, stay
        seen.append(d.type)
        if d.type == "beforeunload":
            d.dismiss()
        else:
            d.accept()

    page.on("dialog", answer)
    with page.expect_event("dialog", lambda d: d.type == "beforeunload"):
        page.get_by_role("button", name="Log out").click()
    assert seen == ["confirm", "beforeunload"]
    assert page.url == url  # stayed, work still queued on this device
    assert [n for n in page.evaluate(QUEUED_JS) if n] == [1]
    # back online the student logs out after all: the button still works
    context.route("**/api/**", lambda route: route.abort())  # keep it unsent meanwhile
    set_offline(context, False)
    let_time_pass(page, 1100)  # the button comes back a second after the prompt
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert seen[-1] == "confirm"


# whether a page's copy turns up in a cache within a time (ms)
KEPT_WITHIN_JS = """async ([name, href, ms]) => {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if ((await caches.has(name)) && await (await caches.open(name)).match(href)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}"""


def test_an_offline_helper_made_for_another_student_keeps_none_of_this_students_pages(
    page, live_server, world
):
    _w, url = open_lesson(page, live_server, world)
    me = page.evaluate("document.body.dataset.user")
    assert page.evaluate(KEPT_OFFLINE_JS)
    # the page passes through this student's helper and is kept (the check below can fail)
    page.evaluate("caches.delete(`rc-pages-${document.body.dataset.user}`)")
    page.evaluate("(href) => fetch(href)", url)
    assert page.evaluate(KEPT_WITHIN_JS, [f"rc-pages-{me}", url, 5000])
    # a helper left by the last student on this laptop (say they closed the lid without
    # logging out) now sits between this student and the server
    other = str(int(me) + 1000)
    page.evaluate(
        """async (u) => {
      await navigator.serviceWorker.register(`/sw.js?u=${u}`, { scope: "/" });
      for (let i = 0; i < 100; i += 1) {
        const c = navigator.serviceWorker.controller;
        if (c && c.scriptURL.endsWith(`u=${u}`)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the other helper never took over");
    }""",
        other,
    )
    page.evaluate("(href) => fetch(href)", url)
    page.evaluate(f"fetch('{live_server.url}/static/css/app.css')")
    assert not page.evaluate(KEPT_WITHIN_JS, [f"rc-pages-{other}", url, 1500])


def test_work_is_never_saved_into_the_next_students_account(context, live_server, world):
    w = world.assignment(students=2)
    a_name, b_name = w["students"]
    lesson_page = context.new_page()
    log_in(lesson_page, live_server, a_name)
    url = f"{live_server.url}/student/assignments/{w['assignment_id']}"
    lesson_page.goto(url)
    lesson_page.wait_for_selector("#article .block")
    # A logs out in another tab and B logs in; A's lesson page is still open
    other = context.new_page()
    other.goto(live_server.url + "/student/")
    logout(other)
    log_in(other, live_server, b_name)
    annotate(lesson_page, "top US general", "Source", "A's thought")
    lesson_page.wait_for_function(
        "document.getElementById('save-status').dataset.state === 'wrong_user'"
    )
    assert "log back in" in lesson_page.locator("#save-status").inner_text().lower()
    assert world.annotations(b_name) == []
    assert world.annotations(a_name) == []
    # A comes back: the work lands in A's account
    logout(other)
    log_in(other, live_server, a_name)
    lesson_page.goto(url)
    wait_saved(lesson_page)
    [row] = world.annotations(a_name)
    assert row.note == "A's thought"
