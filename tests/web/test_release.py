"""Releasing feedback: until the teacher releases it, no score and no answer-key content reaches
a student in any page or API response; afterwards the student sees their grade, the teacher's
comments and the key beside their own work. Only the class's own teacher can release."""

from __future__ import annotations

import html
import uuid as uuidlib
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest

from app.domain.scoring import score_work
from app.domain.work import StudentWork
from app.extensions import db
from app.models import (
    Annotation,
    FinalGrade,
    GradeChange,
    OmissionMark,
    RubricScore,
    Submission,
    utcnow,
)
from tests.support.client import ApiClient, FormClient
from tests.support.factory import Classwork, new_class, omission
from tests.support.html import page
from tests.web.grading_helpers import annotation, count, dashboard_url, probe, review_url, rows_of

RUBRIC_COMMENT = "Check the quokka paragraph again before you decide"
OVERRIDE_REASON = "Extra credit for the pangolin omission answer"


@dataclass
class Released:
    k: Classwork
    teacher: FormClient
    student: Any
    api: ApiClient

    def student_views(self) -> dict[str, str]:
        """Everything the student can open for this assignment, as text a reader would see
        (entities decoded) and as sent."""
        a = self.k.assignment
        views = {
            "lesson page": self.api.client.get(f"/student/assignments/{a.id}"),
            "home page": self.api.client.get("/student/"),
            "API list": self.api.get(a),
        }
        out = {}
        for name, resp in views.items():
            assert resp.status_code == 200, name
            raw = resp.get_data(as_text=True)
            out[name] = raw + "\n" + html.unescape(raw)
        return out


@pytest.fixture
def graded(make, lesson) -> Released:
    """Sam's work is marked: a key source found, a decoy chosen, an omission answer marked
    full, a rubric comment and a final-grade override with a reason. Nothing is released."""
    k = new_class(make, lesson)
    sam = k.student("Sam Sample")
    k.mark(sam, "media reports said on Tuesday", "source", note="Which reports?")
    k.mark(sam, "alleged war crimes", "loaded", note="sounds biased")
    answer = k.put(sam, omission("He spoke at the Economic Club of New York"))
    k.submit(sam)
    teacher = FormClient(make.app, k.teacher)
    url = review_url(k.assignment, sam)
    assert (
        teacher.post(
            f"{url}/omissions/{answer}",
            {"key_item": "om-venue", "level": "full"},
            prefix=f"m-{answer}",
        ).status_code
        == 302
    )
    assert (
        teacher.post(
            f"{url}/rubric",
            {"r-loaded-level": "emergent", "r-loaded-comment": RUBRIC_COMMENT},
        ).status_code
        == 302
    )
    assert (
        teacher.post(f"{url}/final", {"score": "7.5", "reason": OVERRIDE_REASON}).status_code == 302
    )
    api = ApiClient(make.app.test_client()).login(sam)
    return Released(k, teacher, sam, api)


def secrets_of(lesson) -> dict[str, str]:
    """What must stay hidden before release, each as a stretch no escaping changes."""
    found = {}
    for k in lesson.key:
        found[f"{k.id} explanation"] = probe(k.explanation)
        if k.is_omission:
            found[f"{k.id} statement"] = probe(k.statement)
    for d in lesson.decoys:
        found[f"{d.id} explanation"] = probe(d.explanation)
    found["feedback heading"] = "Your feedback"
    found["grade line"] = "Your grade"
    found["rubric comment"] = RUBRIC_COMMENT
    found["override reason"] = OVERRIDE_REASON
    return found


def release(k: Classwork, who: FormClient, to: str = "everyone"):
    return who.post(f"{dashboard_url(k.assignment)}/release", {"who": to})


def released_at(assignment) -> list:
    """When feedback was released to each student who has a submission row (None: not)."""
    return [s.released_at for s in rows_of(Submission, assignment_id=assignment.id)]


