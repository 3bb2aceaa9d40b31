"""The XSS corpus (tests/xss_corpus.py) through every export and the JSON a page turns into HTML.

Names, class names, SIS ids, sections, notes, structured answers, the teacher's comments and a
hostile lesson's title and labels go in; out come the grades, Canvas, Moodle and annotations
CSVs, the W3C JSON-LD and a student's "my work" JSON. Each is read back with a real parser
(``csv``, ``json``): the text comes back exactly (data, not markup), no CSV cell can start a
formula unless it carries the ``'`` that ``app.domain.exports.neutralise`` documents, and every
file is served as an attachment of a CSV or JSON type with ``nosniff``, so no browser ever
renders one as a page. The API's ``note_html`` (which the lesson page puts in with innerHTML)
holds nothing but escaped text and http(s) links.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest

from app import services
from app.domain.lessons import Lesson, parse_lesson
from app.extensions import db
from app.models import Assignment, User
from app.services import grading
from tests.support.client import ApiClient, FormClient
from tests.support.factory import PASSWORD, new_id, save_annotation
from tests.web.grading_helpers import dashboard_url
from tests.xss_corpus import (
    CLASS_NAME,
    HOSTILE_LESSON,
    NAMES,
    OFF_KEY,
    OVERRIDE_REASON,
    PAYLOADS,
    RUBRIC_COMMENT,
    SECTION,
    SIS_LOGIN_ID,
    SIS_USER_ID,
    TEACHER_NAME,
    URLS,
    USERNAMES,
    annotation_bodies,
    to_toml,
)

# exports.neutralise's list: OWASP's characters and their full-width and small forms
DANGEROUS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
    "\ufe66",
    "\ufe62",
    "\ufe63",
    "\ufe6b",
)
FORMULAS = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
    "\n=1+2",
    "\uff1d1+2",
    "\ufe661+2",
    '=HYPERLINK("http://xss.invalid","click")',
]
NOTES = [*PAYLOADS, *FORMULAS]
CSV_TYPE = "text/csv; charset=utf-8"
JSONLD_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CSV_KINDS = ["grades.csv", "canvas.csv", "moodle.csv", "annotations.csv"]


def written(value: str) -> str:
    """A text cell as the exports write it (exports.neutralise)."""
    return "'" + value if value.startswith(DANGEROUS) else value


@dataclass
class Hostile:
    teacher: FormClient
    student: ApiClient  # the first student, logged in
    lesson: Lesson  # the hostile lesson
    assignments: dict[str, Assignment]  # "kiev" (the real lesson), "hostile"
    students: list[User]
    notes: dict[str, list[str]]  # the first student's notes on each assignment

    def export(self, which: str, kind: str):
        resp = self.teacher.get(f"{dashboard_url(self.assignments[which])}/export/{kind}")
        assert resp.status_code == 200, (which, kind, resp.status_code)
        return resp


def hostile_lesson() -> Lesson:
    parsed, problems = parse_lesson(tomllib.loads(to_toml(HOSTILE_LESSON)), "hostile.toml")
    assert parsed is not None, problems  # (warned: a payload as 'published' is not a date)
    return parsed


def _put(assignment, student, body: dict) -> str:
    return save_annotation(assignment.id, student, body)


@pytest.fixture
def hostile(app, make, lesson) -> Hostile:
    teacher = make.teacher()
    teacher.display_name = TEACHER_NAME
    classroom = make.classroom(teacher, name=CLASS_NAME)
    h = hostile_lesson()
    assignments = {
        "kiev": make.assignment(classroom, lesson),
        "hostile": make.assignment(classroom, h),
    }
    students = []
    for i, name in enumerate(NAMES):
        s = services.create_student(db.session, f"xe{i}-{new_id()[:6]}", name, PASSWORD)
        enrollment = services.enroll(db.session, classroom, s)
        enrollment.sis_user_id, enrollment.sis_login_id = SIS_USER_ID, SIS_LOGIN_ID
        enrollment.section = SECTION
        students.append(s)
    db.session.flush()
    students[1].username = USERNAMES[0]  # as stored: the forms would refuse it
    db.session.commit()

    first = students[0]
    notes = {"kiev": NOTES, "hostile": PAYLOADS[:12]}
    for body in annotation_bodies(lesson, NOTES):
        _put(assignments["kiev"], first, body)
    for body in annotation_bodies(h, notes["hostile"]):
        _put(assignments["hostile"], first, body)
    extra = [(k.quote, k.category, k.id) for k in h.key if k.quote] + [(OFF_KEY, "loaded", "")]
    for quote, category, _ in extra:
        start = h.text.index(quote)
        _put(
            assignments["hostile"],
            first,
            {
                "category": category,
                "note": PAYLOADS[0],
                "target": {"start": start, "end": start + len(quote), "exact": quote},
            },
        )
    notes["hostile"] = [*notes["hostile"], *[PAYLOADS[0]] * len(extra)]
    for i, s in enumerate(students[1:], 1):
        _put(assignments["kiev"], s, {**annotation_bodies(lesson, FORMULAS)[i % len(FORMULAS)]})
    for which, a in assignments.items():
        lsn = services.lesson_of(a)
        for p in lsn.prompts:
            grading.set_rubric(
                db.session, teacher, a, lsn, first.id, p.id, "emergent", RUBRIC_COMMENT
            )
        grading.set_final_grade(db.session, teacher, a, first.id, 1.0, OVERRIDE_REASON, 100.0)
        if which == "hostile":
            grading.release(db.session, a)
    db.session.commit()
    return Hostile(
        FormClient(app, teacher),
        ApiClient(app.test_client()).login(first),
        h,
        assignments,
        students,
        notes,
    )


def read_csv(resp) -> list[list[str]]:
    """The file read back with the csv module, after its byte-order mark (a note may hold
    another one, as data)."""
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _column(rows: list[list[str]], header: str) -> list[str]:
    at = rows[0].index(header)
    return [r[at] for r in rows[1:]]


# ---------------------------------------------------------------- every CSV


@pytest.mark.parametrize("which", ["kiev", "hostile"])
@pytest.mark.parametrize("kind", CSV_KINDS)
def test_no_cell_of_any_csv_can_start_a_formula_and_the_file_is_an_attachment(hostile, kind, which):
    resp = hostile.export(which, kind)
    assert resp.headers["Content-Type"] == CSV_TYPE
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(
        r'attachment; filename="[a-z0-9-]+-' + re.escape(kind) + '"',
        resp.headers["Content-Disposition"],
    ), resp.headers["Content-Disposition"]
    rows = read_csv(resp)
    risky = [(i, cell) for i, row in enumerate(rows) for cell in row if cell.startswith(DANGEROUS)]
    assert risky == []
    widths = {len(row) for row in rows}
    assert len(widths) == 1, "a payload split a row"


def test_the_annotations_csv_keeps_every_note_and_answer_exactly(hostile):
    rows = read_csv(hostile.export("kiev", "annotations.csv"))
    first = hostile.students[0]
    mine = [rows[0]] + [r for r in rows[1:] if r[1] == first.username]
    assert Counter(_column(mine, "Note")) == Counter(written(n) for n in NOTES)
    answers = {written(n[:500]) for n in NOTES}
    for header in ("Who they are", "Neutral rewrite", "What is missing", "Why it matters"):
        values = {v for v in _column(mine, header) if v}
        assert values, header
        assert values <= answers, header
    assert {v for v in _column(mine, "Where I checked") if v} == set(URLS)
    assert set(_column(rows, "Student")) == {written(n) for n in NAMES}
    assert USERNAMES[0] in _column(rows, "Username")


def test_the_hostile_lessons_title_labels_and_quotes_come_out_as_text(hostile):
    h = hostile.lesson
    title = written(h.title)
    assert title.startswith("'=")  # the title begins with "=": neutralised, not dropped
    grades = read_csv(hostile.export("hostile", "grades.csv"))
    assert set(_column(grades, "Assignment")) == {title}
    assert "Claim <img src=x onerror=__xss=821> score" in grades[0]
    canvas = read_csv(hostile.export("hostile", "canvas.csv"))
    assert canvas[0][-1] == written(f"{h.title} ({hostile.assignments['hostile'].id})")
    moodle = read_csv(hostile.export("hostile", "moodle.csv"))
    assert moodle[0][1:] == [title, f"Feedback: {h.title}"]
    notes = read_csv(hostile.export("hostile", "annotations.csv"))
    quotes = set(_column(notes, "Quote"))
    for k in h.key:
        if k.quote:
            assert k.quote in quotes
    assert OFF_KEY in quotes
    assert {h.prompt(p).question for p in ("sources", "claims")} <= set(_column(notes, "Question"))
    assert set(_column(notes, "Prompt")) <= {written(c.label) for c in h.categories} | {""}


def test_identity_columns_and_comments_come_out_exactly(hostile):
    grades = read_csv(hostile.export("kiev", "grades.csv"))
    assert set(_column(grades, "Student")) == {written(n) for n in NAMES}
    assert set(_column(grades, "SIS User ID")) == {written(SIS_USER_ID)}
    assert set(_column(grades, "SIS Login ID")) == {written(SIS_LOGIN_ID)}
    assert set(_column(grades, "Section")) == {written(SECTION)}
    canvas = read_csv(hostile.export("kiev", "canvas.csv"))
    assert {r[0] for r in canvas[2:]} == {written(n) for n in NAMES}
    moodle = read_csv(hostile.export("kiev", "moodle.csv"))
    feedback = {r[0]: r[2] for r in moodle[1:]}
    kiev = services.lesson_of(hostile.assignments["kiev"])
    labels = {c.id: c.label for c in kiev.categories}
    assert feedback[hostile.students[0].username] == " | ".join(
        f"{labels[p.category]} (Emergent): {RUBRIC_COMMENT}" for p in kiev.prompts
    )
    assert written(USERNAMES[0]) in feedback
    everything = json.dumps([grades, canvas, moodle])
    assert "__xss=404" not in everything  # the override's reason stays in the history


# ---------------------------------------------------------------- JSON


def test_the_json_ld_keeps_every_note_and_answer_exactly_and_names_no_one(hostile):
    resp = hostile.export("kiev", "annotations.jsonld")
    assert resp.headers["Content-Type"] == JSONLD_TYPE
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment; ")
    text = resp.get_data(as_text=True)
    doc = json.loads(text)
    title = services.lesson_of(hostile.assignments["kiev"]).title
    assert doc["label"] == f"Annotations: {title}"
    values = Counter(
        b["value"]
        for item in doc["first"]["items"]
        for b in item["body"]
        if b.get("purpose") == "commenting" and b["type"] == "TextualBody" and b["value"] in NOTES
    )
    for note in NOTES:
        if note.strip():
            assert values[note] >= 1, note
    linked = [
        b for item in doc["first"]["items"] for b in item["body"] if b.get("purpose") == "linking"
    ]
    assert linked
    for body in linked:  # an IRI (RFC 3987): no space, quote or angle bracket
        assert body["type"] == "SpecificResource", body
        assert re.fullmatch(r"https?://[^\s\"<>`{}|\\^]+", body["source"]), body
    for name in [*NAMES, *USERNAMES]:
        assert name not in text
    hostile_doc = json.loads(hostile.export("hostile", "annotations.jsonld").get_data())
    assert hostile_doc["label"] == f"Annotations: {hostile.lesson.title}"
    quotes = {
        s["exact"]
        for item in hostile_doc["first"]["items"]
        if isinstance(item["target"], dict)
        for s in item["target"]["selector"]
        if s["type"] == "TextQuoteSelector"
    }
    assert OFF_KEY in quotes


def test_my_work_json_is_an_attachment_with_every_payload_kept_exactly(hostile):
    resp = hostile.student.client.get("/student/my-work.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="my-work.json"'
    data = json.loads(resp.get_data(as_text=True))
    assert data["account"]["name"] == NAMES[0]
    assert data["classes"] == [CLASS_NAME]
    by_lesson = {w["lesson"]: w for w in data["work"]}
    assert hostile.lesson.title in by_lesson
    assert {w["class"] for w in data["work"]} == {CLASS_NAME}
    kiev = services.lesson_of(hostile.assignments["kiev"]).title
    assert Counter(a["note"] for a in by_lesson[kiev]["annotations"]) == Counter(NOTES)
    answers = {
        v
        for a in by_lesson[kiev]["annotations"]
        for k, v in a["fields"].items()
        if k in ("affiliation", "rewrite", "missing", "why")
    }
    assert answers <= {n[:500] for n in NOTES}
    assert len(answers) > len(NOTES) // 2
    quotes = {a["quote"] for a in by_lesson[hostile.lesson.title]["annotations"]}
    assert OFF_KEY in quotes
    # nothing about grading leaks before or after release: the download is the student's data
    assert RUBRIC_COMMENT not in resp.get_data(as_text=True)


# ---------------------------------------------------------------- the HTML the API makes


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def _safe_html(html: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(html)
    parsed.close()
    for tag, attrs in parsed.tags:
        assert tag == "a", (tag, html)
        assert set(attrs) == {"href", "rel", "target"}, (attrs, html)
        assert re.match(r"https?://", attrs["href"]), (attrs, html)
        assert attrs["rel"] == "nofollow noopener noreferrer ugc"
    return parsed


def test_the_apis_note_html_is_escaped_text_with_web_links_only(hostile):
    annotations = hostile.student.mine(hostile.assignments["kiev"])
    assert len(annotations) == len(NOTES)
    for a in annotations:
        parsed = _safe_html(a["note_html"])
        # the text a browser shows is the note, character for character
        assert parsed.text == a["note"].replace("\r\n", "\n").replace("\r", "\n"), a["note"]
        if a["checked_html"]:
            shown = _safe_html(a["checked_html"])
            assert shown.text == a["fields"]["checked_url"]
    hrefs = [attrs["href"] for a in annotations for tag, attrs in _safe_html(a["note_html"]).tags]
    assert hrefs, "the notes with web addresses became links"
