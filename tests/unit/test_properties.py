"""Property-based tests (Hypothesis) for the pure domain: anchoring, the sanitiser, validation.

Each property is checked on a few hundred generated inputs: texts with emoji and other astral
characters, combining marks, CRLF, no-break and zero-width spaces; notes with markup, entity
tricks and control characters. No example database is kept (``database=None``), so nothing is
written into the repository.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import unicodedata
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bleach._vendor import html5lib  # the HTML5 parser bleach itself ships (as browsers parse)
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from app.domain import sanitise
from app.domain.anchoring import (
    CONTEXT,
    AnchorError,
    Reanchored,
    Target,
    anchor_quote,
    check_target,
    find_quote,
    grow_to_words,
    is_word_char,
    make_target,
    reanchor,
    snap_to_words,
)
from app.domain.annotations import (
    UNSTORABLE,
    AnnotationInput,
    Invalid,
    storable,
    validate_annotation,
)
from app.domain.lessons import load_lesson_file
from app.domain.sanitise import REL, linkify, web_link
from tests.support.properties import examples

# Hypothesis keeps caches (its examples database is off) in a folder outside the repository
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "read-closely-hypothesis")
)
PURE = settings(max_examples=examples(200), deadline=None, database=None)
HEAVY = settings(
    PURE, max_examples=examples(100)
)  # each example parses HTML twice (bleach, html5lib)
LESSON_FILE = Path(__file__).resolve().parents[2] / "lessons" / "kiev-anger-milley.toml"


@cache
def the_lesson():
    lesson, problems = load_lesson_file(LESSON_FILE)
    assert problems == []
    return lesson


# ================================================================ strategies: text

EMOJI = "\U0001f600"
ASTRAL = [
    EMOJI,
    "\U0001f44d\U0001f3fd",
    "\U0001f1fa\U0001f1e6",
    "\U0001d400",
    "\U00020000",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U00010348",
]
COMBINING = ["e\u0301", "\u0301", "n\u0303o", "\u0915\u094d\u0937", "a\u0308\u0304"]
SPACES = [" ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u200b", "\u2028", "\u3000"]
WORDS = [
    "Kiev",
    "anger",
    "the",
    "the",
    "a",
    "US",
    "general's",
    "peace-talks",
    "don\u2019t",
    "\u00e9t\u00e9",
    "\u041a\u0438\u0435\u0432",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u6f22\u5b57",
    "42",
    "ha",
    "ha ha",
]
PUNCT = [
    ".",
    ",",
    "'",
    "\u2019",
    "\u201c",
    "\u201d",
    '"',
    "-",
    "\u2014",
    "(",
    ")",
    "!",
    "?",
    "<b>",
    "&amp;",
]

any_char = st.characters(codec="utf-8")  # every code point a UTF-8 file can hold
piece = st.one_of(
    st.sampled_from(WORDS + SPACES + PUNCT + ASTRAL + COMBINING),
    st.text(any_char, min_size=1, max_size=2),
)
# a lesson's canonical text; sometimes padded past CONTEXT characters on either side
FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\n"
padding = st.sampled_from(["", "", FILLER])
article = st.lists(piece, max_size=16).map("".join)
nonempty_article = st.builds(
    lambda a, words, b: a + "".join(words) + b,
    padding,
    st.lists(piece, min_size=1, max_size=16),
    padding,
)


@st.composite
def text_and_range(draw, text_strategy=nonempty_article, *, point: bool = False):
    text = draw(text_strategy)
    start = draw(st.integers(0, len(text)))
    end = start if point else draw(st.integers(start, len(text)))
    return text, start, end


@st.composite
def text_and_words(draw):
    """A text and a range that has something other than spaces in it (a valid highlight)."""
    text = draw(nonempty_article)
    solid = [i for i, c in enumerate(text) if not c.isspace()]
    assume(solid)
    i = draw(st.sampled_from(solid))
    return text, draw(st.integers(0, i)), draw(st.integers(i + 1, len(text)))


def occurrences(text: str, quote: str) -> list[int]:
    """Every start of ``quote`` in ``text``, overlapping ones included."""
    found, at = [], text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def utf16(text: str, index: int) -> int:
    """The offset a browser (counting UTF-16 units) gives for code point ``index``."""
    return len(text[:index].encode("utf-16-le")) // 2


def without_astral(text: str) -> str:
    """The same text with each astral character replaced by one BMP character of its kind."""
    return "".join(("x" if is_word_char(c) else "\u263a") if ord(c) > 0xFFFF else c for c in text)


def attempt(error: type[Exception], fn, *args, **kwargs):
    """(result, None), or (None, the exception) when ``fn`` raises ``error``; any other
    exception propagates and fails the test."""
    try:
        return fn(*args, **kwargs), None
    except error as e:
        return None, e


JOINERS = "'\u2019-\u2010\u2011"  # apostrophes and hyphens inside a word ("don't", "peace-talks")


def wordish(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (is_word_char(text[i]) or text[i] in JOINERS)


def context_match(text: str, pos: int, old: Target) -> int:
    """How many characters next to ``old.exact`` placed at ``pos`` agree with its old prefix
    and suffix, counted outwards from the quote."""
    before = text[max(0, pos - len(old.prefix)) : pos][::-1]
    after = text[pos + len(old.exact) : pos + len(old.exact) + len(old.suffix)]
    n = 0
    for got, want in ((before, old.prefix[::-1]), (after, old.suffix)):
        for x, y in zip(got, want, strict=False):
            if x != y:
                break
            n += 1
    return n


def assert_consistent(text: str, t: Target) -> None:
    """A target's two selectors describe the same span of ``text``."""
    assert 0 <= t.start <= t.end <= len(text)
    assert t.exact == text[t.start : t.end]
    assert t.prefix == text[max(0, t.start - CONTEXT) : t.start]
    assert t.suffix == text[t.end : t.end + CONTEXT]


