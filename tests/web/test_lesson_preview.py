"""A teacher previews a lesson as a student, and the feedback a student would see, through the
Flask test client: the student's own lesson page renders the lesson (a draft as it is now,
problems and all), its data sends the reader to the page's stand-in for the API, its forms
post nowhere, and nothing is written. (Who may reach each route: test_access_matrix.py.)"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app import services
from app.domain.lessons.draft import new_draft
from app.extensions import db
from app.models import (
    Annotation,
    AuthoredLesson,
    GradeChange,
    OmissionMark,
    RubricScore,
    Submission,
)
from app.services import library
from app.services.preview import sample_feedback
from tests.support.client import login
from tests.support.factory import LESSON_ID
from tests.support.html import Node, flash_messages, page

ARTICLE = [
    ("headline", "Council says parking plan will 'save' the high street"),
    ("paragraph", "Officials said the plan would slash traffic. Shop owners called it a disaster."),
    ("paragraph", "According to the council, fees could rise. <b>Bold</b> claims, said one."),
]
KEY = [
    {"id": "source-1", "category": "source", "quote": "Officials", "explanation": "Who?"},
    {"id": "loaded-1", "category": "loaded", "quote": "slash", "explanation": "Strong."},
    {"id": "loaded-2", "category": "loaded", "quote": "disaster", "explanation": "Strong."},
    {
        "id": "omission-1",
        "category": "omission",
        "statement": "How much the fees are now",
        "explanation": "Rise from what?",
        "reference": "https://eastbrook.example/fees",
        "cues": ["fee", "cost"],
    },
]
WRITTEN = (Annotation, Submission, OmissionMark, RubricScore, GradeChange)


def rows() -> dict[str, int]:
    """How many rows each table of students' work holds."""
    return {
        m.__tablename__: db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
        for m in WRITTEN
    }


def draft(make, teacher, key=KEY, title="Parking plan") -> AuthoredLesson:
    builtin = services.current_lessons(make.lessons_dir)
    data = new_draft(library.free_id(db.session, builtin, title), {"title": title}, ARTICLE)
    row = library.create_authored(db.session, teacher, {**data, "key": key}, builtin)
    db.session.commit()
    return row


def page_data(resp) -> dict:
    """The lesson page's data for its script."""
    return json.loads(page(resp).find("script", id_="lesson-data").text)


def links(doc: Node, cls: str | None = None) -> dict[str, str]:
    """The links (inside the element of class ``cls``) by their words."""
    scope = doc.find(cls=cls) if cls else doc
    new_tab = " (opens in a new tab)"
    return {a.words.removesuffix(new_tab): a.attrs["href"] for a in scope.find_all("a")}


@pytest.fixture
def teacher(make, client):
    t = make.teacher(name="Ann Author")
    assert login(client, t).status_code == 302
    return t


def test_a_teacher_previews_a_built_in_lesson_on_the_students_own_page(client, teacher, make):
    make.classwork()  # a class with work: none of it shows, none of it changes
    before = rows()
    resp = client.get(f"/teacher/lessons/builtin/{LESSON_ID}/preview")
    assert resp.status_code == 200
    doc = page(resp)
    banner = doc.find(cls="preview-banner").words
    assert "Preview: this is what students see. Nothing you do here is saved." in banner
    lesson = services.current_lessons(make.lessons_dir).lessons[LESSON_ID]
    assert doc.find("h1", cls="lesson-title").text == lesson.title
    blocks = [b.text for b in doc.find(id_="article").find_all(cls="block")]
    assert blocks == [b.text for b in lesson.blocks]
    assert len(doc.find_all("li", cls="prompt")) == len(lesson.prompts)
    assert doc.find(id_="my-annotations")
    assert doc.find("script", src="/static/js/lesson/main.js")
    data = page_data(resp)
    assert data["preview"] is True
    assert data["readonly"] is False
    assert data["annotations"] == []
    # the reader's saves go to the page's stand-in: its addresses are the preview's own
    preview_url = f"/teacher/lessons/builtin/{LESSON_ID}/preview"
    assert data["apiBase"] == f"{preview_url}/annotations"
    assert data["submitUrl"] == f"{preview_url}/submit"
    assert data["assignmentId"] == "preview"
    # no form posts to a student's route: the typed-quote form and submit are switched off
    assert [f.attrs.get("action") for f in doc.find_all("form", method="post")] == [
        "/logout",  # the header's; the typed-quote form and submit post nowhere
        None,
        None,
    ]
    assert "disabled" in doc.find(id_="quote-form").find("fieldset").attrs
    assert "disabled" in doc.find(id_="submit-button").attrs
    assert "switched off" in doc.find(id_="quote-preview").words
    assert not doc.find_all(cls="crumbs")  # "My lessons" is a student's page
    banner_links = links(doc, "preview-banner")
    assert banner_links["Back to the lesson"] == f"/teacher/lessons/builtin/{LESSON_ID}"
    assert banner_links["Preview feedback"] == f"{preview_url}/feedback"
    assert "Edit" not in banner_links
    assert "X-Read-Closely-User" not in resp.headers  # nothing for the offline helper to keep
    assert rows() == before


