"""The teacher's lesson library (/teacher/lessons): the built-in lessons, the teacher's own and
those other teachers share, with search, key counts and where each is assigned; each lesson's
page with its answer key. Another teacher's unshared lesson is a 404."""

from __future__ import annotations

import shutil
import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from app import services
from app.domain.lessons import canonical_text, load_lesson_file
from app.domain.lessons.export import lesson_data
from app.extensions import db
from app.models import AuthoredLesson, LessonVersion
from app.services import library
from tests.support.client import FormClient, login
from tests.support.factory import new_class
from tests.support.html import page, text_of
from tests.web.grading_helpers import dashboard_url, review_url

LESSON_FILE = Path(__file__).resolve().parents[2] / "lessons" / "kiev-anger-milley.toml"
INDEX = "/teacher/lessons"


def write(
    make,
    owner,
    slug: str,
    title: str,
    outlet: str = "The Daily Test",
    *,
    shared=False,
    publish=False,
):
    """``owner``'s lesson: the built-in one under another slug, title and outlet."""
    builtin = services.current_lessons(make.lessons_dir)
    lesson = replace(make.lesson(), id=slug, title=title, outlet=outlet)
    row = library.create_authored(db.session, owner, lesson_data(lesson), builtin, shared=shared)
    if publish:
        library.publish(db.session, row)
    db.session.commit()
    return row


@pytest.fixture
def school(make):
    """Ann (our teacher) has a draft and a published lesson; Bo shares one and keeps a draft."""
    ann, bo = make.teacher(name="Ann Author"), make.teacher(name="Bo Sharer")
    rows = {
        "draft": write(make, ann, "ann-draft", "Ann's draft on elections", "Le Mondé"),
        "published": write(make, ann, "ann-published", "Ann's published piece", publish=True),
        "shared": write(make, bo, "bo-shared", "Bo's shared lesson", "Reuters", shared=True),
        "secret": write(make, bo, "bo-secret", "Bo's private draft"),
    }
    return {"ann": ann, "bo": bo, "rows": rows, "browser": FormClient(make.app, ann)}


def library_page(school, **query):
    resp = school["browser"].get(INDEX, query_string=query)
    assert resp.status_code == 200, resp.status_code
    return page(resp)


def titles(doc, section: str) -> list[str]:
    cards = doc.find("section", aria_labelledby=f"{section}-h").find_all("li", cls="lesson-card")
    return [c.find(cls="lesson-card-title").words for c in cards]


# ---------------------------------------------------------------- the list


def test_a_teacher_sees_built_in_lessons_their_own_and_shared_ones(school):
    doc = library_page(school)
    assert titles(doc, "builtin") == [
        services.current_lessons(str(LESSON_FILE.parent)).lessons["kiev-anger-milley"].title
    ]
    assert sorted(titles(doc, "mine")) == ["Ann's draft on elections", "Ann's published piece"]
    assert titles(doc, "shared") == ["Bo's shared lesson"]
    shared = doc.find("section", aria_labelledby="shared-h")
    assert "by Bo Sharer" in text_of(shared)


def test_another_teachers_unshared_lesson_is_not_listed(school):
    assert "Bo's private draft" not in text_of(library_page(school))


def test_each_lesson_says_whether_it_is_built_in_a_draft_or_published(school):
    mine = library_page(school).find("section", aria_labelledby="mine-h")
    statuses = {
        c.find(cls="lesson-card-title").words: c.find(cls="lesson-status").words
        for c in mine.find_all("li", cls="lesson-card")
    }
    assert statuses == {
        "Ann's draft on elections": "Draft",
        "Ann's published piece": "Published",
    }