# ================================================================ anchoring


@PURE
@given(text_and_range())
def test_selectors_made_from_a_range_describe_exactly_that_range_in_code_points(case):
    text, start, end = case
    t = make_target(text, start, end)
    assert (t.start, t.end) == (start, end)
    assert t.exact == text[start:end]
    # context: up to CONTEXT code points either side, never UTF-16 units
    assert len(t.prefix) == min(CONTEXT, start)
    assert len(t.suffix) == min(CONTEXT, len(text) - end)
    assert text[start - len(t.prefix) : end + len(t.suffix)] == t.prefix + t.exact + t.suffix


@PURE
@given(text_and_range())
@example(("ha ha ha", 3, 8))
@example((EMOJI + " anger " + EMOJI, 2, 7))
@example(("a\r\nb\r\n", 1, 3))
def test_resolving_selectors_on_the_same_text_gives_back_the_same_range(case):
    text, start, end = case
    t = make_target(text, start, end)
    assert reanchor(text, t) == Reanchored(t, "exact")


@PURE
@given(text_and_range(point=True))
def test_an_omission_point_resolves_to_itself(case):
    text, at, _ = case
    t = make_target(text, at, at)
    assert check_target(text, at, at, "", allow_point=True) == t
    assert reanchor(text, t) == Reanchored(t, "exact")


@PURE
@given(text_and_words())
@example(("Ukraine has vented its anger", 14, 23))
@example((EMOJI + "caf\u00e9 au lait", 1, 4))
def test_the_server_accepts_a_highlight_as_sent_completing_only_cut_words(case):
    text, start, end = case
    got = check_target(text, start, end, text[start:end], allow_point=False)
    assert got == make_target(text, *grow_to_words(text, start, end))
    # completed only where a word was cut at the edge, and only with the rest of that word
    assert all(wordish(text, i) for i in range(got.start, start))
    assert all(wordish(text, i) for i in range(end, got.end))
    if got.start < start:
        assert wordish(text, start)
    if got.end > end:
        assert wordish(text, end - 1)
    # and no word is left cut at either edge
    assert not (
        got.start > 0 and is_word_char(text[got.start - 1]) and is_word_char(text[got.start])
    )
    assert not (
        got.end < len(text) and is_word_char(text[got.end - 1]) and is_word_char(text[got.end])
    )
    # what the server answers is a fixed point: sending it again changes nothing
    assert check_target(text, got.start, got.end, got.exact, allow_point=False) == got
    # and a range already on whole words comes back exactly as sent
    s, e = snap_to_words(text, start, end)
    if s < e:
        assert check_target(text, s, e, text[s:e], allow_point=False) == make_target(text, s, e)