def test_before_release_no_score_or_key_content_reaches_the_student(graded, lesson):
    views = graded.student_views()
    leaks = {
        (view, name)
        for view, text in views.items()
        for name, needle in secrets_of(lesson).items()
        if needle in text
    }
    assert leaks == set()
    # the student does see the article and the questions, of course
    assert lesson.prompts[0].question[:40] in views["lesson page"]
    assert "Which reports?" in views["API list"]


def test_after_release_the_student_sees_every_secret_that_was_held_back(graded, lesson):
    """The other side of the test above: the same words do reach the page once released, so
    "not in the page" above is not passing because the words are never shown at all."""
    assert release(graded.k, graded.teacher).status_code == 302
    text = graded.student_views()["lesson page"]
    missing = {
        name
        for name, needle in secrets_of(lesson).items()
        if needle not in text and not name.startswith(("decoy-described", "decoy-declared"))
    }
    assert missing == set()  # the override's reason too: it explains the grade


def feedback_page_of(graded: Released):
    resp = graded.api.client.get(f"/student/assignments/{graded.k.assignment.id}")
    assert resp.status_code == 200
    return page(resp)


def marks_by_words(doc) -> dict[str, tuple[list[str], str]]:
    """Each mark on the article: its words -> (its classes, the words of the notes it opens)."""
    article = doc.find("div", id_="feedback-article")
    out = {}
    for a in article.find_all("a", cls="fb-mark"):
        note_id = a.attrs["href"].removeprefix("#")
        assert a.attrs["aria-describedby"] == note_id
        shown = "".join(s.text for s in a.find_all("span") if "visually-hidden" not in s.classes)
        out[" ".join(shown.split())] = (a.classes, doc.find(id_=note_id).words)
    return out


def test_after_release_the_student_sees_their_grade_comments_and_the_key(graded, lesson):
    release(graded.k, graded.teacher)
    doc = feedback_page_of(graded)
    feedback = doc.find("section", id_="feedback")
    assert feedback.find("h2").words == "Your feedback"
    possible = score_work(lesson, StudentWork(0, "", "")).possible
    assert feedback.find("p", cls="score-line").words == f"Your grade: 7.5 of {possible:.1f}"
    rubric = feedback.find("dl", cls="rubric-list")
    assert rubric.find("dt").words == "Loaded wording: Emergent"
    assert rubric.find("dd").words == RUBRIC_COMMENT
    assert feedback.find(id_="found-line").words == (
        f"You found 2 of {len(lesson.key)} things in the answer key:"
    )
    spans = [k for k in lesson.key if not k.is_omission]
    counts = [li.words for li in feedback.find("ul", cls="found-counts").find_all("li")]
    assert counts == [
        f"Source: 1 of {sum(k.category == 'source' for k in spans)}",
        f"Loaded wording: 0 of {sum(k.category == 'loaded' for k in spans)}",
        f"Left out: 1 of {len(lesson.key) - len(spans)}",
    ]
    # the omission found, with the answer that earned it
    left_out = feedback.find("details", id_="fb-omissions")
    found = [li.words for li in left_out.find_all("li", cls="found")]
    assert len(found) == 1
    assert "Where Milley spoke and who he was speaking to" in found[0]
    assert "Your answer: He spoke at the Economic Club of New York (full credit)" in found[0]


def test_after_release_the_key_and_the_students_highlights_are_marked_on_the_article(
    graded, lesson
):
    release(graded.k, graded.teacher)
    doc = feedback_page_of(graded)
    marks = marks_by_words(doc)
    # every phrase of the key is marked, each with its explanation one step away
    for k in lesson.key:
        if not k.is_omission:
            assert any(k.quote in words for words in marks), k.id
    found_cls, found_note = marks["media reports said on Tuesday"]
    assert "fb-found" in found_cls
    assert "You found this: Source" in found_note
    src = next(k for k in lesson.key if k.id == "src-media-reports")
    assert " ".join(src.explanation.split()) in found_note
    missed_cls, missed_note = marks["vented its anger"]
    assert "fb-missed" in missed_cls
    vented = next(k for k in lesson.key if k.id == "loaded-vented")
    assert " ".join(vented.explanation.split()) in missed_note
    decoy_cls, decoy_note = marks["alleged war crimes"]
    assert "fb-decoy" in decoy_cls
    decoy = next(d for d in lesson.decoys if d.id == "decoy-alleged")
    assert " ".join(decoy.explanation.split()) in decoy_note
    # no long list of what was still to spot: the reader's plain copy of the article is hidden
    assert "Still to spot" not in doc.words
    assert "hidden" in doc.find("div", id_="article").attrs


