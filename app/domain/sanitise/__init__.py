"""The one place HTML is made from untrusted text, and the one place untrusted HTML is read.
Everything else shows text as text.

Here: notes made into escaped text with live web links (``linkify``, ``web_link``). In
``pasted``: pasted or uploaded HTML read as blocks of text (``read_html``); in ``parsing``:
the HTML5 parser it uses, within limits so that no paste takes long to read.

Wraps bleach (pinned; its final release is 6.4.0 and the project is archived), so that this
package is all that changes if it is swapped for nh3; pasted HTML is read with the HTML5
parser bleach ships (``pasted`` says why). What it reads comes out as text, never HTML, so
nothing in a paste can reach a page as markup.
"""

from __future__ import annotations

from bleach.linkifier import Linker
from markupsafe import Markup, escape

from .parsing import MAX_HTML_DEPTH, MAX_HTML_TAGS, MAX_HTML_WORK, HtmlTooComplex
from .pasted import HtmlArticle, declared_encoding, read_html

__all__ = [
    "MAX_HTML_DEPTH",
    "MAX_HTML_TAGS",
    "MAX_HTML_WORK",
    "PROTOCOLS",
    "REL",
    "HtmlArticle",
    "HtmlTooComplex",
    "declared_encoding",
    "linkify",
    "read_html",
    "web_link",
]

REL = "nofollow noopener noreferrer ugc"
PROTOCOLS = ("http://", "https://")


def _only_web_links(attrs: dict, new: bool = False) -> dict | None:
    """bleach callback: keep http(s) links, with rel and a new tab; anything else stays text."""
    href = attrs.get((None, "href"), "")
    if not href.lower().startswith(PROTOCOLS):
        return None
    attrs[(None, "rel")] = REL
    attrs[(None, "target")] = "_blank"
    return attrs


# bleach drops a link whose callback answers None (its stubs say a callback always answers attrs)
_linker = Linker(callbacks=[_only_web_links], parse_email=False)  # type: ignore[list-item]


def linkify(text: str) -> Markup:
    """Plain text in, safe HTML out: every character escaped, web addresses made into links.

    Most notes have nothing bleach would link: they skip its HTML parser (a lesson page
    shows a hundred notes) and come out as it would give them, escaped with line breaks
    normalised as HTML parsing does (CR LF and CR become LF). A property test holds the two
    paths equal."""
    escaped = str(escape(text))
    if _linker.url_re.search(text) is None:  # type: ignore[attr-defined]  # not in the stubs
        return Markup(escaped.replace("\r\n", "\n").replace("\r", "\n"))  # noqa: S704
    return Markup(_linker.linkify(escaped))  # noqa: S704  (escaped, then linkified)


def web_link(url: str) -> Markup:
    """A single address (e.g. "where I checked") as a link if it is http(s), else as text."""
    if not url.strip().lower().startswith(PROTOCOLS):
        return escape(url)
    return Markup('<a href="{}" rel="{}" target="_blank">{}</a>').format(url.strip(), REL, url)
