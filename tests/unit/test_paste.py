"""A new lesson's article from what a teacher brings: pasted HTML (a news page, a Google Docs
document, an old site's <br><br> paragraphs), plain text, an uploaded file; hostile markup
comes out as plain text, and every result is blocks the lesson format accepts."""

from __future__ import annotations

import html as htmlmod
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from app.domain import sanitise
from app.domain.lessons import (
    BLOCK_KINDS,
    BLOCK_SEPARATOR,
    MAX_ARTICLE_CHARS,
    MAX_PASTE_CHARS,
    ArticleError,
    article_from_upload,
    article_too_long,
    blocks_from_html,
    blocks_from_text,
    draft_from_html,
    lesson_data_from_toml,
    load_lesson_file,
    parse_lesson,
)
from app.domain.sanitise import MAX_HTML_DEPTH, MAX_HTML_TAGS
from app.domain.sanitise.parsing import _INVALID
from tests.support.properties import examples
from tests.xss_corpus import PAYLOADS

os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "read-closely-hypothesis")
)
ROOT = Path(__file__).resolve().parents[2]
REAL_LESSON = ROOT / "lessons" / "kiev-anger-milley.toml"
PROPERTY = settings(max_examples=examples(200), deadline=None, database=None)

# ---------------------------------------------------------------- real pastes

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Council approves budget after late-night vote | The Eastbrook Gazette</title>
<script>window.dataLayer = window.dataLayer || []; gtag("config", "G-1");</script>
<style>.headline { font-size: 2rem }</style>
</head>
<body class="article-page has-breadcrumbs">
<header class="site-header">
  <a class="logo" href="/">The Eastbrook Gazette</a>
  <nav class="main-nav"><ul><li><a href="/news">News</a></li>
    <li><a href="/sport">Sport</a></li></ul></nav>
  <button class="menu" aria-expanded="false">Menu</button>
</header>
<main id="content">
  <nav aria-label="Breadcrumb" class="breadcrumbs">
    <ol><li><a href="/news">News</a></li><li><a href="/news/local">Local</a></li></ol>
  </nav>
  <article>
    <h1 class="headline">Council approves budget after
      late-night vote</h1>
    <div class="byline">By <a href="/staff/jo-reed">Jo Reed</a> &middot;
      <time datetime="2024-03-05">5 March 2024</time></div>
    <figure>
      <picture><source srcset="vote.webp"><img src="vote.jpg" alt="Councillors voting"></picture>
      <figcaption>Councillors voted 7&ndash;4 on Tuesday night.
        <span class="credit">Photo: Sam Ode</span></figcaption>
    </figure>
    <div class="article-body">
      <p>The council approved its budget on Tuesday, after a debate that ran past midnight.</p>
      <p>\u201cWe had no choice,\u201d said council leader Ana Ruiz. Critics called the
        plan&nbsp;\u201creckless\u201d.</p>
      <div class="ad-slot"><iframe src="https://ads.example/1"></iframe><noscript>Ad</noscript></div>
      <aside class="related"><h2>Read more:</h2>
        <p><a href="/parking">Parking charges to rise in April</a></p></aside>
      <p>The budget includes a 4.9% rise in council tax.</p>
      <form class="newsletter"><label>Get our newsletter</label><input type="email">
        <button>Sign up</button></form>
    </div>
    <footer class="article-footer"><p>&copy; 2024 The Eastbrook Gazette</p></footer>
  </article>
