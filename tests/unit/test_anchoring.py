"""Text anchoring: offsets in code points, word snapping, validation, typed quotes, re-anchoring."""

from __future__ import annotations

import pytest

from app.domain.anchoring import (
    CONTEXT,
    AnchorError,
    Target,
    anchor_quote,
    check_target,
    find_quote,
    make_target,
    reanchor,
    snap_to_words,
)

EMOJI = "\U0001f600"
SENTENCE = "Ukraine has vented its anger on a top US general for proposing peace with Russia."


def utf16_offset(text: str, index: int) -> int:
    """Where a browser (counting UTF-16 units) would say code point ``index`` starts."""
    return len(text[:index].encode("utf-16-le")) // 2


def span(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return start, start + len(words)


def words_at(text: str, start: int, end: int) -> str:
    return text[start:end]


# ---------------------------------------------------------------- code points, not UTF-16


def test_highlight_after_an_emoji_is_anchored_by_python_string_index():
    text = f"Smile {EMOJI} please.\n\n{SENTENCE}"
    start, end = span(text, "vented its anger")
    target = check_target(text, start, end, "vented its anger", allow_point=False)
    assert (target.start, target.end) == (start, end)
    assert target.exact == "vented its anger"
    # the browser's count is one higher: the emoji is two UTF-16 units but one code point
    assert utf16_offset(text, start) == start + 1


def test_an_article_with_an_emoji_anchors_exactly_like_one_without():
    plain = f"Smile X please. {SENTENCE}"
    with_emoji = plain.replace("X", EMOJI)
    a = anchor_quote(plain, "vented its anger")
    b = anchor_quote(with_emoji, "vented its anger")
    assert (a.start, a.end) == (b.start, b.end)
    assert a.exact == b.exact == "vented its anger"


def test_a_utf16_shifted_range_is_reanchored_when_the_quote_is_unique():
    text = f"Smile {EMOJI} please. {SENTENCE}"
    start, end = span(text, "vented its anger")
    shifted = (utf16_offset(text, start), utf16_offset(text, end))
    assert shifted != (start, end)
    target = check_target(text, *shifted, "vented its anger", allow_point=False)
    assert (target.start, target.end) == (start, end)
    assert text[target.start : target.end] == "vented its anger"


def test_a_utf16_shifted_range_is_rejected_when_the_quote_repeats():
    text = f"Smile {EMOJI} please. {SENTENCE} Again: {SENTENCE}"
    start, end = span(text, "vented its anger")
    shifted = (utf16_offset(text, start), utf16_offset(text, end))
    with pytest.raises(AnchorError, match="don't match the article"):
        check_target(text, *shifted, "vented its anger", allow_point=False)


def test_prefix_and_suffix_hold_up_to_32_code_points_even_around_emoji():
    text = EMOJI * 40 + " vented its anger " + EMOJI * 40
    start, end = span(text, "vented its anger")
    target = make_target(text, start, end)
    assert len(target.prefix) == CONTEXT == 32
    assert len(target.suffix) == CONTEXT
    assert target.prefix == EMOJI * 31 + " "
    assert target.suffix == " " + EMOJI * 31


# ---------------------------------------------------------------- snapping to whole words


def test_a_drag_over_part_of_words_snaps_to_the_whole_words():
    text = "Ukraine has vented its anger on"
    start, end = span(text, "ented its ang")
    assert words_at(text, *snap_to_words(text, start, end)) == "vented its anger"


@pytest.mark.parametrize(
    ("text", "dragged", "expected"),
    [
        ("a top US general, for sure", " US general, ", "US general"),
        ("he said (to the officials).", "(to the officials).", "to the officials"),
        ("“an opportunity here,” he said", "“an opportunity here,”", "an opportunity here"),
        ("  leading spaces", "  leading", "leading"),
        ("said that Russia\u2019s pullout of", "ussia", "Russia\u2019s"),
        ("said that Russia's pullout of", "Russia'", "Russia's"),
        ("the re-occupation by Kiev", "occupation", "re-occupation"),
        ("Russia\u2019s pullout", "\u2019s pull", "Russia\u2019s pullout"),
    ],
)
def test_snapping_trims_spaces_and_punctuation_but_keeps_words_whole(text, dragged, expected):
    start, end = span(text, dragged)
    assert words_at(text, *snap_to_words(text, start, end)) == expected


def test_an_apostrophe_at_the_end_of_a_quote_is_not_part_of_the_word():
    text = "the officials\u2019 reply"
    start, end = span(text, "officials\u2019 ")
    assert words_at(text, *snap_to_words(text, start, end)) == "officials"


@pytest.mark.parametrize(("text", "start", "end"), [("a   b", 1, 4), ("word. , ;word", 4, 9)])
def test_a_range_of_only_spaces_or_punctuation_collapses_to_nothing(text, start, end):
    s, e = snap_to_words(text, start, end)
    assert s == e
    assert start <= s <= end


def test_snapping_clamps_a_range_that_runs_off_the_text():
    text = "vented its anger"
    assert snap_to_words(text, -5, 100) == (0, len(text))


# ---------------------------------------------------------------- check_target: the server judges


def test_a_range_across_a_paragraph_boundary_is_valid():
    text = "First paragraph ends here.\n\nSecond one starts here."
    start, _ = span(text, "ends here.")
    _, end = span(text, "Second one")
    exact = text[start:end]
    assert "\n\n" in exact
    target = check_target(text, start, end, exact, allow_point=False)
    assert target.exact == "ends here.\n\nSecond one"


def test_an_omission_point_is_allowed_only_when_asked_for():
    text = SENTENCE
    at = text.index(" for proposing")
    target = check_target(text, at, at, "", allow_point=True)
    assert target.is_point
    assert (target.start, target.end, target.exact) == (at, at, "")
    assert target.prefix == text[at - CONTEXT : at]
    assert target.suffix == text[at : at + CONTEXT]
    with pytest.raises(AnchorError, match="at least one word"):
        check_target(text, at, at, "", allow_point=False)


def test_an_omission_point_cannot_quote_words():
    at = SENTENCE.index("vented")
    with pytest.raises(AnchorError, match="cannot quote"):
        check_target(SENTENCE, at, at, "vented", allow_point=True)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (10, 5, "ends before it starts"),
        (-1, 5, "before the beginning"),
        (5, -1, "before the beginning"),
        (0, len(SENTENCE) + 1, "past the end"),
        (len(SENTENCE) + 3, len(SENTENCE) + 8, "past the end"),
        (7, 7, "at least one word"),
    ],
)
def test_reversed_empty_and_out_of_range_targets_are_refused_with_a_reason(start, end, message):
    with pytest.raises(AnchorError, match=message):
        check_target(SENTENCE, start, end, SENTENCE[max(0, start) : max(0, end)], allow_point=False)


