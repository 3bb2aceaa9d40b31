"""Exports through the web: every file a teacher downloads, read back with the csv module (or
parsed as JSON-LD) and checked column by column; names and notes that look like formulas come
out inert in every CSV; the JSON-LD names no student."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from app import services
from app.domain.scoring import score_work
from app.domain.work import StudentWork
from app.extensions import db
from app.models import Enrollment
from tests.support.client import FormClient
from tests.support.factory import Classwork, new_class, omission
from tests.support.html import page as read_page
from tests.unit.test_w3c_export import w3c  # noqa: F401  (the W3C's own checks, as a fixture)
from tests.web.grading_helpers import dashboard_url, read_csv, read_csv_typed, review_url

CSV_TYPE = "text/csv; charset=utf-8"
JSONLD_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMULA_NAMES = ["=1+2", "+cmd", "-x", "@x", "\tTabby", '=HYPERLINK("http://x.test")']
FORMULA_NOTES = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTabbed note"]
MARKUP_NAME = "<script>alert(1)</script>"
DUE = datetime(2024, 1, 10, 23, 59)


@dataclass
class Exported:
    k: Classwork
    teacher: FormClient
    zed: Any  # matched highlights, an omission answer marked full, an override, on time
    late: Any  # submitted after the due date
    idle: Any  # no work at all
    tricky: list[Any]  # names that look like formulas or markup
    annotations: int  # how many (not deleted) annotations the class has

    def get(self, kind: str):
        resp = self.teacher.get(f"{dashboard_url(self.k.assignment)}/export/{kind}")
        assert resp.status_code == 200, (kind, resp.status_code)
        return resp


@pytest.fixture
def exported(make, lesson) -> Exported:
    make.app.config["SCHOOL_TIMEZONE"] = "America/New_York"  # times a person reads: EST
    k = new_class(make, lesson)
    k.assignment.due_at = DUE
    db.session.commit()
    zed = k.student("Zanzibar Quill", username="zquill")
    zed_here = db.session.get(Enrollment, _enrollment_id(k, zed))
    zed_here.sis_user_id, zed_here.sis_login_id = "SIS-001", "zquill@school.test"
    zed_here.section = "Block A"
    late = k.student("Lars Late", username="llate")
    idle = k.student("Nora Nowork", username="nnowork")
    tricky = [
        k.student(name.strip() or "x", username=f"tricky{i}")
        for i, name in enumerate([*FORMULA_NAMES, MARKUP_NAME])
    ]
    for s, name in zip(tricky, [*FORMULA_NAMES, MARKUP_NAME], strict=True):
        s.display_name = name  # as typed in a roster file, leading tab and all
    tricky[0].username = "=cmd"  # Moodle's identity column is the username
    db.session.get(Enrollment, _enrollment_id(k, tricky[1])).sis_user_id = "@SIS"
    db.session.get(Enrollment, _enrollment_id(k, tricky[2])).section = "-Section"
    db.session.commit()

    n = 0
    k.mark(zed, "media reports said on Tuesday", "source", note="Which reports?", named="unnamed")
    k.mark(zed, "vented its anger", "loaded", rewrite="objected to")
    k.mark(zed, "a regional capital in southern Ukraine", "loaded", note="=1+2")
    answer = k.put(
        zed,
        omission("He spoke at the Economic Club of New York", why='=IMPORTXML("http://x.test")'),
    )
    gone = k.mark(zed, "huge funds", "loaded")
    services.delete_annotation(db.session, k.assignment, zed, gone, None)
    db.session.commit()
    k.submit(zed, at=datetime(2024, 1, 9, 12, 0))
    n += 4
    k.mark(late, "US Army General Mark Milley", "source")
    k.submit(late, at=datetime(2024, 1, 11, 8, 0))
    n += 1
    for i, s in enumerate(tricky):
        k.mark(s, "pointed out", "loaded", note=FORMULA_NOTES[i % len(FORMULA_NOTES)])
        n += 1
    k.put(tricky[-1], omission("<b>markup</b> & more", note="-1"))
    n += 1

    teacher = FormClient(make.app, k.teacher)
    url = review_url(k.assignment, zed)
    assert (
        teacher.post(
            f"{url}/omissions/{answer}",
            {"key_item": "om-venue", "level": "full"},
            prefix=f"m-{answer}",
        ).status_code
        == 302
    )
    assert (
        teacher.post(f"{url}/final", {"score": "12.5", "reason": "=private reason"}).status_code
        == 302
    )
    assert (
        teacher.post(
            f"{url}/rubric",
            {"r-sources-level": "proficient", "r-sources-comment": "=Great work"},
        ).status_code
        == 302
    )
    return Exported(k, teacher, zed, late, idle, tricky, n)


def _enrollment_id(k: Classwork, student) -> int:
    return next(e.id for e in k.classroom.enrollments if e.student_id == student.id)


def possible_points(lesson) -> float:
    return score_work(lesson, StudentWork(0, "", "")).possible


def by_first_column(rows: list[list[str]]) -> dict[str, list[str]]:
    return {r[0]: r for r in rows}


# ---------------------------------------------------------------- every kind


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("grades.csv", CSV_TYPE),
        ("canvas.csv", CSV_TYPE),
        ("moodle.csv", CSV_TYPE),
        ("annotations.csv", CSV_TYPE),
        ("annotations.jsonld", JSONLD_TYPE),
    ],
)
def test_each_export_downloads_as_an_attachment_of_the_right_type(exported, kind, content_type):
    resp = exported.get(kind)
    assert resp.headers["Content-Type"] == content_type
    disposition = resp.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="[a-z0-9-]+-' + re.escape(kind) + '"', disposition
    ), disposition
    assert "period-3" in disposition
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.get_data()  # not empty


# ---------------------------------------------------------------- gradebooks


GRADES_HEADERS = [
    "Student",
    "Username",
    "SIS User ID",
    "SIS Login ID",
    "Section",
    "Assignment",
    "Status",
    "Submitted",
    "Late",
    "Not submitted",
    "Source score",
    "Loaded wording score",
    "Left out score",
    "Auto score",
    "Final score",
    "Points possible",
]
RUBRIC_HEADERS = [
    "Source rubric",
    "Source comment",
    "Loaded wording rubric",
    "Loaded wording comment",
    "Left out rubric",
    "Left out comment",
]


def test_the_grades_csv_has_a_row_per_student_with_numeric_scores(exported, lesson):
    rows = read_csv(exported.get("grades.csv"))
    assert rows[0] == GRADES_HEADERS + RUBRIC_HEADERS
    assert len(rows) == 1 + len(exported.k.students)
    col = {h: i for i, h in enumerate(rows[0])}
    people = by_first_column(rows[1:])
    zed = people["Zanzibar Quill"]
    assert zed[col["Username"]] == "zquill"
    assert (zed[col["SIS User ID"]], zed[col["SIS Login ID"]], zed[col["Section"]]) == (
        "SIS-001",
        "zquill@school.test",
        "Block A",
    )
    assert zed[col["Assignment"]] == lesson.title
    assert (zed[col["Status"]], zed[col["Submitted"]], zed[col["Late"]]) == (
        "submitted",
        "9 Jan 2024, 07:00 EST",  # 12:00 UTC, in the school's zone with its name
        "no",
    )
    # 2 (media reports) + 2 (vented) + 2 (venue, marked full); the override is kept beside it
    assert [
        zed[col[c]]
        for c in (
            "Source score",
            "Loaded wording score",
            "Left out score",
            "Auto score",
            "Final score",
        )
    ] == ["2", "2", "2", "6", "12.5"]
    assert zed[col["Points possible"]] == f"{possible_points(lesson):g}"
    # the rubric level and comment of each prompt (the comment neutralised)
    assert [zed[col[h]] for h in RUBRIC_HEADERS] == ["Proficient", "'=Great work", "", "", "", ""]
    late = people["Lars Late"]
    assert [late[col[h]] for h in RUBRIC_HEADERS] == [""] * 6
    assert (late[col["Status"]], late[col["Late"]], late[col["Final score"]]) == (
        "late",
        "yes",
        "1",
    )
    idle = people["Nora Nowork"]  # never started, and the due date has passed
    assert [
        idle[col[c]] for c in ("Status", "Submitted", "Late", "Not submitted", "Final score")
    ] == ["missing", "", "no", "yes", ""]
    assert zed[col["Not submitted"]] == late[col["Not submitted"]] == "no"
    typed = read_csv_typed(exported.get("grades.csv"))
    for row in typed[1:]:
        for name in (
            "Source score",
            "Loaded wording score",
            "Left out score",
            "Auto score",
            "Final score",
            "Points possible",
        ):
            if row[0] == "Nora Nowork" and name == "Final score":
                assert row[col[name]] == ""  # blank: no grade, not 0
                continue
            assert isinstance(row[col[name]], float), (row[0], name)
        assert isinstance(row[col["Student"]], str)


def test_the_dashboard_names_who_canvas_cannot_match_before_the_download(exported):
    page = read_page(exported.teacher.get(dashboard_url(exported.k.assignment)))
    warning = page.find(id="canvas-unmatched")
    link = page.find("a", href=f"{dashboard_url(exported.k.assignment)}/export/canvas.csv")
    assert link.attrs["aria-describedby"] == "canvas-unmatched"
    with_ids = (exported.zed, exported.tricky[1])  # SIS ids in this class
    unmatched = [s.display_name for s in exported.k.students if s not in with_ids]
    n = len(unmatched)
    assert n == len(exported.k.students) - 2
    assert f"{n} students have no SIS user ID or SIS login ID" in warning.words
    named = warning.words.split("gets no grade: ", 1)[1]
    for name in unmatched:
        assert " ".join(name.split()) in named  # every one named (as text: markup escaped)
    assert "Zanzibar Quill" not in named
    assert exported.tricky[1].display_name not in named
    class_link = warning.find("a")
    assert class_link.attrs["href"] == f"/teacher/classes/{exported.k.classroom.id}#students-h"


def test_no_canvas_warning_when_every_student_has_a_sis_id(exported):
    for s in exported.k.students:
        here = db.session.execute(
            sa.select(Enrollment).filter_by(student_id=s.id, classroom_id=exported.k.classroom.id)
        ).scalar_one()
        here.sis_login_id = here.sis_login_id or f"login-{s.id}"
    db.session.commit()
    page = read_page(exported.teacher.get(dashboard_url(exported.k.assignment)))
    assert page.find_all(id="canvas-unmatched") == []
    assert "Canvas gradebook (CSV)" in page.words


def test_the_canvas_csv_has_canvass_columns_points_possible_and_blank_for_no_score(
    exported, lesson
):
    rows = read_csv(exported.get("canvas.csv"))
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        f"{lesson.title} ({exported.k.assignment.id})",
    ]
    assert rows[1] == ["    Points Possible", "", "", "", "", f"{possible_points(lesson):g}"]
    people = by_first_column(rows[2:])
    assert len(people) == len(exported.k.students)
    assert people["Zanzibar Quill"] == [
        "Zanzibar Quill",
        "",
        "SIS-001",
        "zquill@school.test",
        "Block A",
        "12.5",
    ]
    assert people["Lars Late"][-1] == "1"
    assert people["Nora Nowork"][-1] == ""  # blank: no score, not a zero
    typed = read_csv_typed(exported.get("canvas.csv"))
    assert isinstance(typed[1][-1], float)
    assert typed[1][0] == "    Points Possible"
    scores = {r[0]: r[-1] for r in typed[2:]}
    assert scores["Zanzibar Quill"] == 12.5
    assert scores["Nora Nowork"] == ""


def test_the_moodle_csv_has_an_identity_column_the_grade_and_feedback(exported, lesson):
    rows = read_csv(exported.get("moodle.csv"))
    assert rows[0] == ["Username", lesson.title, f"Feedback: {lesson.title}"]
    people = by_first_column(rows[1:])
    assert len(people) == len(exported.k.students)
    # the feedback column carries the rubric, named by prompt, never the private reason
    assert people["zquill"] == ["zquill", "12.5", "Source (Proficient): =Great work"]
    assert "private reason" not in str(rows)
    assert people["llate"] == ["llate", "1", ""]
    assert people["nnowork"] == ["nnowork", "", ""]


# ---------------------------------------------------------------- annotations


ANNOTATION_HEADERS = [
    "Student",
    "Username",
    "Prompt",
    "Question",
    "Category",
    "Quote",
    "Start",
    "End",
    "Note",
    "Source named?",
    "Who they are",
    "Independent?",
    "Where I checked",
    "Neutral rewrite",
    "What is missing",
    "Why it matters",
    "Match to key",
    "Key item",
    "Mark",
    "Created",
    "Modified",
]


def test_the_annotations_csv_has_a_row_per_annotation_with_its_match_to_the_key(exported, lesson):
    rows = read_csv(exported.get("annotations.csv"))
    assert rows[0] == ANNOTATION_HEADERS
    assert len(rows) - 1 == exported.annotations  # the deleted one is not there
    col = {h: i for i, h in enumerate(ANNOTATION_HEADERS)}
    zed = {
        (r[col["Quote"]] or r[col["What is missing"]]): r
        for r in rows[1:]
        if r[col["Username"]] == "zquill"
    }
    assert "huge funds" not in zed
    media = zed["media reports said on Tuesday"]
    start = lesson.text.index("media reports said on Tuesday")
    assert (
        media[col["Student"]],
        media[col["Category"]],
        media[col["Note"]],
        media[col["Source named?"]],
        media[col["Match to key"]],
        media[col["Mark"]],
    ) == ("Zanzibar Quill", "Source", "Which reports?", "unnamed", "src-media-reports", "")
    assert (media[col["Start"]], media[col["End"]]) == (str(start), str(start + 29))
    assert media[col["Prompt"]] == "Source"
    assert media[col["Key item"]] == "media reports said on Tuesday"
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d E[SD]T", media[col["Created"]])
    assert zed["vented its anger"][col["Neutral rewrite"]] == "objected to"
    assert zed["vented its anger"][col["Match to key"]] == "loaded-vented"
    assert zed["vented its anger"][col["Key item"]] == "vented its anger"
    # each question once, on the first row that answers its prompt; every row names the prompt
    prompt_ids = {"Source": "sources", "Loaded wording": "loaded", "Left out": "omissions"}
    asked: set[str] = set()
    for r in rows[1:]:
        name = r[col["Prompt"]]
        question = "" if name in asked else lesson.prompt(prompt_ids[name]).question
        assert r[col["Question"]] == question, r
        asked.add(name)
    assert asked == set(prompt_ids)
    assert zed["a regional capital in southern Ukraine"][col["Match to key"]] == ""
    answer = zed["He spoke at the Economic Club of New York"]
    assert (
        answer[col["Category"]],
        answer[col["Quote"]],
        answer[col["Start"]],
        answer[col["Match to key"]],
        answer[col["Mark"]],
        answer[col["Why it matters"]],
    ) == ("Left out", "", "", "om-venue", "full", '\'=IMPORTXML("http://x.test")')


# ---------------------------------------------------------------- formula injection


@pytest.mark.parametrize("kind", ["grades.csv", "canvas.csv", "moodle.csv", "annotations.csv"])
def test_no_cell_of_any_csv_can_start_a_formula(exported, kind):
    rows = read_csv(exported.get(kind))
    risky = [
        (i, cell) for i, row in enumerate(rows) for cell in row if cell.startswith(DANGEROUS_STARTS)
    ]
    assert risky == []


@pytest.mark.parametrize("kind", ["grades.csv", "canvas.csv", "annotations.csv"])
def test_names_that_look_like_formulas_come_out_with_a_leading_quote(exported, kind):
    rows = read_csv(exported.get(kind))
    first_column = {r[0] for r in rows[1:]}
    for name in FORMULA_NAMES:
        assert "'" + name in first_column, (kind, name)
    assert MARKUP_NAME in first_column  # markup is text in a CSV: kept exactly, not escaped


def test_notes_and_identity_fields_that_look_like_formulas_come_out_inert(exported):
    notes = {r[8] for r in read_csv(exported.get("annotations.csv"))[1:]}
    for note in FORMULA_NOTES:
        assert "'" + note in notes
    assert "'-1" in notes
    assert "'=1+2" in notes
    moodle = {r[0] for r in read_csv(exported.get("moodle.csv"))[1:]}
    assert "'=cmd" in moodle
    canvas = read_csv(exported.get("canvas.csv"))[2:]
    assert "'@SIS" in {r[2] for r in canvas}
    assert "'-Section" in {r[4] for r in canvas}


# ---------------------------------------------------------------- W3C JSON-LD


def test_the_json_ld_is_an_annotation_collection_of_every_annotation(exported, w3c):  # noqa: F811
    resp = exported.get("annotations.jsonld")
    doc = json.loads(resp.get_data(as_text=True))
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    assert doc["total"] == exported.annotations
    items = doc["first"]["items"]
    assert len(items) == exported.annotations
    assert doc["id"].startswith("http://localhost/")
    assert all(item["type"] == "Annotation" for item in items)
    assert len({item["id"] for item in items}) == len(items)
    assert w3c.failures("collection", doc) == []
    assert w3c.failures("page", doc) == []
    assert {
        item["id"]: w3c.failures("annotation", item)
        for item in items
        if w3c.failures("annotation", item)
    } == {}


def test_the_json_ld_creators_are_pseudonyms_that_name_no_student(exported):
    text = exported.get("annotations.jsonld").get_data(as_text=True)
    doc = json.loads(text)
    creators = [item["creator"] for item in doc["first"]["items"]]
    assert all(
        re.fullmatch(
            r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
            r"[0-9a-f]{12}",
            c,
        )
        for c in creators
    ), creators
    people = {s.id: s for s in exported.k.students}
    for c in creators:
        for s in people.values():
            assert s.username not in c
            assert s.display_name not in c
            assert str(s.id) != c.rsplit(":", 1)[-1]
    for identity in (
        "Zanzibar Quill",
        "zquill",
        "SIS-001",
        "Lars Late",
        "llate",
        "zquill@school.test",
    ):
        assert identity not in text
    # one pseudonym per student: Zed's four annotations share one, the others differ
    assert len(set(creators)) == len([s for s in exported.k.students if s is not exported.idle])


def test_an_assignment_with_no_annotations_exports_an_empty_collection(make, lesson):
    k = new_class(make, lesson)
    k.student("Ivy Idle")
    teacher = FormClient(make.app, k.teacher)
    resp = teacher.get(f"{dashboard_url(k.assignment)}/export/annotations.jsonld")
    doc = json.loads(resp.get_data(as_text=True))
    assert (doc["type"], doc["total"]) == ("AnnotationCollection", 0)
    assert "first" not in doc
    rows = read_csv(teacher.get(f"{dashboard_url(k.assignment)}/export/annotations.csv"))
    assert rows == [ANNOTATION_HEADERS]