</main>
<script>track("pageview")</script>
</body></html>
"""

NEWS_BLOCKS = [
    ("paragraph", "The Eastbrook Gazette"),  # the site's logo: a teacher deletes it
    ("breadcrumb", "News / Local"),
    ("headline", "Council approves budget after late-night vote"),
    ("paragraph", "By Jo Reed \u00b7 5 March 2024"),
    ("caption", "Councillors voted 7\u20134 on Tuesday night. Photo: Sam Ode"),
    (
        "paragraph",
        "The council approved its budget on Tuesday, after a debate that ran past midnight.",
    ),
    (
        "paragraph",
        "\u201cWe had no choice,\u201d said council leader Ana Ruiz. Critics called the "
        "plan\u00a0\u201creckless\u201d.",
    ),
    ("aside", "Read more:\nParking charges to rise in April"),
    ("paragraph", "The budget includes a 4.9% rise in council tax."),
    ("footer", "\u00a9 2024 The Eastbrook Gazette"),
]

# What Chrome puts on the clipboard when text is copied from a Google Docs document.
_RUN = (
    "font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;"
    "font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;"
    "vertical-align:baseline;white-space:pre;white-space:pre-wrap;"
)
_PARA = "line-height:1.38;margin-top:0pt;margin-bottom:0pt;"
GOOGLE_DOCS = (
    '<meta charset="utf-8"><b style="font-weight:normal;" '
    'id="docs-internal-guid-3f1c2a7e-7fff-0c6a-5b1e-9d2f1e0c4a11">'
    f'<h1 dir="ltr" style="{_PARA}"><span style="{_RUN}font-size:20pt;">'
    "Parking plan divides Eastbrook</span></h1>"
    f'<p dir="ltr" style="{_PARA}"><span style="{_RUN}">Residents say the new charges are '
    f'</span><span style="{_RUN}font-style:italic;">unfair</span><span style="{_RUN}">, while '
    "shop owners welcome them.</span></p><br>"
    f'<p dir="ltr" style="{_PARA}"><span style="{_RUN}">\u201cIt\u2019s a tax on living '
    "here,\u201d one resident said.&nbsp;</span></p>"
    f'<p dir="ltr" style="{_PARA}"><span style="{_RUN}">&nbsp;</span></p><br>'
    '<ul style="margin-top:0;margin-bottom:0;padding-inline-start:48px;">'
    f'<li dir="ltr" style="list-style-type:disc;" aria-level="1"><p dir="ltr" style="{_PARA}" '
    f'role="presentation"><span style="{_RUN}">Charges start in April</span></p></li>'
    f'<li dir="ltr" style="list-style-type:disc;" aria-level="1"><p dir="ltr" style="{_PARA}" '
    f'role="presentation"><span style="{_RUN}">Blue badge holders park free</span></p></li>'
    "</ul><br>"
    f'<p dir="ltr" style="{_PARA}"><span style="{_RUN}">The council meets again on</span>'
    f'<span style="{_RUN}"><br></span><span style="{_RUN}">12 April.</span></p></b>'
    '<br class="Apple-interchange-newline">'
)
GOOGLE_DOCS_BLOCKS = [
    ("headline", "Parking plan divides Eastbrook"),
    ("paragraph", "Residents say the new charges are unfair, while shop owners welcome them."),
    ("paragraph", "\u201cIt\u2019s a tax on living here,\u201d one resident said."),
    ("paragraph", "Charges start in April"),
    ("paragraph", "Blue badge holders park free"),
    ("paragraph", "The council meets again on\n12 April."),
]

# An older site: one <div> of text, paragraphs made with <br><br>, a <font> around it all.
OLD_SITE = (
    '<div id="story"><font face="Arial" size="2">First paragraph.<br><br>\n'
    "Second paragraph,<br>with a line break.<br><br><br>Third &amp; last.</font></div>"
)


def test_a_news_page_keeps_its_headline_caption_paragraphs_asides_and_footer():
    draft = draft_from_html(NEWS_PAGE)
    assert draft.blocks == NEWS_BLOCKS
    assert draft.title == "Council approves budget after late-night vote"  # the h1, not <title>


def test_a_google_docs_paste_loses_its_spans_styles_and_empty_lines():
    assert blocks_from_html(GOOGLE_DOCS) == GOOGLE_DOCS_BLOCKS


def test_an_old_sites_double_line_breaks_make_paragraphs():
    assert blocks_from_html(OLD_SITE) == [
        ("paragraph", "First paragraph."),
        ("paragraph", "Second paragraph,\nwith a line break."),
        ("paragraph", "Third & last."),
    ]


def test_text_straight_in_a_div_beside_paragraphs_is_a_paragraph_of_its_own():
    pasted = (
        "<div><div>Intro words<p>A paragraph.</p>closing words</div>"
        "<div><div>deep</div></div></div>"
    )
    assert blocks_from_html(pasted) == [
        ("paragraph", "Intro words"),
        ("paragraph", "A paragraph."),
        ("paragraph", "closing words"),
        ("paragraph", "deep"),
    ]


@pytest.mark.parametrize(
    ("pasted", "kind"),
    [
        ("<h1>Words</h1>", "headline"),
        ("<h4>Words</h4>", "headline"),
        ("<p>Words</p>", "paragraph"),
        ("<ul><li>Words</li></ul>", "paragraph"),
        ("<blockquote>Words</blockquote>", "paragraph"),
        ("<div>Words</div>", "paragraph"),
        ("Words", "paragraph"),
        ("<figure><figcaption>Words</figcaption></figure>", "caption"),
        ("<table><caption>Words</caption></table>", "caption"),
        ("<aside><p>Words</p></aside>", "aside"),
        ("<aside><h3>Words</h3></aside>", "aside"),  # a box's heading is part of the box
        ("<footer>Words</footer>", "footer"),
        ('<ol class="breadcrumb"><li>Words</li></ol>', "breadcrumb"),
        ('<nav aria-label="Breadcrumb">Words</nav>', "breadcrumb"),
    ],
)
def test_each_element_gives_its_kind_of_block(pasted, kind):
    assert blocks_from_html(pasted) == [(kind, "Words")]


@pytest.mark.parametrize(
    "tag", ["script", "style", "nav", "noscript", "template", "iframe", "svg", "button", "form"]
)
def test_page_furniture_and_code_go_with_everything_inside(tag):
    # (inside <svg>, a <p> breaks out of it in a browser too: SVG's own text elements stay in)
    inside = "<text>Hidden words</text><desc>inside</desc>" if tag == "svg" else "<p>Hidden</p>in"
    pasted = f"<p>Before</p><{tag}>{inside}</{tag}><p>After</p>"
    assert blocks_from_html(pasted) == [("paragraph", "Before"), ("paragraph", "After")]


def test_hidden_elements_images_and_comments_leave_no_text():
    pasted = '<p>Kept <span hidden>not shown</span><img alt="a photo"><!-- a note -->words</p>'
    assert blocks_from_html(pasted) == [("paragraph", "Kept words")]


def test_white_space_collapses_entities_decode_and_quotes_stay_as_they_are():
    pasted = (
        "<p>  Two\n\t words &amp; an &lt;entity&gt;:\r\n"
        ' \u201cfine\u201d &#8217;n&rsquo; "plain" </p>'
    )
    assert blocks_from_html(pasted) == [
        ("paragraph", 'Two words & an <entity>: \u201cfine\u201d \u2019n\u2019 "plain"')
    ]


def test_a_line_break_stays_one_line_break_and_trims_around_it():
    assert blocks_from_html("<p>one &nbsp;<br>\n  two<br/>three</p>") == [
        ("paragraph", "one\ntwo\nthree")
    ]


def test_blocks_with_nothing_but_spaces_are_dropped():
    pasted = "<p>&nbsp;</p><p> </p><div><span> </span></div><p><br></p><h2>\u00a0</h2><p>Text</p>"
    assert blocks_from_html(pasted) == [("paragraph", "Text")]


def test_a_no_break_space_inside_a_line_stays_as_published():
    assert blocks_from_html("<p>New&nbsp;York</p>") == [("paragraph", "New\u00a0York")]


def test_table_rows_are_paragraphs_with_their_cells_apart():
    pasted = (
        "<table><tr><th>Ward</th><th>Votes</th></tr><tr><td>North</td><td>1,204</td></tr></table>"
    )
    assert blocks_from_html(pasted) == [("paragraph", "Ward Votes"), ("paragraph", "North 1,204")]


def test_a_breadcrumb_with_its_own_separators_gets_no_more():
    pasted = '<div class="breadcrumbs"><a>News</a> \u203a <a>World</a></div><p>Text</p>'
    assert blocks_from_html(pasted)[0] == ("breadcrumb", "News \u203a World")


def test_a_page_whose_body_mentions_breadcrumbs_is_not_all_breadcrumb():
    assert blocks_from_html('<body class="breadcrumbs"><p>Text</p></body>') == [
        ("paragraph", "Text")
    ]


def test_the_suggested_title_is_the_first_heading_or_else_the_page_title():
    assert draft_from_html("<title>Page | Site</title><p>Text</p>").title == "Page | Site"
    assert draft_from_html("<title>Page</title><h2>Sub</h2><h1>Main\n title</h1>").title == (
        "Main title"
    )
    assert draft_from_html("<p>Text</p>").title == ""


# ---------------------------------------------------------------- HTML too costly to read


def test_elements_nested_as_deep_as_the_limit_are_read():
    pasted = "<div><span>" * ((MAX_HTML_DEPTH - 2) // 2) + "deep"  # and <html>, <body>
    assert blocks_from_html(pasted) == [("paragraph", "deep")]


def too_complex(pasted: str) -> str:
    with pytest.raises(ArticleError) as raised:
        blocks_from_html(pasted)
    message = str(raised.value)
    assert message.startswith("This page is too complicated to read (")
    assert message.endswith(
        "): copy only the article and paste it again, or paste it as plain text."
    )
    return message


@pytest.mark.parametrize(
    "pasted",
    [
        "<div>" * MAX_HTML_DEPTH,
        "<div><span>" * 60 + "deep",  # unclosed: a browser nests them too
        "<div><span>x</span>" * MAX_HTML_DEPTH,
        "<!-- a comment --><section>" * MAX_HTML_DEPTH,
        "<svg><style>" + "<g>" * MAX_HTML_DEPTH,  # inside SVG a <style> holds markup
        "<svg><foreignObject><div></svg></div></foreignObject><style>" + "<g>" * MAX_HTML_DEPTH,
    ],
)
def test_elements_nested_too_deep_are_refused(pasted):
    assert "nested more than 100 deep" in too_complex(pasted)


def test_many_tags_nested_deep_are_refused_and_many_shallow_ones_are_read():
    assert "too many tags for how deep they are nested" in too_complex(
        "<div>" * 90 + "<b>x</b>" * 6_000
    )
    assert len(blocks_from_html("<p>x</p>" * 14_000)) == 14_000


def test_too_many_tags_are_refused_even_in_a_scripts_text():
    assert "more than 30,000 tags" in too_complex("<p>x" * (MAX_HTML_TAGS + 1))
    assert "more than 30,000 tags" in too_complex("<script>" + "<" * MAX_HTML_TAGS + "</script>")


def attributes(n: int) -> str:
    return " ".join(f"a{i}" for i in range(n))


@pytest.mark.parametrize(
    "pasted",
    [
        f"<p {attributes(1_002)}>x</p>",
        f'<p title="a > b" {attributes(1_002)}>x</p>',  # ">" in a quoted value
        f'<p x" {attributes(1_002)} ">x</p>',  # a quote in a name
        "<p " + "/".join(f"a{i}" for i in range(1_002)) + ">x</p>",
        f"</p {attributes(1_002)}>",  # an end tag's too
    ],
)
def test_a_tag_with_more_than_a_thousand_attributes_is_refused(pasted):
    assert "a tag has more than 1,000 attributes" in too_complex(pasted)


def test_a_tags_attributes_are_not_each_compared_with_all_before_them():
    """html5lib's tokenizer would (to report a parse error): time in their number squared."""
    from app.domain.sanitise.parsing import _Parser, getTreeBuilder

    parser = _Parser(tree=getTreeBuilder("etree"), namespaceHTMLElements=False)
    root = parser.parse(f'<p hidden class="a" {attributes(990)} class="b">x</p>')
    assert root.find("./body/p").get("class") == "a"  # the first of a name, as in a browser
    assert "duplicate-attribute" not in str(parser.errors)
    assert blocks_from_html(f"<p {attributes(1_000)}>x</p>" * 100) == [("paragraph", "x")] * 100


