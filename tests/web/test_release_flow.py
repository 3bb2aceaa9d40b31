"""Releasing feedback as a teacher expects (issue 12, item 1; the statuses of item 10): a
confirmation with counts first, to everyone (closing unsubmitted work, marked "not
submitted") or only to those who submitted (the rest keep working and get theirs later), an
undo while no student has opened their feedback, returning one student's work, and "Missing"
for work not handed in by the due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Submission, utcnow
from tests.support.client import ApiClient, FormClient
from tests.support.factory import Classwork, highlight, new_class, new_id
from tests.support.html import page
from tests.web.grading_helpers import dashboard_url, progress_rows, read_csv, review_url, rows_of


@dataclass
class Class:
    """Sub submitted, Ines is in progress, Nat never started."""

    k: Classwork
    teacher: FormClient
    sub: Any
    ines: Any
    nat: Any

    def api(self, who) -> ApiClient:
        return ApiClient(self.k.make.app.test_client()).login(who)

    def lesson_page(self, who) -> str:
        resp = self.api(who).client.get(f"/student/assignments/{self.k.assignment.id}")
        assert resp.status_code == 200
        return unescape(resp.get_data(as_text=True))

    def home(self, who) -> str:
        return " ".join(page(self.api(who).client.get("/student/")).words.split())

    def release(self, to: str = "everyone"):
        return self.teacher.post(f"{dashboard_url(self.k.assignment)}/release", {"who": to})

    def undo(self):
        return self.teacher.post(f"{dashboard_url(self.k.assignment)}/release/undo")

    def flashes(self, resp) -> str:
        assert resp.status_code == 302
        doc = page(self.teacher.get(resp.headers["Location"]))
        return " ".join(doc.words.split())

    def save(self, who):
        body = highlight(self.k.lesson, "pointed out", category="loaded", prompt="loaded")
        return self.api(who).put(self.k.assignment, new_id(), body)

    def rows(self) -> dict[str, dict]:
        doc = page(self.teacher.get(dashboard_url(self.k.assignment)))
        return {r["name"]: r for r in progress_rows(doc)}


@pytest.fixture
def klass(make, lesson) -> Class:
    k = new_class(make, lesson)
    sub, ines, nat = (k.student(n) for n in ("Sub Mitted", "Ines Progress", "Nat Started"))
    k.mark(sub, "media reports said on Tuesday", "source")
    k.submit(sub)
    k.mark(ines, "vented its anger", "loaded")
    return Class(k, FormClient(make.app, k.teacher), sub, ines, nat)


def test_the_dashboard_button_leads_to_a_confirmation_with_the_counts(klass):
    doc = page(klass.teacher.get(dashboard_url(klass.k.assignment)))
    link = next(a for a in doc.find_all("a") if a.words.startswith("Release feedback"))
    assert link.attrs["href"] == f"{dashboard_url(klass.k.assignment)}/release"
    confirm = page(klass.teacher.get(link.attrs["href"]))
    assert "1 submitted, 1 in progress, 1 not started: their work will be closed" in confirm.words
    buttons = {
        b.attrs["value"]: b.words
        for b in confirm.find("form", cls="release-form").find_all("button")
    }
    assert buttons == {
        "submitted": "Release to the 1 who submitted",
        "everyone": "Release to all 3 and close the rest",
    }
    assert all(s.released_at is None for s in rows_of(Submission))


def test_release_to_those_who_submitted_leaves_the_others_working(klass):
    said = klass.flashes(klass.release("submitted"))
    assert "Feedback released to 1 student" in said
    assert "2 students who have not submitted can keep working" in said
    assert "Your feedback" in klass.lesson_page(klass.sub)
    assert "Your feedback" not in klass.lesson_page(klass.ines)
    assert klass.save(klass.ines).status_code == 201
    assert klass.api(klass.ines).submit(klass.k.assignment).status_code in (200, 201)
    assert "Not started" in klass.home(klass.nat)
    # later, the teacher gives the rest theirs
    said = klass.flashes(klass.release("everyone"))
    assert "Feedback released to 2 students" in said
    assert "Your feedback" in klass.lesson_page(klass.ines)
    assert "(not submitted)" not in klass.lesson_page(klass.ines)  # Ines did submit


def test_release_to_everyone_closes_and_marks_unsubmitted_work(klass):
    said = klass.flashes(klass.release("everyone"))
    assert "Feedback released to 3 students" in said
    assert "2 students who had not submitted is closed" in said
    ines_page = klass.lesson_page(klass.ines)
    assert "Your feedback" in ines_page
    assert "(not submitted)" in ines_page
    assert "counts as not submitted" in ines_page
    assert "You submitted" not in ines_page
    resp = klass.save(klass.ines)
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "released"
    late = klass.api(klass.ines).submit(klass.k.assignment)  # e.g. queued while offline
    assert late.status_code == 409
    assert late.get_json()["code"] == "released"
    assert "Not submitted" in klass.home(klass.ines)
    assert "In progress" not in klass.home(klass.ines)
    assert "Feedback ready" in klass.home(klass.ines)
    nat_page = page(
        klass.api(klass.nat).client.get(f"/student/assignments/{klass.k.assignment.id}")
    )
    assert nat_page.find("p", cls="score-line").words.startswith("Your grade: none yet.")
    rows = klass.rows()
    assert rows["Ines Progress"]["Status"].startswith("Missing")
    assert "not submitted" in rows["Ines Progress"]["Final grade"]
    assert rows["Nat Started"]["Final grade"].startswith("—")
    assert "never started" in rows["Nat Started"]["Status"]


def test_unsubmitted_and_never_started_work_is_marked_in_every_grade_export(klass):
    klass.release("everyone")
    base = f"{dashboard_url(klass.k.assignment)}/export"
    grades = read_csv(klass.teacher.get(f"{base}/grades.csv"))
    head = grades[0]
    by_name = {r[0]: dict(zip(head, r, strict=True)) for r in grades[1:]}
    assert by_name["Ines Progress"]["Status"] == "missing"
    assert by_name["Ines Progress"]["Not submitted"] == "yes"
    assert by_name["Ines Progress"]["Submitted"] == ""
    assert by_name["Ines Progress"]["Final score"] != ""
    assert by_name["Sub Mitted"]["Not submitted"] == "no"
    assert by_name["Nat Started"]["Final score"] == ""  # blank, not 0
    canvas = read_csv(klass.teacher.get(f"{base}/canvas.csv"))
    nat = next(r for r in canvas if r[0] == "Nat Started")
    assert nat[-1] == ""
    moodle = read_csv(klass.teacher.get(f"{base}/moodle.csv"))
    assert next(r for r in moodle if r[0] == klass.nat.username)[1] == ""


def test_undo_before_anyone_opens_feedback_takes_it_back_and_reopens_closed_work(klass):
    klass.release("everyone")
    said = klass.flashes(klass.undo())
    assert "Release undone: feedback is hidden again from 3 students" in said
    assert "Your feedback" not in klass.lesson_page(klass.sub)
    assert "Your feedback" not in klass.lesson_page(klass.ines)
    assert klass.save(klass.ines).status_code == 201  # work the release closed is open again
    assert klass.save(klass.sub).get_json()["code"] == "submitted"  # submitted stays so
    assert [s.student_id for s in rows_of(Submission)] == [klass.sub.id]
    assert "In progress" in klass.home(klass.ines)


def test_undo_is_refused_once_a_student_has_opened_their_feedback(klass):
    klass.release("everyone")
    klass.lesson_page(klass.ines)  # Ines opens her feedback
    said = klass.flashes(klass.undo())
    assert "The release can't be undone: Ines Progress has already opened their feedback" in said
    assert "Undo the release" not in said
    assert "Your feedback" in klass.lesson_page(klass.sub)
    assert all(s.released_at is not None for s in rows_of(Submission))


def test_returning_one_students_work_hides_their_feedback_and_lets_them_resubmit(klass):
    klass.release("everyone")
    klass.lesson_page(klass.sub)
    resp = klass.teacher.post(review_url(klass.k.assignment, klass.sub, "/reopen"))
    said = klass.flashes(resp)
    assert "Returned to Sub Mitted" in said
    assert "Their feedback is hidden until you release it to them again" in said
    assert "Your feedback" not in klass.lesson_page(klass.sub)
    assert klass.save(klass.sub).status_code == 201
    assert klass.api(klass.sub).submit(klass.k.assignment).status_code in (200, 201)
    assert "Your feedback" in klass.lesson_page(klass.ines)  # the others keep theirs
    klass.release("submitted")
    assert "Your feedback" in klass.lesson_page(klass.sub)


def test_a_release_to_nobody_or_with_no_choice_is_refused_with_a_reason(klass, make, lesson):
    resp = klass.teacher.post(f"{dashboard_url(klass.k.assignment)}/release", {"who": "all"})
    assert resp.status_code == 422
    assert "Choose who gets the feedback" in unescape(resp.get_data(as_text=True))
    empty = new_class(make, lesson, klass.k.teacher, "Period 6")
    empty.student("Only Started")
    resp = klass.teacher.post(f"{dashboard_url(empty.assignment)}/release", {"who": "submitted"})
    assert resp.status_code == 422
    assert "No student has submitted work waiting for feedback" in unescape(
        resp.get_data(as_text=True)
    )
    assert all(s.released_at is None for s in rows_of(Submission))


def test_work_not_submitted_by_the_due_date_is_missing_everywhere(klass):
    klass.k.assignment.due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    rows = klass.rows()
    assert rows["Ines Progress"]["Status"].startswith("Missing")
    assert rows["Nat Started"]["Status"].startswith("Missing")
    assert rows["Sub Mitted"]["Status"].startswith("Late")  # submitted today, after the due date
    review = page(klass.teacher.get(review_url(klass.k.assignment, klass.ines)))
    assert review.find("span", cls="status").words == "Missing"
    assert "Missing" in klass.home(klass.ines)
    missing = page(klass.teacher.get(dashboard_url(klass.k.assignment, status="missing")))
    assert sorted(r["name"] for r in progress_rows(missing)) == ["Ines Progress", "Nat Started"]


def test_work_a_release_closed_is_not_counted_as_submitted_when_deleting(klass):
    klass.release("everyone")
    resp = klass.teacher.get(f"{dashboard_url(klass.k.assignment)}/delete")
    box = " ".join(page(resp).find("div", cls="danger-box").words.split())
    # Sub submitted, Ines has annotations; Nat's closed, never-started work is no work
    assert "2 students have work on it" in box
    assert "2 annotations and 1 submitted lesson;" in box


def test_a_lesson_page_writes_only_the_first_time_it_shows_released_feedback(klass):
    """Opening released feedback is recorded once; every other lesson page only reads (no
    write lock taken per page view while the class saves)."""
    statements: list[str] = []

    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):
        statements.append(statement.split(None, 1)[0].upper())
        reads.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        klass.lesson_page(klass.ines)  # nothing released yet
        assert "UPDATE" not in statements
        klass.release("submitted")
        statements.clear()
        assert "Your feedback" in klass.lesson_page(klass.sub)  # the first time: recorded
        assert statements.count("UPDATE") == 1
        statements.clear()
        assert "Your feedback" in klass.lesson_page(klass.sub)  # seen before: read only
        reads.clear()
        klass.lesson_page(klass.ines)  # not released to her
        assert "UPDATE" not in statements
        # her row is read once, for the page: nothing more is asked about feedback seen
        assert sum("FROM submissions" in s for s in reads) == 1, reads
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert [s.feedback_seen_at is not None for s in rows_of(Submission)] == [True]