def test_the_built_in_lessons_counts_agree_with_its_file(school):
    raw = tomllib.loads(LESSON_FILE.read_text(encoding="utf-8"))
    per_category = Counter(k["category"] for k in raw["key"])
    words = len(canonical_text(load_lesson_file(LESSON_FILE)[0].blocks).split())
    card = library_page(school).find("section", aria_labelledby="builtin-h").find("li")
    said = text_of(card)
    assert f"{per_category['source']} sources" in said
    assert f"{per_category['loaded']} loaded phrases" in said
    assert f"{per_category['omission']} omissions" in said
    assert f"{len(raw['decoys'])} decoys" in said
    assert f"{words:,} words" in said
    assert "Press TV · about 15 Nov 2022 ·" in said
    assert "Built-in" in said


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("press tv", ["who says so"]),  # an outlet, in any case
        ("ELECTIONS", ["Ann's draft on elections"]),  # a word of a title
        ("le monde", ["Ann's draft on elections"]),  # accents don't matter
        ("reuters shared", ["Bo's shared lesson"]),  # every word, from title or outlet
        ("private", []),  # another teacher's unshared lesson is never found
    ],
)
def test_search_finds_lessons_by_title_or_outlet(school, query, found):
    doc = library_page(school, q=query)
    shown = titles(doc, "builtin") + titles(doc, "mine") + titles(doc, "shared")
    assert len(shown) == len(found)
    for want, got in zip(found, shown, strict=True):
        assert want.lower() in got.lower()
    assert doc.find("input", name="q").attrs["value"] == query
    assert f"“{query}”" in doc.find(cls="search-result").words


def test_a_broken_lesson_file_is_listed_with_its_problem(school, app, tmp_path):
    shutil.copy(LESSON_FILE, tmp_path)
    (tmp_path / "broken.toml").write_text('id = "broken"\ntitle = "Broken"\n', encoding="utf-8")
    app.config["LESSONS_DIR"] = str(tmp_path)
    section = library_page(school).find("section", aria_labelledby="builtin-h")
    broken = section.find("li", cls="broken-lesson")
    assert broken.find(cls="lesson-card-title").words == "broken.toml"
    assert "blocks: the article needs at least one [[blocks]] entry" in text_of(broken)
    assert "Can't be used" in text_of(broken)
    assert len(section.find_all("li", cls="lesson-card")) == 2  # the good lesson still loads


def test_where_a_lesson_is_assigned_links_to_the_teachers_own_classes(school, make):
    period3 = make.classroom(school["ann"], "Period 3")
    make.assignment(period3)
    make.assignment(make.classroom(school["bo"], "Bo's class"))
    card = library_page(school).find("section", aria_labelledby="builtin-h").find("li")
    assigned = card.find(cls="assigned-in")
    assert assigned.words == "Assigned in: Period 3"
    assert assigned.find("a").attrs["href"] == f"/teacher/classes/{period3.id}"
    mine = library_page(school).find("section", aria_labelledby="mine-h")
    assert {a.words for a in mine.find_all(cls="assigned-in")} == {"Not assigned in your classes"}


def test_authored_text_is_shown_as_text(school, make):
    write(make, school["ann"], "xss", "<script>alert(1)</script> & <b>bold</b>")
    resp = school["browser"].get(INDEX)
    html = resp.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


# ---------------------------------------------------------------- one lesson


def read(school, url: str):
    resp = school["browser"].get(url)
    assert resp.status_code == 200, resp.status_code
    return page(resp)


def test_the_read_page_shows_the_article_with_every_key_item_and_decoy(school, lesson):
    doc = read(school, "/teacher/lessons/builtin/kiev-anger-milley")
    said = text_of(doc)
    assert doc.find("h1").words == lesson.title
    assert "Press TV\u2019s website can also be accessed" in said  # the article, to its footer
    assert "Students read a real article and practise three skills" in said  # teacher note
    for prompt in lesson.prompts:
        assert " ".join(prompt.question.split()) in said
    for k in lesson.key:
        item = doc.find("li", id_=f"key-{k.id}")
        if k.is_omission:
            assert k.statement in item.words
            assert " ".join(k.reference.split()) in item.words
        else:
            assert k.quote in item.text
        assert " ".join(k.explanation.split()) in item.words
    for d in lesson.decoys:
        assert d.quote in doc.find("li", id_=f"decoy-{d.id}").text
    article = doc.find(cls="key-article")
    assert [b.seen for b in article.find_all(cls="block")] == [
        b.text for b in lesson.blocks
    ]  # the article exactly, marks and all
    [vented] = [m for m in article.find_all("mark", cls="key-mark") if "vented" in m.text]
    assert vented.said == ["start of Loaded wording key item", "end of Loaded wording key item"]
    assert article.find_all("mark", cls="key-decoy")[0].said[0] == "start of decoy"