@PURE
@given(text_and_words())
def test_an_article_with_astral_characters_anchors_exactly_like_one_without(case):
    text, start, end = case
    plain = without_astral(text)
    assert len(plain) == len(text)
    got = check_target(text, start, end, text[start:end], allow_point=False)
    same = check_target(plain, start, end, plain[start:end], allow_point=False)
    assert (got.start, got.end) == (same.start, same.end)


@st.composite
def words_after_an_astral_character(draw):
    lead = draw(st.sampled_from(ASTRAL)) + draw(article)
    text, start, end = draw(text_and_words())
    return lead + text, start + len(lead), end + len(lead)


@PURE
@given(words_after_an_astral_character())
@example(("\U0001f600 Kiev expresses anger", 2, 6))
@example(("\U0001f1fa\U0001f1e6" * 3 + "Kiev", 2, 5))  # the quote overlaps a copy of itself
def test_utf16_offsets_from_a_client_that_forgot_to_convert_are_fixed_when_the_quote_is_unique(
    case,
):
    text, start, end = case
    exact = text[start:end]
    s16, e16 = utf16(text, start), utf16(text, end)
    assert (s16, e16) != (start, end)
    try:
        got = check_target(text, s16, e16, exact, allow_point=False)
    except AnchorError:
        # refused: the quote repeats (the server can't tell which one was meant) or the shifted
        # range runs past the end; never accepted at the wrong place
        assert len(occurrences(text, exact)) != 1 or e16 > len(text)
        return
    if text[s16:e16] == exact:  # the same words are there too: nothing tells the server
        start, end = s16, e16
    assert got == make_target(text, *grow_to_words(text, start, end))


@st.composite
def edited_elsewhere(draw, *, point: bool = False):
    """An old text, a range in it, and a new text with paragraphs added before and/or after."""
    text, start, end = draw(text_and_range(point=True) if point else text_and_words())
    paragraph = st.lists(piece, max_size=6).map("".join)
    before = draw(st.one_of(st.just(""), paragraph.map(lambda s: s + "\n\n")))
    after = draw(st.one_of(st.just(""), paragraph.map(lambda s: "\n\n" + s)))
    return text, start, end, before + text + after, len(before)


@PURE
@given(edited_elsewhere())
@example(("\U0001f600 Kiev expresses anger", 2, 6, "Kiev?\n\n\U0001f600 Kiev expresses anger", 7))
def test_a_unique_quote_is_found_again_after_paragraphs_are_added_elsewhere(case):
    text, start, end, new_text, shift = case
    exact = text[start:end]
    assume(len(occurrences(new_text, exact)) == 1)
    old = make_target(text, start, end)
    got = reanchor(new_text, old)
    assert got.target == make_target(new_text, start + shift, end + shift)
    assert got.method in ("exact", "quote")
    # a client still sending the old offsets is corrected to the same words
    fixed = check_target(new_text, start, end, exact, allow_point=False)
    s, e = grow_to_words(text, start, end)
    assert fixed == make_target(new_text, s + shift, e + shift)


@st.composite
def inserted_outside(draw):
    """An old text, a range, and the text with something inserted anywhere outside the range."""
    text, start, end = draw(text_and_words())
    at = draw(st.one_of(st.integers(0, start), st.integers(end, len(text))))
    insert = draw(st.lists(piece, min_size=1, max_size=6).map("".join))
    return text, start, end, text[:at] + insert + text[at:], len(insert) if at <= start else 0


