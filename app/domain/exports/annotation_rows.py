"""Annotations as export rows (one per annotation, with its quote's context) and as a CSV table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..anchoring import CONTEXT
from ..dates import school_time
from ..lessons import Lesson
from ..review_words import prompt_names
from ..work import StudentWork
from .tables import Table

# ----------------------------------------------------------------------------- annotations

# The structured fields prompts ask for (lessons.FIELD_SETS), in a fixed column order.
ANNOTATION_FIELD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("named", "Source named?"),
    ("affiliation", "Who they are"),
    ("independence", "Independent?"),
    ("checked_url", "Where I checked"),
    ("rewrite", "Neutral rewrite"),
    ("missing", "What is missing"),
    ("why", "Why it matters"),
)


@dataclass(frozen=True)
class AnnotationExportRow:
    """One annotation with everything an export shows. Offsets are code points, None = no target.

    ``key_item_id`` is the answer-key item it matched (or the teacher confirmed), with
    ``key_item`` its quote or statement; ``mark`` the teacher's full/partial/none for an
    omission answer; all ``""`` when there is none. ``prompt`` is the question it answers and
    ``prompt_name`` the prompt's name (``review_words.prompt_names``).
    """

    id: str  # the client-made UUID
    student_id: int
    student_name: str
    username: str
    category: str  # category id
    category_label: str
    start: int | None
    end: int | None
    created: datetime
    modified: datetime
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    prompt: str = ""  # the question it answers
    fields: Mapping[str, str] = field(default_factory=dict)
    key_item_id: str = ""
    mark: str = ""
    prompt_name: str = ""
    key_item: str = ""


def annotation_export_rows(
    lesson: Lesson, works: Iterable[StudentWork], matches: Mapping[str, str] | None = None
) -> list[AnnotationExportRow]:
    """Rows for every annotation of every student, in the order given.

    ``matches`` maps an annotation id to the key item it matched (from the scoring module);
    omission answers take the key item and level the teacher confirmed.
    """
    text = lesson.text
    labels = {c.id: c.label for c in lesson.categories}
    questions = {p.id: p.question for p in lesson.prompts}
    names = prompt_names(lesson)
    key_labels = {k.id: k.label for k in lesson.key}
    matches = matches or {}
    out: list[AnnotationExportRow] = []
    for work in works:
        for a in work.annotations:
            has_target = a.start is not None and a.end is not None
            mark = work.omission_marks.get(a.id)
            key_item_id = (mark.key_item_id or "") if mark else matches.get(a.id, "")
            out.append(
                AnnotationExportRow(
                    id=a.id,
                    student_id=work.student_id,
                    student_name=work.name,
                    username=work.username,
                    category=a.category,
                    category_label=labels.get(a.category, a.category),
                    start=a.start,
                    end=a.end,
                    created=a.created_at,
                    modified=a.updated_at,
                    exact=a.exact if has_target or a.orphaned else "",
                    prefix=text[max(0, a.start - CONTEXT) : a.start] if a.start is not None else "",
                    suffix=text[a.end : a.end + CONTEXT] if a.end is not None else "",
                    note=a.note,
                    prompt=questions.get(a.prompt_id or "", ""),
                    fields=a.fields,
                    key_item_id=key_item_id,
                    mark=mark.level if mark else "",
                    prompt_name=names.get(a.prompt_id or "", ""),
                    key_item=key_labels.get(key_item_id, ""),
                )
            )
    return out


def annotations_table(rows: Iterable[AnnotationExportRow], *, zone: str = "UTC") -> Table:
    """All annotations of an assignment, one row each (teacher-only: it names students).

    A prompt's question is written once, on the first row that answers it (every row names
    its prompt); the key item matched is given by id and in words; times are in the school's
    ``zone`` with its name.
    """
    headers = [
        "Student",
        "Username",
        "Prompt",
        "Question",
        "Category",
        "Quote",
        "Start",
        "End",
        "Note",
        *(header for _, header in ANNOTATION_FIELD_COLUMNS),
        "Match to key",
        "Key item",
        "Mark",
        "Created",
        "Modified",
    ]

    def build() -> Iterator[list[Any]]:
        asked: set[str] = set()
        for r in rows:
            f = r.fields
            question = "" if r.prompt in asked else r.prompt
            asked.add(r.prompt)
            yield [
                r.student_name,
                r.username,
                r.prompt_name,
                question,
                r.category_label,
                r.exact,
                r.start,
                r.end,
                r.note,
                *(f.get(name, "") for name, _ in ANNOTATION_FIELD_COLUMNS),
                r.key_item_id,
                r.key_item,
                r.mark,
                school_time(r.created, zone),
                school_time(r.modified, zone),
            ]

    return Table(headers, build())