def test_a_teacher_reads_their_own_draft_and_a_shared_lesson(school):
    rows = school["rows"]
    for key, title, status in [
        ("draft", "Ann's draft on elections", "Draft"),
        ("published", "Ann's published piece", "Published"),
        ("shared", "Bo's shared lesson", "Draft"),
    ]:
        doc = read(school, f"/teacher/lessons/authored/{rows[key].id}")
        assert doc.find("h1").words == title
        assert doc.find(cls="lesson-status").words.startswith(status)
        assert "media reports said on Tuesday" in doc.find("li", id_="key-src-media-reports").text


def test_another_teachers_unshared_draft_is_not_found(school):
    resp = school["browser"].get(f"/teacher/lessons/authored/{school['rows']['secret'].id}")
    assert resp.status_code == 404
    assert school["browser"].get("/teacher/lessons/builtin/no-such-lesson").status_code == 404
    assert school["browser"].get("/teacher/lessons/authored/999999").status_code == 404


def test_the_teachers_header_links_to_the_lessons(school):
    nav = library_page(school).find("nav", aria_label="Account")
    link = nav.find("a", href=INDEX)
    assert link.words == "Lessons"
    assert link.attrs.get("aria-current") == "page"


def test_the_dashboard_and_review_page_show_the_teacher_note_and_the_articles_origin(make, lesson):
    k = new_class(make, lesson)
    ada = k.student("Ada")
    teacher = FormClient(make.app, k.teacher)
    for url in (dashboard_url(k.assignment), review_url(k.assignment, ada)):
        about = text_of(page(teacher.get(url)).find("details", cls="about-lesson"))
        assert "Students read a real article and practise three skills" in about
        assert "Byline none printed" in about  # the article has none
        assert "Published about 15 Nov 2022" in about


# ---------------------------------------------------------------- storing authored lessons


def test_an_authored_lesson_may_not_take_a_built_in_or_used_slug(school, make, lesson):
    builtin = services.current_lessons(make.lessons_dir)
    for slug in ("kiev-anger-milley", "ann-draft"):
        with pytest.raises(library.LibraryError, match="already used"):
            library.create_authored(
                db.session, school["bo"], lesson_data(replace(lesson, id=slug)), builtin
            )


def test_publishing_pins_a_version_that_assigns_like_a_built_in_lesson(school, make):
    row = school["rows"]["published"]
    assert row.status == "published"
    version = db.session.get(LessonVersion, row.published_version_id)
    assert version.lesson_id == "ann-published"
    lesson = services.lesson_by_version(db.session, version.id)
    assignment = services.assign_lesson(db.session, make.classroom(school["ann"]), lesson)
    assert assignment.lesson_version_id == version.id  # the same frozen snapshot


def test_a_published_lesson_needs_its_version(school):
    row = db.session.get(AuthoredLesson, school["rows"]["draft"].id)
    row.status = "published"
    with pytest.raises(IntegrityError, match="published_has_version"):
        db.session.commit()
    db.session.rollback()


def test_students_see_an_inferred_date_as_about_that_day(app, make, lesson):
    """A lesson whose date is inferred says so where students read it, as the list does."""
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    inferred = replace(lesson, id="kiev-inferred", published="about 2022-11-15")
    assignment = make.assignment(classroom, inferred)
    student = make.student(classroom=classroom)
    client = app.test_client()
    assert login(client, student).status_code == 302
    header = page(client.get(f"/student/assignments/{assignment.id}")).find("div", "article-meta")
    assert "about 15 Nov 2022" in " ".join(text_of(header).split())
    assert header.find("abbr", cls="approx").attrs["title"].startswith("An approximate date")
