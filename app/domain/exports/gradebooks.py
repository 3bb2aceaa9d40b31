"""Gradebook exports: the generic grades CSV, Canvas's gradebook import, Moodle's grade import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..dates import school_time
from ..lessons import Category
from ..review_words import RUBRIC_LEVEL_WORDS
from ..work import RubricMark
from .tables import Table, score_cell, yes_no

# ----------------------------------------------------------------------------- grades


@dataclass(frozen=True)
class GradeRow:
    """One student's grade on one assignment, already computed by the scoring module."""

    name: str
    username: str
    sis_user_id: str
    sis_login_id: str
    section: str
    status: str  # one of domain.work.STATUSES
    submitted_at: datetime | None
    late: bool
    auto_score: float
    final_score: float | None  # the teacher's override; None = the auto score counts
    possible: float
    category_scores: Mapping[str, float] = field(default_factory=dict)  # by category id
    rubric: Mapping[str, RubricMark] = field(default_factory=dict)  # by prompt id
    not_submitted: bool = False  # missing: not submitted by the due date or by the release
    has_grade: bool = True  # False: never started and not graded, so "Final score" is blank


def rubric_level(mark: RubricMark | None) -> str:
    """A rubric level in the teacher's words ("Proficient"); blank when none was given."""
    return RUBRIC_LEVEL_WORDS.get(mark.level, mark.level) if mark else ""


def rubric_feedback(prompts: Mapping[str, str], rubric: Mapping[str, RubricMark]) -> str:
    """A student's rubric as one feedback text, prompt by prompt (``prompts``: id -> name, in
    the lesson's order): "Sources (Proficient): Well argued | Loaded wording (Basic)"."""
    parts = []
    for prompt_id, name in prompts.items():
        mark = rubric.get(prompt_id)
        if mark is None or not (mark.level or mark.comment.strip()):
            continue
        level = rubric_level(mark)
        said = f"{name} ({level})" if level else name
        parts.append(f"{said}: {mark.comment.strip()}" if mark.comment.strip() else said)
    return " | ".join(parts)


def grades_table(
    assignment_title: str,
    rows: Iterable[GradeRow],
    categories: Sequence[Category],
    *,
    prompts: Mapping[str, str] | None = None,
    zone: str = "UTC",
) -> Table:
    """The generic grades CSV: one row per student, one column per category's score, then a
    rubric level and a comment column per prompt (``prompts``: id -> name, in order).

    "Final score" is the grade that counts: the teacher's override when there is one, else the
    auto score (both are kept, so an override shows as a difference between the two); blank
    for a student who never started and has no grade from the teacher, as in the Canvas and
    Moodle files. "Not submitted" says "yes" for work that is missing (not submitted by the
    due date, or closed by a release of feedback). "Submitted" is written as a person reads
    it, in the school's ``zone`` with its name.
    """
    prompts = prompts or {}
    headers = [
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
        *(f"{c.label} score" for c in categories),
        "Auto score",
        "Final score",
        "Points possible",
        *(h for name in prompts.values() for h in (f"{name} rubric", f"{name} comment")),
    ]

    def build() -> Iterator[list[Any]]:
        for r in rows:
            final = r.final_score if r.final_score is not None else r.auto_score
            shown = final if r.has_grade else None
            yield [
                r.name,
                r.username,
                r.sis_user_id,
                r.sis_login_id,
                r.section,
                assignment_title,
                r.status,
                school_time(r.submitted_at, zone),
                yes_no(r.late),
                yes_no(r.not_submitted),
                *(score_cell(r.category_scores.get(c.id, 0.0)) for c in categories),
                score_cell(r.auto_score),
                score_cell(shown),
                score_cell(r.possible),
                *(
                    cell
                    for pid in prompts
                    for cell in (
                        rubric_level(r.rubric.get(pid)),
                        r.rubric[pid].comment if pid in r.rubric else "",
                    )
                ),
            ]

    return Table(headers, build())


# ----------------------------------------------------------------------------- Canvas

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # four spaces, as Canvas writes and reads it


@dataclass(frozen=True)
class CanvasStudent:
    """A roster entry as Canvas matches it: by Canvas ID, then SIS ids, then name."""

    name: str
    canvas_id: str | int  # "" when unknown
    sis_user_id: str
    sis_login_id: str
    section: str
    scores: Mapping[int, float | None]  # by assignment id; None or missing = no score


def unmatched_in_canvas(students: Iterable[CanvasStudent]) -> list[str]:
    """The names of students the Canvas file gives nothing to match on but their name (no
    Canvas ID, SIS user ID or SIS login ID), in the file's order: the teacher is warned."""
    return [s.name for s in students if not (str(s.canvas_id) or s.sis_user_id or s.sis_login_id)]


def canvas_table(
    assignments: Sequence[tuple[str, int, float]], students: Iterable[CanvasStudent]
) -> Table:
    """A file Canvas's gradebook importer accepts.

    ``assignments`` are ``(title, id, points possible)``; each becomes a ``Title (id)`` column.
    The row after the headers gives the points possible; a blank score means "no score".
    """
    headers = [*CANVAS_IDENTITY, *(f"{title} ({aid})" for title, aid, _ in assignments)]

    def build() -> Iterator[list[Any]]:
        yield [
            CANVAS_POINTS_POSSIBLE,
            "",
            "",
            "",
            "",
            *(score_cell(points) for _, _, points in assignments),
        ]
        for s in students:
            yield [
                s.name,
                s.canvas_id,
                s.sis_user_id,
                s.sis_login_id,
                s.section,
                *(score_cell(s.scores.get(aid)) for _, aid, _ in assignments),
            ]

    return Table(headers, build())


# ----------------------------------------------------------------------------- Moodle


@dataclass(frozen=True)
class MoodleStudent:
    username: str
    grade: float | None  # None = no grade
    email: str = ""
    feedback: str = ""


def moodle_table(
    item_name: str, students: Sequence[MoodleStudent], *, by: str | None = None
) -> Table:
    """Moodle's "Import grades from CSV": an identity column, the grade item, its feedback.

    The identity is the email address when every student has one (``by="email"``), else the
    username (``by="username"``); Moodle's import asks which user field the column maps to.
    A ``Feedback: <item>`` column is added when any student has feedback.
    """
    if by is None:
        by = "email" if students and all(s.email for s in students) else "username"
    if by not in ("email", "username"):
        raise ValueError(f"identify students by 'email' or 'username', not {by!r}")
    with_feedback = any(s.feedback for s in students)
    headers = ["Email address" if by == "email" else "Username", item_name]
    if with_feedback:
        headers.append(f"Feedback: {item_name}")

    def build() -> Iterator[list[Any]]:
        for s in students:
            row: list[Any] = [s.email if by == "email" else s.username, score_cell(s.grade)]
            if with_feedback:
                row.append(s.feedback)
            yield row

    return Table(headers, build())