def test_markup_in_a_script_or_comment_is_not_counted_as_nesting():
    pasted = "<script>var s = '" + "<div>" * 500 + "';</script><!--" + "<div>" * 500 + "-->"
    assert blocks_from_html(pasted + "<p>x</p>") == [("paragraph", "x")]


def test_characters_html_calls_invalid_are_dropped_before_reading():
    assert blocks_from_html("<p>a\ufdd0b\U0010ffff\x01c\ufffe</p>") == [("paragraph", "abc")]


def test_the_real_pastes_are_far_from_the_limits():
    for pasted in (NEWS_PAGE, GOOGLE_DOCS, OLD_SITE):
        assert sanitise.read_html(pasted).blocks  # no HtmlTooComplex


def test_reading_html_directly_says_why_it_is_too_complex():
    with pytest.raises(sanitise.HtmlTooComplex, match="nested more than 100 deep"):
        sanitise.read_html("<div>" * 101)


# ---------------------------------------------------------------- hostile markup


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_markup_comes_out_as_plain_text_blocks(payload):
    blocks = blocks_from_html(payload)
    for kind, text in blocks:
        assert kind in BLOCK_KINDS
        assert type(text) is str  # never Markup: shown escaped, like any lesson text
        assert not isinstance(text, Markup)
    assert_lesson_accepts(blocks)