def test_a_highlight_in_the_wrong_category_or_off_the_key_is_marked_so_on_the_article(graded, make):
    k = graded.k
    wren = k.student("Wren Wrong")
    k.mark(wren, "vented its anger", "source")
    k.mark(wren, "provision of compensation", "loaded")
    release(k, graded.teacher)
    api = ApiClient(make.app.test_client()).login(wren)
    marks = marks_by_words(page(api.client.get(f"/student/assignments/{k.assignment.id}")))
    cls, note = marks["vented its anger"]
    assert "fb-wrong" in cls
    assert "You marked this as Source, but the answer key lists it as Loaded wording." in note
    cls, note = marks["provision of compensation"]
    assert "fb-extra" in cls
    assert "Not in the answer key" in note


def test_the_grade_is_explained_when_the_teacher_changed_it_and_not_otherwise(graded, lesson):
    release(graded.k, graded.teacher)
    why = feedback_page_of(graded).find(id_="grade-why").words
    # the automatic score: the source found (2 points) and the omission marked full (2 points)
    assert why == f"Your teacher set this grade (the automatic score was 4.0): {OVERRIDE_REASON}"
    url = review_url(graded.k.assignment, graded.student)
    assert graded.teacher.post(f"{url}/final", {"score": "", "reason": ""}).status_code == 302
    doc = feedback_page_of(graded)
    assert not doc.find_all(id_="grade-why")
    assert OVERRIDE_REASON not in doc.words


def test_the_home_page_says_feedback_is_ready_with_the_grade_only_after_release(graded, lesson):
    home = graded.api.client.get("/student/")
    assert "Feedback ready" not in home.get_data(as_text=True)
    release(graded.k, graded.teacher)
    doc = page(graded.api.client.get("/student/"))
    ready = doc.find("p", cls="feedback-ready")
    possible = score_work(lesson, StudentWork(0, "", "")).possible
    assert ready.words == f"Feedback ready: your grade is 7.5 of {possible:.1f}"
    link = ready.find("a").attrs["href"]
    assert link == f"/student/assignments/{graded.k.assignment.id}#feedback"


def test_releasing_is_shown_on_the_dashboard_and_happens_once(graded):
    k = graded.k
    assert "feedback not released" in graded.teacher.get(dashboard_url(k.assignment)).get_data(
        as_text=True
    )
    release(k, graded.teacher)
    [first] = released_at(k.assignment)
    assert first is not None
    assert release(k, graded.teacher).status_code == 422  # nobody left to release to
    assert released_at(k.assignment) == [first]
    doc = page(graded.teacher.get(dashboard_url(k.assignment)))
    assert "feedback released to everyone" in doc.find("div", cls="dash-head").words
    assert "Release feedback" not in doc.words


def test_a_release_without_the_forms_token_releases_nothing(graded):
    resp = graded.teacher.post(
        f"{dashboard_url(graded.k.assignment)}/release", {"who": "everyone"}, csrf=False
    )
    assert resp.status_code == 422
    assert "press the button again" in resp.get_data(as_text=True)
    assert released_at(graded.k.assignment) == [None]


def test_another_teacher_cannot_release_the_class_feedback(graded, make, lesson):
    other = new_class(make, lesson, name="Mr Y's class")
    teacher_y = FormClient(make.app, other.teacher)
    assert teacher_y.get(dashboard_url(other.assignment)).status_code == 200
    resp = release(graded.k, teacher_y)
    assert resp.status_code == 404
    assert released_at(graded.k.assignment) == [None]
    assert "Your feedback" not in graded.student_views()["lesson page"]


