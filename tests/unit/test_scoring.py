"""Scoring: the match rule's boundaries, one-to-one pairing, auto score, omissions, suggestions."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.lessons import Lesson, load_lesson_file
from app.domain.matching import MAX_SIDE_CHARS, Match, match_spans, matches, overlap
from app.domain.scoring import score_work, suggest_omission
from app.domain.work import AnnotationRow, OmissionMark, StudentWork

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2022, 11, 15, 9, 0)


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    loaded, problems = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert loaded is not None, problems
    return loaded


def span(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return start, start + len(words)


def block_of(lesson: Lesson, words: str) -> tuple[int, int]:
    start = lesson.text.index(words)
    block = next(b for b in lesson.blocks if b.start <= start < b.end)
    return block.start, block.end


def highlight(
    lesson: Lesson, aid: str, category: str, words: str, occurrence: int = 1, student: int = 1
) -> AnnotationRow:
    start, end = span(lesson.text, words, occurrence)
    return AnnotationRow(
        aid, student, category, None, start, end, lesson.text[start:end], "", {}, WHEN, WHEN
    )


def answer(aid: str, text: str, student: int = 1) -> AnnotationRow:
    """An omission answer pointing at no words."""
    return AnnotationRow(
        aid, student, "omission", "omissions", None, None, "", text, {"missing": text}, WHEN, WHEN
    )


def work_of(
    *annotations: AnnotationRow,
    marks: tuple[OmissionMark, ...] = (),
    final_grade: float | None = None,
) -> StudentWork:
    return StudentWork(
        1,
        "Ana",
        "ana",
        list(annotations),
        omission_marks={m.annotation_id: m for m in marks},
        final_grade=final_grade,
    )


# ---------------------------------------------------------------- the match rule

VENTED = "vented its anger"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("vented its anger", True),  # the exact phrase
        ("has vented its anger on a", True),  # a word or two either side
        ("Ukraine has vented its anger on a top US general", True),  # 33 extra characters
        ("its anger", True),  # 9 of 16 characters: more than half
        ("vented its", True),  # 10 of 16
        ("vented", False),  # 6 of 16: less than half
        ("anger on a top US general", False),  # the neighbouring phrase shares only "anger"
        ("top US general for proposing peace", False),  # next to it, no overlap
    ],
)
def test_student_highlight_near_vented_its_anger_matches_only_when_close(lesson, words, expected):
    assert matches(span(lesson.text, words), span(lesson.text, VENTED)) is expected


def test_student_who_highlights_the_whole_paragraph_earns_none_of_its_key_phrases(lesson):
    paragraph = block_of(lesson, VENTED)
    inside = [  # every span a key item accepts, its alternatives included
        (k.id, s)
        for k in lesson.key
        if not k.is_omission
        for s in k.spans
        if paragraph[0] <= s[0] and s[1] <= paragraph[1]
    ]
    assert {k for k, _ in inside} == {"loaded-vented", "loaded-peace-proposal"}
    assert not any(matches(paragraph, s) for _, s in inside)
    whole = highlight(lesson, "p", "loaded", lesson.text[paragraph[0] : paragraph[1]])
    assert score_work(lesson, work_of(whole)).found == set()


def test_student_who_highlights_the_whole_article_earns_nothing(lesson):
    article = (0, len(lesson.text))
    assert not any(matches(article, (k.start, k.end)) for k in lesson.key if not k.is_omission)


def test_student_who_highlights_a_whole_read_more_box_misses_the_phrase_inside_it(lesson):
    key = span(lesson.text, "decree preventing peace")
    assert not matches(block_of(lesson, "Zelensky signs a decree preventing peace"), key)
    assert matches(span(lesson.text, "a decree preventing peace with Russia"), key)


def test_student_who_highlights_a_long_paragraph_misses_the_long_quote_inside_it(lesson):
    key = span(lesson.text, "a window of opportunity for negotiation")
    assert not matches(block_of(lesson, "a window of opportunity"), key)
    assert matches(
        span(lesson.text, "an opportunity here, a window of opportunity for negotiation"), key
    )


KEY = (100, 116)  # a 16-character key phrase
LONG_KEY = (100, 200)  # a 100-character one


@pytest.mark.parametrize(
    ("highlight", "key", "expected"),
    [
        ((100, 116), KEY, True),
        ((108, 116), KEY, True),  # exactly half the key
        ((109, 116), KEY, False),  # one character short of half
        ((100 - MAX_SIDE_CHARS, 116), KEY, True),  # 24 extra characters before
        ((100 - MAX_SIDE_CHARS - 1, 116), KEY, False),  # 25 on one side: too many
        ((100, 116 + MAX_SIDE_CHARS), KEY, True),  # 24 after
        ((100, 117 + MAX_SIDE_CHARS), KEY, False),  # 25 after
        ((80, 136), KEY, True),  # 20 either side: 40 in all
        ((80, 137), KEY, False),  # 41 in all
        ((116, 130), KEY, False),  # touching, not overlapping
        ((110, 110), KEY, False),  # an empty highlight
        ((100, 116), (100, 100), False),  # an empty key
        ((50, 250), LONG_KEY, True),  # a long key allows its own length of extra, half a side
        ((50, 251), LONG_KEY, False),
        ((0, 200), LONG_KEY, False),  # 100 extra, all on one side
        ((150, 250), LONG_KEY, True),  # half the key, 50 extra
        ((150, 251), LONG_KEY, False),  # half the key, 51 after
    ],
)
def test_match_rule_boundaries(highlight, key, expected):
    assert matches(highlight, key) is expected


@pytest.mark.parametrize(
    ("a", "b", "shared"),
    [
        ((0, 10), (5, 20), 5),
        ((5, 20), (0, 10), 5),
        ((0, 10), (10, 20), 0),
        ((0, 5), (8, 9), 0),
        ((0, 100), (10, 20), 10),
    ],
)
def test_overlap_counts_shared_code_points(a, b, shared):
    assert overlap(a, b) == shared


# ---------------------------------------------------------------- one-to-one


@pytest.mark.parametrize(("exact_id", "wider_id"), [("a", "b"), ("b", "a")])
@pytest.mark.parametrize("exact_first", [True, False])
def test_student_with_two_highlights_on_one_key_item_earns_it_once(
    lesson, exact_first, exact_id, wider_id
):
    exact = highlight(lesson, exact_id, "loaded", VENTED)
    wider = highlight(lesson, wider_id, "loaded", "has vented its anger on a")
    pair = [exact, wider] if exact_first else [wider, exact]
    scored = score_work(lesson, work_of(*pair))
    assert scored.matches == {exact_id: "loaded-vented"}  # the closer fit, whatever its id
    assert scored.extra == [wider_id]
    assert scored.by_category["loaded"].earned == 2


def test_match_spans_pairs_the_closest_highlight_and_reports_its_fit(lesson):
    exact = highlight(lesson, "z-exact", "loaded", VENTED)
    wider = highlight(lesson, "a-wider", "loaded", "has vented its anger on a")
    assert match_spans(lesson.key, [wider, exact]) == [Match("loaded-vented", "z-exact", 16, 1.0)]


def test_a_wide_highlight_does_not_cost_an_item_a_second_highlight_could_earn(lesson):
    # "both" matches both key phrases; "part" matches only "huge funds".
    both = highlight(lesson, "both", "loaded", "funds and large caches")
    part = highlight(lesson, "part", "loaded", "huge funds")
    scored = score_work(lesson, work_of(both, part))
    assert scored.matches == {"part": "loaded-huge-funds", "both": "loaded-caches"}
    assert scored.extra == []


def test_match_spans_never_pairs_across_categories(lesson):
    assert match_spans(lesson.key, [highlight(lesson, "w", "source", VENTED)]) == []


@pytest.mark.parametrize("key_order", ["as written", "reversed"])
def test_one_highlight_over_two_key_phrases_earns_only_one(lesson, key_order):
    if key_order == "reversed":
        lesson = dataclasses.replace(lesson, key=lesson.key[::-1])
    both = highlight(lesson, "both", "loaded", "funds and large caches")
    scored = score_work(lesson, work_of(both))
    assert len(scored.matches) == 1  # one-to-one: the other phrase is still to find
    assert len({k.id for k in scored.missed} & {"loaded-huge-funds", "loaded-caches"}) == 1


def test_a_sentence_running_far_past_two_key_phrases_earns_neither(lesson):
    sentence = highlight(
        lesson, "s", "loaded", "vented its anger on a top US general for proposing peace"
    )
    assert score_work(lesson, work_of(sentence)).matches == {}


def test_student_who_calls_a_loaded_phrase_a_source_earns_nothing_for_it(lesson):
    wrong = highlight(lesson, "w", "source", VENTED)
    scored = score_work(lesson, work_of(wrong))
    assert scored.matches == {}
    assert scored.wrong_category == [("w", "loaded-vented")]
    assert scored.extra == ["w"]
    assert scored.off_key == []
    assert scored.auto_score == 0


def test_student_who_marks_a_careful_hedge_as_loaded_hits_a_decoy(lesson):
    hedge = highlight(lesson, "d", "loaded", "alleged war crimes")
    scored = score_work(lesson, work_of(hedge))
    assert scored.decoy_hits == [("d", "decoy-alleged")]
    assert scored.extra == ["d"]
    assert scored.off_key == []
    assert scored.auto_score == 0


def test_a_decoy_highlighted_as_a_source_is_not_a_decoy_hit(lesson):
    scored = score_work(lesson, work_of(highlight(lesson, "d", "source", "alleged war crimes")))
    assert scored.decoy_hits == []
    assert scored.off_key == []  # still on the decoy's words, so not a phrase the key lacks


def test_a_phrase_outside_the_key_is_an_extra_the_teacher_may_add(lesson):
    scored = score_work(
        lesson, work_of(highlight(lesson, "x", "loaded", "special military operation"))
    )
    assert scored.extra == scored.off_key == ["x"]
    assert scored.wrong_category == scored.decoy_hits == []


def test_an_omission_answer_pointing_at_words_is_not_a_highlight(lesson):
    pointed = highlight(lesson, "o", "omission", VENTED)
    scored = score_work(lesson, work_of(pointed))
    assert scored.matches == {}
    assert scored.extra == []
    assert scored.unmarked_omissions == ["o"]


# ---------------------------------------------------------------- totals


def test_student_with_no_work_misses_every_item_in_key_order(lesson):
    scored = score_work(lesson, work_of())
    assert [k.id for k in scored.missed] == [k.id for k in lesson.key]
    assert scored.found == frozenset()
    assert (scored.auto_score, scored.possible, scored.final) == (0, 49, 0)
    assert {c: (s.earned, s.possible) for c, s in scored.by_category.items()} == {
        "source": (0, 16),
        "loaded": (0, 18),
        "omission": (0, 15),
    }


def test_found_items_leave_the_missed_list(lesson):
    scored = score_work(
        lesson,
        work_of(
            highlight(lesson, "a", "source", "media reports said on Tuesday"),
            highlight(lesson, "b", "loaded", "Kiev"),  # the headline's Kiev
        ),
    )
    assert scored.found == {"src-media-reports", "loaded-kiev-spelling"}
    assert "src-media-reports" not in [k.id for k in scored.missed]
    assert len(scored.missed) == len(lesson.key) - 2
    assert scored.auto_score == 3


def test_the_second_kiev_earns_the_spelling_item_too(lesson):
    scored = score_work(lesson, work_of(highlight(lesson, "k", "loaded", "Kiev", occurrence=2)))
    assert scored.matches == {"k": "loaded-kiev-spelling"}  # occurrence = "any"


def test_category_weights_scale_points_and_round_to_cents(lesson):
    weighted = dataclasses.replace(lesson, scoring={"loaded": 1 / 3, "source": 2})
    scored = score_work(
        weighted,
        work_of(
            highlight(lesson, "a", "loaded", VENTED),
            highlight(lesson, "b", "source", "US Army General Mark Milley"),
        ),
    )
    assert scored.by_category["loaded"].earned == 0.67
    assert scored.by_category["loaded"].possible == 6
    assert scored.by_category["source"].earned == 2
    assert scored.by_category["omission"].possible == 15  # no weight given: 1
    assert scored.auto_score == 2.67
    assert scored.possible == round(18 / 3 + 32 + 15, 2)


@pytest.mark.parametrize(
    ("levels", "earned"),
    [
        (["full"], 2),
        (["partial"], 1),
        (["none"], 0),
        (["partial", "full"], 2),  # two answers on one item count once, at the best level
        (["full", "full"], 2),
        (["none", "partial"], 1),
    ],
)
def test_teacher_marks_give_omission_credit_once_per_item(lesson, levels, earned):
    answers = [answer(f"o{i}", "He spoke at the Economic Club") for i in range(len(levels))]
    marks = tuple(
        OmissionMark(a.id, "om-venue", lvl) for a, lvl in zip(answers, levels, strict=True)
    )
    scored = score_work(lesson, work_of(*answers, marks=marks))
    assert scored.by_category["omission"].earned == earned
    assert scored.auto_score == earned
    assert ("om-venue" in scored.found) is (earned > 0)
    assert scored.unmarked_omissions == []


def test_unmarked_omission_answers_are_listed_for_the_teacher(lesson):
    marked, waiting = answer("m", "Iran supplies drones"), answer("w", "No Ukrainian voice")
    scored = score_work(
        lesson, work_of(marked, waiting, marks=(OmissionMark("m", "om-publisher", "full"),))
    )
    assert scored.unmarked_omissions == ["w"]
    assert scored.omission_credit == {"om-publisher": 1.0}
    assert scored.auto_score == 2


def test_marks_without_an_item_or_on_deleted_answers_or_span_items_earn_nothing(lesson):
    scored = score_work(
        lesson,
        work_of(
            answer("a", "x"),
            answer("b", "y"),
            marks=(
                OmissionMark("a", None, "full"),  # marked, but no key item chosen
                OmissionMark("b", "loaded-vented", "full"),  # not an omission item
                OmissionMark("gone", "om-venue", "full"),  # the answer was deleted since
            ),
        ),
    )
    assert scored.auto_score == 0
    assert scored.found == frozenset()
    assert scored.unmarked_omissions == []


@pytest.mark.parametrize(("final_grade", "final"), [(None, 2.0), (7.5, 7.5), (0.0, 0.0)])
def test_teacher_final_grade_overrides_the_auto_score_which_is_kept(lesson, final_grade, final):
    scored = score_work(
        lesson, work_of(highlight(lesson, "a", "loaded", VENTED), final_grade=final_grade)
    )
    assert scored.auto_score == 2
    assert scored.final == final


# ---------------------------------------------------------------- suggestions


@pytest.mark.parametrize(
    ("student_wrote", "item"),
    [
        ("he was actually speaking at the Economic Club of New York", "om-venue"),
        ("it doesn't say Russia annexed four regions", "om-annexation"),
        ("Zelensky said he would talk with Russia, but with another president", "om-annexation"),
        ("Blinken and Sullivan disagreed with Milley", "om-us-disagreement"),
        ("It never says Press TV is run by the Iranian government", "om-publisher"),
        ("It never calls it an invasion, even though the UN voted 141 to 5", "om-invasion"),
        ("Why did Russia leave Kherson? Ukraine's counter-offensive", "om-counteroffensive"),
        (
            "Milley also praised Ukraine's army and said the US would keep arming them",
            "om-rest-of-remarks",
        ),
        ("No Ukrainian official is quoted, so we don't know who was angry", "om-ukrainian-voice"),
    ],
)
def test_suggestion_picks_the_omission_a_student_sentence_addresses(lesson, student_wrote, item):
    suggestion = suggest_omission(lesson, student_wrote)
    assert suggestion is not None
    assert suggestion.key_item_id == item


def test_suggestion_reports_the_cues_it_found_and_counts_their_words(lesson):
    suggestion = suggest_omission(lesson, "He gave a SPEECH at the economic club in New York.")
    assert suggestion is not None
    assert suggestion.cues == ("economic club", "new york", "speech")
    assert suggestion.score == 5


@pytest.mark.parametrize(
    "student_wrote",
    ["I think the article is fair", "", "under unusual conditions", "the Irani bazaar"],
)
def test_no_suggestion_when_no_cue_word_appears(lesson, student_wrote):
    assert suggest_omission(lesson, student_wrote) is None


@pytest.mark.parametrize(
    ("student_wrote", "found"), [("the US said", True), ("they used it", False)]
)
def test_short_cues_match_only_the_whole_word(lesson, student_wrote, found):
    venue = next(k for k in lesson.key if k.id == "om-venue")
    short = dataclasses.replace(lesson, key=[dataclasses.replace(venue, cues=["us"])])
    assert (suggest_omission(short, student_wrote) is not None) is found


def test_suggestion_ties_go_to_the_item_listed_first(lesson):
    # "talk" is a cue of om-venue, "stalemate" of om-rest-of-remarks: one word each
    suggestion = suggest_omission(lesson, "a stalemate and a talk")
    assert suggestion is not None
    assert (suggestion.key_item_id, suggestion.score) == ("om-venue", 1)


@pytest.mark.parametrize(
    ("student_wrote", "cue"),
    [
        ("Ukraines side is missing", "ukraine's side"),  # possessive without the apostrophe
        ("Ukraine\u2019s side is missing", "ukraine's side"),  # a curly apostrophe
        ("Russia annexed some regions", "annexed"),
        ("they were talking about it", "talk"),
        ("Blinken disagrees", "disagree"),
        ("a counter offensive", "counter-offensive"),  # hyphens split words on both sides
        ("a counteroffensive", "counteroffensive"),
    ],
)
def test_cues_match_whole_words_with_simple_endings(lesson, student_wrote, cue):
    suggestion = suggest_omission(lesson, student_wrote)
    assert suggestion is not None
    assert cue in suggestion.cues
