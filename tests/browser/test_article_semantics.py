"""The article to a screen reader: each block in its own element (the headline a heading, each
paragraph a paragraph, the caption a figure's caption, a "Read more" box an aside) and each
highlight a mark that says where it starts and ends and what it is, in the lesson, the review,
the heatmap and the lesson with its key, at the three sizes; axe-core finds no serious
problem; the words only said take no room in the text (selecting and offsets stay exact)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from app import services
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.helpers import choose, drag_select, serious_violations
from tests.browser.test_teacher import WORK
from tests.support.factory import LESSON_ID

SIZES = [(1366, 768), (768, 1024), (390, 844)]
# the role each kind of block has in the accessibility tree
ROLES = {
    "breadcrumb": "paragraph",
    "headline": "heading",
    "caption": "figure",
    "paragraph": "paragraph",
    "aside": "complementary",
    "footer": "paragraph",
}
SENTENCE = "Ukraine has vented its anger on a top US general"


def lesson(live_server):
    return services.current_lessons(live_server.app.config["LESSONS_DIR"]).lessons[LESSON_ID]


def roles_of(snapshot: str) -> Counter:
    """How many of each role the article's top level has (``- heading "..." [level=3]``)."""
    return Counter(re.findall(r"^- (\w+)", snapshot, flags=re.MULTILINE))


def expected_roles(live_server) -> Counter:
    return Counter(ROLES[b.kind] for b in lesson(live_server).blocks)


def new_page(browser, width: int, height: int):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    return ctx, ctx.new_page()


