"""Parsing a lesson file's data, one section at a time. Never raises for a bad file: every
problem is collected as ``Problem(file, item, message, severity)``; the lesson is None if any
is an error. Pure and quick, so an editor can run it on every change."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..dates import published_date
from . import checks, model
from .colours import colour_problems
from .quotes import Article, Span, locate
from .report import SLUG, Report

MAX_POINTS = 100
MAX_TITLE_CHARS = 200  # as LessonVersion.title holds
MAX_MINUTES = 600
MAX_ALTERNATIVES = 10  # other words one key item accepts
UNKNOWN_COLOR = "#5a6270"  # for a category whose colour is not one
# Size limits: authored text is untrusted, and a lesson is read on every page that shows it.
MAX_ARTICLE_CHARS = 100_000  # the canonical text, in code points (as offsets count)
MAX_KEY_ITEMS = 200  # [[key]] entries; the [[decoys]] may number as many again
MAX_DECOYS = MAX_KEY_ITEMS
META = ("title", "outlet", "byline", "url", "grade_band", "teacher_note")


def _str(raw: dict[str, Any], key: str, where: str, out: Report, *, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        out.add(where, f"'{key}' must be text")
        return ""
    if required and not value.strip():
        out.add(where, f"'{key}' is missing")
    return value


def _points(raw: dict[str, Any], where: str, out: Report) -> float:
    value = raw.get("points", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        out.add(where, "'points' must be a number")
        return 0
    if value < 0:
        out.add(where, f"points must not be negative (got {value})")
    elif value > MAX_POINTS:
        out.add(where, f"points must be at most {MAX_POINTS} (got {value})")
    return float(value)


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


def _tables(raw: dict[str, Any], section: str, out: Report) -> Iterator[tuple[str, dict[str, Any]]]:
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


def _header(raw: dict[str, Any], out: Report) -> dict[str, Any]:
    """The lesson's id, its metadata texts and minutes."""
    lesson_id = raw.get("id", "")
    if not isinstance(lesson_id, str) or not SLUG.fullmatch(lesson_id):
        out.add("id", "lesson id must be a slug: lower-case letters, digits and hyphens")
    header: dict[str, Any] = {k: _str(raw, k, k, out, required=k == "title") for k in META}
    if len(header["title"]) > MAX_TITLE_CHARS:
        out.add("title", f"a title may have at most {MAX_TITLE_CHARS} characters")
        header["title"] = header["title"][:MAX_TITLE_CHARS]
    minutes = raw.get("minutes", 30)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        out.add("minutes", f"'minutes' must be a whole number from 1 to {MAX_MINUTES}")
        minutes = 30
    out.unknown_fields(raw, checks.LESSON_FIELDS, "lesson")
    return {"id": lesson_id, "minutes": minutes, "published": _published(raw, out), **header}


def _published(raw: dict[str, Any], out: Report) -> str:
    """The publication date as text: year-month-day (a TOML date is taken as one)."""
    value = raw.get("published", "")
    if isinstance(value, date):  # published = 2022-11-15, without quotes
        value = value.isoformat()
    if not isinstance(value, str):
        out.add("published", "'published' must be text")
        return ""
    if value.strip() and published_date(value).day is None:
        out.warn(
            "published",
            f"{value!r} is not a date: write it as year-month-day, like 2022-11-15 (or "
            "about 2022-11-15 when the date is inferred, not printed)",
        )
    return value


def _blocks(raw: dict[str, Any], out: Report) -> list[model.Block]:
    blocks: list[model.Block] = []
    offset = 0
    for where, b in _tables(raw, "blocks", out):
        out.unknown_fields(b, checks.BLOCK_FIELDS, where)
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


