"""Writing a lesson in the browser, through the Flask test client: the editor's save places
highlighted words as quotes and answers with the check; a save from another tab is refused;
publishing needs a lesson without errors and freezes a version; editing a published lesson
makes a draft while classes keep their version; duplicate and export, for any lesson a
teacher may read. (Who may reach each route: tests/web/test_access_matrix.py.)"""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import sqlalchemy as sa

from app import services
from app.domain.lessons import parse_lesson
from app.domain.lessons.draft import new_draft
from app.domain.lessons.export import lesson_data
from app.extensions import db
from app.models import Assignment, AuthoredLesson, LessonVersion
from app.services import library
from tests.conftest import TEST_DB_URL
from tests.support.client import ApiClient, FormClient
from tests.support.html import flash_messages, page
from tests.support.html import text_of as text_of_page

ARTICLE = [
    ("headline", "Council says parking plan will 'save' the high street"),
    ("paragraph", "Officials said the plan would slash traffic. The council said so."),
    ("paragraph", "<script>alert('x')</script> said the council, again."),
]


@pytest.fixture
def author(make, client):
    teacher = make.teacher(name="Ann Author")
    builtin = services.current_lessons(make.lessons_dir)
    data = new_draft("parking-plan", {"title": "Parking plan"}, ARTICLE)
    row = library.create_authored(db.session, teacher, data, builtin)
    db.session.commit()
    api = ApiClient(client).login(teacher)
    return {"teacher": teacher, "row": row, "api": api, "client": client}


def save(author, lesson: dict, revision: int):
    api = author["api"]
    url = f"/teacher/lessons/authored/{author['row'].id}/draft"
    body = {"revision": revision, "lesson": lesson}
    return api.client.post(url, json=body, headers={**api.headers(), "Accept": "application/json"})


def stored(row_id: int) -> dict:
    db.session.expire_all()
    return json.loads(db.session.get(AuthoredLesson, row_id).content)


def text_of(lesson: dict) -> str:
    return "\n\n".join(b["text"] for b in lesson["blocks"])


def test_highlighted_words_are_stored_as_quote_and_occurrence(author):
    lesson = stored(author["row"].id)
    text = text_of(lesson)
    second = text.index("council", text.index("council") + 1)
    lesson["key"] = [
        {
            "id": "source-1",
            "category": "source",
            "span": [text.index("Officials"), text.index("Officials") + 9],
            "explanation": "Who?",
            "points": 1,
        },
    ]
    lesson["decoys"] = [
        {
            "id": "decoy-1",
            "category": "loaded",
            "span": [second, second + 7],
            "explanation": "careful",
        }
    ]
    resp = save(author, lesson, 0)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["revision"] == 1
    assert body["lesson"]["key"][0]["quote"] == "Officials"
    assert "occurrence" not in body["lesson"]["key"][0]  # the words occur once
    assert body["lesson"]["decoys"][0] | {"explanation": ""} == {
        "id": "decoy-1",
        "category": "loaded",
        "quote": "council",
        "occurrence": 2,
        "explanation": "",
    }
    start = text.index("Officials")
    assert body["places"]["key"] == {"source-1": [[start, start + 9]]}
    assert body["places"]["decoys"] == {"decoy-1": [[second, second + 7]]}
    assert stored(author["row"].id)["key"][0]["quote"] == "Officials"
    assert [p["severity"] for p in body["problems"]] == []


def test_the_answer_names_each_problem_and_keeps_the_draft(author):
    lesson = stored(author["row"].id)
    lesson["key"] = [
        {
            "id": "loaded-1",
            "category": "loaded",
            "quote": "slahs",
            "explanation": "",
            "points": 1,
            "hint": "typo",
        }
    ]
    body = save(author, lesson, 0).get_json()
    said = [(p["item"], p["severity"], p["message"]) for p in body["problems"]]
    assert ("key loaded-1", "error", "'explanation' is missing") in said
    assert ("key loaded-1", "error", "quote 'slahs' is not in the article") in said
    assert any(i == "key loaded-1" and sev == "warning" and "'hint'" in m for i, sev, m in said)
    assert stored(author["row"].id)["key"][0]["quote"] == "slahs"  # a draft keeps its problems