@PURE
@given(inserted_outside())
@example(("ha ha ha", 3, 8, "Yes, ha ha ha", 5))  # repeats that overlap each other
@example(("very, very, very", 6, 16, "so very, very, very", 3))
def test_a_quote_is_found_again_after_an_edit_anywhere_outside_it(case):
    text, start, end, new_text, shift = case
    exact = text[start:end]
    old = make_target(text, start, end)
    got = reanchor(new_text, old)
    assert got.target is not None
    assert_consistent(new_text, got.target)
    assert got.target.exact == exact  # the words themselves are still there
    if len(occurrences(new_text, exact)) == 1:
        assert (got.target.start, got.target.end) == (start + shift, end + shift)
    elif got.method == "quote":  # (words still at the old offsets stay there, by design)
        # among repeats, never one whose surroundings match the old context worse than the
        # place the words actually moved to
        assert context_match(new_text, got.target.start, old) >= context_match(
            new_text, start + shift, old
        )


@PURE
@given(edited_elsewhere(point=True))
def test_an_omission_point_with_unique_context_follows_added_paragraphs(case):
    text, at, _, new_text, shift = case
    old = make_target(text, at, at)
    context = old.prefix + old.suffix
    assume(context and len(occurrences(new_text, context)) == 1)
    got = reanchor(new_text, old)
    assert got.target == make_target(new_text, at + shift, at + shift)
    assert got.method in ("exact", "quote")


@PURE
@given(
    article,
    st.integers(-3, 60),
    st.integers(-3, 60),
    st.one_of(st.text(any_char, max_size=8), article),
    st.booleans(),
)
def test_checking_any_target_answers_a_consistent_target_or_an_anchor_error(
    text, start, end, exact, allow_point
):
    got, refused = attempt(
        AnchorError, check_target, text, start, end, exact, allow_point=allow_point
    )
    if refused:
        assert str(refused)  # always a reason to show the student
        return
    assert_consistent(text, got)
    if got.is_point:
        assert allow_point
        assert exact == ""
    else:
        assert got.exact.strip()
        # the words sent are inside what was accepted
        assert exact in got.exact
        # moved only when the quote was not where it was said to be, and then only to its
        # one and only place
        if (got.start, got.end) != grow_to_words(text, start, end):
            assert len(occurrences(text, exact)) == 1


@st.composite
def typed_quote(draw):
    """A text and what a student might type for some words of it: case, quotes and spacing
    changed, or something else entirely."""
    text = draw(article)
    start = draw(st.integers(0, len(text)))
    words = text[start : draw(st.integers(start, len(text)))]
    mess = draw(
        st.sampled_from(
            [
                lambda s: s,
                str.upper,
                str.lower,
                lambda s: s.replace("\u2019", "'"),
                lambda s: re.sub(r"\s+", " ", s),
                lambda s: f"  {s} ",
            ]
        )
    )
    quote = draw(st.one_of(st.just(mess(words)), st.text(any_char, max_size=6)))
    occurrence = draw(st.one_of(st.none(), st.integers(-1, 4)))
    return text, quote, occurrence


@PURE
@given(typed_quote())
def test_typed_quotes_are_found_or_refused_with_an_anchor_error(case):
    text, quote, occurrence = case
    for s, e in find_quote(text, quote):
        assert 0 <= s < e <= len(text)
    got, refused = attempt(AnchorError, anchor_quote, text, quote, occurrence)
    if refused:
        assert str(refused)
        if quote.strip() and quote.strip() in text:  # words that are there are always found
            assert "couldn't find" not in str(refused)
        return
    assert_consistent(text, got)
    assert snap_to_words(text, got.start, got.end) == (got.start, got.end)


@PURE
@given(text_and_words())
@example(("thethethe", 3, 7))  # "thet" twice, overlapping
def test_find_quote_finds_every_place_the_words_occur(case):
    text, start, end = case
    quote = text[start:end]
    assume(quote == quote.strip())
    assert (start, end) in find_quote(text, quote)


