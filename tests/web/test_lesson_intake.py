"""Bringing a lesson in, through the Flask test client: a new lesson from pasted text (with the
kinds the page kept for pasted HTML) or an uploaded .txt/.html file, each problem said beside
its field with what was typed kept; the paste endpoint; and a lesson file imported whole, the
built-in lessons included (exported, imported back: the same lesson but for its new id)."""

from __future__ import annotations

import io
import json
import tomllib
from dataclasses import replace

import pytest

from app import services
from app.domain.lessons import parse_lesson
from app.extensions import db
from app.models import AuthoredLesson
from app.services import library
from tests.support.client import FormClient
from tests.support.html import flash_messages, form_fields, page

NEW = "/teacher/lessons/new"
TEXT = (
    "Council says parking plan will save the high street\n\n"
    "Officials said on Monday that the plan would slash traffic.\r\n\r\n"
    "  \n"
    "Shop owners said the scheme was a disaster.\n"
)


@pytest.fixture
def teacher(app, make):
    t = make.teacher()
    return FormClient(app, t)


def newest() -> AuthoredLesson:
    db.session.expire_all()
    return (
        db.session.execute(db.select(AuthoredLesson).order_by(AuthoredLesson.id.desc()))
        .scalars()
        .first()
    )


def data_of(row: AuthoredLesson) -> dict:
    return json.loads(row.content)


def test_pasted_text_makes_a_draft_with_its_details(teacher):
    kinds = json.dumps({"Shop owners said the scheme was a disaster.": "caption"})
    resp = teacher.post(
        NEW,
        {
            "title": " Parking plan ",
            "outlet": "Eastbrook Gazette",
            "published": "2024-03-04",
            "approximate": "y",
            "minutes": "40",
            "article": TEXT,
            "kinds": kinds,
        },
    )
    row = newest()
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/teacher/lessons/authored/{row.id}/edit")
    data = data_of(row)
    assert (data["id"], data["title"], data["outlet"]) == (
        "parking-plan",
        "Parking plan",
        "Eastbrook Gazette",
    )
    assert (data["published"], data["minutes"]) == ("about 2024-03-04", 40)
    assert [b["kind"] for b in data["blocks"]] == ["headline", "paragraph", "caption"]
    assert (
        data["blocks"][1]["text"] == "Officials said on Monday that the plan would slash traffic."
    )
    assert [p["category"] for p in data["prompts"]] == ["source", "loaded", "omission"]
    assert library.checked(row).lesson is not None  # a lesson without a key yet is a lesson
    said = flash_messages(page(teacher.get(resp.headers["Location"])))
    assert any("build the answer key by highlighting" in m for m in said)


def test_a_second_lesson_of_the_same_title_gets_its_own_id(teacher):
    for _ in range(2):
        teacher.post(NEW, {"title": "Parking plan", "article": TEXT})
    assert data_of(newest())["id"] == "parking-plan-2"


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"title": "T"}, "article", "Paste the article's text here, or upload it as a file."),
        ({"article": TEXT}, "title", "Give the lesson a title"),
        ({"title": "T", "article": "x" * 100_001}, "article", "at most 100,000"),
        ({"title": "T", "article": TEXT, "minutes": "0"}, "minutes", "from 1 to 600"),
    ],
)
def test_a_problem_is_said_beside_its_field_and_the_typing_kept(teacher, fields, where, message):
    before = db.session.query(AuthoredLesson).count()
    resp = teacher.post(NEW, {"outlet": "Kept Outlet", **fields})
    assert resp.status_code == 422
    doc = page(resp)
    assert message in doc.find("p", id=f"{where}-error").words
    assert form_fields(doc)["outlet"] == "Kept Outlet"
    if "article" in fields and len(fields["article"]) < 1000:
        assert doc.find("textarea", id="article").words.startswith("Council says")
    assert db.session.query(AuthoredLesson).count() == before


def upload(name: str, body: bytes):
    return (io.BytesIO(body), name)


