"""Parsing a lesson file's data, one section at a time. Never raises for a bad file: every
problem is collected as ``Problem(file, item, message)``, and the lesson is None if any."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..anchoring import find_quote, snap_to_words
from . import model

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # used with fullmatch
MAX_POINTS = 100
META = ("title", "outlet", "byline", "published", "url", "grade_band", "teacher_note")


class _Checker:
    """One file's problems, and what the checks of later sections need from earlier ones:
    the ids used so far and the categories the lesson knows."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[model.Problem] = []
        self.ids: dict[str, str] = {}  # id -> where it was first used
        self.known: set[str] = set()

    def add(self, item: str, message: str) -> None:
        self.problems.append(model.Problem(self.file, item, message))

    def unique(self, item_id: Any, where: str) -> str:
        if not isinstance(item_id, str) or not SLUG.fullmatch(item_id):
            self.add(where, "'id' must be a slug: lower-case letters, digits and hyphens")
            return repr(item_id)  # repr: a later "file: item: problem" line stays one line
        if item_id in self.ids:
            self.add(where, f"duplicate id {item_id!r} (also used by {self.ids[item_id]})")
        self.ids[item_id] = where
        return item_id

    def category_of(self, entry: dict[str, Any], where: str) -> str:
        cid = entry.get("category", "")
        known = self.known
        if not isinstance(cid, str) or cid not in known:
            self.add(where, f"unknown category {cid!r} (known: {', '.join(sorted(known))})")
        return cid if isinstance(cid, str) and cid in known else ""


def _str(raw: dict[str, Any], key: str, where: str, out: _Checker, *, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        out.add(where, f"'{key}' must be text")
        return ""
    if required and not value.strip():
        out.add(where, f"'{key}' is missing")
    return value


def _points(raw: dict[str, Any], where: str, out: _Checker) -> float:
    value = raw.get("points", 1)
    if isinstance(value, bool) or not isinstance(value, int | float):
        out.add(where, "'points' must be a number")
        return 0
    if value < 0:
        out.add(where, f"points must not be negative (got {value})")
    elif value > MAX_POINTS:
        out.add(where, f"points must be at most {MAX_POINTS} (got {value})")
    return float(value)


def locate_quote(
    text: str, quote: str, occurrence: Any, where: str, out: _Checker
) -> tuple[int, int]:
    """Where a key quote sits; the same rules a student's typed quote is anchored by."""
    if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)):
        out.add(where, "'occurrence' must be a whole number (1 is the first)")
        return 0, 0
    places = [p for p in find_quote(text, quote) if text[p[0] : p[1]] == quote]
    if not places:
        out.add(where, f"quote {quote!r} is not in the article")
        return 0, 0
    if occurrence is None and len(places) > 1:
        out.add(where, f"quote {quote!r} occurs {len(places)} times: say which with 'occurrence'")
        return places[0]
    n = 1 if occurrence is None else occurrence
    if not 1 <= n <= len(places):
        out.add(where, f"occurrence {n} asked for, but {quote!r} occurs {len(places)} time(s)")
        return places[0]
    start, end = places[n - 1]
    if snap_to_words(text, start, end) != (start, end):
        out.add(where, f"quote {quote!r} must start and end on whole words")
    return start, end


# Each [[list]] of tables: the problem when it is not a list (or, for the first two, is empty),
# and the problem with an entry that is not a table.
_LISTS = {
    "blocks": (
        "the article needs at least one [[blocks]] entry",
        "each block needs a kind and a text",
    ),
    "prompts": ("the lesson needs at least one [[prompts]] entry", "each prompt is a table"),
    "key": ("use [[key]] entries (two square brackets)", "each key item is a table"),
    "decoys": ("use [[decoys]] entries (two square brackets)", "each decoy is a table"),
}
_REQUIRED = ("blocks", "prompts")