@st.composite
def old_and_new(draw):
    """A highlight made on an old text, and a new text: unrelated, or the old one with a few
    splices (words deleted, replaced or added anywhere, the highlight's own words included)."""
    if draw(st.booleans()):
        old_text, start, end = draw(text_and_range(point=draw(st.booleans())))
    else:  # a few words of real prose, long enough for the fuzzy matcher
        old_text = draw(article) + FILLER + draw(article)
        start = draw(st.integers(0, len(old_text) - 8))
        end = draw(st.integers(start + 4, min(len(old_text), start + 30)))
    new_text = old_text
    for _ in range(draw(st.integers(1, 3))):
        # mostly a typo fixed inside the highlight (the fuzzy matcher's case), else anywhere
        a = draw(st.integers(start, end) | st.integers(0, len(new_text)))
        a = min(a, len(new_text))
        b = draw(st.integers(a, min(len(new_text), a + draw(st.sampled_from([1, 2, 8])))))
        insert = draw(st.sampled_from(["", "x", " ", "e\u0301", EMOJI]) | piece)
        new_text = new_text[:a] + insert + new_text[b:]
    if draw(st.integers(0, 4)) == 0:
        new_text = draw(article)  # rewritten entirely
    return make_target(old_text, start, end), new_text


@PURE
@given(old_and_new())
def test_reanchoring_answers_a_consistent_target_or_an_orphan_whatever_the_edit(case):
    old, new_text = case
    got = reanchor(new_text, old)
    event(got.method)
    assert got.method in ("exact", "quote", "fuzzy", "orphan")
    assert (got.target is None) == (got.method == "orphan")
    if got.target is None:
        return
    assert_consistent(new_text, got.target)
    if got.method in ("exact", "quote") and not old.is_point:
        assert got.target.exact == old.exact
    if got.method == "fuzzy":  # a best guess, so on whole words
        assert got.target.exact.strip()
        assert snap_to_words(new_text, got.target.start, got.target.end) == (
            got.target.start,
            got.target.end,
        )


# ---------------------------------------------------------------- regressions found above
# A quote can overlap a copy of itself ("ha ha" is in "ha ha ha" twice, at 0 and 3), but
# str.count and re.finditer count only non-overlapping matches. So a repeated quote was taken
# for a unique one, and re-anchoring could not see the right repeat.


def test_a_quote_that_overlaps_a_copy_of_itself_is_not_taken_for_a_unique_one():
    text = EMOJI + " ha ha ha!"
    # the second "ha ha" (code points 5-10) sent in UTF-16 units: which one is meant is unknown
    with pytest.raises(AnchorError, match="don't match the article"):
        check_target(text, 6, 11, "ha ha", allow_point=False)


def test_reanchoring_sees_a_repeat_that_overlaps_another():
    old = make_target("ha ha ha", 3, 8)  # the second "ha ha"
    got = reanchor("Yes, ha ha ha", old)
    assert got == Reanchored(make_target("Yes, ha ha ha", 8, 13), "quote")


def test_an_omission_point_whose_context_repeats_overlapping_is_not_placed_by_guess():
    old = make_target("ha ha ha", 3, 3)  # "ha " | "ha ha"
    assert reanchor("Oh, ha ha ha ha", old) == Reanchored(None, "orphan")  # at 7 or at 10?


def test_typed_words_that_overlap_a_copy_of_themselves_are_found_twice():
    assert find_quote("thethethe", "thet") == [(0, 4), (3, 7)]
    with pytest.raises(AnchorError, match="appear 2 times"):
        anchor_quote("We laughed: ha ha ha.", "ha ha")
    assert anchor_quote("We laughed: ha ha ha.", "ha ha", 2) == make_target(
        "We laughed: ha ha ha.", 15, 20
    )


# ================================================================ the sanitiser


class _Elements(HTMLParser):
    """What Python's own HTML parser sees: every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def parse(markup: str) -> tuple[list[tuple[str, dict[str, str]]], str]:
    """Elements (local name, attributes) and text content, as a browser's HTML5 parser sees
    them (html5lib, which bleach ships)."""
    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    elements = [
        (local_name(el.tag), {local_name(k): v for k, v in el.attrib.items()})
        for el in fragment.iter()
        if el is not fragment
    ]
    return elements, "".join(fragment.itertext())


def local_name(name: str) -> str:
    """``{http://www.w3.org/2000/svg}svg`` -> ``svg``; ``{...xlink}href`` -> ``href``."""
    return name.rsplit("}", 1)[-1]


def all_elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    """The elements either parser sees: output is only safe if it is safe for both."""
    other = _Elements()
    other.feed(markup)
    other.close()
    return parse(markup)[0] + other.found


DANGEROUS_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "form",
    "img",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
}


