"""Hostile text for the XSS tests: every field a person types that someone else sees gets some.

Each payload that ever ran would leave a mark a test can see: it sets ``window.__xss`` or a
``data-xss`` attribute, opens a dialog, or asks ``xss.invalid`` (a name that never resolves:
RFC 2606) for something. The number in each mark says which payload it was. Payloads that are
links (``javascript:``, ``data:``) run only when clicked, so the tests look for such links.

Nothing here contains NUL or an unpaired surrogate (the app refuses those: they can't be
stored). ``tests/browser/test_xss.py`` puts the corpus through every page in a real browser,
``tests/web/test_xss_exports.py`` through every export.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.domain.anchoring import snap_to_words

EVIL_HOST = "xss.invalid"
# What a template engine would make of TEMPLATE_PROBES: if it ever shows up, data was run as
# a template (7**7; no port, id, date or token in these pages contains it by chance).
TEMPLATE_PRODUCT = "823543"
TEMPLATE_PROBES = "{{7*7*7*7*7*7*7}} ${7*7*7*7*7*7*7} #{7*7*7*7*7*7*7} {{config.SECRET_KEY}}"

# Unicode that has fooled parsers, sanitisers and people: line/paragraph separators (which
# end a JavaScript string literal in old engines), a right-to-left override, zero-width
# characters inside a tag name, full-width and small angle brackets, a byte-order mark,
# combining marks and an emoji.
UNICODE = (
    "a\u2028b\u2029c \u202e>tpircs/<\u202c \u200b<scr\u200dipt>__xss=90</scr\u200bipt>"
    " \uff1cscript\uff1e__xss=91\uff1c/script\uff1e \ufe64img src=x onerror=__xss=92\ufe65"
    " \ufeffBOM e\u0301\u0301 \U0001f600 \u00ab<\u00bb"
)
# Notes and answers refuse hidden direction changes (U+202A-202E, U+2066-2069: see
# test_annotation_validation), so what students can store is UNICODE without them; lesson text
# and names stored directly keep the override.
NOTE_UNICODE = UNICODE.replace("\u202e", "").replace("\u202c", "")

# Long fields (notes, structured answers, comments, lesson text): one payload each.
PAYLOADS: list[str] = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-xss','2')\">",
    "<svg onload=alert(3)>",
    "<svg><script>__xss=4</script></svg>",
    '"><b data-xss=5>bold</b>',
    "'><b data-xss=6>bold</b>",
    '" autofocus onfocus="__xss=7" x="',
    "' autofocus onfocus='__xss=8' x='",
    "</textarea><script>__xss=9</script><textarea>",
    "</script><script>__xss=10</script>",
    "<!--<script>__xss=11</script>-->",
    "</title><script>__xss=12</script>",
    "javascript:alert(13)",
    "[click me](javascript:alert(14))",
    '<a href="javascript:__xss=15">a link</a>',
    '<a href="data:text/html,<script>alert(16)</script>">data link</a>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=",
    '<iframe src="javascript:alert(18)"></iframe>',
    '<object data="data:text/html,<script>alert(19)</script>"></object><embed src=x>',
    "<math><mtext></p><img src=x onerror=__xss=20></mtext></math>",
    f"<style>@import 'http://{EVIL_HOST}/21.css';</style>",
    f'<img src="http://{EVIL_HOST}/22.png">',
    "<<script>script>__xss=23<</script>/script>",
    "<scr<script>ipt>__xss=24</scr</script>ipt>",
    "<img src=x onerror=__xss=25//",
    "&lt;script&gt;__xss=26&lt;/script&gt; &amp;lt;b&amp;gt; &#60;i&#62;",
    "\\u003cscript\\u003e__xss=27\\u003c/script\\u003e \\x3cb\\x3e",
    f'<base href="http://{EVIL_HOST}/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(29)">',
    '<form action="javascript:alert(30)"><button>go</button></form>',
    "<details open ontoggle=__xss=31>",
    '<a href=" java&#x09;script:alert(32)">tabbed</a>',
    "<input onfocus=__xss=33 autofocus>",
    '<noscript><p title="</noscript><img src=x onerror=__xss=34>">',
    "</style></q></p></li></ul></div><script>__xss=35</script>",
    "<x onpointerenter=__xss=36 onmouseover=__xss=36>hover me</x>",
    'https://example.org/"onmouseover="__xss=37"',
    "see https://example.org/a?b=<img/src=x/onerror=__xss=38> now",
    "`${__xss=39}` {{constructor.constructor('__xss=39')()}}",
    TEMPLATE_PROBES,
    NOTE_UNICODE,
    "x < y && y > z; <b>not bold</b> & \"quotes\" 'too'",
]

# Short payloads for names, class names, SIS ids and sections (up to 64 or 80 characters).
NAMES: list[str] = [
    "<img src=x onerror=__xss=101>",
    '"><svg onload=alert(102)>',
    "</script><script>__xss=103</script>",
    "' autofocus onfocus='__xss=104",
    "</textarea><b data-xss=105>",
    "Zo\u00eb \u202e<b data-xss=106>\u202c {{7*7*7*7*7*7*7}}",
    '" onmouseover="__xss=107" x="',
    "<a href=javascript:alert(108)>Ann</a>",
]

# Usernames as stored (the forms allow only letters, digits and . _ -; these go straight into
# the database, to show the pages don't rely on that rule). At most 40 characters.
USERNAMES: list[str] = [
    '"><img src=x onerror=__xss=201>',
    "</script><svg onload=__xss=202>",
]

TEACHER_NAME = "Ms <svg onload=__xss=301> \"Quinn'"
# passes the sign-up form's rule (no space, an @, a dot after it); {} takes a unique suffix
TEACHER_EMAIL = "t\"'><svg/onload=__xss=310>{}@school.test"
CLASS_NAME = "P3 <img src=x onerror=alert(302)> \"'></title></textarea>"
CLASS_NAME_2 = "</script><script>__xss=303</script> & co"
SIS_USER_ID = "=1+2<svg onload=__xss=304>"
SIS_LOGIN_ID = '@SUM(1)"><b data-xss=305>'
SECTION = "-2+3 </td><script>__xss=306</script>"
RUBRIC_COMMENT = (
    '</textarea><script>__xss=401</script> Good, see https://example.org/"a" and '
    "javascript:alert(402) <img src=x onerror=__xss=403>"
)
OVERRIDE_REASON = '" autofocus onfocus="__xss=404" x="</td><script>__xss=405</script>'
# Roster files: names of students on the printed cards, and lines with bad usernames that
# come back in the problems table as they were typed.
ROSTER_NAMES = ["<svg/onload=__xss=501>", '=HYPERLINK("http://xss.invalid")<b data-xss=502>']
ROSTER_BAD_USERNAMES = ["<img src=x onerror=__xss=503>", '"><b data-xss=504>']

# "Where I checked" must be an http(s) address with no spaces, so only these get through.
URLS: list[str] = [
    'https://example.org/"onmouseover="__xss=601"',
    "https://example.org/'><img/src=x/onerror=__xss=602>",
    "http://example.org/</a><script>__xss=603</script>",
    'https://example.org/?q=javascript:alert(604)#"><b/data-xss=605>',
]

# Reflected through the query string and form re-displays.
REFLECTED = "\"><img src=x onerror=__xss=701>'<svg onload=alert(702)>"

for _text in [*NAMES, TEACHER_NAME, CLASS_NAME, CLASS_NAME_2, *ROSTER_NAMES]:
    assert len(_text) <= 80, _text
for _text in [*USERNAMES, *ROSTER_BAD_USERNAMES]:
    assert len(_text) <= 40, _text
for _text in (SIS_USER_ID, SIS_LOGIN_ID, SECTION):
    assert len(_text) <= 64, _text
assert all("\x00" not in t for t in PAYLOADS)


# ---------------------------------------------------------------- a hostile lesson

HOSTILE_LESSON_ID = "hostile-xss"
OFF_KEY = "Officials <x onpointerenter=__xss=36>wondered</x> aloud"  # highlighted, not in the key

# A lesson whose every text shown to someone carries payloads; key quotes run across them
# (a quote must start and end on whole words, so the payloads sit inside).
HOSTILE_LESSON: dict[str, Any] = {
    "id": HOSTILE_LESSON_ID,
    "title": (
        '=Council <script>window.__xss=801</script> "budget" </title><svg onload=alert(802)>'
    ),
    "outlet": "<img src=x onerror=__xss=803> Daily",
    "byline": "By <b data-xss=804>Nobody</b>",
    "published": "</script><script>__xss=805</script>",
    "url": "javascript:alert(806)",
    "grade_band": '"><b data-xss=807>',
    "minutes": 20,
    "teacher_note": "<script>__xss=808</script>",
    "blocks": [
        {
            "kind": "headline",
            "text": (
                'Mayor <svg onload=__xss=811> Reed "wins" </title><script>__xss=812</script> vote'
            ),
        },
        {"kind": "caption", "text": "Photo </textarea><img src=x onerror=__xss=813> by staff"},
        {
            "kind": "paragraph",
            "text": "The council said <script>window.__xss=814</script> the budget passed, while "
            'critics slammed the "reckless" <b data-xss=815>plan</b> as a disaster.',
        },
        {
            "kind": "paragraph",
            "text": f"{OFF_KEY} how the {TEMPLATE_PROBES} figures were reached, "
            "</script><!--<script> said one aide.",
        },
        {
            "kind": "paragraph",
            "text": f'Residents {UNICODE} wrote letters " onfocus="__xss=816" autofocus x=" '
            "and protested.",
        },
        {
            "kind": "aside",
            "text": 'Read more:\n<a href="javascript:alert(817)">Council</a> approves the plan',
        },
        {"kind": "footer", "text": "\u00a9 <iframe src=javascript:alert(818)></iframe> News"},
    ],
    "categories": {"claim": {"label": "Claim <img src=x onerror=__xss=821>", "color": "#2f855a"}},
    "prompts": [
        {
            "id": "sources",
            "category": "source",
            "question": "Who says so? <script>__xss=822</script>",
            "hints": [
                'Look for "said" <img src=x onerror=__xss=823>',
                "</li></ul><b data-xss=824>",
            ],
        },
        {
            "id": "loaded",
            "category": "loaded",
            "question": 'Which words push you? " onmouseover="__xss=825',
            "hints": ["</details><svg onload=__xss=826>"],
        },
        {
            "id": "omissions",
            "category": "omission",
            "question": "What is left out? </textarea><script>__xss=827</script>",
        },
        {"id": "claims", "category": "claim", "question": "Which claims? {{7*7*7*7*7*7*7}}"},
    ],
    "key": [
        {
            "id": "src-council",
            "category": "source",
            "quote": "council said <script>window.__xss=814</script> the budget",
            "explanation": "Named <img src=x onerror=__xss=831> body",
            "points": 2,
        },
        {
            "id": "loaded-slammed",
            "category": "loaded",
            "quote": 'slammed the "reckless" <b data-xss=815>plan',
            "explanation": "</p><script>__xss=832</script> loaded",
            "points": 2,
        },
        {
            "id": "loaded-mayor",
            "category": "loaded",
            "quote": "Mayor <svg onload=__xss=811> Reed",
            "explanation": '"><b data-xss=833>x</b>',
            "points": 1,
        },
        {
            "id": "om-cost",
            "category": "omission",
            "statement": "The cost <svg onload=__xss=834> of the plan",
            "explanation": "</textarea><script>__xss=835</script>",
            "reference": "javascript:alert(836) <a href=javascript:alert(836)>ref</a>",
            "cues": ["cost", "<b data-xss=837>"],
            "points": 2,
        },
    ],
    "decoys": [
        {
            "id": "decoy-disaster",
            "category": "loaded",
            "quote": "as a disaster",
            "explanation": "Quoted <img src=x onerror=__xss=838>, not loaded",
        },
    ],
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string when nothing needs a surrogate-pair escape.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def to_toml(lesson: dict[str, Any]) -> str:
    """The lesson as a TOML file (just the shapes a lesson uses)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list[dict]]] = []
    for key, value in lesson.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            arrays.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in tables:
        for sub, entries in table.items():
            lines.append(f"\n[{key}.{sub}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in entries.items())
    for key, entries in arrays:
        for entry in entries:
            lines.append(f"\n[[{key}]]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in entry.items())
    return "\n".join(lines) + "\n"


# A lesson file with problems, named and written so that the problem report shown on the
# teacher's home page carries payloads.
BROKEN_LESSON_NAME = "<svg onload=__xss=841>.toml"
BROKEN_LESSON = to_toml(
    {
        "id": "broken-xss",
        "title": "Broken",
        "blocks": [{"kind": "paragraph", "text": "Just words."}],
        "prompts": [{"id": "p", "category": "source", "question": "?"}],
        "key": [
            {
                "id": "k",
                "category": "source",
                "quote": "<img src=x onerror=__xss=842>",
                "explanation": "x",
            }
        ],
    }
)


# ---------------------------------------------------------------- annotations


def plain_words(text: str) -> list[tuple[int, int]]:
    """Whole words of four or more ASCII letters, as [start, end) code-point ranges."""
    return [
        (m.start(), m.end())
        for m in re.finditer(r"[A-Za-z]{4,}", text)
        if snap_to_words(text, m.start(), m.end()) == (m.start(), m.end())
    ]


def annotation_bodies(lesson, notes: list[str]) -> list[dict[str, Any]]:
    """One annotation per note, in the API's shape, round the lesson's prompts in turn: each
    with the note and every structured answer its prompt asks for carrying a payload too
    (choices get a valid choice; "where I checked" a hostile but valid web address). Words are
    spread over the article; every other omission is a point in the text, the rest have none.
    """
    words = plain_words(lesson.text)
    step = max(1, len(words) // (len(notes) + 1))
    bodies = []
    for i, note in enumerate(notes):
        prompt = lesson.prompts[i % len(lesson.prompts)]
        fields = {}
        for f in prompt.fields:
            if f["type"] == "choice":
                fields[f["name"]] = f["choices"][-1][0]
            elif f["type"] == "url":
                fields[f["name"]] = URLS[i % len(URLS)]
            else:
                fields[f["name"]] = note[:500]
        body: dict[str, Any] = {
            "category": prompt.category,
            "prompt": prompt.id,
            "note": note,
            "fields": fields,
        }
        start, end = words[(i + 1) * step]
        if prompt.category != "omission":
            body["target"] = {"start": start, "end": end, "exact": lesson.text[start:end]}
        elif i % 2:
            body["target"] = {"start": start, "end": start, "exact": ""}
        bodies.append(body)
    return bodies