def test_a_target_whose_words_are_not_in_the_article_is_refused():
    with pytest.raises(AnchorError, match="don't match the article"):
        check_target(SENTENCE, 0, 7, "Ukrainx", allow_point=False)


def test_a_target_whose_offsets_are_off_but_whose_quote_is_unique_is_moved_to_the_quote():
    start, end = span(SENTENCE, "top US general")
    target = check_target(SENTENCE, start + 3, end + 3, "top US general", allow_point=False)
    assert (target.start, target.end) == (start, end)


# ---------------------------------------------------------------- typed quotes


def test_find_quote_finds_every_exact_occurrence():
    text = "Kiev said no. Then Kiev said yes."
    assert find_quote(text, "Kiev said") == [span(text, "Kiev said"), span(text, "Kiev said", 2)]


@pytest.mark.parametrize(
    ("text", "typed", "expected"),
    [
        (
            "be “instantly canceled upon orders” from the West",
            'orders" from the',
            "orders” from the",
        ),
        ("Russia\u2019s pullout of its troops", "Russia's pullout", "Russia\u2019s pullout"),
        ("Ukraine has Vented Its Anger on", "vented its anger", "Vented Its Anger"),
        ("the first line\nthe second  line", "line the second line", "line\nthe second  line"),
        ("its declared aim\u00a0of “de-Nazifying”", "declared aim of", "declared aim\u00a0of"),
        ("Kiev expresses anger", "  Kiev expresses anger  ", "Kiev expresses anger"),
    ],
)
def test_typed_quotes_forgive_quote_marks_case_and_spacing(text, typed, expected):
    target = anchor_quote(text, typed)
    assert target.exact == expected
    assert text[target.start : target.end] == expected