def test_a_save_from_an_older_revision_is_refused(author):
    lesson = stored(author["row"].id)
    assert save(author, {**lesson, "title": "First tab"}, 0).status_code == 200
    resp = save(author, {**lesson, "title": "Second tab"}, 0)
    assert resp.status_code == 409
    assert "changed in another tab" in resp.get_json()["error"]
    assert stored(author["row"].id)["title"] == "First tab"


@pytest.mark.parametrize(
    "body",
    [None, [], {"lesson": []}, {"lesson": {}, "revision": "1"}, {"lesson": {}, "revision": True}],
)
def test_a_save_that_is_not_a_lesson_is_a_clear_400(author, body):
    api = author["api"]
    resp = api.client.post(
        f"/teacher/lessons/authored/{author['row'].id}/draft",
        json=body,
        headers={**api.headers(), "Accept": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "That save was not a lesson. Reload the page and try again."


def test_the_lesson_id_cannot_be_changed_by_a_save(author):
    lesson = stored(author["row"].id)
    body = save(author, {**lesson, "id": "kiev-anger-milley"}, 0).get_json()
    assert body["lesson"]["id"] == "parking-plan"


def test_the_editor_shows_untrusted_text_as_text(author):
    html = (
        author["client"]
        .get(f"/teacher/lessons/authored/{author['row'].id}/edit")
        .get_data(as_text=True)
    )
    assert "<script>alert" not in html
    assert "\\u003cscript\\u003ealert" in html  # inside the page's JSON, escaped


def publish(author):
    forms = FormClient(author["client"].application, author["teacher"])
    return forms, forms.post(f"/teacher/lessons/authored/{author['row'].id}/publish", {})


def test_publishing_waits_for_the_errors_to_be_fixed(author):
    lesson = stored(author["row"].id)
    save(
        author,
        {
            **lesson,
            "key": [{"id": "k", "category": "source", "quote": "nowhere", "explanation": "e"}],
        },
        0,
    )
    forms, resp = publish(author)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/edit")
    said = flash_messages(page(forms.client.get(resp.headers["Location"])))
    assert any("1 problem to fix before it can be published" in m for m in said)
    assert db.session.query(LessonVersion).filter_by(lesson_id="parking-plan").count() == 0


def test_publishing_freezes_a_version_and_an_edit_makes_a_draft(author, make):
    lesson = stored(author["row"].id)
    text = text_of(lesson)
    at = text.index("slash")
    save(
        author,
        {
            **lesson,
            "key": [
                {
                    "id": "loaded-1",
                    "category": "loaded",
                    "span": [at, at + 5],
                    "explanation": "strong",
                    "points": 2,
                }
            ],
        },
        0,
    )
    _, resp = publish(author)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/authored/{author['row'].id}")
    db.session.expire_all()
    row = db.session.get(AuthoredLesson, author["row"].id)
    version = db.session.get(LessonVersion, row.published_version_id)
    assert row.status == "published"
    classroom = make.classroom(author["teacher"])
    forms = FormClient(author["client"].application, author["teacher"])
    assert "Parking plan" in forms.get(f"/teacher/classes/{classroom.id}").get_data(as_text=True)
    resp = forms.post(f"/teacher/classes/{classroom.id}", {"lesson": "parking-plan"})
    assert resp.status_code == 302
    assignment = db.session.execute(
        db.select(Assignment).filter_by(classroom_id=classroom.id)
    ).scalar_one()
    assert assignment.lesson_version_id == version.id

    edited = stored(row.id)
    edited["key"][0]["explanation"] = "A strong verb."
    assert save(author, edited, row.revision).status_code == 200
    db.session.expire_all()
    row = db.session.get(AuthoredLesson, row.id)
    assert (row.status, row.published_version_id) == ("draft", version.id)
    assert services.lesson_of(assignment).key[0].explanation == "strong"  # the class keeps v1
    card = text_of_page(forms.get("/teacher/lessons"))
    assert "Published Changes not published yet" in card

    broken = stored(row.id)
    broken["key"][0]["quote"] = "nowhere"
    save(author, broken, row.revision)
    assert "1 problem to fix" in text_of_page(forms.get("/teacher/lessons"))


def test_duplicating_a_built_in_lesson_gives_a_draft_to_adapt(author, make):
    forms = FormClient(author["client"].application, author["teacher"])
    resp = forms.post("/teacher/lessons/builtin/kiev-anger-milley/duplicate", {})
    assert resp.status_code == 302
    row = (
        db.session.execute(db.select(AuthoredLesson).order_by(AuthoredLesson.id.desc()))
        .scalars()
        .first()
    )
    assert resp.headers["Location"].endswith(f"/authored/{row.id}/edit")
    copy = json.loads(row.content)
    original = lesson_data(services.current_lessons(make.lessons_dir).lessons["kiev-anger-milley"])
    assert copy["title"] == original["title"] + " (copy)"
    assert copy["id"] != original["id"]
    assert copy["key"] == original["key"]
    assert copy["blocks"] == original["blocks"]
    assert (row.owner_id, row.status, row.shared) == (author["teacher"].id, "draft", False)
    assert library.checked(row).lesson is not None


def test_export_reads_back_as_the_same_lesson(author, make):
    resp = author["client"].get("/teacher/lessons/builtin/kiev-anger-milley/export")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="kiev-anger-milley.toml"'
    lesson, problems = parse_lesson(tomllib.loads(resp.get_data(as_text=True)), "x")
    builtin = services.current_lessons(make.lessons_dir).lessons["kiev-anger-milley"]
    assert problems == []
    assert lesson.version == builtin.version

    draft = stored(author["row"].id)
    draft["key"] = [{"id": "k", "category": "source", "quote": "nowhere", "explanation": "e"}]
    save(author, draft, 0)
    resp = author["client"].get(f"/teacher/lessons/authored/{author['row'].id}/export")
    text = resp.get_data(as_text=True)
    assert "a draft: the check lists what to fix" in text
    assert tomllib.loads(text) == stored(author["row"].id)


def test_sharing_lets_colleagues_read_and_duplicate_and_stops(author, make):
    colleague = FormClient(author["client"].application, make.teacher())
    url = f"/teacher/lessons/authored/{author['row'].id}"
    assert colleague.get(url).status_code == 404
    forms = FormClient(author["client"].application, author["teacher"])
    resp = forms.post(f"{url}/share", {"shared": "yes"})
    assert "Shared: other teachers" in " ".join(
        flash_messages(page(forms.get(resp.headers["Location"])))
    )
    assert colleague.get(url).status_code == 200
    assert colleague.get(f"{url}/edit").status_code == 404  # only the author edits
    assert colleague.post(f"{url}/duplicate", {}).status_code == 302
    forms.post(f"{url}/share", {"shared": "no"})
    assert colleague.get(url).status_code == 404


def test_a_lesson_is_deleted_only_while_no_class_has_it(author, make):
    forms = FormClient(author["client"].application, author["teacher"])
    url = f"/teacher/lessons/authored/{author['row'].id}"
    lesson = stored(author["row"].id)
    text = text_of(lesson)
    at = text.index("slash")
    key = [{"id": "loaded-1", "category": "loaded", "span": [at, at + 5], "explanation": "e"}]
    save(author, {**lesson, "key": key}, 0)
    publish(author)
    classroom = make.classroom(author["teacher"])
    forms.post(f"/teacher/classes/{classroom.id}", {"lesson": "parking-plan"})
    resp = forms.post(f"{url}/delete", {})
    said = " ".join(flash_messages(page(forms.get(resp.headers["Location"]))))
    assert "assigned to a class, so it stays" in said
    db.session.execute(db.delete(Assignment))
    db.session.commit()
    resp = forms.post(f"{url}/delete", {})
    assert resp.headers["Location"].endswith("/teacher/lessons")
    db.session.expire_all()
    assert db.session.get(AuthoredLesson, author["row"].id) is None


def test_a_save_too_big_to_take_is_a_clear_413_and_keeps_the_lesson(author):
    lesson = stored(author["row"].id)
    huge = {**lesson, "teacher_note": "x" * (3 * 1024 * 1024)}
    resp = save(author, huge, 0)
    assert resp.status_code == 413
    assert resp.get_json()["error"] == (
        "That's too much to send at once. Make it shorter and try again."
    )
    assert stored(author["row"].id) == lesson


def test_an_article_over_the_limit_is_kept_as_a_draft_with_the_problem(author):
    lesson = stored(author["row"].id)
    long = {**lesson, "blocks": [{"kind": "paragraph", "text": "word " * 20_001}]}
    body = save(author, long, 0).get_json()
    errors = [p["message"] for p in body["problems"] if p["severity"] == "error"]
    assert errors == [
        "The article is 100,005 characters long; a lesson may have at most 100,000. "
        "Shorten it or split it into two lessons."
    ]
    assert len(stored(author["row"].id)["blocks"][0]["text"]) == 100_005


def test_a_colour_that_is_not_one_never_reaches_a_style_attribute(author, make):
    lesson = stored(author["row"].id)
    bad = "#2f855a;position:fixed;top:0;left:0;width:100vw;height:100vh"
    lesson["categories"] = {"myth": {"label": "Myth", "color": bad}}
    body = save(author, lesson, 0).get_json()
    assert any(p["message"] == "color must look like #1a2b3c" for p in body["problems"])
    for url in (
        f"/teacher/lessons/authored/{author['row'].id}",
        f"/teacher/lessons/authored/{author['row'].id}/edit",
        "/teacher/lessons",
    ):
        html = author["client"].get(url).get_data(as_text=True)
        assert not re.search(r'style="[^"]*position:fixed', html), url


def test_what_no_database_or_page_can_hold_is_left_out_of_a_save(author):
    lesson = stored(author["row"].id)
    api = author["api"]
    raw = json.dumps({"revision": 0, "lesson": {**lesson, "title": "A\x00B\ud800C"}})
    raw = raw[:-1] + ', "extra": NaN}'  # as a script could send it
    url = f"/teacher/lessons/authored/{author['row'].id}/draft"
    headers = {**api.headers(), "Accept": "application/json", "Content-Type": "application/json"}
    resp = api.client.post(url, data=raw, headers=headers)
    assert resp.status_code == 200
    assert stored(author["row"].id)["title"] == "ABC"
    nan = {**stored(author["row"].id), "minutes": float("nan")}
    resp = api.client.post(url, data=json.dumps({"revision": 1, "lesson": nan}), headers=headers)
    assert resp.status_code == 200
    html = author["client"].get(f"/teacher/lessons/authored/{author['row'].id}/edit")
    assert "NaN" not in html.get_data(as_text=True)  # the page's data stays JSON a browser reads


@pytest.mark.parametrize("depth", [50, 5000])
def test_data_nested_far_too_deep_is_a_clear_400(author, depth):
    api = author["api"]
    raw = '{"revision": 0, "lesson": {"id": "x", "key": ' + "[" * depth + "]" * depth + "}}"
    resp = api.client.post(
        f"/teacher/lessons/authored/{author['row'].id}/draft",
        data=raw,
        headers={**api.headers(), "Accept": "application/json", "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "That save was not a lesson. Reload the page and try again."


@pytest.mark.skipif(not TEST_DB_URL, reason="PostgreSQL's row locks (TEST_DATABASE_URL)")
def test_on_postgresql_a_save_waits_for_another_of_the_same_lesson(author):
    # two tabs save at once: the second waits for the first's row lock, then sees its
    # revision and is refused, instead of both being told "saved"
    other = sa.create_engine(TEST_DB_URL)
    try:
        with other.connect() as tab:
            tab.execute(
                sa.text("SELECT id FROM authored_lessons WHERE id = :id FOR UPDATE"),
                {"id": author["row"].id},
            )
            db.session.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
            row = db.session.get(AuthoredLesson, author["row"].id)
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                library.save_draft(db.session, row, stored(row.id), 0)
            db.session.rollback()
            tab.execute(
                sa.text("UPDATE authored_lessons SET revision = 1 WHERE id = :id"),
                {"id": author["row"].id},
            )
            tab.commit()
        row = db.session.get(AuthoredLesson, author["row"].id)
        with pytest.raises(library.DraftConflict):
            library.save_draft(db.session, row, stored(row.id), 0)
    finally:
        other.dispose()