def test_release_covers_only_that_assignment(graded, make, lesson):
    second = make.assignment(graded.k.classroom, lesson)
    release(graded.k, graded.teacher)
    assert released_at(second) == []


# ---------------------------------------------------------------- who may use the grading pages

EXPORT_KINDS = ["grades.csv", "canvas.csv", "moodle.csv", "annotations.csv", "annotations.jsonld"]
ROUTES = [
    ("dashboard", "GET", "", {}, ""),
    ("due date", "POST", "/due", {"due": "2030-01-01"}, ""),
    ("release page", "GET", "/release", {}, ""),
    ("release", "POST", "/release", {"who": "everyone"}, ""),
    ("undo release", "POST", "/release/undo", {}, ""),
    ("review", "GET", "/students/{s}", {}, ""),
    (
        "omission mark",
        "POST",
        "/students/{s}/omissions/{u}",
        {"key_item": "om-venue", "level": "none"},
        "m-{u}",
    ),
    (
        "rubric",
        "POST",
        "/students/{s}/rubric",
        {"r-loaded-level": "basic", "r-loaded-comment": "hm"},
        "",
    ),
    ("final grade", "POST", "/students/{s}/final", {"score": "3", "reason": "because"}, ""),
    ("reopen", "POST", "/students/{s}/reopen", {}, ""),
    *((f"export {kind}", "GET", f"/export/{kind}", {}, "") for kind in EXPORT_KINDS),
]
STUDENT_ROUTES = [r for r in ROUTES if "{s}" in r[2]]


@dataclass
class Target:
    graded: Released
    answer: str

    def request(self, who: FormClient, route, student=None):
        _, method, rest, data, prefix = route
        a = self.graded.k.assignment
        sid = (student or self.graded.student).id
        path = dashboard_url(a) + rest.format(s=sid, u=self.answer)
        if method == "GET":
            return who.get(path)
        return who.post(path, data, prefix=prefix.format(u=self.answer))

    def state(self) -> tuple:
        """Everything a grading route could change."""
        a = self.graded.k.assignment
        db.session.expire_all()
        return (
            a.due_at,
            [(m.annotation_id, m.key_item_id, m.level) for m in rows_of(OmissionMark)],
            [(r.student_id, r.prompt_id, r.level, r.comment) for r in rows_of(RubricScore)],
            [(g.student_id, g.score, g.reason) for g in rows_of(FinalGrade)],
            [
                (s.student_id, s.submitted_at, s.released_at, s.closed_by_release)
                for s in rows_of(Submission)
            ],
            count(GradeChange),
        )


@pytest.fixture
def target(graded) -> Target:
    [answer] = [a.id for a in rows_of(Annotation, category="omission")]
    return Target(graded, answer)


@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_the_classes_own_teacher_can_use_every_grading_route(target, route):
    """The control for the refusals below: the same requests work for the right person."""
    resp = target.request(target.graded.teacher, route)
    assert resp.status_code == (200 if route[1] == "GET" else 302)


@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_another_teacher_gets_404_on_every_grading_route_and_changes_nothing(
    target, route, make, lesson
):
    other = new_class(make, lesson, name="Mr Y's class")
    teacher_y = FormClient(make.app, other.teacher)
    before = target.state()
    resp = target.request(teacher_y, route)
    assert resp.status_code == 404
    assert "Sam Sample" not in resp.get_data(as_text=True)
    assert target.state() == before


@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_a_student_gets_403_on_every_grading_route_and_changes_nothing(target, route, make):
    student = FormClient(make.app, target.graded.student)
    before = target.state()
    resp = target.request(student, route)
    assert resp.status_code == 403
    assert OVERRIDE_REASON not in resp.get_data(as_text=True)
    assert target.state() == before


@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_someone_not_logged_in_is_sent_to_log_in_from_every_grading_route(target, route, make):
    before = target.state()
    resp = target.request(FormClient(make.app), route)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")
    assert target.state() == before