def scheme_of(url: str) -> str:
    """The scheme a browser would use: entities decoded (once more, to be strict), tab and
    newline removed anywhere, control characters and spaces stripped, lowercased."""
    url = html.unescape(url)
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    url = "".join(c for c in url if unicodedata.category(c) != "Cc")
    return url.split(":", 1)[0].lower() if ":" in url else ""


def assert_safe(markup: str) -> None:
    for name, attrs in all_elements(markup):
        assert name.lower() not in DANGEROUS_ELEMENTS, markup
        for attr, value in attrs.items():
            local = local_name(attr).lower()
            assert not local.startswith("on"), markup
            if local in URL_ATTRIBUTES:
                assert scheme_of(value) not in ("javascript", "vbscript", "data"), markup
        # the only element the sanitiser makes: a web link that can't reach back to the page
        assert name == "a", markup
        assert set(attrs) == {"href", "rel", "target"}, markup
        assert scheme_of(attrs["href"]) in ("http", "https"), markup
        assert attrs["rel"] == REL, markup


def as_parsed(text: str) -> str:
    """What an HTML parser makes of typed text: CR LF and lone CR become LF (HTML's input
    preprocessing; the page shows notes with ``white-space: pre-wrap``, so it looks the same)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# A small grammar of HTML-ish attacks: tags, event handlers with odd spacing, script URLs
# spelled every way a browser would still run, and web addresses for the linkifier to find.
TAGS = [
    "script",
    "SCRIPT",
    "ScRiPt",
    "svg",
    "img",
    "a",
    "iframe",
    "style",
    "object",
    "embed",
    "math",
    "base",
    "form",
    "input",
    "details",
    "body",
    "video",
    "b",
    "p",
    "x",
]
HANDLERS = ["onerror", "onclick", "ONLOAD", "OnMouseOver", "onfocus", "on", "onanimationstart"]
URL_ATTRS = ["href", "src", "HREF", "xlink:href", "action", "formaction", "srcdoc", "data"]
SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "&#106;avascript:",
    "&#x6A;avascript:",
    "&#0000106;avascript:",
    "java\tscript:",
    "java&#x09;script:",
    "java&Tab;script:",
    "java\nscript:",
    "\x01javascript:",
    " javascript:",
    "javascript&colon;",
    "vbscript:",
    "VBScript:",
    "data:",
    "data:text/html;base64,",
    "http:",
    "https:",
]
PAYLOADS = [
    "alert(1)",
    "alert`1`",
    "//example.com/%0aalert(1)",
    "<script>alert(1)</script>",
    "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "www.example.com",
    "example.com/x",
]
HOSTS = ["example.com", "www.example.org", "a.co.uk", "x.com/a?b=1&c=2", 'evil.com/"onclick=']
SPACING = [" ", "  ", "\t", "\n", "\r\n", "\x0c", "/", " / ", ""]
QUOTES = ['"', "'", "", "`"]


@st.composite
def attribute(draw):
    space, eq_l, eq_r, q = (
        draw(st.sampled_from(SPACING)),
        draw(st.sampled_from(["", " "])),
        draw(st.sampled_from(["", " ", "\t"])),
        draw(st.sampled_from(QUOTES)),
    )
    if draw(st.booleans()):
        name, value = draw(st.sampled_from(HANDLERS)), draw(st.sampled_from(PAYLOADS))
    else:
        name = draw(st.sampled_from(URL_ATTRS))
        value = draw(st.sampled_from(SCHEMES)) + draw(st.sampled_from(PAYLOADS))
    return f"{space}{name}{eq_l}={eq_r}{q}{value}{q}"


@st.composite
def tag(draw):
    name = draw(st.sampled_from(TAGS))
    attrs = "".join(draw(st.lists(attribute(), max_size=3)))
    close = draw(st.sampled_from([">", "/>", " >", "", f"></{name}>", f">x</{name} >"]))
    return f"<{name}{attrs}{close}"


ADDRESS_SCHEMES = [
    "http://",
    "https://",
    "HTTPS://",
    "",
    "www.",
    "data://",
    "ftp://",
    "javascript://",
]
web_address = st.builds(
    lambda s, h, p: s + h + p,
    st.sampled_from(ADDRESS_SCHEMES),
    st.sampled_from(HOSTS),
    st.sampled_from(["", "/", "/<b>", "/&amp;", "/%22", "/'x", ")", "."]),
)


html_ish = st.lists(
    st.one_of(
        tag(),
        attribute(),
        web_address,
        st.sampled_from(
            [
                "<",
                ">",
                "</",
                "<!--",
                "-->",
                "<![CDATA[",
                "]]>",
                "&lt;",
                "&#60;",
                "&amp;",
                "&",
                "&#",
                ";",
                '"',
                "'",
                "`",
                "=",
                " ",
                "\n",
                "\r\n",
                "\x00",
                "\u2028",
                EMOJI,
                "e\u0301",
            ]
        ),
        st.text(any_char, max_size=5),
    ),
    max_size=12,
).map("".join)


@HEAVY
@given(html_ish)
@example('<a href="javascript:alert(1)">x</a>')
@example("<img src=x onerror=alert(1)>")
@example("<svg/onload=alert(1)>")
@example("<a href=&#106;avascript:alert(1)>x</a> www.example.com")
@example('https://example.com/"onclick="alert(1)')
def test_no_markup_a_student_types_survives_into_a_note(note):
    out = linkify(note)
    assert isinstance(out, Markup)
    assert_safe(str(out))


@HEAVY
@given(html_ish)
@example("a\r\nb <b>x</b> www.example.com")
@example("I checked https://example.org/a?b=1&c=2 today")
@example("&amp;lt; &#60; &")
def test_a_note_is_shown_exactly_as_typed_with_only_links_added(note):
    assume("\x00" not in note)  # never stored (see the validation properties)
    _, text = parse(str(linkify(note)))
    assert text == as_parsed(note)


@HEAVY
@given(st.one_of(html_ish, st.text(max_size=60)))
@example("a\r\nb\rc 'q' \"q\" &#39; <b>")
@example("@example.com and e.g. this")
def test_a_note_with_nothing_to_link_skips_the_parser_and_comes_out_as_bleach_gives_it(note):
    """linkify's shortcut (no web address in the note: escape, normalise line breaks) gives
    what bleach's parser would."""
    assume("\x00" not in note and not any(0xD800 <= ord(c) <= 0xDFFF for c in note))
    assert str(linkify(note)) == sanitise._linker.linkify(str(escape(note)))