def _categories(raw: dict[str, Any], out: Report) -> list[model.Category]:
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
        out.unknown_fields(c, checks.CATEGORY_FIELDS, where)
        color = _str(c, "color", where, out, required=True)
        if color and not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            out.add(where, "color must look like #1a2b3c")
            color = UNKNOWN_COLOR  # never shown as written: it goes into a style attribute
        elif color:
            for severity, message in colour_problems(color):
                (out.add if severity == "error" else out.warn)(where, message)
        label = _str(c, "label", where, out, required=True)
        categories = [x for x in categories if x.id != cid]
        categories.append(model.Category(cid, label, color))
    return categories


def _prompt(p: dict[str, Any], where: str, out: Report) -> model.Prompt:
    pid = out.unique(p.get("id"), where)
    where = f"prompt {pid}"
    out.unknown_fields(p, checks.PROMPT_FIELDS, where)
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


def _key_item(k: dict[str, Any], where: str, article: Article, out: Report) -> model.KeyItem:
    kid = out.unique(k.get("id"), where)
    where = f"key {kid}"
    cid = out.category_of(k, where)
    item = model.KeyItem(
        id=kid,
        category=cid,
        explanation=_str(k, "explanation", where, out, required=True),
        points=_points(k, where, out),
    )
    checks.fields_of_kind(k, where, out, omission=cid == "omission")
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
        _key_spans(item, k, where, article, out)
    return item


def _key_spans(
    item: model.KeyItem, k: dict[str, Any], where: str, article: Article, out: Report
) -> None:
    """The item's quote and the alternatives it accepts, each located in the article."""
    item.quote = _str(k, "quote", where, out, required=True)
    item.occurrence = k.get("occurrence")
    item.also = _alternatives(k.get("also", []), where, out)
    spans: list[Span] = []
    if item.quote.strip():
        spans = locate(article, item.quote, item.occurrence, where, out, allow_any=True)
    for alt in item.also:
        spans += locate(
            article, alt.quote, alt.occurrence, where, out, noun="alternative", allow_any=True
        )
    spans = list(dict.fromkeys(spans))  # the same words accepted twice count once
    if spans:
        (item.start, item.end), *item.extra_spans = spans


def _alternatives(raw: Any, where: str, out: Report) -> list[model.Alternative]:
    """``also``: other words that earn the item, each a quote or {quote, occurrence}."""
    shape = "'also' must be a list of quotes, or of {quote = \"...\", occurrence = ...} tables"
    if not isinstance(raw, list):
        out.add(where, shape)
        return []
    alternatives = []
    for entry in raw:
        table = entry if isinstance(entry, dict) else {"quote": entry}
        quote = table.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            out.add(where, shape)
            continue
        out.unknown_fields(table, checks.ALTERNATIVE_FIELDS, where)
        alternatives.append(model.Alternative(quote, table.get("occurrence")))
    if len(alternatives) > MAX_ALTERNATIVES:
        out.add(
            where,
            f"{len(alternatives)} other ways to earn this item; a key item may have at most "
            f"{MAX_ALTERNATIVES}: keep the ones students are likely to choose",
        )
        return []
    return alternatives


def _decoy(d: dict[str, Any], where: str, article: Article, out: Report) -> model.Decoy:
    did = out.unique(d.get("id"), where)
    where = f"decoy {did}"
    out.unknown_fields(d, checks.DECOY_FIELDS, where)
    decoy = model.Decoy(
        did,
        out.category_of(d, where),
        _str(d, "quote", where, out, required=True),
        _str(d, "explanation", where, out, required=True),
        d.get("occurrence"),
    )
    if decoy.quote.strip():
        spans = locate(article, decoy.quote, decoy.occurrence, where, out)
        decoy.start, decoy.end = spans[0] if spans else (0, 0)
    return decoy


