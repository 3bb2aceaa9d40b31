"""Helpers for driving the lesson page the way a student does."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

CHAR_BOX_JS = """([needle, index]) => {
  for (const block of document.querySelectorAll('#article .block')) {
    const at = block.textContent.indexOf(needle);
    if (at < 0) continue;
    let rest = at + index;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (rest < t.data.length) {
        const r = document.createRange();
        r.setStart(t, rest);
        r.setEnd(t, rest + 1);
        const b = r.getBoundingClientRect();
        return {x: b.left, y: b.top, w: b.width, h: b.height};
      }
      rest -= t.data.length;
    }
  }
  return null;
}"""


def char_box(page, needle: str, index: int) -> dict:
    box = page.evaluate(CHAR_BOX_JS, [needle, index])
    assert box is not None, f"{needle!r} not found in the article"
    return box


def drag_select(page, needle: str, start: int, end: int) -> None:
    """Drag the mouse from character ``start`` to character ``end`` (exclusive) of ``needle``,
    once the page's script listens (module scripts run before DOMContentLoaded)."""
    page.wait_for_load_state("domcontentloaded")
    page.locator(".block").first.scroll_into_view_if_needed()
    a = char_box(page, needle, start)
    b = char_box(page, needle, end - 1)
    height = page.viewport_size["height"] if page.viewport_size else 768
    if a["y"] < 0 or b["y"] + b["h"] > height:  # the words are out of sight: bring them in
        page.evaluate(
            """(needle) => [...document.querySelectorAll('#article .block')]
                .find((b) => b.textContent.includes(needle)).scrollIntoView({block: 'center'})""",
            needle,
        )
        a = char_box(page, needle, start)
        b = char_box(page, needle, end - 1)
    page.mouse.move(a["x"] + 1, a["y"] + a["h"] / 2)
    page.mouse.down()
    page.mouse.move((a["x"] + b["x"]) / 2, b["y"] + b["h"] / 2, steps=5)
    page.mouse.move(b["x"] + b["w"] - 1, b["y"] + b["h"] / 2, steps=5)
    page.mouse.up()


def let_time_pass(page, ms: int) -> None:
    """Move the page's clock ``ms`` ahead, running every timer due meanwhile (the context's
    clock must be installed: ``context.clock.install()``, before the page loads), then let
    what those timers started reach the test."""
    page.clock.run_for(ms)
    page.evaluate("() => new Promise((r) => { setTimeout(r, 0); })")


def wait_saved(page, timeout: int = 10000) -> None:
    page.wait_for_function(
        "document.getElementById('save-status').dataset.state === 'saved'", timeout=timeout
    )


def choose(page, label: str) -> None:
    """Pick a category chip in the annotate panel."""
    page.locator("#panel-prompts label", has_text=label).click()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} places)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
