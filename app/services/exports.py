"""Exports of one assignment: grades (plain, Canvas, Moodle) and annotations (CSV, W3C JSON-LD).
The rows come from ``class_work``; the formats from ``domain.exports``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..domain import exports
from ..domain.lessons import Lesson
from ..domain.matching import KeyIndex, match_spans
from ..domain.review_words import prompt_names
from ..domain.scoring import Scored, score_work
from ..domain.work import StudentWork, grade_of, status_of
from ..extensions import DbSession
from ..models import Assignment, utcnow
from .class_work import load_works
from .lessons import lesson_of

EXPORTS = ("grades.csv", "canvas.csv", "moodle.csv", "annotations.csv", "annotations.jsonld")


@dataclass
class Export:
    chunks: Iterator[str]
    media_type: str
    filename: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "export"


def _gradebook_score(work: StudentWork, scored: Scored) -> float | None:
    """The grade that counts, or None (a blank cell: "no score") for a student who never
    started and has no grade from the teacher, so a gradebook doesn't record a zero."""
    return grade_of(work, scored.final)


@dataclass(frozen=True)
class _Assignment:
    """What the export builders read: the assignment, its lesson and the class's work."""

    assignment: Assignment
    lesson: Lesson
    works: list[StudentWork]
    index: KeyIndex
    zone: str  # the school's time zone: the times a person reads

    def scored(self) -> list[tuple[StudentWork, Scored]]:
        return [(w, score_work(self.lesson, w, self.index)) for w in self.works]


def _grades(a: _Assignment) -> exports.Table:
    due_at, now = a.assignment.due_at, utcnow()
    rows = (
        exports.GradeRow(
            name=w.name,
            username=w.username,
            sis_user_id=w.sis_user_id,
            sis_login_id=w.sis_login_id,
            section=w.section,
            status=status,
            submitted_at=w.submitted_at,
            late=status == "late",
            auto_score=s.auto_score,
            final_score=w.final_grade,
            possible=s.possible,
            category_scores={c: v.earned for c, v in s.by_category.items()},
            rubric=w.rubric,
            not_submitted=status == "missing",
            has_grade=_gradebook_score(w, s) is not None,
        )
        for w, s in a.scored()
        for status in [status_of(w, due_at, now)]
    )
    return exports.grades_table(
        a.lesson.title, rows, a.lesson.categories, prompts=prompt_names(a.lesson), zone=a.zone
    )


def _canvas_student(w: StudentWork, scores: dict[int, float | None]) -> exports.CanvasStudent:
    """A student as the Canvas file names them (their ids in this class, never the account's)."""
    return exports.CanvasStudent(w.name, "", w.sis_user_id, w.sis_login_id, w.section, scores)


def canvas_unmatched(works: list[StudentWork]) -> list[str]:
    """Students the Canvas export would give nothing to match on but a name, by name."""
    return exports.unmatched_in_canvas(_canvas_student(w, {}) for w in works)


def _canvas(a: _Assignment) -> exports.Table:
    aid = a.assignment.id
    students = [_canvas_student(w, {aid: _gradebook_score(w, s)}) for w, s in a.scored()]
    possible = score_work(a.lesson, StudentWork(0, "", ""), a.index).possible
    return exports.canvas_table([(a.lesson.title, aid, possible)], students)


def _moodle(a: _Assignment) -> exports.Table:
    prompts = prompt_names(a.lesson)
    students = [
        exports.MoodleStudent(
            w.username,
            _gradebook_score(w, s),
            feedback=exports.rubric_feedback(prompts, w.rubric),
        )
        for w, s in a.scored()
    ]
    return exports.moodle_table(a.lesson.title, students)


def _annotations(a: _Assignment) -> exports.Table:
    # only what each highlight matched: no student needs scoring
    matches = {
        m.annotation_id: m.key_item_id
        for w in a.works
        for m in match_spans(a.lesson.key, w.annotations)
    }
    return exports.annotations_table(
        exports.annotation_export_rows(a.lesson, a.works, matches), zone=a.zone
    )


_TABLES: dict[str, Callable[[_Assignment], exports.Table]] = {
    "grades.csv": _grades,
    "canvas.csv": _canvas,
    "moodle.csv": _moodle,
    "annotations.csv": _annotations,
}


def _web_annotations(a: _Assignment, base_url: str, secret: str) -> Iterator[str]:
    assignment, lesson = a.assignment, a.lesson
    return exports.annotation_collection_chunks(
        base_url,
        exports.AnnotatedAssignment(
            assignment.id, lesson.title, lesson.id, assignment.lesson_version.version
        ),
        exports.annotation_export_rows(lesson, a.works),
        pseudonym=exports.pseudonymiser(secret, f"assignment:{assignment.id}"),
    )


def export(
    session: DbSession,
    assignment: Assignment,
    kind: str,
    base_url: str,
    secret: str,
    zone: str = "UTC",
) -> Export:
    """One export of an assignment (one of ``EXPORTS``), streamed: the tables are generators.
    Times a person reads in a CSV are in the school's ``zone``; the JSON-LD keeps UTC."""
    lesson = lesson_of(assignment)
    loaded = _Assignment(
        assignment, lesson, load_works(session, assignment), KeyIndex(lesson), zone
    )
    name = f"{_slug(assignment.classroom.name)}-{_slug(lesson.id)}"
    if kind == "annotations.jsonld":
        chunks = _web_annotations(loaded, base_url, secret)
        return Export(chunks, exports.JSONLD_MEDIA_TYPE, f"{name}-annotations.jsonld")
    build = _TABLES.get(kind)
    if build is None:
        raise ValueError(f"unknown export: {kind}")  # the view answers 404 first
    return Export(exports.csv_lines(build(loaded)), exports.CSV_MEDIA_TYPE, f"{name}-{kind}")