@pytest.mark.parametrize("route", STUDENT_ROUTES, ids=[r[0] for r in STUDENT_ROUTES])
@pytest.mark.parametrize(
    "whose", ["same teacher's other class", "another teacher's class", "the teacher", "no one"]
)
def test_a_student_not_in_the_class_is_404_on_the_review_routes(target, route, whose, make, lesson):
    k = target.graded.k
    outsider = {
        "same teacher's other class": lambda: new_class(
            make, lesson, k.teacher, "Period 5"
        ).student("Olive Outsider"),
        "another teacher's class": lambda: new_class(make, lesson).student("Olive Outsider"),
        "the teacher": lambda: k.teacher,
        "no one": lambda: type("Nobody", (), {"id": 987654})(),
    }[whose]()
    before = target.state()
    resp = target.request(target.graded.teacher, route, student=outsider)
    assert resp.status_code == 404
    assert target.state() == before


@pytest.mark.parametrize(
    "kind", ["grades.xlsx", "GRADES.CSV", "annotations.json", "canvas", "grades.csv.bak", "%2e%2e"]
)
def test_an_unknown_export_kind_is_404(target, kind):
    resp = target.graded.teacher.get(f"{dashboard_url(target.graded.k.assignment)}/export/{kind}")
    assert resp.status_code == 404


def test_an_assignment_id_too_large_for_the_database_is_404(target):
    for path in ("/teacher/assignments/{a}", "/teacher/assignments/{a}/export/grades.csv"):
        assert target.graded.teacher.get(path.format(a=2**63)).status_code == 404


# ---------------------------------------------------------------- marking someone else's answer


def other_answer(where: str, graded: Released, make, lesson) -> str:
    """An omission answer that is not this student's answer on this assignment."""
    k = graded.k
    if where == "another student in the class":
        return k.put(k.student("Nell Neighbour"), omission("The Economic Club of New York"))
    if where == "the same student on another assignment":
        second = Classwork(
            make, k.teacher, k.classroom, make.assignment(k.classroom, lesson), lesson
        )
        return second.put(graded.student, omission("The Economic Club of New York"))
    if where == "another teacher's class":
        other = new_class(make, lesson)
        return other.put(other.student("Fay Faraway"), omission("The Economic Club of New York"))
    if where == "a deleted answer":
        uid = k.put(k.student("Del Deleted"), omission("Who runs Press TV"))
        annotation(uid).deleted_at = utcnow()
        db.session.commit()
        return uid
    return str(uuidlib.uuid4())  # nobody's


@pytest.mark.parametrize(
    "where",
    [
        "another student in the class",
        "the same student on another assignment",
        "another teacher's class",
        "a deleted answer",
        "nobody's",
    ],
)
def test_an_answer_that_is_not_this_students_cannot_be_marked_through_their_page(
    target, where, make, lesson
):
    uid = other_answer(where, target.graded, make, lesson)
    before = target.state()
    url = f"{review_url(target.graded.k.assignment, target.graded.student)}/omissions/{uid}"
    resp = target.graded.teacher.post(
        url, {"key_item": "om-venue", "level": "full"}, prefix=f"m-{uid}"
    )
    assert resp.status_code in (404, 422)
    assert target.state() == before
    assert rows_of(OmissionMark, annotation_id=uid) == []
    if resp.status_code == 422:  # the teacher is told why, on the page they were on
        assert "isn't one of this student's answers" in unescape(resp.get_data(as_text=True))


def test_after_release_a_student_who_never_submitted_sees_feedback_and_cannot_change_work(
    make, lesson
):
    from app.services import grading

    k = new_class(make, lesson)
    s = k.student("Una Unsubmitted")
    k.mark(s, "vented its anger", "loaded")
    grading.release(db.session, k.assignment)
    db.session.commit()
    from tests.support.client import ApiClient
    from tests.support.factory import highlight, new_id

    api = ApiClient(make.app.test_client()).login(s)
    html = api.client.get(f"/student/assignments/{k.assignment.id}").get_data(as_text=True)
    assert "Your feedback" in html
    assert "released the feedback" in html
    resp = api.put(
        k.assignment, new_id(), highlight(lesson, "pointed out", category="loaded", prompt="loaded")
    )
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "released"
