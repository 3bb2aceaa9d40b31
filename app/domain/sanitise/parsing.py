"""html5lib as the paste reader uses it: parsing as a browser does, within limits, so that no
paste takes long to read.

What html5lib's time grows with, and how each is bounded:
- the tags, and each "<" in a script's text (about as costly): at most ``MAX_HTML_TAGS``
  "<" characters, counted before anything is read;
- how deep elements nest, since a tag may look down the stack of open elements: at most
  ``MAX_HTML_DEPTH`` open at once, and ``MAX_HTML_WORK`` for the open elements added up over
  the tags, both watched as the tree is built (a news page goes 15 to 40 deep, a Google Docs
  paste 6; Chrome stops nesting at 512);
- a tag's attributes taken in pairs: the tokenizer compares each new one with all before it,
  only to report a parse error (the first of a name wins all the same). Here it does not, and
  a tag may have at most ``MAX_ATTRIBUTES`` (a real one has a few);
- characters HTML calls invalid (controls, noncharacters): each is a parse error kept in a
  list read from its front. They are dropped before parsing (nobody means to paste them).
Within those, and the lesson pages' million characters, the worst shapes found take a second
or two on one core (thousands of unclosed links; tags of a hundred attributes each); a real
page of 200 KB, a few tenths of a second.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

# The HTML5 parser bleach ships (vendored: no stubs); see ``pasted`` for why this parser.
from bleach._vendor.html5lib import _tokenizer, html5parser  # type: ignore[import-not-found]
from bleach._vendor.html5lib.constants import tokenTypes  # type: ignore[import-not-found]
from bleach._vendor.html5lib.treebuilders import getTreeBuilder  # type: ignore[import-not-found]

MAX_HTML_TAGS = 30_000  # counted as "<" characters
MAX_HTML_DEPTH = 100  # elements open at once (html and body count)
MAX_HTML_WORK = 1_000_000  # the elements open as each tag is read, added up
MAX_ATTRIBUTES = 1_000  # on one tag

# What html5lib reports as an invalid code point, but tab, line feed, form feed and CR
_INVALID = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff]"
    "|[\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe"
    "\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe"
    "\U0008ffff\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe"
    "\U000cffff\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe"
    "\U0010ffff]"
)
_START_TAG = tokenTypes["StartTag"]
_TAGS = frozenset({_START_TAG, tokenTypes["EndTag"]})


class HtmlTooComplex(ValueError):
    """HTML with so many tags, or nested so deep, that reading it would take too long
    (``str(error)`` says which, as the end of a sentence)."""


def parse(html: str) -> Element:
    """The document's root element (xml.etree; SVG and MathML tags namespaced, like
    "{http://www.w3.org/2000/svg}svg"; a comment has a function for a tag). Raises
    HtmlTooComplex past the limits."""
    if html.count("<") > MAX_HTML_TAGS:
        raise HtmlTooComplex(f"it has more than {MAX_HTML_TAGS:,} tags")
    parser = _Parser(tree=getTreeBuilder("etree"), namespaceHTMLElements=False)
    root: Element = parser.parse(_INVALID.sub("", html))
    return root


class _Attributes(list):  # html5lib's [name, value] pairs
    """A tag's attributes as the tokenizer collects them, less its check of each new name
    against every name before it (``data[:-1]``, read for nothing else)."""

    def __getitem__(self, index: Any) -> Any:
        if index == slice(None, -1):
            return ()
        return super().__getitem__(index)


class _Tokenizer(_tokenizer.HTMLTokenizer):
    def attributeNameState(self) -> bool:
        token = self.currentToken
        if type(token["data"]) is list:
            token["data"] = _Attributes(token["data"])
        elif len(token["data"]) > MAX_ATTRIBUTES:
            raise HtmlTooComplex(f"a tag has more than {MAX_ATTRIBUTES:,} attributes")
        return bool(super().attributeNameState())

    def __iter__(self) -> Any:
        work = 0
        for token in super().__iter__():
            if token["type"] in _TAGS:
                depth = len(self.parser.tree.openElements)
                if depth >= MAX_HTML_DEPTH and token["type"] == _START_TAG:
                    raise HtmlTooComplex(f"its elements are nested more than {MAX_HTML_DEPTH} deep")
                work += depth
                if work > MAX_HTML_WORK:
                    raise HtmlTooComplex("it has too many tags for how deep they are nested")
            yield token


class _Parser(html5parser.HTMLParser):
    """html5lib's parser with the tokenizer above (the way bleach swaps in its own)."""

    def _parse(
        self, stream: str, innerHTML: bool = False, container: str = "div", **kwargs: Any
    ) -> None:
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = True  # <noscript> holds text, as in a browser that runs scripts
        self.tokenizer = _Tokenizer(stream, parser=self, **kwargs)
        self.reset()
        self.mainLoop()  # (html5lib parses again only when bytes change encoding: never a str)
