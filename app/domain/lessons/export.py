"""Writing a lesson back out as a lesson file: the exchange format between servers.

``lesson_to_toml(lesson)`` gives the TOML that ``parse_lesson`` reads (``lessons/README.md``),
in the README's order and with only what the author would write: no offsets (they come from the
quotes), no built-in categories, no [scoring] table for a lesson without one. Reading it back
gives the same lesson, the same ``version`` included. Every string goes through a real TOML
writer (tomli-w), so quotes, backslashes, triple quotes, control characters and line breaks in
untrusted text survive; texts with line breaks are written as multi-line strings unless that
would change one (tomli-w writes a CR LF in one as LF).
"""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w

from . import model
from .parse import parse_lesson

_HEADER = """\
# A Read Closely lesson file (format: lessons/README.md), {version}.
# Check it with: flask --app app lessons check FILE
"""


def lesson_to_toml(lesson: model.Lesson) -> str:
    """The lesson as a lesson file; ``parse_lesson(tomllib.loads(...))`` gives it back with
    the same version. Meant for lessons ``parse_lesson`` produced."""
    return _written(lesson_data(lesson), f"version {lesson.version}")


def data_to_toml(data: dict[str, Any]) -> str:
    """A lesson's data (a draft's, problems and all) as a lesson file that reads back as the
    same data; a value that is null is left out (TOML has no null: it means "not given")."""
    plain = _without_nulls(data)
    lesson, _ = parse_lesson(plain, "export")
    said = f"version {lesson.version}" if lesson else "a draft: the check lists what to fix"
    return _written(plain, said)


def _written(data: dict[str, Any], version: str) -> str:
    body = tomli_w.dumps(data, multiline_strings=True)
    if tomllib.loads(body) != data:  # tomli-w writes a "\r\n" in a multi-line string as "\n"
        body = tomli_w.dumps(data)  # every string on one line, each character escaped as needed
    return _HEADER.format(version=version) + "\n" + body


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def lesson_data(lesson: model.Lesson) -> dict[str, Any]:
    """The lesson as the plain data of its file (what ``tomllib`` would read from it)."""
    data: dict[str, Any] = {
        "id": lesson.id,
        "title": lesson.title,
        "outlet": lesson.outlet,
        "byline": lesson.byline,
        "published": lesson.published,
        "url": lesson.url,
        "grade_band": lesson.grade_band,
        "minutes": lesson.minutes,
        "teacher_note": lesson.teacher_note,
        "blocks": [{"kind": b.kind, "text": b.text} for b in lesson.blocks],
    }
    categories = _own_categories(lesson.categories)
    if categories:
        data["categories"] = {c.id: {"label": c.label, "color": c.color} for c in categories}
    data["prompts"] = [_prompt(p) for p in lesson.prompts]
    if lesson.key:
        data["key"] = [_key_item(k) for k in lesson.key]
    if lesson.decoys:
        data["decoys"] = [_decoy(d) for d in lesson.decoys]
    if lesson.scoring:
        data["scoring"] = {cid: _number(w) for cid, w in lesson.scoring.items()}
    return data


def _builtins() -> list[model.Category]:
    return [
        model.Category(cid, c["label"], c["color"]) for cid, c in model.BUILTIN_CATEGORIES.items()
    ]


def _as_parsed(own: list[model.Category]) -> list[model.Category]:
    """The categories ``parse_lesson`` makes of these ``[categories.x]`` tables: the built-in
    ones not replaced, then the file's own in order."""
    ids = {c.id for c in own}
    return [c for c in _builtins() if c.id not in ids] + own


def _own_categories(categories: list[model.Category]) -> list[model.Category]:
    """The fewest ``[categories.x]`` tables that give these categories back, in their order:
    none for the built-in ones alone (all of them when no choice does)."""
    for start in range(len(categories), -1, -1):
        own = categories[start:]
        if _as_parsed(own) == categories:
            return own
    return categories


def _prompt(p: model.Prompt) -> dict[str, Any]:
    table: dict[str, Any] = {"id": p.id, "category": p.category, "question": p.question}
    if p.hints:
        table["hints"] = list(p.hints)
    if p.required:
        table["required"] = list(p.required)
    return table


def _key_item(k: model.KeyItem) -> dict[str, Any]:
    table: dict[str, Any] = {"id": k.id, "category": k.category}
    if k.is_omission:
        table["statement"] = k.statement
        table["explanation"] = k.explanation
        table["reference"] = k.reference
        table["cues"] = list(k.cues)
    else:
        table["quote"] = k.quote
        _occurrence(table, k.occurrence)
        if k.also:
            table["also"] = [_alternative(a) for a in k.also]
        table["explanation"] = k.explanation
    table["points"] = _number(k.points)
    return table


def _alternative(a: model.Alternative) -> str | dict[str, Any]:
    """A plain quote, or a table when it says which occurrence."""
    if a.occurrence is None:
        return a.quote
    return {"quote": a.quote, "occurrence": a.occurrence}


def _decoy(d: model.Decoy) -> dict[str, Any]:
    table: dict[str, Any] = {"id": d.id, "category": d.category, "quote": d.quote}
    _occurrence(table, d.occurrence)
    table["explanation"] = d.explanation
    return table


def _occurrence(table: dict[str, Any], occurrence: int | str | None) -> None:
    """As the author wrote it: only when the quote needs it (or "any"). A redundant
    ``occurrence = 1`` is kept, since dropping it would change the lesson's version."""
    if occurrence is not None:
        table["occurrence"] = occurrence


def _number(value: float) -> int | float:
    """A whole number without ``.0`` (``parse_lesson`` reads both as the same float)."""
    return int(value) if float(value).is_integer() else value
