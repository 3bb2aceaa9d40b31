"""What a lesson is: its article in blocks, categories, prompts, answer key and decoys, as plain
data, with its canonical text and content version."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BLOCK_SEPARATOR = "\n\n"
BLOCK_KINDS = ("breadcrumb", "headline", "caption", "paragraph", "aside", "footer")

# The HTML each kind of block is shown in, so that a screen reader can move by heading and
# paragraph: (the element around it or "", the element that holds exactly the block's text).
# The same table is in static/js/lesson/article.js (BLOCK_ELEMENTS); a test keeps them equal.
BLOCK_ELEMENTS: dict[str, tuple[str, str]] = {
    "breadcrumb": ("", "p"),
    "headline": ("", "h3"),
    "caption": ("figure", "figcaption"),
    "paragraph": ("", "p"),
    "aside": ("aside", "p"),
    "footer": ("footer", "p"),
}


def block_elements(kind: str) -> tuple[str, str]:
    """The elements a block of ``kind`` is shown in (a paragraph's for a kind not in the table)."""
    return BLOCK_ELEMENTS.get(kind, ("", "p"))


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


ANY = "any"  # an occurrence that means "wherever the quote occurs"


@dataclass(frozen=True)
class Problem:
    """Something wrong in a lesson file. An error stops the lesson from loading; a warning
    (something that is probably a mistake, such as a misspelt field) does not."""

    file: str
    item: str
    message: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        label = "" if self.is_error else f"{self.severity}: "
        return f"{self.file}: {self.item}: {label}{self.message}"


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

    @property
    def short(self) -> str:
        """The question's first sentence, cut at a word (with "…") when it is long: a label for
        a list of prompts."""
        return short_text(re.split(r"(?<=[?.!])\s", self.question.strip(), maxsplit=1)[0])


SHORT = 70  # characters of a prompt's label


def short_text(text: str, limit: int = SHORT) -> str:
    """``text`` as it is when it fits ``limit``, else cut after its last whole word that fits,
    with "…" (never in the middle of a word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


@dataclass
class Alternative:
    """Other words that earn a key item as fully as its quote, as the author wrote them."""

    quote: str
    occurrence: int | str | None = None  # as a key item's: a number, ANY, or None (only one)


@dataclass
class KeyItem:
    id: str
    category: str
    explanation: str
    points: float
    quote: str = ""
    occurrence: int | str | None = None  # 1 = the first; ANY: every occurrence earns the item
    start: int = 0  # the main span: the quote (its first occurrence for ANY)
    end: int = 0
    statement: str = ""
    reference: str = ""
    cues: list[str] = field(default_factory=list)
    also: list[Alternative] = field(default_factory=list)
    extra_spans: list[tuple[int, int]] = field(default_factory=list)  # accepted besides the main

    @property
    def is_omission(self) -> bool:
        return not self.quote

    @property
    def label(self) -> str:
        """What a teacher knows the item by: its quote, or an omission's statement."""
        return self.statement if self.is_omission else self.quote

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Every range that earns this item: the main span first (none for an omission)."""
        if self.is_omission:
            return []
        return [(self.start, self.end), *self.extra_spans]


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
        """Plain data (the snapshot stored per version). A key item's alternative spans are
        left out when it has none, so a lesson that uses none hashes as it did before them."""
        data = asdict(self)
        for item in data["key"]:
            for name in _OPTIONAL_KEY_FIELDS:
                if not item[name]:
                    del item[name]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson:
        """Rebuild a lesson from :meth:`to_dict` output, old snapshots included."""
        d = dict(data)
        d["blocks"] = [Block(**b) for b in d["blocks"]]
        d["categories"] = [Category(**c) for c in d["categories"]]
        d["prompts"] = [Prompt(**p) for p in d["prompts"]]
        d["key"] = [_key_item(k) for k in d["key"]]
        d["decoys"] = [Decoy(**k) for k in d["decoys"]]
        return cls(**d)


_OPTIONAL_KEY_FIELDS = ("also", "extra_spans")  # added later: absent from older snapshots


def _key_item(data: dict[str, Any]) -> KeyItem:
    k = dict(data)
    k["also"] = [Alternative(**a) for a in k.get("also", [])]
    k["extra_spans"] = [(s, e) for s, e in k.get("extra_spans", [])]
    return KeyItem(**k)


def canonical_text(blocks: list[Block]) -> str:
    return BLOCK_SEPARATOR.join(b.text for b in blocks)