def shot(page, name: str, width: int, height: int, selector: str) -> None:
    """The whole page, and the article's first screenful on its own (to look at closely)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"), full_page=True)
    top = page.locator(selector).bounding_box()["y"] + page.evaluate("scrollY")
    clip = {"x": 0, "y": top, "width": width, "height": height}
    path = str(ARTIFACTS / f"{name}-article-{width}x{height}.png")
    page.screenshot(path=path, clip=clip, full_page=True)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_student_hears_the_article_block_by_block_and_where_each_highlight_is(
    browser, live_server, world, width, height
):
    w = world.assignment()
    world.add_work(w["assignment_id"], w["students"][0], WORK)
    ctx, page = new_page(browser, width, height)
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.locator("#article mark.hl").first.wait_for()
    snapshot = page.locator("#article").aria_snapshot()
    assert roles_of(snapshot) == expected_roles(live_server)
    headline = next(b.text for b in lesson(live_server).blocks if b.kind == "headline")
    assert f'- heading "{headline}" [level=3]' in snapshot
    assert re.search(r"^- figure \"", snapshot, flags=re.MULTILINE)  # named by its caption
    assert (
        "- mark: start of Loaded wording highlight vented its anger end of Loaded wording highlight"
    ) in snapshot
    assert (
        "- mark: start of Source highlight media reports said on Tuesday end of Source highlight"
    ) in snapshot
    # the words only said are neither seen nor selectable
    said = page.locator("#article [data-say]").first
    assert said.evaluate("el => getComputedStyle(el).userSelect") == "none"
    assert said.evaluate("el => el.getBoundingClientRect().width") <= 1
    assert serious_violations(page) == []
    shot(page, "article-semantics-lesson", width, height, "#article")

    # a drag over a highlight's edges selects the words, not what is said there
    start = SENTENCE.index("has vented")
    drag_select(page, SENTENCE, start, SENTENCE.index(" a top"))
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel-quote").inner_text() == "has vented its anger on"
    choose(page, "Source")
    snapshot = page.locator("#article").aria_snapshot()
    assert "start of your selection" in snapshot  # the words the panel is open for
    ctx.close()


OFFSETS_JS = """async () => {
  const { ArticleMap } = await import("/static/js/lesson/article.js");
  const source = document.getElementById("article");
  const texts = JSON.parse(document.getElementById("lesson-data").textContent).blocks;
  const root = document.createElement("div");
  root.append(...Array.from(source.querySelectorAll(".block"), (b, i) => {
    const p = document.createElement("p");
    p.className = "block";
    p.textContent = texts[i];
    return p;
  }));
  document.body.append(root);
  const map = new ArticleMap(root, texts);
  const at = (words) => map.text.indexOf(words);
  const a = at("vented its anger"), b = at("its anger on a top");
  const next = map.blocks[map.blockIndexAt(b) + 1];
  // overlapping highlights, one over two blocks, one zero-length (a point)
  const items = [
    { id: "x", start: a, end: a + "vented its anger".length, color: "#c05621", label: "X" },
    { id: "y", start: b, end: b + "its anger on a top".length, color: "#2b6cb0", label: "Y" },
    { id: "z", start: b + 4, end: next.start + 6, color: "#6b46c1", label: "Z" },
    { id: "p", start: at("general for"), end: at("general for"), color: "#6b46c1", label: "P" },
  ];
  map.render(items);
  const problems = [];
  for (const blk of map.blocks) {
    for (let o = blk.start; o <= blk.end; o += 1) {
      const [n, k] = map.pointAt(o);
      const back = map.offsetOf(n, k);
      if (back !== o) problems.push(`offset ${o} came back as ${back}`);
    }
  }
  const said = Array.from(root.querySelectorAll("[data-say]"));
  for (const s of said) {
    // a point inside what is said is where it is said: the edge of the highlight
    const mark = s.parentElement.closest(".hl, .pt");
    const here = map.offsetOf(s.firstChild, 3);
    const index = Array.prototype.indexOf.call(s.parentNode.childNodes, s);
    const edge = map.offsetOf(s.parentNode, index);
    if (here !== edge) problems.push(`inside "${s.textContent}": ${here}, not ${edge}`);
    if (!mark) problems.push(`"${s.textContent}" is outside a highlight`);
  }
  for (const it of items.filter((i) => i.start < i.end)) {
    const els = map.elementsFor(it.id);
    const r = document.createRange();
    r.setStartBefore(els[0]);
    r.setEndAfter(els[els.length - 1]);
    const [s, e] = map.rangeOffsets(r);
    const shown = map.text.slice(s, e);
    const meant = map.text.slice(it.start, it.end);
    if (shown !== meant) problems.push(`${it.id}: "${shown}", not "${meant}"`);
  }
  const blockText = Array.from(root.querySelectorAll(".block"), (el) => {
    const c = el.cloneNode(true);
    c.querySelectorAll("[data-say]").forEach((s) => s.remove());
    return c.textContent;
  });
  if (blockText.join("\\n\\n") !== map.text) problems.push("the blocks' text is not the article");
  const points = Array.from(root.querySelectorAll(".pt"), (el) =>
    [el.getAttribute("role"), el.getAttribute("aria-label"), el.textContent]);
  root.remove();
  return { problems, said: said.map((s) => s.textContent), points };
}"""


def test_what_is_only_said_takes_no_room_in_the_offsets(page, live_server, world):
    w = world.assignment()
    log_in(page, live_server, w["students"][0])
    page.goto(f"{live_server.url}/student/assignments/{w['assignment_id']}")
    page.wait_for_selector("#article .block")
    result = page.evaluate(OFFSETS_JS)
    assert result["problems"] == []
    assert result["said"] == [
        "start of X",
        "start of Y",
        "start of Z",
        "end of X",
        "end of Y",
        "end of Z",
    ]
    # a point has no text of its own (nothing to count): it is an image named by its label
    assert result["points"] == [["img", "P", ""]]


def _teacher_views(live_server, w) -> dict[str, tuple[str, str]]:
    """Each teacher page that shows the article: its address, its article's selector."""
    dash = f"{live_server.url}/teacher/assignments/{w['assignment_id']}"
    return {
        "review": (f"{dash}/students/{w['student_id']}", ".overlay-article"),
        "heatmap": (dash, ".heat-article"),
        "key": (f"{live_server.url}/teacher/lessons/builtin/{LESSON_ID}", ".key-article"),
    }


@pytest.mark.parametrize("view", ["review", "heatmap", "key"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_teacher_hears_the_article_block_by_block_and_where_each_mark_is(
    browser, live_server, world, view, width, height
):
    w = world.assignment(students=2)
    world.add_work(w["assignment_id"], w["students"][0], WORK)
    world.add_work(w["assignment_id"], w["students"][1], WORK[:1])
    ctx, page = new_page(browser, width, height)
    log_in(page, live_server, w["teacher"])
    page.goto(f"{live_server.url}/teacher/assignments/{w['assignment_id']}")
    first = page.locator(".progress tbody th a").first.get_attribute("href")
    w["student_id"] = first.split("/")[-1]
    url, selector = _teacher_views(live_server, w)[view]
    page.goto(url)
    snapshot = page.locator(selector).aria_snapshot()
    assert roles_of(snapshot) == expected_roles(live_server)
    marks = re.findall(r"- mark: (.*)", snapshot)
    expected = {
        "review": "start of key phrase they found start of their highlight vented its anger"
        " end of their highlight end of key phrase they found",
        "heatmap": "start of highlight by 2 of 2 students vented its anger"
        " end of highlight by 2 of 2 students",
        "key": "start of Loaded wording key item vented its anger end of Loaded wording key item",
    }[view]
    assert expected in marks
    assert serious_violations(page) == []
    shot(page, f"article-semantics-{view}", width, height, selector)
    ctx.close()
