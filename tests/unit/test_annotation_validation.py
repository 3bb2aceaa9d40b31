"""validate_annotation: the small schema behind the annotations API and the no-JavaScript form."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.anchoring import Target
from app.domain.annotations import (
    CONFLICT,
    CREATE,
    NOTE_MAX,
    SAME,
    UPDATE,
    AnnotationInput,
    Invalid,
    plan_put,
    validate_annotation,
)
from app.domain.lessons import load_lesson_file

LESSON_FILE = Path(__file__).resolve().parents[2] / "lessons" / "kiev-anger-milley.toml"


@pytest.fixture(scope="module")
def lesson():
    lesson, problems = load_lesson_file(LESSON_FILE)
    assert problems == []
    return lesson


def target_for(lesson, words: str) -> dict:
    start = lesson.text.index(words)
    return {"start": start, "end": start + len(words), "exact": words}


def invalid(payload, lesson, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as caught:
        validate_annotation(payload, lesson, **kwargs)
    return caught.value


def source(lesson, **extra) -> dict:
    return {
        "category": "source",
        "prompt": "sources",
        "target": target_for(lesson, "media reports said on Tuesday"),
        "note": "Who?",
        **extra,
    }


# ---------------------------------------------------------------- what is accepted


def test_a_source_highlight_with_structured_fields_is_accepted(lesson):
    data = validate_annotation(
        source(
            lesson,
            fields={
                "named": "unnamed",
                "affiliation": "none given",
                "independence": "unsure",
                "checked_url": "  https://edition.cnn.com/2022/11/09/politics/milley  ",
            },
        ),
        lesson,
    )
    assert isinstance(data, AnnotationInput)
    assert (data.category, data.prompt_id) == ("source", "sources")
    assert data.target is not None
    assert data.target.exact == "media reports said on Tuesday"
    assert data.fields["checked_url"] == "https://edition.cnn.com/2022/11/09/politics/milley"
    assert data.fields["named"] == "unnamed"
    assert data.reanchored is False


def test_the_category_comes_from_the_prompt_when_left_out(lesson):
    data = validate_annotation(
        {"prompt": "loaded", "note": "", "target": target_for(lesson, "slapping")}, lesson
    )
    assert data.category == "loaded"


def test_the_prompt_comes_from_the_category_when_left_out(lesson):
    data = validate_annotation(
        {"category": "loaded", "target": target_for(lesson, "slapping")}, lesson
    )
    assert data.prompt_id == "loaded"


def test_an_omission_with_no_target_is_accepted(lesson):
    data = validate_annotation(
        {
            "category": "omission",
            "prompt": "omissions",
            "fields": {"missing": "Where Milley spoke"},
        },
        lesson,
    )
    assert data.target is None
    assert data.fields == {"missing": "Where Milley spoke"}


def test_an_omission_may_point_at_a_place_in_the_text(lesson):
    at = lesson.text.index(" he said to the Kiev officials")
    data = validate_annotation(
        {
            "category": "omission",
            "prompt": "omissions",
            "target": {"start": at, "end": at, "exact": ""},
            "fields": {"missing": "Where was he?"},
        },
        lesson,
    )
    assert data.target is not None
    assert data.target.is_point
    assert data.target.start == at
    assert data.target.suffix.startswith(" he said to the Kiev")


def test_markup_in_a_note_is_kept_exactly_as_typed(lesson):
    note = 'x < y & <b>bold</b> <script>alert(1)</script> &lt; "quoted"\n  indented'
    data = validate_annotation(source(lesson, note=note), lesson)
    assert data.note == note


def test_a_target_with_offsets_off_but_a_unique_quote_is_moved_and_flagged(lesson):
    target = target_for(lesson, "media reports said on Tuesday")
    target["start"] += 2
    target["end"] += 2
    data = validate_annotation(source(lesson, target=target), lesson)
    assert data.reanchored is True
    assert data.target is not None
    assert data.target.start == target["start"] - 2


def test_an_empty_field_is_left_out_rather_than_refused(lesson):
    data = validate_annotation(source(lesson, fields={"named": "", "affiliation": None}), lesson)
    assert data.fields == {}


def test_a_note_of_exactly_the_limit_is_accepted(lesson):
    data = validate_annotation(source(lesson, note="a" * NOTE_MAX), lesson)
    assert len(data.note) == 2000


# ---------------------------------------------------------------- what is refused, and why


def test_a_note_over_2000_characters_says_its_length_and_the_limit(lesson):
    error = invalid(source(lesson, note="a" * 2001), lesson)
    assert "2,001" in error.fields["note"]
    assert "2,000" in error.fields["note"]
    assert error.message == error.fields["note"]


def test_the_note_limit_can_be_configured(lesson):
    error = invalid(source(lesson, note="a" * 11), lesson, note_max=10)
    assert "11" in error.fields["note"]
    assert "10" in error.fields["note"]


def test_the_omissions_prompt_needs_what_is_missing(lesson):
    error = invalid({"category": "omission", "prompt": "omissions", "note": "Something"}, lesson)
    assert error.fields == {"fields.missing": "Please fill in \u201cWhat is missing\u201d."}


def test_a_blank_required_field_counts_as_missing(lesson):
    error = invalid(
        {"category": "omission", "prompt": "omissions", "fields": {"missing": "   "}}, lesson
    )
    assert "fields.missing" in error.fields


def test_an_unknown_prompt_is_refused(lesson):
    error = invalid(source(lesson, prompt="no-such-question"), lesson)
    assert error.fields["prompt"] == "That question isn't part of this lesson."


@pytest.mark.parametrize("prompt", [5, ["sources"], {"id": "sources"}])
def test_a_prompt_that_is_not_text_is_refused(lesson, prompt):
    error = invalid(source(lesson, prompt=prompt), lesson)
    assert "prompt" in error.fields


def test_a_category_that_does_not_fit_the_prompt_is_refused(lesson):
    error = invalid(source(lesson, category="loaded"), lesson)
    assert error.fields["category"] == "That kind doesn't fit the question you picked."


@pytest.mark.parametrize("category", ["spin", "", None, 3, ["source"]])
def test_an_unknown_category_is_refused(lesson, category):
    error = invalid({"category": category, "target": target_for(lesson, "slapping")}, lesson)
    assert "category" in error.fields


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("named", "maybe", "Pick one of the choices"),
        ("independence", "Independent", "Pick one of the choices"),
        ("checked_url", "javascript:alert(document.cookie)", "like reuters.com"),
        ("checked_url", "JavaScript:alert(1)", "like reuters.com"),
        ("checked_url", "ftp://example.org/file", "like reuters.com"),
        ("checked_url", "https://", "like reuters.com"),
        ("checked_url", "https://exa mple.org", "like reuters.com"),
        ("checked_url", "data:text/html,<script>alert(1)</script>", "like reuters.com"),
        ("affiliation", 42, "must be text"),
        ("affiliation", "x" * 501, "under 500 characters (it is 501)"),
        ("colour", "red", "doesn't ask for that"),
        ("rewrite", "a loaded field on a source", "doesn't ask for that"),
    ],
)
def test_a_bad_structured_field_is_refused_with_a_reason(lesson, name, value, message):
    error = invalid(source(lesson, fields={name: value}), lesson)
    assert message in error.fields[f"fields.{name}"]


@pytest.mark.parametrize("url", ["http://example.org", "https://www.reuters.com/world/x?y=1#z"])
def test_a_web_address_where_the_student_checked_is_kept(lesson, url):
    data = validate_annotation(source(lesson, fields={"checked_url": url}), lesson)
    assert data.fields["checked_url"] == url


def test_fields_that_are_not_an_object_are_refused(lesson):
    error = invalid(source(lesson, fields=["named"]), lesson)
    assert "fields" in error.fields


def test_a_highlight_needs_a_target_unless_it_is_an_omission(lesson):
    payload = source(lesson)
    del payload["target"]
    error = invalid(payload, lesson)
    assert error.fields["target"] == "Select some words in the article first."


@pytest.mark.parametrize(
    "target",
    [
        "0-10",
        {"start": "0", "end": 10, "exact": "News"},
        {"start": 0, "end": None, "exact": "News"},
        {"start": True, "end": 4, "exact": "News"},
        {"start": 0, "end": 4, "exact": 4},
        {"end": 4, "exact": "News"},
    ],
)
def test_a_malformed_target_is_refused(lesson, target):
    error = invalid(source(lesson, target=target), lesson)
    assert error.fields["target"] == "The highlight must say where it starts and ends."


def test_a_zero_length_target_is_refused_for_a_highlight(lesson):
    at = lesson.text.index("media reports")
    error = invalid(source(lesson, target={"start": at, "end": at, "exact": ""}), lesson)
    assert "at least one word" in error.fields["target"]


def test_a_target_whose_words_do_not_match_the_text_is_refused(lesson):
    target = target_for(lesson, "media reports said on Tuesday")
    target["exact"] = "media reports said on Monday"
    error = invalid(source(lesson, target=target), lesson)
    assert "don't match the article" in error.fields["target"]


@pytest.mark.parametrize("note", [5, ["a"], {"a": 1}])
def test_a_note_that_is_not_text_is_refused(lesson, note):
    error = invalid(source(lesson, note=note), lesson)
    assert error.fields["note"] == "The note must be text."


def test_a_missing_note_counts_as_empty(lesson):
    data = validate_annotation(source(lesson, note=None), lesson)
    assert data.note == ""


@pytest.mark.parametrize("payload", [None, [], "a note", 3, ["category", "source"]])
def test_a_payload_that_is_not_an_object_is_refused(lesson, payload):
    error = invalid(payload, lesson)
    assert error.message == "Send the annotation as a JSON object."
    assert error.fields == {}


def test_every_problem_is_reported_at_once(lesson):
    error = invalid(
        {
            "category": "source",
            "prompt": "sources",
            "note": "a" * 2001,
            "fields": {"named": "maybe"},
        },
        lesson,
    )
    assert set(error.fields) == {"note", "fields.named", "target"}


@pytest.mark.parametrize("bad", ["nul \x00 inside", "half an emoji \ud83d"])
def test_a_note_with_characters_no_database_can_keep_is_refused_in_words(lesson, bad):
    with pytest.raises(Invalid) as e:
        validate_annotation(
            {
                "category": "omission",
                "prompt": "omissions",
                "note": bad,
                "fields": {"missing": "x"},
            },
            lesson,
        )
    assert "can't store" in e.value.fields["note"]


@pytest.mark.parametrize("override", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u202a"])
def test_a_hidden_direction_change_in_a_note_or_an_answer_is_refused_in_words(lesson, override):
    error = invalid(
        {
            "category": "omission",
            "prompt": "omissions",
            "note": f"looks fine {override}txet neddih",
            "fields": {"missing": f"x{override}y"},
        },
        lesson,
    )
    assert "changes the direction of the text" in error.fields["note"]
    assert "changes the direction of the text" in error.fields["fields.missing"]


def test_right_to_left_writing_and_line_breaks_are_welcome_in_notes(lesson):
    note = "\u05e9\u05dc\u05d5\u05dd and \u0645\u0631\u062d\u0628\u0627\u200f\none\ttwo"
    clean = validate_annotation(
        {"category": "omission", "prompt": "omissions", "note": note, "fields": {"missing": "x"}},
        lesson,
    )
    assert clean.note == note


def test_the_no_javascript_form_stores_line_breaks_like_the_page_does(lesson):
    from app.domain.annotations import quote_form_payload

    payload = quote_form_payload(
        lesson,
        {"prompt": "omissions", "note": "one\r\ntwo", "missing": "a\r\nb", "rewrite": "ignored"},
    )
    assert payload["note"] == "one\ntwo"
    assert payload["fields"] == {"missing": "a\nb"}  # rewrite isn't asked by this prompt
    assert payload["category"] == "omission"


# ---------------------------------------------------------------- plan_put: what a save does


def _input(note: str, start: int = 10) -> AnnotationInput:
    return AnnotationInput("source", "sources", Target(start, start + 5, "x" * 5), note, {})


@pytest.mark.parametrize(
    ("stored", "version", "deleted", "sent", "if_match", "plan"),
    [
        # nothing stored under the id: made, unless If-Match names a version of it
        (None, None, False, _input("a"), None, CREATE),
        (None, None, False, _input("a"), 1, CONFLICT),
        # the same content again (a retry of a save that landed): nothing changes, even when
        # If-Match is the version the retry was sent with, one behind
        (_input("a"), 2, False, _input("a"), None, SAME),
        (_input("a"), 2, False, _input("a"), 1, SAME),
        (_input("a"), 2, False, _input("a"), 2, SAME),
        # new content: If-Match absent or naming the stored version
        (_input("a"), 2, False, _input("b"), None, UPDATE),
        (_input("a"), 2, False, _input("b"), 2, UPDATE),
        (_input("a"), 2, False, _input("a", start=11), 2, UPDATE),
        # ... naming another version: another tab saved in between
        (_input("a"), 2, False, _input("b"), 1, CONFLICT),
        (_input("a"), 2, False, _input("b"), 3, CONFLICT),
        # a deleted annotation saved again comes back, even with its old content
        (_input("a"), 3, True, _input("a"), None, UPDATE),
        (_input("a"), 3, True, _input("a"), 3, UPDATE),
        (_input("a"), 3, True, _input("a"), 2, CONFLICT),
    ],
)
def test_plan_put_decides_what_a_save_does(stored, version, deleted, sent, if_match, plan):
    assert plan_put(stored, version, deleted, sent, if_match) == plan


def test_plan_put_ignores_how_the_quote_was_anchored():
    """Content is what the student wrote and where: a save whose offsets the server moved
    (reanchored) is the same save when it is retried."""
    moved = _input("a")
    moved.reanchored = True
    assert plan_put(_input("a"), 1, False, moved, None) == SAME


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("reuters.com", "https://reuters.com"), (" www.cnn.com/world ", "https://www.cnn.com/world")],
)
def test_a_bare_site_where_the_student_checked_gets_https(lesson, typed, kept):
    data = validate_annotation(source(lesson, fields={"checked_url": typed}), lesson)
    assert data.fields["checked_url"] == kept