@pytest.mark.parametrize(
    "payload",
    [p for p in PAYLOADS if p.startswith(("<script", "<svg", "</textarea>", "</script>"))]
    + ["</style></q></p></li></ul></div><script>__xss=35</script>"],
)
def test_what_a_script_would_run_never_reaches_the_text(payload):
    assert "__xss" not in str(blocks_from_html(payload))
    assert "alert" not in str(blocks_from_html(payload))


def test_attributes_and_tags_never_become_text():
    blocks = blocks_from_html(
        '<a href="javascript:__xss=15" onclick="x()">a link</a><img src=x onerror=y>'
    )
    assert blocks == [("paragraph", "a link")]


def test_escaped_markup_in_an_article_is_its_text():
    """An article about HTML may show tags: as text, which every page escapes."""
    assert blocks_from_html("<p>Type &lt;b&gt; for bold</p>") == [
        ("paragraph", "Type <b> for bold")
    ]


# ---------------------------------------------------------------- plain text


def test_plain_text_splits_on_blank_lines_and_a_short_first_line_is_the_headline():
    text = (
        "Parking plan divides Eastbrook\r\n\r\nResidents say the charges are unfair.  \r\n"
        "Shop owners disagree.\r\n \t \r\n\r\nThe council meets in April."
    )
    assert blocks_from_text(text) == [
        ("headline", "Parking plan divides Eastbrook"),
        ("paragraph", "Residents say the charges are unfair.\nShop owners disagree."),
        ("paragraph", "The council meets in April."),
    ]