def test_a_typed_quote_is_snapped_to_whole_words():
    text = "Ukraine has vented its anger on"
    assert anchor_quote(text, "ented its ang").exact == "vented its anger"


def test_typed_words_that_are_not_in_the_article_are_refused():
    with pytest.raises(AnchorError, match="couldn't find those words"):
        anchor_quote(SENTENCE, "Kyiv is furious")


def test_an_empty_typed_quote_is_not_found_anywhere():
    assert find_quote(SENTENCE, "   ") == []
    with pytest.raises(AnchorError):
        anchor_quote(SENTENCE, "")


def test_a_repeated_quote_needs_to_say_which_occurrence():
    text = "Read more: one. Read more: two. Read more: three."
    with pytest.raises(AnchorError, match="appear 3 times"):
        anchor_quote(text, "Read more")
    second = anchor_quote(text, "Read more", 2)
    assert (second.start, second.end) == span(text, "Read more", 2)
    assert second.suffix.startswith(": two.")


@pytest.mark.parametrize(
    ("text", "occurrence", "message"),
    [
        ("Read more: one. Read more: two.", 3, "only 2 times, so choose 1 to 2"),
        ("Read more: one. Read more: two.", 0, "choose 1 to 2"),
        ("Read more: one.", 2, "only once, so choose 1 to 1"),
    ],
)
def test_an_occurrence_out_of_range_is_refused_with_the_choices(text, occurrence, message):
    with pytest.raises(AnchorError, match=message):
        anchor_quote(text, "Read more", occurrence)


# ---------------------------------------------------------------- re-anchoring on a new version

OLD = (
    "Ukraine has vented its anger on a top US general.\n\n"
    "Ukrainian officials said the remarks were unhelpful and badly timed. "
    "Russian officials said the remarks were helpful and well timed.\n\n"
    "The war goes on."
)
UKRAINIAN = "Ukrainian officials said the remarks were unhelpful and badly timed"


def old_target(text: str, words: str, occurrence: int = 1) -> Target:
    return make_target(text, *span(text, words, occurrence))


def test_reanchoring_unchanged_text_keeps_the_position_exactly():
    old = old_target(OLD, UKRAINIAN)
    result = reanchor(OLD, old)
    assert result.method == "exact"
    assert result.target == old


def test_reanchoring_follows_a_quote_that_moved():
    old = old_target(OLD, "vented its anger")
    new = "Breaking news.\n\n" + OLD
    result = reanchor(new, old)
    assert result.method == "quote"
    assert result.target is not None
    assert result.target.start == old.start + len("Breaking news.\n\n")
    assert result.target.exact == "vented its anger"


