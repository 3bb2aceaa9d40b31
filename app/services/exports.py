"""Exports of one assignment: grades (plain, Canvas, Moodle) and annotations (CSV, W3C JSON-LD).
The rows come from ``class_work``; the formats from ``domain.exports``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain import exports
from ..domain.scoring import KeyIndex, Scored, match_spans, score_work
from ..domain.work import (
    StudentWork,
    status_of,
)
from ..models import (
    Assignment,
)
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
    """The grade that counts, or None (a blank cell: "no score") for a student who has done
    nothing and has no grade from the teacher, so a gradebook doesn't record a zero."""
    if work.annotations or work.submitted_at or work.final_grade is not None:
        return scored.final
    return None


def export(
    session: Session, assignment: Assignment, kind: str, base_url: str, secret: str
) -> Export:
    """One export of an assignment, streamed (the tables are generators)."""
    lesson = lesson_of(assignment)
    works = load_works(session, assignment)
    index = KeyIndex(lesson)
    # grades need each student scored; annotation exports only need what each highlight matched
    scored = (
        [(w, score_work(lesson, w, index)) for w in works]
        if kind.endswith("csv") and kind != "annotations.csv"
        else []
    )
    title = lesson.title
    name = f"{_slug(assignment.classroom.name)}-{_slug(lesson.id)}"
    if kind == "grades.csv":
        rows = (
            exports.GradeRow(
                name=w.name,
                username=w.username,
                sis_user_id=w.sis_user_id,
                sis_login_id=w.sis_login_id,
                section=w.section,
                status=status_of(w, assignment.due_at),
                submitted_at=w.submitted_at,
                late=status_of(w, assignment.due_at) == "late",
                auto_score=s.auto_score,
                final_score=w.final_grade,
                possible=s.possible,
                category_scores={c: v.earned for c, v in s.by_category.items()},
            )
            for w, s in scored
        )
        table = exports.grades_table(title, rows, lesson.categories)
    elif kind == "canvas.csv":
        possible = score_work(lesson, StudentWork(0, "", ""), index).possible
        table = exports.canvas_table(
            [(title, assignment.id, possible)],
            [
                exports.CanvasStudent(
                    w.name,
                    "",
                    w.sis_user_id,
                    w.sis_login_id,
                    w.section,
                    {assignment.id: _gradebook_score(w, s)},
                )
                for w, s in scored
            ],
        )
    elif kind == "moodle.csv":
        table = exports.moodle_table(
            title,
            [
                exports.MoodleStudent(
                    w.username,
                    _gradebook_score(w, s),
                    feedback=" | ".join(r.comment for r in w.rubric.values() if r.comment),
                )
                for w, s in scored
            ],
        )
    elif kind == "annotations.csv":
        matches = {
            m.annotation_id: m.key_item_id
            for w in works
            for m in match_spans(lesson.key, w.annotations)
        }
        table = exports.annotations_table(exports.annotation_export_rows(lesson, works, matches))
    elif kind == "annotations.jsonld":
        rows = exports.annotation_export_rows(lesson, works)
        chunks = exports.annotation_collection_chunks(
            base_url,
            exports.AnnotatedAssignment(
                assignment.id, title, lesson.id, assignment.lesson_version.version
            ),
            rows,
            pseudonym=exports.pseudonymiser(secret, f"assignment:{assignment.id}"),
        )
        return Export(chunks, exports.JSONLD_MEDIA_TYPE, f"{name}-annotations.jsonld")
    else:
        raise ValueError(f"unknown export: {kind}")  # the view answers 404 first
    return Export(exports.csv_lines(table), exports.CSV_MEDIA_TYPE, f"{name}-{kind}")