def test_old_mac_line_endings_are_line_breaks():
    assert blocks_from_text("One\rtwo\r\rThree.") == [
        ("paragraph", "One\ntwo"),
        ("paragraph", "Three."),
    ]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Is this the end?\n\nBody.", "headline"),
        ("A sentence that ends.\n\nBody.", "paragraph"),
        ("Two lines\nof title\n\nBody.", "paragraph"),
        ("x" * 120 + "\n\nBody.", "headline"),
        ("x" * 121 + "\n\nBody.", "paragraph"),
        ("Only one block", "paragraph"),
    ],
)
def test_the_first_block_is_a_headline_only_when_it_looks_like_one(text, first):
    assert blocks_from_text(text)[0][0] == first


def test_nothing_but_spaces_is_no_blocks():
    assert blocks_from_text(" \n\t\r\n\u00a0\n") == []
    assert blocks_from_html("<p> </p>") == []


def test_invisible_control_characters_are_dropped_and_page_breaks_split():
    assert blocks_from_text("Tab\tkept\x00\x07 here.\x0cNext page.") == [
        ("paragraph", "Tab\tkept here.\nNext page.")
    ]


# ---------------------------------------------------------------- size limits


def test_a_huge_paste_is_refused_before_it_is_read(monkeypatch):
    def never(html):
        raise AssertionError("read a paste over the limit")

    monkeypatch.setattr(sanitise, "read_html", never)
    huge = "<p>" + "word " * (MAX_PASTE_CHARS // 5) + "</p>"
    with pytest.raises(ArticleError, match=r"^The page, with its markup, is 1,000,00\d characters"):
        blocks_from_html(huge)
    with pytest.raises(ArticleError, match="at most 100,000 characters of article"):
        blocks_from_text("word " * (MAX_PASTE_CHARS // 4))


def test_an_article_over_the_limit_gets_the_checkers_message():
    paragraph = "word " * 9_999 + "end."  # 49,999 characters
    text = BLOCK_SEPARATOR.join([paragraph] * 3)
    with pytest.raises(ArticleError) as raised:
        blocks_from_text(text)
    assert str(raised.value) == article_too_long(len(text))
    assert str(raised.value) == (
        "The article is 150,001 characters long; a lesson may have at most 100,000. "
        "Shorten it or split it into two lessons."
    )
    html = "".join(f"<p>{paragraph}</p>" for _ in range(3))
    with pytest.raises(ArticleError, match=r"^The article is 150,001 characters long"):
        blocks_from_html(html)


def test_an_article_at_the_limit_is_fine():
    text = "a" * (MAX_ARTICLE_CHARS - 3) + "\n\nb"
    assert len(BLOCK_SEPARATOR.join(t for _, t in blocks_from_text(text))) == MAX_ARTICLE_CHARS


# ---------------------------------------------------------------- uploads


def test_a_text_file_in_utf8_with_or_without_a_byte_order_mark():
    data = "Headline\n\nBody \u201cquoted\u201d.\n".encode()
    for upload in (data, b"\xef\xbb\xbf" + data):
        draft = article_from_upload("article.txt", upload)
        assert draft.blocks == [("headline", "Headline"), ("paragraph", "Body \u201cquoted\u201d.")]
        assert draft.title == "Headline"
    assert article_from_upload("NOTES.TXT", b"Just a note.").title == ""


@pytest.mark.parametrize(
    "data",
    [
        "Caf\u00e9 \u201cquotes\u201d".encode("cp1252"),
        "Headline".encode("utf-16"),
        b"\xff\xfe\x00",
    ],
)
def test_a_text_file_in_another_encoding_is_refused_in_plain_words(data):
    with pytest.raises(ArticleError) as raised:
        article_from_upload("article.txt", data)
    assert str(raised.value) == "This file is not UTF-8 text: save it as UTF-8 and try again."


def test_a_saved_web_page_gives_its_blocks_and_title():
    for name in ("page.html", "page.HTM"):
        draft = article_from_upload(name, NEWS_PAGE.encode())
        assert draft.blocks == NEWS_BLOCKS
        assert draft.title == "Council approves budget after late-night vote"


def test_a_web_page_in_the_encoding_it_declares_is_read():
    page = '<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 \u201cx\u201d</p>'
    draft = article_from_upload("old.html", page.encode("cp1252"))
    assert draft.blocks == [("paragraph", "Caf\u00e9 \u201cx\u201d")]


def test_a_web_page_not_in_utf8_that_declares_nothing_is_refused():
    with pytest.raises(ArticleError, match="not UTF-8"):
        article_from_upload("old.html", "<p>Caf\u00e9</p>".encode("cp1252"))


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("article.pdf", "A .pdf file cannot be read as an article"),
        ("article.docx", "A .docx file cannot be read as an article"),
        ("README", "A file without .txt or .html at the end cannot be read"),
        ("lesson.toml", "A .toml file cannot be read as an article"),
    ],
)
def test_another_kind_of_file_is_refused_saying_what_to_upload(name, start):
    with pytest.raises(ArticleError) as raised:
        article_from_upload(name, b"whatever")
    assert str(raised.value).startswith(start)
    assert "upload a .txt or .html file" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "data"), [("a.txt", b""), ("a.txt", b" \n\n"), ("a.html", b"<script>x</script>")]
)
def test_a_file_with_no_article_text_says_so(name, data):
    with pytest.raises(ArticleError, match="There is no article text in this file"):
        article_from_upload(name, data)


