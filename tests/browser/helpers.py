"""Helpers for driving the lesson page the way a student does."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# The article's own text nodes: not the words only said to a screen reader ([data-say], where a
# highlight starts and ends), which are no part of the text.
TEXT_NODES_JS = """(el) => {
  const out = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.parentElement.closest('[data-say]')) out.push(t);
  }
  return out;
}"""

CHAR_BOX_JS = (
    """([needle, index]) => {
  const textNodes = """
    + TEXT_NODES_JS
    + """;
  for (const block of document.querySelectorAll('#article .block')) {
    const at = textNodes(block).map((t) => t.data).join('').indexOf(needle);
    if (at < 0) continue;
    let rest = at + index;
    for (const t of textNodes(block)) {
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
)


SHOWN_JS = """(el) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[data-say]').forEach((s) => s.remove());
  return copy.textContent;
}"""


def shown_text(locator) -> str:
    """The text of an element as it is seen: without the words only said to a screen reader
    (``inner_text()`` reads those too: they are on the page, clipped to nothing)."""
    return locator.evaluate(SHOWN_JS)


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
            """(needle) => { const textNodes = """
            + TEXT_NODES_JS
            + """; [...document.querySelectorAll('#article .block')]
                .find((b) => textNodes(b).map((t) => t.data).join('').includes(needle))
                .scrollIntoView({block: 'center'}); }""",
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
