"""Pasted or uploaded HTML read as blocks of text (kind, text), never as HTML.

It is read with the HTML5 parser bleach ships, html5lib, rather than the standard library's
``html.parser``: html5lib builds the tree a browser builds (implied end tags, misnested and
unclosed elements, ``<p>`` breaking out of ``<svg>``), so the blocks follow what the teacher
saw on the page they copied, and an unclosed ``<nav>`` or ``<aside>`` ends where the browser
ended it. ``html.parser`` only splits the text into tags; knowing where elements end would
mean writing those rules again here. html5lib is already installed (bleach needs it) and is
what the property tests check bleach against. (With nh3 instead of bleach, html5lib installs
on its own: the same code under its own name.)
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from .parsing import parse


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Gone with everything inside them: code, page furniture, controls, embedded things.
_DROPPED = _tags(
    "script style nav noscript template iframe svg button form head title math object embed "
    "select textarea input option optgroup datalist canvas audio video picture map dialog "
    "frameset frame noframes applet param source track meta link base"
)
# Elements that start and end a block (as a browser shows them, on lines of their own).
_BLOCKS = _tags(
    "address article aside blockquote body caption center dd details dir div dl dt fieldset "
    "figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main "
    "menu nav ol p plaintext pre section summary table tbody tfoot thead tr ul xmp"
)
_CELLS = frozenset({"td", "th"})  # a table row is one block, its cells apart by a space
# The block kind an element gives the text inside it; when several enclose the text, the one
# first in _PRECEDENCE wins (a heading inside a "Read more" box is part of the aside).
_KIND_OF_TAG = {
    **{f"h{n}": "headline" for n in range(1, 7)},
    "figcaption": "caption",
    "caption": "caption",
    "aside": "aside",
    "footer": "footer",
}
_PRECEDENCE = ("breadcrumb", "aside", "footer", "caption", "headline")
_NAMING = ("class", "id", "aria-label", "itemtype")  # where a page says "breadcrumb"
_TRAILS = frozenset({"nav", "ol", "ul", "li", "div", "p"})  # (not <body class="breadcrumbs">)
_HTML_SPACE = re.compile(r"[\t\n\f\r ]+")  # what HTML collapses to one space
_HTML_SPACE_IN_PRE = re.compile(r"[\t\f\r ]+")  # in <pre>, line breaks stay
_EDGE = " \u00a0"  # trimmed from each line's ends: layout, not words
_CRUMB_SEPARATORS = "/|>\u203a\u00bb\u00b7\u2022\u2192\\"


@dataclass(frozen=True)
class HtmlArticle:
    """What a piece of HTML says, as text: a suggested title and the blocks (kind, text)."""

    title: str  # the first <h1>'s text, else the <title>'s; "" when neither has any
    blocks: list[tuple[str, str]]


def read_html(html: str) -> HtmlArticle:
    """Pasted or uploaded HTML as (kind, text) blocks, never as HTML.

    Headings become headlines; p, li, blockquote, div and table rows paragraphs (text straight
    inside a div is a paragraph of its own); figcaption a caption, aside an aside, footer a
    footer, and an element the page calls a breadcrumb (in its class, id or label) a
    breadcrumb. Each of those is one block: the paragraphs inside an aside ("Read more:" and
    a link) are lines of it, a trail's items are apart by " / " (pages draw the separators
    with CSS) unless a separator is there. Script, style, nav, noscript, template, iframe,
    svg, button, form and the like go with all they hold, as does anything ``hidden``.
    Entities are decoded; white space collapses as a browser shows it; ``<br>`` is a line
    break inside the block, two or more in a row end it; a no-break space inside a line
    stays, as published. Every block satisfies the lesson format: some text, no blank line,
    no line break at either end. Raises HtmlTooComplex (``parsing``) for HTML too costly
    to read."""
    root = parse(html)
    reader = _Reader()
    reader.read(root)
    title = reader.first_h1
    if not title:
        found = root.find("./head/title")
        title = _HTML_SPACE.sub(" ", found.text or "").strip() if found is not None else ""
    return HtmlArticle(title, reader.blocks)


_SOFT = None  # a block's edge inside an aside, caption...: a line break if words came before


class _Reader:
    """One walk over the tree, collecting the text of the block being read."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []
        self.first_h1 = ""
        self.pieces: list[str | None] = []  # text, "\n" for <br>, or _SOFT
        self.kind = ""  # of the block being read, set by its first words
        self.from_h1 = False
        self.depth: dict[str, int] = dict.fromkeys((*_PRECEDENCE, "h1", "pre"), 0)

    def read(self, root: Element) -> None:
        # A loop, not recursion: reading leans on no limit to how deep the tree goes.
        stack: list[tuple[str, Any]] = [("element", root)]
        while stack:
            what, node = stack.pop()
            if what == "text":
                self.text(node)
            elif what == "end":
                self.end(node)
            else:
                if node.tail:
                    stack.append(("text", node.tail))  # after the element, in its parent
                if _dropped(node):
                    continue
                self.start(node)
                stack.append(("end", node))
                stack.extend(("element", child) for child in reversed(node))
                if node.text:
                    stack.append(("text", node.text))

    def start(self, e: Element) -> None:
        tag, kind = e.tag, _kind(e)
        if tag in _BLOCKS or kind:
            self.edge()
        for name in (kind, tag):
            if name in self.depth:
                self.depth[name] += 1
        if tag == "br":
            self.pieces.append("\n")
        elif tag in _CELLS:
            self.pieces.append(" ")

    def end(self, e: Element) -> None:
        tag, kind = e.tag, _kind(e)
        for name in (kind, tag):
            if name in self.depth:
                self.depth[name] -= 1
        if tag in _BLOCKS or kind:
            self.edge()

    def edge(self) -> None:
        """A block element starts or ends: inside an aside, caption... a soft break, else the
        block read so far is done."""
        if any(self.depth[k] for k in _PRECEDENCE):
            self.pieces.append(_SOFT)
        else:
            self.flush()

    def text(self, text: str) -> None:
        if self.depth["pre"]:  # its line breaks are kept, as <br>
            first, *more = _HTML_SPACE_IN_PRE.sub(" ", text).split("\n")
            self.words(first)
            for line in more:
                self.pieces.append("\n")
                self.words(line)
        else:
            self.words(_HTML_SPACE.sub(" ", text))

    def words(self, text: str) -> None:
        if not self.kind and text.strip(_EDGE):
            self.kind = next((k for k in _PRECEDENCE if self.depth[k]), "paragraph")
            self.from_h1 = self.depth["h1"] > 0
        self.pieces.append(text)

    def flush(self) -> None:
        """The text read so far as blocks: lines trimmed, a new block where a line is blank."""
        blocks: list[list[str]] = [[]]
        for line in self.lines():
            if line.strip():
                blocks[-1].append(line)
            elif blocks[-1]:
                blocks.append([])
        texts = ["\n".join(b) for b in blocks if b]
        if texts and self.from_h1 and not self.first_h1:
            self.first_h1 = texts[0].replace("\n", " ")
        self.blocks.extend((self.kind, t) for t in texts)
        self.pieces, self.kind, self.from_h1 = [], "", False

    def lines(self) -> list[str]:
        lines: list[str] = []
        line = ""
        soft = False  # a soft break waits for the next words
        for piece in self.pieces:
            if piece is _SOFT:
                soft = bool(line.strip(_EDGE))
            elif piece == "\n":
                lines.append(line)
                line, soft = "", False
            elif soft and piece.strip(_EDGE):
                if self.kind != "breadcrumb":
                    lines.append(line)
                    line = ""
                elif not (_ends_crumb(line) or piece.strip(_EDGE)[0] in _CRUMB_SEPARATORS):
                    line = line.rstrip(_EDGE) + " / "
                line, soft = line + piece, False
            else:
                line += piece
        lines.append(line)
        return [re.sub(" {2,}", " ", x).strip(_EDGE) for x in lines]


def _ends_crumb(text: str) -> bool:
    text = text.rstrip(_EDGE)
    return not text or text[-1] in _CRUMB_SEPARATORS


def _dropped(e: Element) -> bool:
    if not isinstance(e.tag, str) or e.tag.startswith("{"):  # a comment; SVG or MathML
        return True
    if e.get("hidden") is not None:
        return True
    return e.tag in _DROPPED and not (e.tag == "nav" and _kind(e) == "breadcrumb")


def _kind(e: Element) -> str:
    """The block kind an element gives what is inside it, or ""."""
    kind = _KIND_OF_TAG.get(e.tag, "")
    if kind or e.tag not in _TRAILS:
        return kind
    named = " ".join(e.get(a, "") for a in _NAMING).lower()
    return "breadcrumb" if "breadcrumb" in named else ""


_DECLARED_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def declared_encoding(data: bytes) -> str | None:
    """The character encoding a saved web page declares (``<meta charset>`` in its first 1,024
    bytes, where browsers look), if Python knows it; else None."""
    found = _DECLARED_CHARSET.search(data[:1024])
    if found is None:
        return None
    try:
        return codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return None
