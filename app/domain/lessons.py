"""Lesson files: parsing, validation, canonical text and content versions.

A lesson is a TOML file in ``lessons/`` (see ``lessons/README.md`` for the format). Loading
never raises for a bad file: problems come back as ``Problem(file, item, message)`` so one
broken lesson cannot stop the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .anchoring import AnchorError, find_quote, snap_to_words

BLOCK_SEPARATOR = "\n\n"
BLOCK_KINDS = ("breadcrumb", "headline", "caption", "paragraph", "aside", "footer")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # used with fullmatch
MAX_POINTS = 100

# Categories every lesson has; a lesson may add its own under [categories.<id>].
BUILTIN_CATEGORIES: dict[str, dict[str, str]] = {
    "source": {"label": "Source", "color": "#2b6cb0"},
    "loaded": {"label": "Loaded wording", "color": "#c05621"},
    "omission": {"label": "Left out", "color": "#6b46c1"},
}

# The structured fields a prompt of each built-in category asks for beside the note.
FIELD_SETS: dict[str, list[dict[str, Any]]] = {
    "source": [
        {
            "name": "named",
            "label": "Is the source named?",
            "type": "choice",
            "choices": [["named", "Named"], ["unnamed", "Unnamed / vague"]],
        },
        {"name": "affiliation", "label": "Who are they? (job, organisation)", "type": "text"},
        {
            "name": "independence",
            "label": "Independent or interested party?",
            "type": "choice",
            "choices": [
                ["independent", "Independent"],
                ["interested", "Interested party"],
                ["unsure", "Not sure"],
            ],
        },
        {"name": "checked_url", "label": "Where I checked (a web address)", "type": "url"},
    ],
    "loaded": [
        {"name": "rewrite", "label": "A neutral way to say it", "type": "text"},
    ],
    "omission": [
        {"name": "missing", "label": "What is missing", "type": "text"},
        {"name": "why", "label": "Why it matters", "type": "text"},
    ],
}


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


@dataclass
class Block:
    kind: str
    text: str
    start: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Category:
    id: str
    label: str
    color: str


@dataclass
class Prompt:
    id: str
    category: str
    question: str
    hints: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)  # "note" and/or field names
    fields: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class KeyItem:
    id: str
    category: str
    explanation: str
    points: float
    quote: str = ""
    occurrence: int | None = None
    start: int = 0
    end: int = 0
    statement: str = ""
    reference: str = ""
    cues: list[str] = field(default_factory=list)

    @property
    def is_omission(self) -> bool:
        return not self.quote


@dataclass
class Decoy:
    id: str
    category: str
    quote: str
    explanation: str
    occurrence: int | None = None
    start: int = 0
    end: int = 0


@dataclass
class Lesson:
    id: str
    title: str
    outlet: str
    byline: str
    published: str
    url: str
    grade_band: str
    minutes: int
    teacher_note: str
    blocks: list[Block]
    categories: list[Category]
    prompts: list[Prompt]
    key: list[KeyItem]
    decoys: list[Decoy]
    scoring: dict[str, float]
    source_file: str = ""

    @property
    def text(self) -> str:
        return canonical_text(self.blocks)

    @property
    def version(self) -> str:
        """Hash of the lesson's canonical content: text, prompts, key and scoring."""
        data = self.to_dict()
        data.pop("source_file", None)
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def category(self, cid: str) -> Category | None:
        return next((c for c in self.categories if c.id == cid), None)

    def prompt(self, pid: str) -> Prompt | None:
        return next((p for p in self.prompts if p.id == pid), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson:
        """Rebuild a lesson from :meth:`to_dict` output (the snapshot stored per version)."""
        d = dict(data)
        d["blocks"] = [Block(**b) for b in d["blocks"]]
        d["categories"] = [Category(**c) for c in d["categories"]]
        d["prompts"] = [Prompt(**p) for p in d["prompts"]]
        d["key"] = [KeyItem(**k) for k in d["key"]]
        d["decoys"] = [Decoy(**k) for k in d["decoys"]]
        return cls(**d)


def canonical_text(blocks: list[Block]) -> str:
    return BLOCK_SEPARATOR.join(b.text for b in blocks)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, item: str, message: str) -> None:
        self.problems.append(Problem(self.file, item, message))


