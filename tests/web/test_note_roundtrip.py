"""Property-based tests (Hypothesis): a note round-trips through the real annotations API and
the database unchanged, whatever Unicode it holds, or is refused with a clear 422, never a 500.
Hidden direction changes (U+202A-202E, U+2066-2069) are refused, as in names.

PostgreSQL refuses NUL in text and no database (nor UTF-8) can hold half of a surrogate pair,
which JSON can still carry as an escape (``"\\ud83d"``); validation refuses both with a
reason. Each example uses a fresh annotation id in the one class the fixtures make per test.
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest
import sqlalchemy as sa
from bleach._vendor import html5lib
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from app.domain.annotations import DIRECTION_CHANGE, UNSTORABLE, storable
from app.domain.roster import DIRECTION_CONTROLS, has_direction_controls
from app.extensions import db
from tests.support.factory import highlight, new_id
from tests.support.properties import examples

# Hypothesis keeps caches (its examples database is off) in a folder outside the repository
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "read-closely-hypothesis")
)
WEB = settings(
    max_examples=examples(50),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

EMOJI = "\U0001f600"
TRICKY = [
    "\r\n",
    "\r",
    "\n\n",
    "\t",
    " ",
    "\u00a0",
    "\u200b",
    "\u200d",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "e\u0301",
    "\u00e9",
    "\u200f",
    EMOJI,
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1fa\U0001f1e6",
    "<b>x</b>",
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;",
    "\\u0000",
    "\\",
    '"',
    "'",
    "https://example.com/a?b=1&c=2",
    "javascript:alert(1)",
    "=SUM(A1)",
    "Robert'); DROP TABLE annotations;--",
]
# what a student can type: every code point UTF-8 can carry (no NUL, no surrogate halves), but
# hidden direction changes (refused: see the test of unkeepable text)
typed = st.characters(codec="utf-8", exclude_characters="\x00" + "".join(DIRECTION_CONTROLS))
note_text = st.one_of(
    st.text(typed, max_size=80),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(typed, max_size=3)), max_size=20).map(
        "".join
    ),
)
WORDS = "media reports said on Tuesday"


@pytest.fixture
def no_rate_limit(app):
    # examples (and shrinking, when one fails) send far more saves a minute than a student
    app.config["RATE_LIMIT_API_PER_MINUTE"] = 10**9
    app.config["ANNOTATIONS_MAX"] = 10**9  # and, under `make fuzz`, more annotations than 300


def stored(uid: str) -> tuple[str, str] | None:
    """The note and fields as the database holds them (a fresh query, no session cache)."""
    db.session.expire_all()
    row = db.session.execute(
        sa.text("SELECT note, fields_json FROM annotations WHERE id = :id"), {"id": uid}
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def shown_text(markup: str) -> str:
    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    assert {el.tag for el in fragment.iter() if el is not fragment} <= {"a"}
    return "".join(fragment.itertext())


@WEB
@given(note=note_text, affiliation=note_text)
@example(note="", affiliation="")
@example(note="a\r\nb\rc\n", affiliation=" padded ")
@example(note=EMOJI * 2000, affiliation="\U0010ffff" * 500)  # the limits count code points
@example(note="\ufeff<b>x</b> & \u200fevil", affiliation="\\u0000")
def test_any_text_a_student_types_comes_back_unchanged(
    work, lesson, no_rate_limit, note, affiliation
):
    uid = new_id()
    body = highlight(
        lesson,
        WORDS,
        category="source",
        prompt="sources",
        note=note,
        fields={"affiliation": affiliation},
    )
    resp = work.api.put(work.assignment, uid, body)
    assert resp.status_code == 201, resp.get_json()
    sent_back = resp.get_json()
    want_fields = {"affiliation": affiliation} if affiliation else {}
    assert (sent_back["note"], sent_back["fields"]) == (note, want_fields)

    listed = {a["id"]: a for a in work.api.mine(work.assignment)}[uid]
    assert listed["note"].encode("utf-8") == note.encode("utf-8")
    assert listed["fields"] == want_fields

    in_db = stored(uid)
    assert in_db is not None
    assert in_db[0].encode("utf-8") == note.encode("utf-8")
    assert json.loads(in_db[1]) == want_fields

    # the display copy shows the same characters (an HTML parser turns CR LF into LF)
    assert shown_text(listed["note_html"]) == note.replace("\r\n", "\n").replace("\r", "\n")


@WEB
@given(note=note_text, edit=note_text)
def test_an_edited_note_comes_back_unchanged_and_a_retry_changes_nothing(
    work, lesson, no_rate_limit, note, edit
):
    uid = new_id()
    first = work.api.put(work.assignment, uid, highlight(lesson, WORDS, note=note))
    assert first.status_code == 201
    again = highlight(lesson, WORDS, note=edit)
    second = work.api.put(work.assignment, uid, again, if_match=1)
    assert second.status_code == 200
    assert second.get_json()["version"] == (1 if edit == note else 2)
    retry = work.api.put(work.assignment, uid, again, if_match=1)  # the same write, again
    assert retry.status_code == 200
    assert retry.get_json()["note"] == edit
    assert stored(uid)[0] == edit


HALVES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
unstorable_note = st.builds(
    lambda before, bad, after: before + bad + after,
    note_text,
    st.one_of(
        st.sampled_from(["\x00", *HALVES, *sorted(DIRECTION_CONTROLS)]),
        st.lists(st.sampled_from(["\x00", *HALVES, "x"]), min_size=1, max_size=4).map("".join),
    ),
    note_text,
)


@WEB
@given(
    text=st.one_of(unstorable_note, note_text),
    limit=st.integers(1, 60),
    where=st.sampled_from(["note", "affiliation"]),
)
@example(text="x\x00y", limit=60, where="note")
@example(text="half an emoji \ud83d", limit=60, where="note")
@example(text="\ude00 the other half", limit=60, where="note")
@example(text="x\x00y", limit=60, where="affiliation")
@example(text="Bob \u202eevil", limit=60, where="note")
@example(text="x\u2066y", limit=60, where="affiliation")
@example(text=EMOJI * 4, limit=3, where="note")
def test_text_that_cannot_be_kept_gets_a_422_with_a_reason_never_a_500(
    work, lesson, app, no_rate_limit, text, limit, where
):
    app.config["NOTE_MAX_CHARS"] = app.config["FIELD_MAX_CHARS"] = limit
    # json.dumps escapes surrogates (ensure_ascii); a JSON parser joins an adjacent high and
    # low half into one character again, so what the server receives is this:
    received = json.loads(json.dumps(text))
    uid = new_id()
    body = highlight(lesson, WORDS, category="source", prompt="sources")
    if where == "note":
        body["note"] = text
    else:
        body["fields"] = {where: text}
    resp = work.api.put(work.assignment, uid, body)
    event(f"{where}: answered {resp.status_code}")
    if storable(received) and not has_direction_controls(received) and len(received) <= limit:
        assert resp.status_code == 201
        saved = resp.get_json()
        if where == "note":
            assert saved["note"] == received
        else:
            assert saved["fields"] == ({where: received} if received else {})
        return
    assert resp.status_code == 422
    answer = resp.get_json()
    key = "note" if where == "note" else f"fields.{where}"
    assert answer["code"] == "invalid"
    assert set(answer["fields"]) == {key}
    assert answer["error"] == answer["fields"][key]
    if not storable(received):
        assert answer["fields"][key] == UNSTORABLE
    elif has_direction_controls(received):
        assert answer["fields"][key] == DIRECTION_CHANGE
    elif where == "note":
        assert f"the limit is {limit:,}" in answer["fields"][key]
    else:
        assert f"Keep this under {limit:,} characters" in answer["fields"][key]
    assert stored(uid) is None
    assert uid not in {a["id"] for a in work.api.mine(work.assignment)}


@WEB
@given(
    raw=st.binary(max_size=12)
    | st.sampled_from(
        [
            b"\xed\xa0\x80",
            b"\xed\xbf\xbf",
            b"\xf0\x9f\x98",
            b"\xff",
            b"\\u0000",
            b"\\ud800",
            b"\\ud83d\\ude00",
            b"\\ude00\\ud83d",
            b"\xf4\x90\x80\x80",
            b"\xc0\xaf",
            b"\\",
            b'"',
        ]
    )
)
@example(raw=b"\xed\xa0\x80")  # a surrogate half, UTF-8 encoded: Python's JSON reads it
@example(raw="caf\u00e9 \U0001f600".encode())
def test_any_bytes_in_a_note_get_an_answer_never_a_500(work, lesson, no_rate_limit, raw):
    """Whatever bytes a client puts inside the note's JSON string: saved exactly as a JSON
    parser reads them, 400 when they aren't JSON, or 422 when they can't be stored."""
    uid = new_id()
    template = highlight(lesson, WORDS, note="\x01")
    head, tail = json.dumps(template).encode().split(b"\\u0001")
    data = head + raw + tail
    resp = work.api.put(work.assignment, uid, None, raw=data)
    event(f"answered {resp.status_code}")
    try:
        payload = json.loads(data)
    except ValueError:  # not JSON (or not UTF-8)
        assert resp.status_code == 400
        assert resp.get_json()["code"] == "malformed"
        return
    received = payload.pop("note")
    if payload != {k: v for k, v in template.items() if k != "note"} or not isinstance(
        received, str
    ):
        # the bytes closed the string and changed the rest of the body
        assert resp.status_code in (201, 422)
    elif storable(received):
        assert resp.status_code == 201
        assert stored(uid)[0] == received
    else:
        assert resp.status_code == 422
        assert resp.get_json()["fields"] == {"note": UNSTORABLE}
        assert stored(uid) is None


KEYS = [
    "category",
    "prompt",
    "target",
    "note",
    "fields",
    "start",
    "end",
    "exact",
    "prefix",
    "affiliation",
    "checked_url",
    "named",
    "missing",
    "source",
    "sources",
    "omission",
]
json_text = st.text(st.characters(), max_size=6) | st.sampled_from(KEYS)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 3000)
    | st.sampled_from([0.5, -0.0, 1e308])
    | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def json_body(draw, lesson):
    """A body close to what a client sends, with parts replaced by any JSON at all."""
    body = highlight(
        lesson, WORDS, category=draw(st.sampled_from(["source", "omission"])), note=draw(note_text)
    )
    for key in draw(st.lists(st.sampled_from(KEYS) | json_text, max_size=3)):
        body[key] = draw(json_value)
    if draw(st.booleans()):
        body["target"] = dict(
            body["target"] if isinstance(body.get("target"), dict) else {},
            **draw(st.dictionaries(json_text, json_value, max_size=2)),
        )
    return draw(st.just(body) | json_value)


@WEB
@given(data=st.data())
def test_any_json_body_gets_a_clear_answer_never_a_500(work, lesson, no_rate_limit, data):
    body = data.draw(json_body(lesson))
    resp = work.api.put(work.assignment, new_id(), body)
    event(f"answered {resp.status_code}")
    answer = resp.get_json()
    if body is None:  # JSON null is no annotation at all
        assert resp.status_code == 400
    elif resp.status_code != 201:
        assert resp.status_code == 422
        assert answer["code"] == "invalid"
        assert answer["error"]
        assert answer["error"] in answer["fields"].values() or not answer["fields"]
