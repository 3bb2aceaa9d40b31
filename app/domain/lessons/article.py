"""A new lesson's article from what a teacher brings: pasted text, pasted HTML, or a file
(.txt, .html; a .toml lesson file as its data). Blocks come out as (kind, text) pairs that the
lesson format accepts as they are; a problem comes out as a message for the teacher."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from .. import sanitise
from .model import BLOCK_SEPARATOR
from .parse import MAX_ARTICLE_CHARS, article_too_long

# Read no further than this: a paste of a whole web page (its markup, scripts and styles
# included) may be many times its article, but one this long could take seconds to read.
MAX_PASTE_CHARS = 1_000_000
HEADLINE_MAX_CHARS = 120  # a first block this short, on one line, not ending in "." is one

NOT_UTF8 = "This file is not UTF-8 text: save it as UTF-8 and try again."
NO_TEXT = "There is no article text in this file."
TOO_DEEP = (
    "This file is nested far deeper than a lesson file is: it is not one. Nothing in it was read."
)

# Characters nobody means to paste: controls (a form feed or vertical tab is a line break)
# and halves of a character (lone surrogates), which no database stores.
_BREAKS = re.compile("[\x0b\x0c]")
_UNSEEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class ArticleError(ValueError):
    """Why an article cannot be read, in words for the teacher (``str(error)``)."""


@dataclass(frozen=True)
class ArticleDraft:
    """An article read from a paste or a file: blocks (kind, text) and a suggested title."""

    title: str  # "" when the text does not suggest one
    blocks: list[tuple[str, str]]


def _clean(text: str, what: str = "text") -> str:
    """Line breaks as LF, without the characters nobody means to paste; a paste too long to
    read is refused before anything else is done with it."""
    if len(text) > MAX_PASTE_CHARS:
        raise ArticleError(
            f"The {what} is {len(text):,} characters long; a lesson may have at most "
            f"{MAX_ARTICLE_CHARS:,} characters of article. Shorten it or split it into two "
            "lessons."
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSEEN.sub("", _BREAKS.sub("\n", text))


def _fits(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The blocks, if their article is within the limit (the checker's message if not)."""
    length = sum(len(text) for _, text in blocks) + len(BLOCK_SEPARATOR) * max(len(blocks) - 1, 0)
    if length > MAX_ARTICLE_CHARS:
        raise ArticleError(article_too_long(length))
    return blocks


def blocks_from_text(text: str) -> list[tuple[str, str]]:
    """Plain text as blocks: a new block after each blank line (or run of lines with nothing
    but spaces), each line's trailing spaces trimmed, CR LF and CR read as LF. The first block
    is a headline when it is short (up to 120 characters), one line, does not end in a full
    stop and more blocks follow; the rest are paragraphs. Raises ArticleError when too long."""
    blocks: list[list[str]] = [[]]
    for line in _clean(text).split("\n"):
        line = line.rstrip()
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    texts = ["\n".join(b) for b in blocks if b]
    kinds = ["paragraph"] * len(texts)
    if len(texts) > 1 and _headline(texts[0]):
        kinds[0] = "headline"
    return _fits(list(zip(kinds, texts, strict=True)))


def _headline(text: str) -> bool:
    return len(text) <= HEADLINE_MAX_CHARS and "\n" not in text and not text.endswith(".")


def draft_from_html(html: str) -> ArticleDraft:
    """Pasted or uploaded HTML as blocks (see ``sanitise.read_html``: text, never HTML) with
    its first heading, or else its <title>, as the suggested title. Raises ArticleError when
    too long or too complicated to read."""
    try:
        read = sanitise.read_html(_clean(html, "page, with its markup,"))
    except sanitise.HtmlTooComplex as e:
        raise ArticleError(
            f"This page is too complicated to read ({e}): copy only the article and paste it "
            "again, or paste it as plain text."
        ) from None
    return ArticleDraft(read.title, _fits(read.blocks))


def blocks_from_html(html: str) -> list[tuple[str, str]]:
    """Pasted HTML as blocks: ``draft_from_html`` without the title."""
    return draft_from_html(html).blocks


def article_from_upload(filename: str, data: bytes) -> ArticleDraft:
    """An uploaded .txt (UTF-8, with or without a byte order mark) or .html/.htm file (UTF-8,
    or the encoding it declares) as an article. Raises ArticleError, in words for the
    teacher, for another kind of file, another encoding, no text, or too much of it."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".txt":
        blocks = blocks_from_text(_decode(data))
        title = blocks[0][1] if blocks and blocks[0][0] == "headline" else ""
        draft = ArticleDraft(title, blocks)
    elif suffix in (".html", ".htm"):
        draft = draft_from_html(_decode(data, sanitise.declared_encoding(data)))
    else:
        kind = f"A {suffix} file" if suffix else "A file without .txt or .html at the end"
        raise ArticleError(
            f"{kind} cannot be read as an article: upload a .txt or .html file (a .toml "
            "lesson file is imported as a whole lesson), or copy the article's text and "
            "paste it."
        )
    if not draft.blocks:
        raise ArticleError(NO_TEXT)
    return draft


def _decode(data: bytes, declared: str | None = None) -> str:
    """UTF-8 (a byte order mark is dropped), else the encoding a web page declares."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if declared is None or declared == "utf-8":
        raise ArticleError(NOT_UTF8)
    try:
        return data.decode(declared)
    except UnicodeDecodeError:
        raise ArticleError(
            f"This page says it is {declared} text but is not: save it as UTF-8 and try again."
        ) from None


# tomllib's words for the mistakes teachers make most, in theirs
_TOML_MISTAKES = {
    "Invalid value": "a value is missing or not written as TOML (text needs quotes)",
    "Illegal character '\\n'": (
        'a text in "quotes" runs past the end of its line (write text with line breaks '
        "between ''' and ''')"
    ),
    "Unterminated string": "a text's quotes are not closed",
    "Invalid statement": "this line is neither a field = value nor a [table] heading",
    "Cannot overwrite a value": "a field is given twice",
    "Cannot declare": "a [table] is declared twice",
    "Expected '=' after a key": "a field name needs ' = ' and a value after it",
}
_WHERE = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$", re.S)


def lesson_data_from_toml(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """An uploaded lesson file's data for ``parse_lesson``, or None and why it cannot be read:
    not UTF-8, too long, or not TOML (with the line and column of the mistake)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, NOT_UTF8
    if len(text) > MAX_PASTE_CHARS:
        return None, (
            f"This file is {len(text):,} characters long; a lesson file may have at most "
            f"{MAX_PASTE_CHARS:,}. A lesson's article may have at most {MAX_ARTICLE_CHARS:,}."
        )
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as e:
        return None, toml_mistake(str(e))
    except RecursionError:
        return None, TOO_DEEP


def toml_mistake(message: str) -> str:
    """tomllib's message for a syntax error as a sentence for a teacher, with where it is."""
    where = _WHERE.match(message)
    what = where["what"] if where else message.removesuffix(" (at end of document)")
    plain = next((v for k, v in _TOML_MISTAKES.items() if what.startswith(k)), what)
    at = f"line {where['line']}, column {where['column']}" if where else "the end of the file"
    return f"This lesson file is not valid TOML at {at}: {plain}. Nothing in it was read."
