"""Moving an assignment to a newer version of its lesson: the notice on the class page and the
dashboard, the review of what the move does (no writes), the move itself (every annotation
re-anchored, orphans kept and shown), and who may do it."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, replace
from typing import Any

import pytest
import sqlalchemy as sa

from app import services
from app.domain.lessons.export import lesson_data
from app.extensions import db
from app.models import Annotation, Assignment, OmissionMark
from app.services import grading, library, moving
from tests.conftest import TEST_DB_URL
from tests.support import versions
from tests.support.client import ApiClient, FormClient, login
from tests.support.factory import Factory, highlight, new_id, omission
from tests.support.html import flash_messages, form_fields, page, text_of
from tests.support.live import REAL_LESSON

NOTICE = "A newer version of this lesson is available."


@dataclass
class Moving:
    """A class with the test lesson (version 1) assigned and a student's work on it, in a
    lessons folder of its own: ``to_version_2()`` changes the file as an author would."""

    make: Factory
    folder: Any
    k: Any  # the Classwork
    student: Any
    ids: dict[str, str]
    teacher: FormClient

    def to_version_2(self, text: str | None = None) -> None:
        versions.write(self.folder, text or versions.version_2())

    @property
    def move_url(self) -> str:
        return f"/teacher/assignments/{self.k.assignment.id}/move"

    def row(self, name: str) -> Annotation:
        db.session.expire_all()
        return db.session.get(Annotation, self.ids[name])


@pytest.fixture
def lessons_folder(app, tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(REAL_LESSON, folder)
    versions.write(folder, versions.version_1())
    app.config["LESSONS_DIR"] = str(folder)
    return folder


@pytest.fixture
def mv(app, lessons_folder) -> Moving:
    make = Factory(app)
    k = make.classwork(make.lesson(versions.LESSON_ID))
    ada = k.student("Ada Lovelace")
    lesson = k.lesson
    ids = {
        "exact": k.put(ada, highlight(lesson, "rams through", category="loaded", prompt="loaded")),
        "quote": k.mark(ada, "Local dog walker Peter Lind", "source", note="a resident"),
        "repeat": k.put(
            ada, highlight(lesson, "cash grab", category="loaded", prompt="loaded", occurrence=2)
        ),
        "fuzzy": k.mark(ada, "One council officer, who asked not to be named", "source"),
        "orphan": k.mark(ada, "Councillor Sam Reyes", "source", note="the only one against"),
        "whole": k.put(ada, omission("The vote count")),
    }
    # "something is missing here", after a sentence that moves
    at = lesson.text.index("lost touch with the town.") + len("lost touch with the town.")
    point = {**omission("What the fees raise"), "target": {"start": at, "end": at, "exact": ""}}
    ids["point"] = k.put(ada, point)
    return Moving(make, lessons_folder, k, ada, ids, FormClient(make.app, k.teacher))


def counts_on(review_page) -> dict[str, int]:
    rows = review_page.find("table", cls="move-counts").find("tbody").find_all("tr")
    return {r.find("th").words.split(" (")[0]: int(r.find("td").words) for r in rows}


def move(mv: Moving):
    fields = form_fields(page(mv.teacher.get(mv.move_url)), action=mv.move_url)
    return mv.teacher.client.post(mv.move_url, data=fields)


# ---------------------------------------------------------------- the notice


def test_no_notice_while_the_assignment_uses_the_newest_version(mv):
    classroom = mv.teacher.get(f"/teacher/classes/{mv.k.classroom.id}")
    dashboard = mv.teacher.get(f"/teacher/assignments/{mv.k.assignment.id}")
    assert NOTICE not in text_of(classroom)
    assert NOTICE not in text_of(dashboard)
    review = mv.teacher.get(mv.move_url)
    assert review.status_code == 200
    assert "This assignment uses the newest version" in text_of(review)
    assert page(review).find_all("button", type="submit") == [
        b for b in page(review).find_all("button") if b.words == "Log out"
    ]


def test_the_class_page_and_the_dashboard_say_a_newer_version_is_available(mv):
    mv.to_version_2()
    for url in (
        f"/teacher/classes/{mv.k.classroom.id}",
        f"/teacher/assignments/{mv.k.assignment.id}",
    ):
        doc = page(mv.teacher.get(url))
        note = doc.find("p", cls="newer-note")
        assert NOTICE in note.words
        link = note.find("a")
        assert link.words.startswith("Review the move")
        assert link.attrs["href"] == mv.move_url


# ---------------------------------------------------------------- the review (no writes)


def test_the_review_counts_each_way_the_work_moves_and_writes_nothing(mv):
    mv.to_version_2()
    before = {name: mv.row(name).start_offset for name in mv.ids}
    doc = page(mv.teacher.get(mv.move_url))
    assert counts_on(doc) == {
        "Moved exactly": 1,  # "rams through", in the unchanged headline
        "Moved by quote": 3,  # the resident, the second "cash grab", the point after "town."
        "Moved fuzzily": 1,  # the officer, now "not to be identified"
        "Could not be placed": 1,  # Councillor Reyes: his sentence was taken out
    }
    said = text_of(doc)
    assert "1 student's work: 6 annotations with a place in the text" in said
    assert "1 answer about the whole article has no place in the text" in said
    assert (
        "One council officer, who asked not to be named → "
        "One council officer, who asked not to be identified"
    ) in said
    assert "Could not be placed These words are no longer in the text." in said
    assert "Councillor Sam Reyes" in said
    assert "1 key item explained differently." in said
    # nothing moved yet
    assert {name: mv.row(name).start_offset for name in mv.ids} == before
    db.session.expire_all()
    assert (
        db.session.get(Assignment, mv.k.assignment.id).lesson_version.version == mv.k.lesson.version
    )


def test_with_no_work_yet_the_review_says_nothing_needs_to_move(mv):
    fresh = mv.make.assignment(mv.k.classroom, versions.LESSON_ID)
    mv.to_version_2()
    doc = page(mv.teacher.get(f"/teacher/assignments/{fresh.id}/move"))
    assert "No student has started yet" in text_of(doc)
    assert doc.find_all("table", cls="move-counts") == []


# ---------------------------------------------------------------- the move


def test_confirming_moves_every_annotation_and_pins_the_newer_version(mv):
    mv.to_version_2()
    versions_before = {name: mv.row(name).version for name in mv.ids}
    resp = move(mv)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/teacher/assignments/{mv.k.assignment.id}")
    dashboard = mv.teacher.get(resp.headers["Location"])
    assert flash_messages(dashboard) == [
        "Moved to the newer version: 1 moved exactly, 3 by their words, 1 fuzzily; 1 could not "
        "be placed (kept, shown as “no longer in the text”)."
    ]
    assert NOTICE not in text_of(dashboard)
    # the corrected explanation reaches the assignment through the move
    assert "the council held an ordinary vote" in text_of(dashboard)

    new_text = services.current_lessons(str(mv.folder)).lessons[versions.LESSON_ID].text
    db.session.expire_all()
    assignment = db.session.get(Assignment, mv.k.assignment.id)
    assert assignment.lesson_version.version == versions_2_hash(mv)
    for name, how in [
        ("exact", "exact"),
        ("quote", "quote"),
        ("repeat", "quote"),
        ("fuzzy", "fuzzy"),
    ]:
        row = mv.row(name)
        assert row.anchored_by == how, name
        assert new_text[row.start_offset : row.end_offset] == row.exact, name
    second = new_text.index("cash grab", new_text.index("cash grab") + 1)
    assert mv.row("repeat").start_offset == second  # still the occurrence the student chose
    assert mv.row("fuzzy").exact == "One council officer, who asked not to be identified"
    point = mv.row("point")
    assert (
        point.start_offset
        == point.end_offset
        == new_text.index("lost touch with the town.") + len("lost touch with the town.")
    )
    # a moved annotation's version goes up (an open tab on the old text meets a conflict)
    assert mv.row("quote").version == versions_before["quote"] + 1
    assert mv.row("exact").version == versions_before["exact"]  # same words, same place
    assert mv.row("whole").version == versions_before["whole"]


def versions_2_hash(mv: Moving) -> str:
    return services.current_lessons(str(mv.folder)).lessons[versions.LESSON_ID].version


def test_an_annotation_that_cannot_be_placed_is_kept_with_its_words_and_note(mv):
    mv.to_version_2()
    move(mv)
    row = mv.row("orphan")
    assert row.deleted_at is None
    assert (row.anchored_by, row.start_offset, row.end_offset) == ("orphan", None, None)
    assert row.exact == "Councillor Sam Reyes"
    assert row.note == "the only one against"
    assert row.prefix.endswith("visitors.”\n\n")


def test_the_student_sees_an_orphan_as_no_longer_in_the_text(mv, client):
    mv.to_version_2()
    move(mv)
    api = ApiClient(client).login(mv.student)
    mine = {a["id"]: a for a in api.mine(mv.k.assignment)}
    lost = mine[mv.ids["orphan"]]
    assert lost["target"] is None
    assert lost["anchored_by"] == "orphan"
    assert lost["was"]["exact"] == "Councillor Sam Reyes"
    assert mine[mv.ids["quote"]]["target"]["exact"] == "Local dog walker Peter Lind"
    doc = page(client.get(f"/student/assignments/{mv.k.assignment.id}"))
    orphan = [li for li in doc.find_all("li", cls="orphan")]
    assert len(orphan) == 1
    assert (
        orphan[0].find("p", cls="ann-lost").words == "No longer in the text: Councillor Sam Reyes"
    )
    assert "the only one against" in orphan[0].words
    assert orphan[0].find_all("form") == []  # kept as it is: nothing to delete it with
    # the page's data carries it too, for the reader's list (not drawn in the article)
    data = json.loads(doc.find("script", id_="lesson-data").text)
    assert {a["id"]: a.get("was") for a in data["annotations"]}[mv.ids["orphan"]]["exact"] == (
        "Councillor Sam Reyes"
    )


def test_scores_exports_and_the_review_page_take_an_orphan_in_their_stride(mv):
    mv.to_version_2()
    move(mv)
    a = mv.k.assignment.id
    review = mv.teacher.get(f"/teacher/assignments/{a}/students/{mv.student.id}")
    assert review.status_code == 200
    assert "No longer in the text" in text_of(review)
    for kind in ("grades.csv", "canvas.csv", "moodle.csv", "annotations.csv", "annotations.jsonld"):
        resp = mv.teacher.get(f"/teacher/assignments/{a}/export/{kind}")
        assert resp.status_code == 200, kind
        body = resp.get_data(as_text=True)
        if kind == "annotations.csv":
            assert "Councillor Sam Reyes" in body
        if kind == "annotations.jsonld":
            items = json.loads(body)["first"]["items"]
            lost = next(x for x in items if x["id"] == f"urn:uuid:{mv.ids['orphan']}")
            assert lost["target"]["selector"] == [
                {"type": "TextQuoteSelector", "exact": "Councillor Sam Reyes"}
            ]


def test_a_released_assignment_moves_too_and_the_student_sees_the_newer_key(mv, client):
    released = mv.teacher.post(
        f"/teacher/assignments/{mv.k.assignment.id}/release", {"who": "everyone"}
    )
    assert released.status_code == 302
    mv.to_version_2()
    assert "already released" in text_of(mv.teacher.get(mv.move_url))
    move(mv)
    login(client, mv.student)
    lesson_page = text_of(client.get(f"/student/assignments/{mv.k.assignment.id}"))
    assert "No longer in the text: the lesson was updated after you made it" in lesson_page


def test_a_mark_for_a_key_item_the_newer_version_took_out_does_not_break_any_page(mv, client):
    lesson = mv.k.lesson
    grading.mark_omission(
        db.session, mv.k.teacher, mv.k.assignment, lesson, mv.ids["whole"], "om-vote", "full"
    )
    grading.release(db.session, mv.k.assignment)
    db.session.commit()
    without_vote = re.sub(
        r'\[\[key\]\]\nid = "om-vote"\n.*?\npoints = 2\n', "", versions.version_2(), flags=re.S
    )
    mv.to_version_2(without_vote)
    move(mv)
    a = mv.k.assignment.id
    assert mv.teacher.get(f"/teacher/assignments/{a}").status_code == 200
    assert mv.teacher.get(f"/teacher/assignments/{a}/students/{mv.student.id}").status_code == 200
    login(client, mv.student)
    assert client.get(f"/student/assignments/{a}").status_code == 200
    assert db.session.get(OmissionMark, mv.ids["whole"]) is not None  # the mark is kept


# ---------------------------------------------------------------- a page open meanwhile


def test_a_save_from_a_page_still_showing_the_old_text_lands_on_the_same_words(mv, client):
    api = ApiClient(client).login(mv.student)
    old_body = highlight(
        mv.k.lesson, "Council leader Janet Okafor", category="source", prompt="sources"
    )
    mv.to_version_2()
    move(mv)
    resp = api.put(mv.k.assignment, new_id(), old_body)
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["anchored_by"] == "quote"
    new_text = services.current_lessons(str(mv.folder)).lessons[versions.LESSON_ID].text
    assert new_text[got["target"]["start"] : got["target"]["end"]] == "Council leader Janet Okafor"


def test_an_edit_from_a_page_still_showing_the_old_version_of_a_moved_annotation_conflicts(
    mv, client
):
    api = ApiClient(client).login(mv.student)
    mine = {a["id"]: a for a in api.mine(mv.k.assignment)}
    seen = mine[mv.ids["quote"]]
    mv.to_version_2()
    move(mv)
    body = {"category": "source", "prompt": "sources", "target": seen["target"], "note": "edited"}
    resp = api.put(mv.k.assignment, mv.ids["quote"], body, if_match=seen["version"])
    assert resp.status_code == 409
    assert resp.get_json()["current"]["target"]["start"] != seen["target"]["start"]


def test_settle_places_an_annotation_saved_against_the_old_text_during_the_move(mv):
    # on PostgreSQL a save checked against version 1 can land just after the move commits
    old = mv.k.lesson
    mv.to_version_2()
    move(mv)
    start = old.text.index("Local dog walker Peter Lind")
    db.session.execute(
        sa.update(Annotation)
        .where(Annotation.id == mv.ids["quote"])
        .values(start_offset=start, end_offset=start + len("Local dog walker Peter Lind"))
    )
    db.session.commit()
    assignment = db.session.get(Assignment, mv.k.assignment.id)
    assert moving.settle(db.session, assignment) == 1
    db.session.commit()
    row = mv.row("quote")
    new_text = services.current_lessons(str(mv.folder)).lessons[versions.LESSON_ID].text
    assert new_text[row.start_offset : row.end_offset] == "Local dog walker Peter Lind"
    assert moving.settle(db.session, assignment) == 0


@pytest.mark.skipif(not TEST_DB_URL, reason="PostgreSQL's row locks (TEST_DATABASE_URL)")
def test_on_postgresql_the_move_waits_for_a_save_in_flight_on_the_assignment(mv):
    # a new annotation's foreign key holds a KEY SHARE lock on the assignment until it commits
    mv.to_version_2()
    builtin = services.current_lessons(str(mv.folder))
    version = builtin.lessons[versions.LESSON_ID].version
    saving = sa.create_engine(TEST_DB_URL)
    try:
        with saving.connect() as other:
            other.execute(
                sa.text("SELECT id FROM assignments WHERE id = :id FOR KEY SHARE"),
                {"id": mv.k.assignment.id},
            )
            db.session.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                moving.apply(db.session, mv.k.assignment, builtin, version)
            db.session.rollback()
            other.rollback()
        # once it has landed, the move goes ahead
        assignment = db.session.get(Assignment, mv.k.assignment.id)
        moving.apply(db.session, assignment, builtin, version)
        db.session.commit()
    finally:
        saving.dispose()
    assert mv.row("quote").anchored_by == "quote"


# ---------------------------------------------------------------- refusals


def test_a_move_to_a_version_other_than_the_one_reviewed_is_refused(mv):
    mv.to_version_2()
    fields = form_fields(page(mv.teacher.get(mv.move_url)), action=mv.move_url)
    # the author changes the file again while the teacher reads the summary
    mv.to_version_2(versions.version_2().replace("Send us your local news.", "Tips welcome."))
    resp = mv.teacher.client.post(mv.move_url, data=fields)
    assert resp.status_code == 302
    again = mv.teacher.get(resp.headers["Location"])
    assert flash_messages(again) == [
        "The lesson changed again since you opened the review: look at the new summary before "
        "you move the assignment."
    ]
    assert mv.row("quote").anchored_by == "exact"  # nothing moved
    assert form_fields(page(again), action=mv.move_url)["to"] != fields["to"]


def test_moving_twice_says_the_assignment_already_uses_the_newest_version(mv):
    mv.to_version_2()
    fields = form_fields(page(mv.teacher.get(mv.move_url)), action=mv.move_url)
    first = mv.teacher.client.post(mv.move_url, data=fields)
    assert first.status_code == 302
    mv.teacher.get(first.headers["Location"])  # shows its message
    resp = mv.teacher.client.post(mv.move_url, data=fields)
    again = mv.teacher.get(resp.headers["Location"])
    assert flash_messages(again) == [
        "This assignment already uses the newest version of its lesson."
    ]
    assert "This assignment uses the newest version" in text_of(again)


def test_a_move_without_its_form_token_is_refused_and_moves_nothing(mv):
    mv.to_version_2()
    fields = form_fields(page(mv.teacher.get(mv.move_url)), action=mv.move_url)
    resp = mv.teacher.client.post(mv.move_url, data={"to": fields["to"]})
    assert resp.status_code == 422
    assert "the form expired" in text_of(resp)
    assert mv.row("quote").anchored_by == "exact"


def test_only_the_classs_teacher_may_review_or_move_it(mv, client):
    mv.to_version_2()
    other = FormClient(mv.make.app, mv.make.teacher())
    assert other.get(mv.move_url).status_code == 404
    assert other.post(mv.move_url, {"to": versions_2_hash(mv)}).status_code == 404
    student = FormClient(mv.make.app, mv.student)
    assert student.get(mv.move_url).status_code == 403
    assert mv.row("quote").anchored_by == "exact"


# ---------------------------------------------------------------- authored lessons


def test_an_authored_lessons_newer_published_version_is_offered_to_its_classes(app, make, lesson):
    builtin = services.current_lessons(make.lessons_dir)
    author = make.teacher()
    row = library.create_authored(
        db.session, author, lesson_data(replace(lesson, id="my-lesson")), builtin
    )
    library.publish(db.session, row)
    mine = make.assignment(make.classroom(author), library.lesson_of_authored(row))
    theirs = make.assignment(make.classroom(), library.lesson_of_authored(row))
    assert moving.newer_version(db.session, mine, builtin) is None

    # the author corrects an explanation and publishes version 2
    corrected = replace(lesson, id="my-lesson", teacher_note="Corrected.")
    row.content = json.dumps(lesson_data(corrected), ensure_ascii=False)
    v2 = library.publish(db.session, row)
    db.session.commit()
    newer = moving.newer_version(db.session, mine, builtin)
    assert newer is not None
    assert (newer.kind, newer.version_id, newer.version) == ("authored", v2.id, corrected.version)
    # another teacher's class had it while it was shared: not any more, so nothing is offered
    assert moving.newer_version(db.session, theirs, builtin) is None
    row.shared = True
    db.session.commit()
    assert moving.newer_version(db.session, theirs, builtin).version_id == v2.id
    # and the move pins that very version
    moving.apply(db.session, mine, builtin, corrected.version)
    db.session.commit()
    assert mine.lesson_version_id == v2.id
    assert moving.newer_version(db.session, mine, builtin) is None
