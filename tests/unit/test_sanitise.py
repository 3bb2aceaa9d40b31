"""The one sanitising module: notes become escaped text with live web links, nothing else."""

from __future__ import annotations

import pytest

from app.domain.sanitise import REL, linkify, web_link


def test_markup_in_a_note_comes_out_as_the_characters_typed():
    assert linkify("<b>x</b> & x < y") == "&lt;b&gt;x&lt;/b&gt; &amp; x &lt; y"


def test_a_web_address_in_a_note_becomes_a_safe_link():
    html = linkify("I checked https://example.org/a?b=1&c=2 today")
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in html
    assert f'rel="{REL}"' in html
    assert html.startswith("I checked ")
    assert html.endswith(" today")


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "data:text/html,<script>alert(1)</script>",
        "<svg onload=alert(1)>",
    ],
)
def test_nothing_that_could_run_survives(text):
    html = linkify(text)
    assert "<" not in html  # every tag typed came out escaped, and no link was made
    assert "<a " not in html


def test_where_i_checked_links_only_web_addresses():
    assert web_link("javascript:alert(1)") == "javascript:alert(1)"
    link = web_link('https://a.example/"><script>')
    assert link.startswith('<a href="https://a.example/&#34;&gt;&lt;script&gt;"')
    assert "<script>" not in link