def _tables(
    raw: dict[str, Any], section: str, out: _Checker
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of a ``[[section]]`` list as (``section[n]``, table)."""
    wrong, not_table = _LISTS[section]
    entries = raw.get(section, [])
    if not isinstance(entries, list) or (section in _REQUIRED and not entries):
        out.add(section, wrong)
        entries = []
    for i, entry in enumerate(entries, 1):
        where = f"{section}[{i}]"
        if not isinstance(entry, dict):
            out.add(where, not_table)
            continue
        yield where, entry


def _header(raw: dict[str, Any], out: _Checker) -> dict[str, Any]:
    """The lesson's id, its metadata texts and minutes."""
    lesson_id = raw.get("id", "")
    if not isinstance(lesson_id, str) or not SLUG.fullmatch(lesson_id):
        out.add("id", "lesson id must be a slug: lower-case letters, digits and hyphens")
    header: dict[str, Any] = {k: _str(raw, k, k, out, required=k == "title") for k in META}
    minutes = raw.get("minutes", 30)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        out.add("minutes", "'minutes' must be a positive whole number")
        minutes = 30
    return {"id": lesson_id, "minutes": minutes, **header}


def _blocks(raw: dict[str, Any], out: _Checker) -> list[model.Block]:
    blocks: list[model.Block] = []
    offset = 0
    for where, b in _tables(raw, "blocks", out):
        kind = _str(b, "kind", where, out, required=True)
        text = _str(b, "text", where, out, required=True)
        if kind and kind not in model.BLOCK_KINDS:
            out.add(
                where, f"unknown block kind {kind!r} (use one of {', '.join(model.BLOCK_KINDS)})"
            )
        if model.BLOCK_SEPARATOR in text or text.startswith("\n") or text.endswith("\n"):
            out.add(
                where,
                "a block's text must not contain a blank line or start or end "
                "with a line break: split it or trim it",
            )
        blocks.append(model.Block(kind=kind, text=text, start=offset))
        offset += len(text) + len(model.BLOCK_SEPARATOR)
    return blocks


def _categories(raw: dict[str, Any], out: _Checker) -> list[model.Category]:
    """The built-in categories, then the lesson's own (one with a built-in id replaces it)."""
    categories = [
        model.Category(cid, c["label"], c["color"]) for cid, c in model.BUILTIN_CATEGORIES.items()
    ]
    extra = raw.get("categories", {})
    if not isinstance(extra, dict):
        out.add("categories", "use [categories.<id>] tables")
        extra = {}
    for cid, c in extra.items():
        where = f"categories.{cid}"
        if not SLUG.fullmatch(cid) or not isinstance(c, dict):
            out.add(where, "a category id must be a slug with a label and a color")
            continue
        color = _str(c, "color", where, out, required=True)
        if color and not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            out.add(where, "color must look like #1a2b3c")
        label = _str(c, "label", where, out, required=True)
        categories = [x for x in categories if x.id != cid]
        categories.append(model.Category(cid, label, color))
    return categories


def _prompt(p: dict[str, Any], where: str, out: _Checker) -> model.Prompt:
    pid = out.unique(p.get("id"), where)
    where = f"prompt {pid}"
    cid = out.category_of(p, where)
    fields = model.FIELD_SETS.get(cid, [])
    required = p.get("required", [])
    names = {"note"} | {f["name"] for f in fields}
    if not isinstance(required, list) or any(
        not isinstance(r, str) or r not in names for r in required
    ):
        out.add(where, f"'required' may list only: {', '.join(sorted(names))}")
        required = []
    hints = p.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        out.add(where, "'hints' must be a list of texts")
        hints = []
    question = _str(p, "question", where, out, required=True)
    return model.Prompt(pid, cid, question, hints, list(required), fields)


def _key_item(k: dict[str, Any], where: str, text: str, out: _Checker) -> model.KeyItem:
    kid = out.unique(k.get("id"), where)
    where = f"key {kid}"
    cid = out.category_of(k, where)
    item = model.KeyItem(
        id=kid,
        category=cid,
        explanation=_str(k, "explanation", where, out, required=True),
        points=_points(k, where, out),
    )
    if cid == "omission":
        item.statement = _str(k, "statement", where, out, required=True)
        item.reference = _str(k, "reference", where, out, required=True)
        cues = k.get("cues", [])
        if not isinstance(cues, list) or not cues or not all(isinstance(c, str) for c in cues):
            out.add(where, "an omission needs 'cues': a list of words that suggest it")
            cues = []
        item.cues = cues
        if "quote" in k:
            out.add(where, "an omission points at nothing in the text: remove 'quote'")
    else:
        item.quote = _str(k, "quote", where, out, required=True)
        item.occurrence = k.get("occurrence")
        if item.quote:
            item.start, item.end = locate_quote(text, item.quote, item.occurrence, where, out)
    return item


def _decoy(d: dict[str, Any], where: str, text: str, out: _Checker) -> model.Decoy:
    did = out.unique(d.get("id"), where)
    where = f"decoy {did}"
    decoy = model.Decoy(
        did,
        out.category_of(d, where),
        _str(d, "quote", where, out, required=True),
        _str(d, "explanation", where, out, required=True),
        d.get("occurrence"),
    )
    if decoy.quote:
        decoy.start, decoy.end = locate_quote(text, decoy.quote, decoy.occurrence, where, out)
    return decoy


def _scoring(raw: dict[str, Any], out: _Checker) -> dict[str, float]:
    scoring: dict[str, float] = {}
    raw_scoring = raw.get("scoring", {})
    if not isinstance(raw_scoring, dict):
        out.add("scoring", "use a [scoring] table of category = weight")
        raw_scoring = {}
    for cid, weight in raw_scoring.items():
        if cid not in out.known:
            out.add(f"scoring.{cid}", f"unknown category {cid!r}")
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            out.add(f"scoring.{cid}", "a weight must be a number of zero or more")
        else:
            scoring[cid] = float(weight)
    return scoring


def parse_lesson(raw: dict[str, Any], file: str) -> tuple[model.Lesson | None, list[model.Problem]]:
    """Validate a lesson's data; return the lesson (None if unusable) and every problem."""
    out = _Checker(file)
    header = _header(raw, out)
    blocks = _blocks(raw, out)
    text = model.canonical_text(blocks)
    categories = _categories(raw, out)
    out.known = {c.id for c in categories}
    prompts = [_prompt(p, where, out) for where, p in _tables(raw, "prompts", out)]
    key = [_key_item(k, where, text, out) for where, k in _tables(raw, "key", out)]
    decoys = [_decoy(d, where, text, out) for where, d in _tables(raw, "decoys", out)]
    scoring = _scoring(raw, out)
    if out.problems:
        return None, out.problems
    lesson = model.Lesson(
        **header,
        blocks=blocks,
        categories=categories,
        prompts=prompts,
        key=key,
        decoys=decoys,
        scoring=scoring,
        source_file=file,
    )
    return lesson, []