def _str(raw: dict[str, Any], key: str, where: str, out: _Collector, *, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        out.add(where, f"'{key}' must be text")
        return ""
    if required and not value.strip():
        out.add(where, f"'{key}' is missing")
    return value


def _points(raw: dict[str, Any], where: str, out: _Collector) -> float:
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
    text: str, quote: str, occurrence: Any, where: str, out: _Collector
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


def parse_lesson(raw: dict[str, Any], file: str) -> tuple[Lesson | None, list[Problem]]:
    """Validate a lesson's data; return the lesson (None if unusable) and every problem."""
    out = _Collector(file)
    lesson_id = raw.get("id", "")
    if not isinstance(lesson_id, str) or not SLUG.fullmatch(lesson_id):
        out.add("id", "lesson id must be a slug: lower-case letters, digits and hyphens")
    meta = {
        k: _str(raw, k, k, out, required=k == "title")
        for k in ("title", "outlet", "byline", "published", "url", "grade_band", "teacher_note")
    }
    minutes = raw.get("minutes", 30)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        out.add("minutes", "'minutes' must be a positive whole number")
        minutes = 30

    blocks: list[Block] = []
    raw_blocks = raw.get("blocks")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        out.add("blocks", "the article needs at least one [[blocks]] entry")
        raw_blocks = []
    offset = 0
    for i, b in enumerate(raw_blocks, 1):
        where = f"blocks[{i}]"
        if not isinstance(b, dict):
            out.add(where, "each block needs a kind and a text")
            continue
        kind = _str(b, "kind", where, out, required=True)
        text = _str(b, "text", where, out, required=True)
        if kind and kind not in BLOCK_KINDS:
            out.add(where, f"unknown block kind {kind!r} (use one of {', '.join(BLOCK_KINDS)})")
        if BLOCK_SEPARATOR in text or text.startswith("\n") or text.endswith("\n"):
            out.add(
                where,
                "a block's text must not contain a blank line or start or end "
                "with a line break: split it or trim it",
            )
        blocks.append(Block(kind=kind, text=text, start=offset))
        offset += len(text) + len(BLOCK_SEPARATOR)
    text = canonical_text(blocks)

    categories = [Category(cid, c["label"], c["color"]) for cid, c in BUILTIN_CATEGORIES.items()]
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
        categories.append(Category(cid, label, color))
    known = {c.id for c in categories}

    seen_ids: dict[str, str] = {}

    def unique(item_id: Any, where: str) -> str:
        if not isinstance(item_id, str) or not SLUG.fullmatch(item_id):
            out.add(where, "'id' must be a slug: lower-case letters, digits and hyphens")
            return repr(item_id)  # repr: a later "file: item: problem" line stays one line
        if item_id in seen_ids:
            out.add(where, f"duplicate id {item_id!r} (also used by {seen_ids[item_id]})")
        seen_ids[item_id] = where
        return item_id

    def category_of(entry: dict[str, Any], where: str) -> str:
        cid = entry.get("category", "")
        if not isinstance(cid, str) or cid not in known:
            out.add(where, f"unknown category {cid!r} (known: {', '.join(sorted(known))})")
        return cid if isinstance(cid, str) and cid in known else ""

    prompts: list[Prompt] = []
    raw_prompts = raw.get("prompts", [])
    if not isinstance(raw_prompts, list) or not raw_prompts:
        out.add("prompts", "the lesson needs at least one [[prompts]] entry")
        raw_prompts = []
    for i, p in enumerate(raw_prompts, 1):
        where = f"prompts[{i}]"
        if not isinstance(p, dict):
            out.add(where, "each prompt is a table")
            continue
        pid = unique(p.get("id"), where)
        where = f"prompt {pid}"
        cid = category_of(p, where)
        fields = FIELD_SETS.get(cid, [])
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
        prompts.append(
            Prompt(
                pid,
                cid,
                _str(p, "question", where, out, required=True),
                hints,
                list(required),
                fields,
            )
        )

    key: list[KeyItem] = []
    raw_key = raw.get("key", [])
    if not isinstance(raw_key, list):
        out.add("key", "use [[key]] entries (two square brackets)")
        raw_key = []
    for i, k in enumerate(raw_key, 1):
        where = f"key[{i}]"
        if not isinstance(k, dict):
            out.add(where, "each key item is a table")
            continue
        kid = unique(k.get("id"), where)
        where = f"key {kid}"
        cid = category_of(k, where)
        item = KeyItem(
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
        key.append(item)

    decoys: list[Decoy] = []
    raw_decoys = raw.get("decoys", [])
    if not isinstance(raw_decoys, list):
        out.add("decoys", "use [[decoys]] entries (two square brackets)")
        raw_decoys = []
    for i, d in enumerate(raw_decoys, 1):
        where = f"decoys[{i}]"
        if not isinstance(d, dict):
            out.add(where, "each decoy is a table")
            continue
        did = unique(d.get("id"), where)
        where = f"decoy {did}"
        decoy = Decoy(
            did,
            category_of(d, where),
            _str(d, "quote", where, out, required=True),
            _str(d, "explanation", where, out, required=True),
            d.get("occurrence"),
        )
        if decoy.quote:
            decoy.start, decoy.end = locate_quote(text, decoy.quote, decoy.occurrence, where, out)
        decoys.append(decoy)

    scoring: dict[str, float] = {}
    raw_scoring = raw.get("scoring", {})
    if not isinstance(raw_scoring, dict):
        out.add("scoring", "use a [scoring] table of category = weight")
        raw_scoring = {}
    for cid, weight in raw_scoring.items():
        if cid not in known:
            out.add(f"scoring.{cid}", f"unknown category {cid!r}")
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            out.add(f"scoring.{cid}", "a weight must be a number of zero or more")
        else:
            scoring[cid] = float(weight)

    if out.problems:
        return None, out.problems
    lesson = Lesson(
        id=lesson_id,
        minutes=minutes,
        blocks=blocks,
        categories=categories,
        prompts=prompts,
        key=key,
        decoys=decoys,
        scoring=scoring,
        source_file=file,
        **meta,
    )
    return lesson, []


def load_lesson_file(path: Path) -> tuple[Lesson | None, list[Problem]]:
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(name, "file", "not UTF-8 text")]
    except tomllib.TOMLDecodeError as e:
        return None, [Problem(name, "syntax", str(e))]
    except OSError as e:
        return None, [Problem(name, "file", f"cannot be read ({e.strerror})")]
    return parse_lesson(raw, name)


@dataclass
class LessonSet:
    lessons: dict[str, Lesson]
    problems: list[Problem]


def load_lessons(paths: list[Path]) -> LessonSet:
    """Load many lesson files; a broken one is reported and skipped, never fatal."""
    lessons: dict[str, Lesson] = {}
    problems: list[Problem] = []
    for path in paths:
        lesson, found = load_lesson_file(path)
        problems.extend(found)
        if lesson is None:
            continue
        if lesson.id in lessons:
            problems.append(
                Problem(
                    path.name,
                    "id",
                    f"lesson id {lesson.id!r} is already used by {lessons[lesson.id].source_file}",
                )
            )
            continue
        lessons[lesson.id] = lesson
    return LessonSet(lessons, problems)


def lesson_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml"))


__all__ = [
    "AnchorError",
    "Block",
    "Category",
    "Decoy",
    "KeyItem",
    "Lesson",
    "LessonSet",
    "Problem",
    "Prompt",
    "load_lesson_file",
    "load_lessons",
    "parse_lesson",
]
