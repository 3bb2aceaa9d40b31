"""What a teacher reads on the review page in place of stored keys: a student's structured
fields by their labels ("Is the source named?: Named") and each logged grade change in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .dates import school_time
from .lessons import FIELD_SETS, Lesson

OMISSION_LEVEL_WORDS = {"full": "full credit", "partial": "partial credit", "none": "no credit"}
RUBRIC_LEVEL_WORDS = {"proficient": "Proficient", "emergent": "Emergent", "basic": "Basic"}


def field_words(category: str, name: str, value: str) -> tuple[str, str]:
    """(label, value) for one structured field, as the student saw them: the field's label and,
    for a choice, the chosen option's label. A name or value the lesson format doesn't know
    (an older version's) is shown as stored."""
    for spec in FIELD_SETS.get(category, []):
        if spec["name"] == name:
            choices = dict((k, label) for k, label in spec.get("choices", []))
            return spec["label"], choices.get(value, value)
    return name, value


def fields_in_words(category: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    """Every filled-in field of an annotation as (label, value), in the order the panel asks
    for them (unknown ones last, as stored)."""
    order = {spec["name"]: i for i, spec in enumerate(FIELD_SETS.get(category, []))}
    names = sorted(
        (n for n, v in fields.items() if str(v).strip()),
        key=lambda n: (order.get(n, len(order)), n),
    )
    return [field_words(category, n, str(fields[n])) for n in names]


@dataclass(frozen=True)
class ChangeWords:
    """One line of the grade history: what was changed, from what, to what."""

    what: str
    before: str
    after: str


_MARK = re.compile(r"^(?P<level>\w+) \((?P<item>.*)\)$")


def _omission_mark(value: str, lesson: Lesson) -> str:
    """'partial (om-venue)' -> 'partial credit for "Where Milley spoke"'."""
    m = _MARK.match(value)
    if not m:
        return value
    level = OMISSION_LEVEL_WORDS.get(m["level"], m["level"])
    item = m["item"]
    if item == "no item":
        return f"{level}, matching none of the key's omissions"
    statements = {k.id: k.statement for k in lesson.key}
    return f"{level} for “{statements.get(item, item)}”"


def _rubric_level(value: str) -> str:
    """'proficient: Well argued' -> 'Proficient, with the comment “Well argued”'."""
    level, _, comment = value.partition(": ")
    words = RUBRIC_LEVEL_WORDS.get(level, level) or "No level"
    return f"{words}, with the comment “{comment}”" if comment.strip() else words


def prompt_names(lesson: Lesson) -> dict[str, str]:
    """Each prompt's name as the review page's rubric shows it: its category's label ("Loaded
    wording"), with the question's first sentence added when two prompts share a category."""
    labels = {c.id: c.label for c in lesson.categories}
    shared = [p.category for p in lesson.prompts]
    return {
        p.id: labels.get(p.category, p.category)
        + (f" ({p.short})" if shared.count(p.category) > 1 else "")
        for p in lesson.prompts
    }


_SUBMITTED = re.compile(r"^submitted (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")


def _submitted(value: str, zone: str) -> str:
    """'submitted 2026-11-02 09:15' (logged in UTC) -> 'submitted at 2 Nov 2026, 09:15 GMT'."""
    m = _SUBMITTED.match(value)
    if not m:
        return value
    return f"submitted at {school_time(datetime.strptime(m[1], '%Y-%m-%d %H:%M'), zone)}"


def describe_change(what: str, old: str, new: str, lesson: Lesson, *, zone: str) -> ChangeWords:
    """A logged change (``services.grading._log``'s what/old/new) in a teacher's words, times
    in the school's ``zone``. An empty side means there was no mark before, or the mark was
    taken away."""
    if what == "omission answer":
        return ChangeWords(
            "Mark for an omission answer",
            _omission_mark(old, lesson) if old else "not marked",
            _omission_mark(new, lesson) if new else "not marked",
        )
    if what.startswith("rubric "):
        prompt_id = what.removeprefix("rubric ")
        name = prompt_names(lesson).get(prompt_id, prompt_id)
        return ChangeWords(
            f"Rubric level for {name}",
            _rubric_level(old) if old else "not set",
            _rubric_level(new) if new else "not set",
        )
    if what == "final grade":
        return ChangeWords(
            "Final grade",
            old or "the auto score",
            new or "the auto score (the final grade was removed)",
        )
    if what == "submission":
        return ChangeWords(
            "Submission",
            _submitted(old, zone) if old else "not submitted",
            "reopened: the student can change their work and submit again"
            if new == "reopened"
            else new,
        )
    return ChangeWords(what, old or "—", new or "—")