def test_an_uploaded_page_gives_the_blocks_and_a_title(teacher):
    html = (
        "<html><head><title>Site | Story</title></head><body><nav>Menu</nav>"
        "<h1>Fees to rise</h1><p>Officials said so.</p><script>alert(1)</script></body></html>"
    )
    resp = teacher.client.post(
        NEW,
        data={"csrf_token": teacher.token(), "file": upload("story.html", html.encode())},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    data = data_of(newest())
    assert data["title"] == "Fees to rise"
    assert [(b["kind"], b["text"]) for b in data["blocks"]] == [
        ("headline", "Fees to rise"),
        ("paragraph", "Officials said so."),
    ]


def test_a_file_that_is_not_an_article_is_said_so(teacher):
    resp = teacher.client.post(
        NEW,
        data={"csrf_token": teacher.token(), "title": "T", "file": upload("story.pdf", b"%PDF")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "upload a .txt or .html file" in page(resp).find("p", id="file-error").words


def test_the_paste_endpoint_reads_html_as_text(teacher):
    token = teacher.token()
    resp = teacher.client.post(
        "/teacher/lessons/paste",
        json={"html": "<h1>Big news</h1><p>It <i>rained</i>.</p><img src=x onerror=alert(1)>"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert resp.get_json() == {
        "title": "Big news",
        "blocks": [["headline", "Big news"], ["paragraph", "It rained."]],
    }
    resp = teacher.client.post(
        "/teacher/lessons/paste", json={"html": 3}, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "Paste the article again."


def import_file(teacher, name: str, body: bytes):
    return teacher.client.post(
        "/teacher/lessons/import",
        data={"import-csrf_token": teacher.token(), "import-file": upload(name, body)},
        content_type="multipart/form-data",
    )


def test_every_built_in_lesson_exports_and_imports_back_the_same(teacher, make):
    builtin = services.current_lessons(make.lessons_dir)
    for lesson in builtin.lessons.values():
        exported = teacher.get(f"/teacher/lessons/builtin/{lesson.id}/export").get_data()
        resp = import_file(teacher, f"{lesson.id}.toml", exported)
        assert resp.status_code == 302
        row = newest()
        assert row.lesson_id != lesson.id  # the built-in lesson keeps its id
        imported = library.checked(row).lesson
        assert imported is not None
        assert replace(imported, id=lesson.id, source_file="").version == lesson.version
        said = flash_messages(page(teacher.get(resp.headers["Location"])))
        assert any("Imported as a draft. It is ready to publish." in m for m in said)


def test_an_imported_file_with_problems_comes_in_as_a_draft_with_them(teacher):
    body = (
        b'id = "mine"\ntitle = "Mine"\npublished = 2024-03-04\n'
        b'[[blocks]]\nkind = "paragraph"\ntext = "Hi."\n'
    )
    resp = import_file(teacher, "mine.toml", body)
    row = newest()
    data = data_of(row)
    assert data["published"] == "2024-03-04"  # a TOML date, kept as the text it means
    said = flash_messages(page(teacher.get(resp.headers["Location"])))
    assert any("The check found 1 problem to fix" in m for m in said)
    problems = [p.message for p in library.checked(row).problems if p.is_error]
    assert problems == ["the lesson needs at least one [[prompts]] entry"]
    lesson, _ = parse_lesson(
        tomllib.loads(
            teacher.get(f"/teacher/lessons/authored/{row.id}/export").get_data(as_text=True)
        ),
        "x",
    )
    assert lesson is None


def test_a_file_that_is_not_toml_is_refused_with_its_line(teacher):
    before = db.session.query(AuthoredLesson).count()
    resp = import_file(teacher, "broken.toml", b'id = "x"\ntitle = "unclosed\n')
    assert resp.status_code == 422
    message = page(resp).find("p", id="import-file-error").words
    assert "line 2" in message
    assert db.session.query(AuthoredLesson).count() == before