@HEAVY
@given(html_ish)
@example("see www.example.com/<b> & x < y")
def test_the_sanitiser_is_idempotent(note):
    once = linkify(note)
    assert linkify(once) == once
    link = web_link(note)
    assert web_link(link) == link


@HEAVY
@given(
    st.one_of(
        web_address,
        html_ish,
        st.builds(
            lambda s, sch, p: s + sch + p,
            st.sampled_from(SPACING),
            st.sampled_from(SCHEMES),
            st.sampled_from(PAYLOADS),
        ),
    )
)
@example("javascript:alert(1)")
@example(" https://example.com/a ")
@example('https://a.example/"><script>alert(1)</script>')
@example("http://example.com\x00")
def test_where_i_checked_is_a_web_link_or_plain_text(url):
    out = str(web_link(url))
    assert_safe(out)
    elements, text = parse(out)
    assert text == as_parsed(url) or "\x00" in url
    if elements:
        [(_, attrs)] = elements
        # in an attribute value, the parser reads NUL as U+FFFD (saves refuse NUL anyway)
        assert attrs["href"] == as_parsed(url.strip()).replace("\x00", "\ufffd")


# ================================================================ annotation validation

JSON_STRINGS = st.one_of(
    st.text(any_char, max_size=6),
    st.sampled_from(
        [
            "source",
            "loaded",
            "omission",
            "sources",
            "loaded",
            "omissions",
            "named",
            "checked_url",
            "",
            "\x00",
        ]
    ),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3000)
    | st.sampled_from([1.5, -0.0, 1e300])
    | JSON_STRINGS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(JSON_STRINGS, inner, max_size=2),
    max_leaves=4,
)
KEYS = [
    "category",
    "prompt",
    "target",
    "note",
    "fields",
    "start",
    "end",
    "exact",
    "named",
    "affiliation",
    "independence",
    "checked_url",
    "rewrite",
    "missing",
    "why",
]