# ---------------------------------------------------------------- lesson files


def test_a_lesson_file_reads_as_the_same_lesson_as_from_disk():
    data, error = lesson_data_from_toml(REAL_LESSON.read_bytes())
    assert error is None
    assert data is not None
    lesson, problems = parse_lesson(data, REAL_LESSON.name)
    on_disk, _ = load_lesson_file(REAL_LESSON)
    assert problems == []
    assert lesson is not None
    assert on_disk is not None
    assert lesson.version == on_disk.version == "f49fc446b1adba4f"


def test_a_lesson_file_with_a_byte_order_mark_reads():
    assert lesson_data_from_toml(b'\xef\xbb\xbfid = "x"\n') == ({"id": "x"}, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'id = "x"\ntitle = \n',
            "This lesson file is not valid TOML at line 2, column 9: a value is missing or not "
            "written as TOML (text needs quotes). Nothing in it was read.",
        ),
        (
            'id = "x"\nteacher_note = "two\nlines"\n',
            'This lesson file is not valid TOML at line 2, column 20: a text in "quotes" runs '
            "past the end of its line (write text with line breaks between ''' and '''). "
            "Nothing in it was read.",
        ),
        (
            'id = "x"\nid = "y"\n',
            "This lesson file is not valid TOML at line 2, column 9: a field is given twice. "
            "Nothing in it was read.",
        ),
        (
            "[[blocks]\n",
            "This lesson file is not valid TOML at line 1, column 9: Expected ']]' at the end "
            "of an array declaration. Nothing in it was read.",
        ),
    ],
)
def test_a_lesson_file_with_a_syntax_error_says_where_in_a_teachers_words(text, message):
    assert lesson_data_from_toml(text.encode()) == (None, message)