def test_reanchoring_picks_the_right_repeat_by_its_context():
    old_text = "Read more: Kherson pullout.\n\nBody.\n\nRead more: decree on peace."
    old = old_target(old_text, "Read more", 2)
    new_text = "Read more: decree on peace.\n\nBody text here.\n\nRead more: Kherson pullout."
    result = reanchor(new_text, old)
    assert result.method == "quote"
    assert result.target is not None
    assert (result.target.start, result.target.end) == span(new_text, "Read more", 1)
    assert result.target.suffix.startswith(": decree on peace.")
    # the other repeat is closer to the old position, so only the context can pick this one
    closer = span(new_text, "Read more", 2)[0]
    assert abs(closer - old.start) < abs(result.target.start - old.start)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("badly timed", "poorly timed"),
            "Ukrainian officials said the remarks were unhelpful and poorly timed",
        ),
        (
            ("Ukrainian officials said", "Ukrainian officials told reporters"),
            "Ukrainian officials told reporters the remarks were unhelpful and badly timed",
        ),
        (
            ("were unhelpful and badly", "were unhelpful, badly"),
            "Ukrainian officials said the remarks were unhelpful, badly timed",
        ),
    ],
)
def test_reanchoring_finds_a_slightly_edited_sentence_by_fuzzy_match(edit, expected):
    old = old_target(OLD, UKRAINIAN)
    new = OLD.replace(*edit)
    result = reanchor(new, old)
    assert result.method == "fuzzy"
    assert result.target is not None
    assert result.target.exact == expected


def test_reanchoring_orphans_a_deleted_sentence_instead_of_landing_on_a_look_alike():
    old = old_target(OLD, UKRAINIAN)
    new = OLD.replace(UKRAINIAN + ". ", "")
    assert "Russian officials said the remarks were helpful" in new
    result = reanchor(new, old)
    assert result.method == "orphan"
    assert result.target is None


def test_reanchoring_orphans_when_only_a_similar_sentence_elsewhere_remains():
    old_text = (
        "Ukraine has vented its anger on a top US general.\n\n"
        "Ukrainian officials were angry about the remarks.\n\nThe war goes on."
    )
    old = old_target(old_text, "Ukrainian officials were angry about the remarks")
    new_text = (
        "The war goes on, and nobody can say when it will end.\n\n"
        "In Kyiv, Ukrainian officials were pleased about the remarks."
    )
    result = reanchor(new_text, old)
    assert result.method == "orphan"
    assert result.target is None


def test_reanchoring_orphans_a_quote_that_is_gone_entirely():
    old = old_target(OLD, "vented its anger")
    result = reanchor("A completely different article about the weather.", old)
    assert result == type(result)(None, "orphan")


def test_an_omission_point_in_unchanged_text_stays_where_it_was():
    at = OLD.index(" on a top US general")
    old = make_target(OLD, at, at)
    result = reanchor(OLD, old)
    assert result.method == "exact"
    assert result.target == old


def test_an_omission_point_follows_its_context_when_the_text_moves():
    at = OLD.index(" on a top US general")
    old = make_target(OLD, at, at)
    new = "A new first paragraph.\n\n" + OLD
    result = reanchor(new, old)
    assert result.method == "quote"
    assert result.target is not None
    assert result.target.is_point
    assert result.target.start == at + len("A new first paragraph.\n\n")


def test_an_omission_point_whose_context_is_gone_is_orphaned():
    at = OLD.index(" on a top US general")
    old = make_target(OLD, at, at)
    result = reanchor("Something else entirely, nothing like the old article at all.", old)
    assert result.method == "orphan"
    assert result.target is None


def test_the_server_completes_words_cut_at_either_edge():
    from app.domain.anchoring import check_target

    text = "Ukraine has vented its anger on a top US general"
    s = text.index("ented")
    t = check_target(text, s, s + len("ented its ang"), "ented its ang", allow_point=False)
    assert t.exact == "vented its anger"


def test_the_server_keeps_punctuation_a_client_chose_to_include():
    from app.domain.anchoring import check_target

    text = "He said “seize it,” to them"
    s = text.index("“")
    t = check_target(text, s, s + len("“seize it,”"), "“seize it,”", allow_point=False)
    assert t.exact == "“seize it,”"


def test_a_range_of_only_spaces_is_refused():
    from app.domain.anchoring import AnchorError, check_target

    with pytest.raises(AnchorError, match="not just spaces"):
        check_target("a  b", 1, 3, "  ", allow_point=False)