def test_the_preview_of_a_draft_shows_its_current_text_not_its_published_version(
    client, teacher, make
):
    row = draft(make, teacher)
    library.publish(db.session, row)
    data = library.data_of(row)
    data["blocks"][1]["text"] = data["blocks"][1]["text"].replace("slash", "cut")
    data["key"] = [k for k in data["key"] if k["id"] != "loaded-1"]
    library.save_draft(db.session, row, data, row.revision)
    db.session.commit()
    resp = client.get(f"/teacher/lessons/authored/{row.id}/preview")
    assert resp.status_code == 200
    text = page(resp).find(id_="article").words
    assert "would cut traffic" in text
    assert "slash" not in text
    assert links(page(resp), "preview-banner")["Edit"] == f"/teacher/lessons/authored/{row.id}/edit"


def test_a_draft_with_a_problem_previews_with_a_banner_saying_so(client, teacher, make):
    broken = [*KEY, {"id": "loaded-9", "category": "loaded", "quote": "not in the text"}]
    row = draft(make, teacher, broken)
    assert library.checked(row).lesson is None
    resp = client.get(f"/teacher/lessons/authored/{row.id}/preview")
    assert resp.status_code == 200
    doc = page(resp)
    problems = doc.find(cls="preview-problems").words
    assert "This draft has 2 problems to fix before you can publish it" in problems
    fix = links(doc, "preview-banner")["Fix it in the editor"]
    assert fix == f"/teacher/lessons/authored/{row.id}/edit"
    assert doc.find(id_="article").find_all(cls="block")
    # its feedback waits for a key without errors (one broken enough gave a 500 before)
    resp = client.get(f"/teacher/lessons/authored/{row.id}/preview/feedback")
    assert resp.headers["Location"].endswith(f"/teacher/lessons/authored/{row.id}/edit")
    said = flash_messages(page(client.get(resp.headers["Location"])))
    assert any("Feedback can be previewed once the check finds no problems" in m for m in said)


def test_article_text_in_a_preview_is_text_never_markup(client, teacher, make):
    row = draft(make, teacher)
    html = client.get(f"/teacher/lessons/authored/{row.id}/preview").get_data(as_text=True)
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_the_feedback_preview_shows_a_sample_students_scored_work_and_writes_nothing(
    client, teacher, make
):
    make.classwork()
    before = rows()
    url = f"/teacher/lessons/builtin/{LESSON_ID}/preview/feedback"
    resp = client.get(url)
    assert resp.status_code == 200
    doc = page(resp)
    assert "Preview of feedback" in doc.find(cls="preview-banner").words
    feedback = doc.find(id_="feedback")
    assert feedback.find("h2").words == "Your feedback"
    assert feedback.find(id_="found-line").words.startswith("You found ")
    # the sample's work is shown on the article, a mark per key phrase or highlight
    assert doc.find(id_="feedback-article").find_all("a", cls="fb-mark")
    assert "released the feedback" in doc.find(id_="submitted-banner").words
    data = page_data(resp)
    assert data["preview"] is True
    assert data["readonly"] is True  # the sample's highlights, read-only
    highlights = [a for a in data["annotations"] if a["target"]]
    assert highlights
    lesson = services.current_lessons(make.lessons_dir).lessons[LESSON_ID]
    for a in highlights:
        t = a["target"]
        assert lesson.text[t["start"] : t["end"]] == t["exact"]
    assert not doc.find_all(id_="submit-form") + doc.find_all(id_="quote-form")
    assert rows() == before