@st.composite
def annotation_payload(draw):
    """A JSON-shaped payload, mostly close to what a client sends, sometimes nonsense."""
    lesson = the_lesson()
    words = draw(
        st.sampled_from(
            ["media reports said on Tuesday", "vented its anger", "US Army General Mark Milley"]
        )
    )
    start = lesson.text.index(words)
    target = draw(
        st.one_of(
            st.just({"start": start, "end": start + len(words), "exact": words}),
            st.fixed_dictionaries({"start": json_values, "end": json_values, "exact": json_values}),
            json_values,
        )
    )
    payload = draw(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5))
    if draw(st.booleans()):
        payload["target"] = target
    return draw(st.one_of(st.just(payload), json_values))


@HEAVY
@given(annotation_payload())
@example({"category": "source", "fields": {"checked_url": ["x"]}})
@example({"prompt": "omissions", "fields": {"missing": "\x00"}, "target": None})
def test_validation_answers_clean_input_or_invalid_with_reasons_for_any_payload(payload):
    got, refused = attempt(Invalid, validate_annotation, payload, the_lesson())
    if refused:
        assert refused.message
        assert all(isinstance(v, str) and v for v in refused.fields.values())
        assert refused.message in refused.fields.values() or not refused.fields
        return
    assert isinstance(got, AnnotationInput)
    assert storable(got.note)
    assert all(storable(v) for v in got.fields.values())
    # what is accepted survives the trip to the database's JSON column
    assert json.loads(json.dumps(got.fields, ensure_ascii=False)) == got.fields


def source_with(note) -> dict:
    words = "media reports said on Tuesday"
    start = the_lesson().text.index(words)
    return {
        "category": "source",
        "prompt": "sources",
        "target": {"start": start, "end": start + len(words), "exact": words},
        "note": note,
    }


notes = st.one_of(
    st.text(st.characters(), max_size=60),  # surrogates included: a JSON parser can hand those
    st.lists(
        st.one_of(piece, st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d"])), max_size=20
    ).map("".join),
    html_ish,
)


@PURE
@given(notes, st.integers(1, 40))
@example("x\x00y", 2000)
@example("half an emoji \ud83d", 2000)
@example(EMOJI * 3, 3)
def test_a_note_is_kept_exactly_as_typed_or_refused_with_a_reason(note, limit):
    got, refused = attempt(
        Invalid, validate_annotation, source_with(note), the_lesson(), note_max=limit
    )
    if refused:
        assert set(refused.fields) == {"note"}
        if not storable(note):
            assert refused.fields["note"] == UNSTORABLE
        else:
            assert len(note) > limit  # limits count code points, as offsets do
            assert f"the limit is {limit:,}" in refused.fields["note"]
        return
    assert got.note == note
    assert storable(note)
    assert len(note) <= limit


def test_storable_text_is_exactly_what_utf8_and_every_database_can_keep():
    for ok in ["", "caf\u00e9", EMOJI, "\U0010ffff", "\uffff", "\ud7ff\ue000", "\x01\x7f"]:
        assert storable(ok)
        ok.encode("utf-8")
    for bad in ["\x00", "a\x00", "\ud800", "\udfff", "\ud83d\ude00"]:
        assert not storable(bad)


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20)] + ["\x7f", "\u200b", "\ufeff"])
def test_every_control_character_but_nul_is_storable(char):
    assert storable(char) == (char != "\x00")