def _scoring(raw: dict[str, Any], out: Report) -> dict[str, float]:
    scoring: dict[str, float] = {}
    raw_scoring = raw.get("scoring", {})
    if not isinstance(raw_scoring, dict):
        out.add("scoring", "use a [scoring] table of category = weight")
        raw_scoring = {}
    for cid, weight in raw_scoring.items():
        if cid not in out.known:
            out.add(f"scoring.{cid}", f"unknown category {cid!r}{out.suggest(cid, out.known)}")
        elif (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            out.add(f"scoring.{cid}", "a weight must be a number of zero or more")
        else:
            scoring[cid] = float(weight)
    return scoring


def article_too_long(length: int) -> str:
    """The one message for an article over the limit (the checker's, and a paste's)."""
    return (
        f"The article is {length:,} characters long; a lesson may have at most "
        f"{MAX_ARTICLE_CHARS:,}. Shorten it or split it into two lessons."
    )


def _within_limits(raw: dict[str, Any], text: str, out: Report) -> bool:
    """Errors for an article, key or decoy list over the size limits; False if any is."""
    fits = True
    if len(text) > MAX_ARTICLE_CHARS:
        out.add("blocks", article_too_long(len(text)))
        fits = False
    for section, limit, what in (
        ("key", MAX_KEY_ITEMS, "The answer key has {:,} items"),
        ("decoys", MAX_DECOYS, "The lesson has {:,} decoys"),
    ):
        entries = raw.get(section)
        if isinstance(entries, list) and len(entries) > limit:
            out.add(
                section,
                f"{what.format(len(entries))}; a lesson may have at most {limit:,}. Remove "
                "some, or split the article into two lessons.",
            )
            fits = False
    return fits


def article_text(raw: dict[str, Any]) -> str:
    """The canonical text of a lesson's data as the checker reads its blocks (an entry that is
    not a table left out, a text that is not text read as empty)."""
    return model.canonical_text(_blocks(raw, Report("")))


@dataclass
class Parsed:
    """What the checker read from a lesson's data: every problem, the lesson as far as it
    could be read (an editor shows it, key items in place, while another part has an error)
    and ``lesson``, the same when no problem is an error, else None."""

    problems: list[model.Problem]
    read: model.Lesson

    @property
    def lesson(self) -> model.Lesson | None:
        return None if any(p.is_error for p in self.problems) else self.read


def _unchecked(
    header: dict[str, Any], blocks: list[model.Block], categories: list[model.Category], file: str
) -> model.Lesson:
    """A lesson's details and article alone, for one too big to check further."""
    return model.Lesson(
        **header,
        blocks=blocks,
        categories=categories,
        prompts=[],
        key=[],
        decoys=[],
        scoring={},
        source_file=file,
    )


def parse(raw: dict[str, Any], file: str) -> Parsed:
    """Check a lesson's data, every section, in the order of the file. A lesson over the size
    limits stops there: its prompts, key and decoys are checked once it fits."""
    out = Report(file)
    header = _header(raw, out)
    blocks = _blocks(raw, out)
    text = model.canonical_text(blocks)
    categories = _categories(raw, out)
    if not _within_limits(raw, text, out):  # too big to check the rest quickly: that first
        return Parsed(out.problems, _unchecked(header, blocks, categories, file))
    article = Article(text)
    out.known = {c.id for c in categories}
    prompts = [_prompt(p, where, out) for where, p in _tables(raw, "prompts", out)]
    key = [_key_item(k, where, article, out) for where, k in _tables(raw, "key", out)]
    decoys = [_decoy(d, where, article, out) for where, d in _tables(raw, "decoys", out)]
    scoring = _scoring(raw, out)
    checks.unasked_categories(prompts, key, categories, out)
    checks.decoys_on_key_items(key, decoys, out)
    read = model.Lesson(
        **header,
        blocks=blocks,
        categories=categories,
        prompts=prompts,
        key=key,
        decoys=decoys,
        scoring=scoring,
        source_file=file,
    )
    return Parsed(out.problems, read)


def parse_lesson(raw: dict[str, Any], file: str) -> tuple[model.Lesson | None, list[model.Problem]]:
    """Check a lesson's data; return the lesson (None if any problem is an error) and every
    problem found, errors and warnings, in the order of the file."""
    parsed = parse(raw, file)
    return parsed.lesson, parsed.problems
