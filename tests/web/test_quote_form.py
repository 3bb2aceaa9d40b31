"""The no-JavaScript way to annotate: type the words, the server anchors them."""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation
from tests.support.client import page_csrf_token, post_quote


@pytest.fixture
def page(work):
    """The lesson page's URL, for the logged-in student of ``work``."""
    return f"/student/assignments/{work.assignment.id}"


def saved() -> list[Annotation]:
    db.session.expire_all()
    return list(
        db.session.execute(sa.select(Annotation).where(Annotation.deleted_at.is_(None))).scalars()
    )


def text(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def test_a_typed_quote_is_anchored_saved_and_redirects(work, client, page, lesson):
    resp = post_quote(
        client,
        page,
        prompt="loaded",
        quote="vented its anger",
        note="Sounds like a tantrum.",
        rewrite="Ukrainian officials objected",
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{page}#my-annotations"
    [a] = saved()
    start = lesson.text.index("vented its anger")
    assert (a.start_offset, a.end_offset, a.exact) == (start, start + 16, "vented its anger")
    assert (a.category, a.prompt_id, a.student_id) == ("loaded", "loaded", work.student.id)
    assert a.note == "Sounds like a tantrum."
    assert a.fields == {"rewrite": "Ukrainian officials objected"}
    assert a.prefix == lesson.text[start - 32 : start]
    after = client.get(resp.headers["Location"])
    assert "Saved." in text(after)
    assert "Sounds like a tantrum." in text(after)


def test_a_typed_quote_with_straight_quotes_finds_the_curly_ones(client, page, lesson):
    resp = post_quote(client, page, prompt="sources", quote="russia's pullout")
    assert resp.status_code == 302
    [a] = saved()
    assert a.exact == "Russia\u2019s pullout"
    assert lesson.text[a.start_offset : a.end_offset] == a.exact


def test_part_of_a_word_is_snapped_to_the_whole_word(client, page):
    post_quote(client, page, prompt="loaded", quote="ented its ang")
    [a] = saved()
    assert a.exact == "vented its anger"


def test_words_not_in_the_article_get_422_and_keep_the_typed_note(client, page):
    resp = post_quote(
        client, page, prompt="loaded", quote="Kyiv is furious", note="My careful note about tone"
    )
    assert resp.status_code == 422
    page_text = text(resp)
    assert "We couldn't find those words in the article" in page_text
    assert "My careful note about tone" in page_text
    assert "Kyiv is furious" in page_text
    assert saved() == []


def test_a_repeated_quote_without_occurrence_asks_which_one(client, page, lesson):
    count = lesson.text.count("Read more")
    assert count > 1
    resp = post_quote(client, page, prompt="sources", quote="Read more", note="Whose stories?")
    assert resp.status_code == 422
    assert f"Those words appear {count} times in the article" in text(resp)
    assert "Say which time you mean" in text(resp)
    assert "Whose stories?" in text(resp)
    assert saved() == []


def test_a_repeated_quote_with_occurrence_saves_that_one(client, page, lesson):
    resp = post_quote(client, page, prompt="sources", quote="Read more", occurrence="2")
    assert resp.status_code == 302
    [a] = saved()
    second = lesson.text.index("Read more", lesson.text.index("Read more") + 1)
    assert a.start_offset == second


@pytest.mark.parametrize(
    ("occurrence", "message"),
    [
        ("9", "Those words appear only 4 times, so choose 1 to 4."),
        ("0", "Use 1 for the first time"),
        ("two", "Not a valid integer value."),
    ],
)
def test_a_bad_occurrence_is_explained(client, page, lesson, occurrence, message):
    assert lesson.text.count("Read more") == 4
    resp = post_quote(client, page, prompt="sources", quote="Read more", occurrence=occurrence)
    assert resp.status_code == 422
    assert message in text(resp)
    assert saved() == []


def test_an_omission_with_no_quote_but_what_is_missing_saves_with_no_target(work, client, page):
    resp = post_quote(
        client,
        page,
        prompt="omissions",
        missing="Where Milley gave the talk",
        why="His audience changes what he meant",
        rewrite="ignored here",
    )
    assert resp.status_code == 302
    [a] = saved()
    assert a.category == "omission"
    assert a.start_offset is None
    assert a.exact == ""
    assert a.fields == {
        "missing": "Where Milley gave the talk",
        "why": "His audience changes what he meant",
    }


def test_an_omission_without_what_is_missing_is_refused(client, page):
    resp = post_quote(client, page, prompt="omissions", note="Something is missing")
    assert resp.status_code == 422
    assert "Please fill in \u201cWhat is missing\u201d" in text(resp)
    assert "Something is missing" in text(resp)
    assert saved() == []


def test_a_highlight_prompt_without_words_is_refused(client, page):
    resp = post_quote(client, page, prompt="sources", note="no words")
    assert resp.status_code == 422
    assert "Select some words in the article first." in text(resp)


def test_an_unknown_question_is_refused(client, page):
    resp = post_quote(client, page, prompt="no-such-question", quote="vented its anger")
    assert resp.status_code == 422
    assert saved() == []


def test_a_note_over_the_limit_is_refused_and_kept(client, page):
    resp = post_quote(client, page, quote="vented its anger", note="n" * 2001)
    assert resp.status_code == 422
    assert "the limit is 2,000" in text(resp)
    assert "n" * 2001 in text(resp)
    assert saved() == []


def test_markup_typed_in_a_note_is_shown_escaped_never_as_a_tag(client, page):
    note = "<b>x</b> and x < y & <script>alert(1)</script>"
    resp = post_quote(client, page, quote="vented its anger", note=note)
    assert resp.status_code == 302
    assert saved()[0].note == note
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&amp;lt;" not in html  # escaped once, so the student sees exactly what they typed
    assert unescape(html).count(note) == 1


def test_markup_in_a_refused_form_is_escaped_too(client, page):
    note = "<b>x</b><img src=x onerror=alert(1)>"
    resp = post_quote(client, page, quote="not in the article at all", note=note)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "<img src=x" not in html
    assert note in unescape(html)


def test_a_form_without_its_csrf_token_is_reshown_with_the_typing_kept(client, page):
    resp = post_quote(client, page, csrf=False, quote="vented its anger", note="Typed before lunch")
    assert resp.status_code == 422
    assert "for your safety the form expired" in text(resp)
    assert "Typed before lunch" in text(resp)
    assert saved() == []


def test_after_submitting_the_quote_form_is_refused(work, client, page):
    token = page_csrf_token(client, page)
    assert client.post(f"{page}/submit", data={"csrf_token": token}).status_code == 302
    resp = post_quote(client, page, quote="vented its anger", note="late")
    assert resp.status_code == 409
    assert "You already submitted this lesson." in text(resp)
    assert saved() == []


def test_a_student_deletes_an_annotation_with_the_page_form(client, page):
    post_quote(client, page, quote="vented its anger")
    [a] = saved()
    token = page_csrf_token(client, page)
    resp = client.post(f"{page}/annotations/{a.id}/delete", data={"csrf_token": token})
    assert resp.status_code == 302
    assert saved() == []
    db.session.expire_all()
    assert db.session.get(Annotation, a.id).deleted_at is not None