def test_the_feedback_preview_scores_the_sample_as_released_feedback_is_scored(
    client, teacher, make
):
    lesson = services.current_lessons(make.lessons_dir).lessons[LESSON_ID]
    sample = sample_feedback(lesson)
    scored = sample.feedback.scored
    kinds = {
        "found": scored.matches,
        "missed": scored.missed,
        "in another category": scored.wrong_category,
        "extra": scored.off_key,
        "omission marked": scored.omission_credit,
    }
    assert all(kinds.values()), {k: bool(v) for k, v in kinds.items()}
    resp = client.get(f"/teacher/lessons/builtin/{LESSON_ID}/preview/feedback")
    line = page(resp).find(cls="score-line").words
    assert line == f"Your grade: {round(scored.final, 1)} of {round(scored.possible, 1)}"
    assert len(page_data(resp)["annotations"]) == len(sample.annotations)


def test_the_feedback_preview_of_an_authored_draft_uses_its_own_key(client, teacher, make):
    row = draft(make, teacher)
    resp = client.get(f"/teacher/lessons/authored/{row.id}/preview/feedback")
    assert resp.status_code == 200
    doc = page(resp)
    marked = " ".join(
        m.words for m in doc.find(id_="feedback-article").find_all("a", cls="fb-mark")
    )
    assert all(q in marked for q in ("Officials", "slash", "disaster"))
    assert "How much the fees are now" in doc.find(id_="feedback").words  # its omission


def test_a_colleague_cannot_preview_a_lesson_shared_with_them(client, make):
    author = make.teacher("author@school.test")
    row = draft(make, author)
    row.shared = True
    db.session.commit()
    assert login(client, make.teacher("colleague@school.test")).status_code == 302
    assert client.get(f"/teacher/lessons/authored/{row.id}").status_code == 200
    assert client.get(f"/teacher/lessons/authored/{row.id}/preview").status_code == 404
    assert client.get(f"/teacher/lessons/authored/{row.id}/preview/feedback").status_code == 404


def test_an_unknown_lesson_has_no_preview(client, teacher):
    assert client.get("/teacher/lessons/builtin/no-such-lesson/preview").status_code == 404
    assert client.get("/teacher/lessons/builtin/no-such-lesson/preview/feedback").status_code == 404
    assert client.get("/teacher/lessons/authored/999999/preview").status_code == 404


def test_the_lesson_page_and_the_editor_link_to_both_previews(client, teacher, make):
    row = draft(make, teacher)
    base = f"/teacher/lessons/authored/{row.id}"
    for url in (base, f"{base}/edit"):
        found = links(page(client.get(url)))
        assert found["Preview as a student"] == f"{base}/preview", url
        assert found["Preview feedback"] == f"{base}/preview/feedback", url
    found = links(page(client.get(f"/teacher/lessons/builtin/{LESSON_ID}")), "lesson-actions")
    assert found["Preview as a student"] == f"/teacher/lessons/builtin/{LESSON_ID}/preview"


def test_a_student_page_is_unchanged_by_previews(work):
    """The student's own page still posts to the student routes and sends saves to /api."""
    resp = work.api.client.get(f"/student/assignments/{work.assignment.id}")
    data = page_data(resp)
    assert data["preview"] is False
    assert data["apiBase"] == f"/api/assignments/{work.assignment.id}/annotations"
    doc = page(resp)
    assert not doc.find_all(cls="preview-banner")
    assert doc.find(id_="submit-form").attrs["action"].startswith("/student/assignments/")
    assert "disabled" not in doc.find(id_="submit-button").attrs
    assert not doc.find(id_="quote-form").find_all("fieldset")
