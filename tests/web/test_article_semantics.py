"""Every page that shows the article shows each block in its own element (the headline a
heading, a paragraph a paragraph, the caption a figure's caption, a "Read more" box an aside,
the footer's lines paragraphs in a footer), holding exactly the block's text."""

from __future__ import annotations

import pytest

from app.domain.lessons.model import block_elements
from tests.support.factory import highlight
from tests.support.html import page

ARTICLES = {  # page -> the class of its article's element
    "lesson": "article",
    "review": "overlay-article",
    "heatmap": "heat-article",
    "key": "key-article",
}


def address(work, view: str) -> str:
    dash = f"/teacher/assignments/{work.assignment.id}"
    return {
        "lesson": f"/student/assignments/{work.assignment.id}",
        "review": f"{dash}/students/{work.student.id}",
        "heatmap": dash,
        "key": "/teacher/lessons/builtin/kiev-anger-milley",
    }[view]


@pytest.mark.parametrize("view", list(ARTICLES))
def test_each_block_is_shown_in_its_own_element(work, make, client, lesson, view):
    make.annotation(work.assignment, work.student, highlight(lesson, "vented its anger"))
    if view != "lesson":
        work.api.login(work.teacher)
    resp = client.get(address(work, view))
    assert resp.status_code == 200
    article = page(resp).find(cls=ARTICLES[view])
    blocks = article.find_all(cls="block")
    assert [b.seen for b in blocks] == [b.text for b in lesson.blocks]
    for shown, block in zip(blocks, lesson.blocks, strict=True):
        assert shown.tag == block_elements(block.kind)[1], block.kind
        assert f"block-{block.kind}" in shown.classes
    kinds = [b.kind for b in lesson.blocks]
    boxes = [e for e in article.elements if e.tag != "p" and e.tag != "h3"]
    assert [(e.tag, e.elements[0].tag) for e in boxes] == [
        block_elements(k) for k in kinds if block_elements(k)[0]
    ]  # a figure holds its caption, an aside or a footer its paragraph
    assert [e.tag for e in article.elements].count("h3") == kinds.count("headline")