def test_a_lesson_file_not_in_utf8_says_so():
    assert lesson_data_from_toml('title = "Caf\u00e9"'.encode("cp1252")) == (
        None,
        "This file is not UTF-8 text: save it as UTF-8 and try again.",
    )


def test_a_huge_lesson_file_is_refused_before_it_is_parsed():
    data, error = lesson_data_from_toml(b"# " + b"x" * MAX_PASTE_CHARS)
    assert data is None
    assert error is not None
    assert error.startswith("This file is 1,000,002 characters long")


# ---------------------------------------------------------------- properties


def assert_lesson_accepts(blocks: list[tuple[str, str]]) -> None:
    """Each block keeps the format's rules, and a lesson made of them loads without a problem."""
    for kind, text in blocks:
        assert kind in BLOCK_KINDS
        assert text.strip()
        assert BLOCK_SEPARATOR not in text
        assert not text.startswith("\n")
        assert not text.endswith("\n")
    if not blocks:
        return
    raw = {
        "id": "pasted",
        "title": "Pasted",
        "blocks": [{"kind": k, "text": t} for k, t in blocks],
        "prompts": [{"id": "p", "category": "source", "question": "Who says so?"}],
    }
    lesson, problems = parse_lesson(raw, "pasted.toml")
    assert problems == []
    assert lesson is not None


