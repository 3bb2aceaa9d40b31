"""Validating a student's annotation against a lesson: the small schema behind the API and forms.

Every message is written for a 12-18 year-old and says what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .anchoring import AnchorError, Target, check_target
from .lessons import Lesson, Prompt
from .roster import has_direction_controls

NOTE_MAX = 2000
FIELD_MAX = 500


@dataclass
class AnnotationInput:
    category: str
    prompt_id: str | None
    target: Target | None
    note: str
    fields: dict[str, str] = field(default_factory=dict)
    reanchored: bool = False

    def same_content(self, other: AnnotationInput) -> bool:
        return (self.category, self.prompt_id, self.target, self.note, self.fields) == (
            other.category,
            other.prompt_id,
            other.target,
            other.note,
            other.fields,
        )


# What a save does, given what is stored under its id (see ``plan_put``)
CREATE, UPDATE, SAME, CONFLICT = "create", "update", "same", "conflict"


def plan_put(
    stored: AnnotationInput | None,
    version: int | None,
    deleted: bool,
    data: AnnotationInput,
    if_match: int | None,
) -> str:
    """What a PUT of ``data`` does to the annotation stored under its id (``stored`` None: no
    such annotation). Saves are idempotent: a retry of a write that already landed changes
    nothing (SAME), even with a stale ``If-Match``; otherwise ``If-Match`` must name the
    stored version (CONFLICT when it does not, or when it names a version of an annotation
    that does not exist). A deleted annotation saved again comes back (UPDATE)."""
    if stored is None:
        return CONFLICT if if_match is not None else CREATE
    unchanged = not deleted and stored.same_content(data)
    if unchanged:
        return SAME
    if if_match is not None and if_match != version:
        return CONFLICT
    return UPDATE


class Invalid(ValueError):
    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


UNSTORABLE = (
    "This contains a character we can't store (an invisible control character or "
    "half of an emoji). Delete it and try again."
)


DIRECTION_CHANGE = (
    "This contains an invisible character that changes the direction of the text after it "
    "(it can make the text show differently from what it says). Delete it and try again."
)


def storable(text: str) -> bool:
    """Text every database keeps exactly: no NUL, no unpaired surrogate halves."""
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


_FULL = re.compile(r"https?://[^\s/?#]+\.\S+", re.IGNORECASE)
_SITE = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)


def web_address(typed: str) -> str | None:
    """What a student typed in "Where I checked" as the address it is stored as, or None: a
    bare site ("reuters.com") gets https:// in front, as a browser's address bar would. The
    browser has the same rule (static/js/lesson/address.js): tests/data/web_address_cases.json."""
    value = typed.strip()
    if _FULL.fullmatch(value):
        return value
    if _SITE.fullmatch(value):
        return f"https://{value}"
    return None


def _prompt_and_category(
    payload: dict[str, Any], lesson: Lesson, errors: dict[str, str]
) -> tuple[Prompt | None, str | None, str]:
    """The prompt answered (its id, or None) and the category: either may be left out and is
    then taken from the other (a category's first prompt)."""
    category = payload.get("category")
    prompt_id = payload.get("prompt") or None
    prompt = None
    if prompt_id is not None:
        prompt = lesson.prompt(prompt_id) if isinstance(prompt_id, str) else None
        if prompt is None:
            errors["prompt"] = "That question isn't part of this lesson."
    if not isinstance(category, str) or lesson.category(category) is None:
        if prompt is not None and category is None:
            category = prompt.category
        else:
            errors["category"] = "Choose what kind of thing this is (for example Source)."
            category = ""
    if prompt is not None and category and prompt.category != category:
        errors["category"] = "That kind doesn't fit the question you picked."
    if prompt is None and category and not errors.get("prompt"):
        prompt = next((p for p in lesson.prompts if p.category == category), None)
        prompt_id = prompt.id if prompt else None
    return prompt, prompt_id, category


def _note(payload: dict[str, Any], errors: dict[str, str], note_max: int) -> str:
    note = payload.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = "The note must be text."
        note = ""
    elif not storable(note):
        errors["note"] = UNSTORABLE
    elif has_direction_controls(note):
        errors["note"] = DIRECTION_CHANGE
    elif len(note) > note_max:
        errors["note"] = (
            f"Your note is {len(note):,} characters long; the limit is {note_max:,}. "
            "Shorten it a little."
        )
    return note


def _field_problem(spec: dict[str, Any], value: Any, field_max: int) -> str | None:
    """What is wrong with a non-empty answer to the field ``spec`` describes, or None."""
    if not isinstance(value, str):
        return "This answer must be text."
    if not storable(value):
        return UNSTORABLE
    if has_direction_controls(value):
        return DIRECTION_CHANGE
    if len(value) > field_max:
        return f"Keep this under {field_max} characters (it is {len(value):,})."
    if spec["type"] == "choice" and value not in {c[0] for c in spec["choices"]}:
        return "Pick one of the choices offered."
    if spec["type"] == "url" and web_address(value) is None:
        return "Type a web address, like reuters.com or https://www.bbc.co.uk/news"
    return None


def _fields(
    payload: dict[str, Any], prompt: Prompt | None, errors: dict[str, str], field_max: int
) -> dict[str, str]:
    """The structured answers the prompt asks for; empty ones are left out."""
    fields: dict[str, str] = {}
    raw_fields = payload.get("fields") or {}
    allowed = {f["name"]: f for f in (prompt.fields if prompt else [])}
    if not isinstance(raw_fields, dict):
        errors["fields"] = "The extra answers must be a JSON object."
        raw_fields = {}
    for name, value in raw_fields.items():
        spec = allowed.get(name)
        if spec is None:
            errors[f"fields.{name}"] = "This question doesn't ask for that."
            continue
        if value is None or value == "":
            continue
        problem = _field_problem(spec, value, field_max)
        if problem is not None:
            errors[f"fields.{name}"] = problem
            continue
        fields[name] = web_address(value) or value if spec["type"] == "url" else value
    return fields


def _required(prompt: Prompt, note: str, fields: dict[str, str], errors: dict[str, str]) -> None:
    for name in prompt.required:
        if name == "note" and not note.strip():
            errors.setdefault("note", "This question needs a note: write a few words.")
        elif name != "note" and not fields.get(name, "").strip():
            label = next((f["label"] for f in prompt.fields if f["name"] == name), name)
            errors.setdefault(f"fields.{name}", f"Please fill in \u201c{label}\u201d.")


def _target(
    payload: dict[str, Any], lesson: Lesson, category: str, errors: dict[str, str]
) -> tuple[Target | None, bool]:
    """Where in the text (None for an omission without a place), and whether it was moved to
    whole words or to where the quote really is."""
    raw_target = payload.get("target")
    if raw_target is None:
        if category and category != "omission":
            errors["target"] = "Select some words in the article first."
        return None, False
    if not isinstance(raw_target, dict):
        errors["target"] = "The highlight must say where it starts and ends."
        return None, False
    start, end = _int(raw_target.get("start")), _int(raw_target.get("end"))
    exact = raw_target.get("exact", "")
    if start is None or end is None or not isinstance(exact, str):
        errors["target"] = "The highlight must say where it starts and ends."
        return None, False
    try:
        target = check_target(lesson.text, start, end, exact, allow_point=category == "omission")
    except AnchorError as e:
        errors["target"] = str(e)
        return None, False
    return target, (target.start, target.end) != (start, end)


def validate_annotation(
    payload: Any, lesson: Lesson, *, note_max: int = NOTE_MAX, field_max: int = FIELD_MAX
) -> AnnotationInput:
    """Check a JSON-shaped payload; return clean input or raise Invalid with per-field reasons."""
    if not isinstance(payload, dict):
        raise Invalid("Send the annotation as a JSON object.", {})
    errors: dict[str, str] = {}
    prompt, prompt_id, category = _prompt_and_category(payload, lesson, errors)
    note = _note(payload, errors, note_max)
    fields = _fields(payload, prompt, errors, field_max)
    if prompt is not None:
        _required(prompt, note, fields, errors)
    target, reanchored = _target(payload, lesson, category, errors)
    if errors:
        first = next(iter(errors.values()))
        raise Invalid(first, errors)
    return AnnotationInput(category, prompt_id, target, note, fields, reanchored)


QUOTE_FORM_FIELDS = (
    "named",
    "affiliation",
    "independence",
    "checked_url",
    "rewrite",
    "missing",
    "why",
)


def quote_form_payload(lesson: Lesson, form: dict[str, Any]) -> dict[str, Any]:
    """The no-JavaScript form's answers in the API's shape (the quote is anchored separately).

    Browsers send line breaks in form fields as CRLF; the page's own editor uses LF, so the
    same note is stored the same way whichever way it was written.
    """
    prompt = lesson.prompt(form.get("prompt") or "")
    names = {f["name"] for f in prompt.fields} if prompt else set()
    fields = {}
    for name in QUOTE_FORM_FIELDS:
        value = (form.get(name) or "").replace("\r\n", "\n").strip()
        if value and name in names:
            fields[name] = value
    return {
        "prompt": form.get("prompt"),
        "category": prompt.category if prompt else None,
        "note": (form.get("note") or "").replace("\r\n", "\n"),
        "fields": fields,
    }
