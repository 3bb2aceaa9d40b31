"""The one HTML reader: a page parsed (by the standard library's html.parser) into a small tree
that tests search by tag, class and attributes, and read as text the way a person sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# text that separates words on the page (a cell, a paragraph, a line break)
_BREAKS = VOID | {"p", "div", "li", "td", "th", "tr", "dt", "dd", "h1", "h2", "h3", "section"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        """Every piece of text below this element, joined as it comes."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def seen(self) -> str:
        """The text as a reader sees it: block elements apart, no scripts or styles, none of
        the words only said to a screen reader (``data-say``: where a highlight starts...)."""
        return "".join(
            c if isinstance(c, str) else (f" {c.seen} " if c.tag in _BREAKS else c.seen)
            for c in self.children
            if isinstance(c, str)
            or (c.tag not in ("script", "style") and "data-say" not in c.attrs)
        )

    @property
    def seen_words(self) -> str:
        """The text as a reader sees it with runs of white space made one space."""
        return " ".join(self.seen.split())

    @property
    def said(self) -> list[str]:
        """The words below this element said only to a screen reader (``data-say``), in order."""
        return [" ".join(n.text.split()) for n in self.find_all(data_say="")]

    @property
    def words(self) -> str:
        """The text with runs of white space made one space."""
        return " ".join(self.text.split())

    @property
    def elements(self) -> list[Node]:
        """The element children (no text)."""
        return [c for c in self.children if isinstance(c, Node)]

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Every element below this one with that tag, class and attributes (``aria_label``
        means ``aria-label``, ``id_`` means ``id``)."""
        found = []
        for c in self.elements:
            if (
                (tag is None or c.tag == tag)
                and (cls is None or cls in c.classes)
                and all(c.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
            ):
                found.append(c)
            found.extend(c.find_all(tag, cls, **attrs))
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}>"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Node:
    b = _Builder()
    b.feed(html.decode() if isinstance(html, bytes) else html)
    b.close()
    return b.root


def page(resp) -> Node:
    """A test client's response, parsed."""
    return parse(resp.get_data(as_text=True))


def _doc(resp_or_doc) -> Node:
    return resp_or_doc if isinstance(resp_or_doc, Node) else page(resp_or_doc)


def text_of(resp_or_doc) -> str:
    """What the page says, as a reader sees it: tags gone, entities decoded, one space between
    words, scripts and styles left out."""
    return " ".join(_doc(resp_or_doc).seen.split())


def form_fields(resp_or_doc, **which: str) -> dict[str, str]:
    """The named fields (input, select, textarea) of the first form matching ``which``
    (e.g. ``id="rename"``, ``action="/logout"``), or of the whole page, with their values."""
    doc = _doc(resp_or_doc)
    scope = doc.find("form", **which) if which else doc
    fields: dict[str, str] = {}
    for node in scope.find_all():
        name = node.attrs.get("name")
        if not name or node.tag not in ("input", "select", "textarea"):
            continue
        if node.tag == "textarea":
            fields.setdefault(name, node.text)
        elif node.tag == "select":
            chosen = [o for o in node.find_all("option") if "selected" in o.attrs]
            fields.setdefault(name, chosen[0].attrs.get("value", "") if chosen else "")
        elif node.attrs.get("type") not in ("checkbox", "radio") or "checked" in node.attrs:
            fields.setdefault(name, node.attrs.get("value", ""))
    return fields


def flash_messages(resp_or_doc) -> list[str]:
    """The messages flashed at the top of the page."""
    return [p.words for p in _doc(resp_or_doc).find_all("p", cls="flash")]