TAGS = [
    "p", "div", "span", "b", "i", "a", "font", "h1", "h3", "ul", "ol", "li", "blockquote", "pre",
    "figure", "figcaption", "aside", "footer", "header", "section", "table", "tr", "td", "th",
    "caption", "br", "hr", "img", "script", "style", "nav", "noscript", "template", "iframe",
    "svg", "math", "button", "form", "textarea", "title", "select", "plaintext", "xmp", "details",
    'ol class="breadcrumb"', 'nav aria-label="breadcrumb"', "p hidden", "!--",
]  # fmt: skip
TEXTS = [
    " ", "\n", "\r\n", "\t", "&nbsp;", "\u00a0", "&amp;", "&lt;p&gt;", "&#0;", "&", "<", ">",
    "\u201cquote\u201d", "don\u2019t", "Kiev", "said", ".", "\u2028", "\u3000", "\u200b",
    "\U0001f600", "e\u0301", "\u05e9\u05dc\u05d5\u05dd", "</p>", "</div>", "<br>", "<br><br>",
    "<p>", "-->", "]]>", "\x00", "\x0c", "\ufeff",
]  # fmt: skip
any_text = st.text(st.characters(codec="utf-8"), max_size=8)
leaf = st.one_of(st.sampled_from(TEXTS), any_text)


def _element(tag: str, inside: list[str], closed: bool) -> str:
    name = tag.split()[0]
    if name == "!--":
        return "<!--" + "".join(inside) + ("-->" if closed else "")
    return f"<{tag}>" + "".join(inside) + (f"</{name}>" if closed else "")


markup = st.recursive(
    leaf,
    lambda inner: st.builds(
        _element, st.sampled_from(TAGS), st.lists(inner, max_size=4), st.booleans()
    ),
    max_leaves=40,
)
pastes = st.one_of(st.lists(markup, max_size=6).map("".join), st.text(st.characters(codec="utf-8")))


@PROPERTY
@given(pastes)
def test_any_pasted_html_gives_blocks_a_lesson_accepts(pasted):
    assert_lesson_accepts(blocks_from_html(pasted))


@PROPERTY
@given(st.text(st.characters(codec="utf-8")) | st.lists(leaf, max_size=30).map("".join))
def test_any_pasted_text_gives_blocks_a_lesson_accepts(text):
    assert_lesson_accepts(blocks_from_text(text))


# words: anything but controls (dropped) and surrogates (not UTF-8)
visible = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)


@PROPERTY
@given(st.lists(visible, min_size=1, max_size=5))
def test_pasted_paragraphs_keep_every_word_in_order(paragraphs):
    """Nothing is lost or made up: the words of escaped paragraphs are the blocks' words."""
    pasted = "".join(f"<p>{htmlmod.escape(p)}</p>" for p in paragraphs)
    words = " ".join(t for _, t in blocks_from_html(pasted)).split()
    assert words == " ".join(paragraphs).split()


@PROPERTY
@given(st.lists(visible, max_size=8).map("\n".join))
def test_pasted_text_keeps_every_word_in_order(text):
    words = " ".join(t for _, t in blocks_from_text(text)).split()
    assert words == text.split()


def tree(element) -> list:
    """An element and all below it as plain data, in document order (no recursion)."""
    out, stack = [], [element]
    while stack:
        e = stack.pop()
        tag = e.tag if isinstance(e.tag, str) else "#comment"
        out.append((tag, sorted(e.attrib.items()), e.text, e.tail))
        stack.extend(reversed(list(e)))
    return out


@PROPERTY
@given(pastes)
def test_the_reader_parses_as_html5lib_does(pasted):
    """Its tokenizer skips only html5lib's check for repeated attribute names, and it drops
    the characters HTML calls invalid before reading: the tree is html5lib's otherwise."""
    from bleach._vendor import html5lib

    from app.domain.sanitise.parsing import parse

    ours = parse(pasted)
    theirs = html5lib.parse(
        _INVALID.sub("", pasted), treebuilder="etree", namespaceHTMLElements=False, scripting=True
    )
    assert tree(ours) == tree(theirs)
