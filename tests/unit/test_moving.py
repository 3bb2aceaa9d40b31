"""Moving an assignment to a newer lesson version: where each annotation lands, the counts the
teacher sees before confirming, and what changed between the versions."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest

from app.domain import anchoring
from app.domain.anchoring import Target, make_target
from app.domain.lessons import parse_lesson
from app.domain.moving import (
    EXACT,
    FUZZY,
    ORPHAN,
    QUOTE,
    WHOLE,
    ToMove,
    Words,
    fits,
    plan_move,
    what_changed,
)
from tests.support import versions


def _lesson(text: str):
    lesson, problems = parse_lesson(tomllib.loads(text), "eastbrook-parking.toml")
    assert lesson is not None, problems
    return lesson


V1, V2 = _lesson(versions.version_1()), _lesson(versions.version_2())
OLD, NEW = V1.text, V2.text


def at(text: str, words: str, occurrence: int = 1) -> Target:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return make_target(text, start, start + len(words))


def point_after(text: str, words: str) -> Target:
    end = text.index(words) + len(words)
    return make_target(text, end, end)


def ann(aid: str, target: Target | None, student: int = 1, **more) -> ToMove:
    category = "omission" if target is None or target.is_point else "source"
    return ToMove(
        aid, student, more.pop("category", category), more.pop("prompt", None), target, **more
    )


def landing(plan, aid: str):
    return next(x for x in plan.landings if x.id == aid)


def test_an_unchanged_text_moves_every_highlight_exactly_and_changes_nothing():
    plan = plan_move(OLD, OLD, [ann("a", at(OLD, "Local dog walker Peter Lind"))])
    a = landing(plan, "a")
    assert (a.method, a.target, a.changed) == (EXACT, at(OLD, "Local dog walker Peter Lind"), False)
    assert plan.counts == {EXACT: 1, QUOTE: 0, FUZZY: 0, ORPHAN: 0, WHOLE: 0}


def test_words_added_before_a_highlight_move_it_by_its_quote_to_the_same_words():
    plan = plan_move(OLD, NEW, [ann("a", at(OLD, "Local dog walker Peter Lind"))])
    a = landing(plan, "a")
    assert a.method == QUOTE
    assert a.target == at(NEW, "Local dog walker Peter Lind")
    assert a.target.start != at(OLD, "Local dog walker Peter Lind").start
    assert a.changed


def test_a_repeated_quote_stays_on_the_occurrence_the_student_chose():
    # "cash grab" is in the headline and again in the fifth paragraph: the key's is the second
    plan = plan_move(OLD, NEW, [ann("a", at(OLD, "cash grab", 2)), ann("b", at(OLD, "cash grab"))])
    assert landing(plan, "a").target == at(NEW, "cash grab", 2)
    assert landing(plan, "b").target == at(NEW, "cash grab", 1)


def test_a_reworded_quote_moves_fuzzily_onto_its_new_words():
    old = at(OLD, "One council officer, who asked not to be named")
    plan = plan_move(OLD, NEW, [ann("a", old)])
    a = landing(plan, "a")
    assert a.method == FUZZY
    assert a.target.exact == "One council officer, who asked not to be identified"
    assert plan.fuzzy_moves == {(old.exact, a.target.exact): 1}


def test_a_highlight_whose_words_were_taken_out_is_an_orphan_that_keeps_its_words():
    old = at(OLD, "Councillor Sam Reyes")
    plan = plan_move(OLD, NEW, [ann("a", old)])
    a = landing(plan, "a")
    assert (a.method, a.target, a.changed) == (ORPHAN, None, True)
    assert a.was == Words(old.exact, old.prefix, old.suffix)
    assert plan.counts[ORPHAN] == 1
    assert plan.orphan_words == {"Councillor Sam Reyes": 1}


def test_a_point_in_the_text_moves_with_its_context():
    # "something is missing here": a zero-length mark, placed by the words either side
    old = point_after(OLD, "lost touch with the town.")
    plan = plan_move(OLD, NEW, [ann("a", old)])
    a = landing(plan, "a")
    assert a.method == QUOTE
    assert a.target == point_after(NEW, "lost touch with the town.")
    assert a.target.is_point


def test_a_point_whose_context_is_gone_is_an_orphan():
    old = point_after(OLD, "voted against the plan,")
    a = landing(plan_move(OLD, NEW, [ann("a", old)]), "a")
    assert (a.method, a.target) == (ORPHAN, None)
    assert a.was == Words("", old.prefix, old.suffix)


def test_an_omission_about_the_whole_article_has_nothing_to_move():
    plan = plan_move(OLD, NEW, [ann("a", None)])
    a = landing(plan, "a")
    assert (a.method, a.target, a.changed) == (WHOLE, None, False)
    assert plan.counts[WHOLE] == 1
    assert plan.placed == 0
    assert plan.summary == "no highlights to move"
    assert plan.moved_message == (
        "Moved to the newer version. No student had highlighted anything yet."
    )


def test_deleted_annotations_move_too_but_are_not_counted():
    gone = ann("gone", at(OLD, "Councillor Sam Reyes"), student=2, counted=False)
    plan = plan_move(OLD, NEW, [ann("a", at(OLD, "rams through")), gone])
    assert landing(plan, "gone").method == ORPHAN
    assert plan.counts == {EXACT: 1, QUOTE: 0, FUZZY: 0, ORPHAN: 0, WHOLE: 0}
    assert plan.students == 1


def test_the_counts_add_up_per_method_and_name_the_students_who_started():
    work = [
        ann("1", at(OLD, "rams through"), student=1),
        ann("2", at(OLD, "Local dog walker Peter Lind"), student=1),
        ann("3", at(OLD, "One council officer, who asked not to be named"), student=2),
        ann("4", at(OLD, "Councillor Sam Reyes"), student=3),
        ann("5", None, student=3),
    ]
    plan = plan_move(OLD, NEW, work)
    assert plan.counts == {EXACT: 1, QUOTE: 1, FUZZY: 1, ORPHAN: 1, WHOLE: 1}
    assert plan.students == 3
    assert plan.placed == 4
    assert plan.summary == (
        "1 moved exactly, 1 by their words, 1 fuzzily; 1 could not be placed "
        "(kept, shown as \u201cno longer in the text\u201d)"
    )
    assert plan.moved_message == f"Moved to the newer version: {plan.summary}."


def test_the_same_words_highlighted_by_many_students_are_placed_once(monkeypatch):
    calls = []
    real = anchoring.reanchor

    def counting(text, old):
        calls.append(old)
        return real(text, old)

    monkeypatch.setattr("app.domain.moving.reanchor", counting)
    target = at(OLD, "Local dog walker Peter Lind")
    plan = plan_move(OLD, NEW, [ann(str(i), target, student=i) for i in range(30)])
    assert len(calls) == 1
    assert {x.target for x in plan.landings} == {at(NEW, "Local dog walker Peter Lind")}


def test_an_earlier_orphan_is_placed_again_when_its_words_come_back():
    old = at(OLD, "Councillor Sam Reyes")
    was = Words(old.exact, old.prefix, old.suffix)
    orphan = ann("a", None, category="source", was=was)
    # version 2 -> version 3, which puts the sentence back
    back = landing(plan_move(NEW, OLD, [orphan]), "a")
    assert (back.method, back.target, back.was, back.changed) == (QUOTE, old, None, True)
    # version 2 -> version 2 again: still an orphan, nothing to write
    still = landing(plan_move(NEW, NEW, [orphan]), "a")
    assert (still.method, still.target, still.was, still.changed) == (ORPHAN, None, was, False)


def test_an_annotation_on_a_prompt_the_new_version_lacks_goes_to_its_categorys_first_prompt():
    prompts = [("who", "source"), ("words", "loaded")]
    plan = plan_move(
        OLD,
        OLD,
        [
            ann("a", at(OLD, "rams through"), category="loaded", prompt="loaded"),
            ann("b", at(OLD, "Local dog walker Peter Lind"), prompt="who"),
        ],
        prompts,
    )
    assert (landing(plan, "a").prompt_id, landing(plan, "a").changed) == ("words", True)
    assert (landing(plan, "b").prompt_id, landing(plan, "b").changed) == ("who", False)


def test_a_target_that_does_not_fit_the_old_text_is_placed_as_stored():
    stale = Target(3, 12, "cash grab", "", "")  # not the words at 3..12 of the old text
    assert not fits(OLD, stale)
    a = landing(plan_move(OLD, NEW, [ann("a", stale)]), "a")
    assert a.target == at(NEW, "cash grab")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (at(OLD, "rams through"), True),
        (point_after(OLD, "Monday night."), True),
        (Target(0, 4, "News", "", ""), True),
        (Target(1, 5, "News", "", ""), False),
        (Target(len(OLD), len(OLD) + 4, "News", "", ""), False),
    ],
)
def test_fits_says_whether_a_target_is_a_place_in_the_text(target, expected):
    assert fits(OLD, target) is expected


def test_what_changed_names_the_text_the_removed_item_and_the_corrected_ones():
    assert what_changed(V1, V2) == [
        "The article's text changed.",
        "1 key item taken out of the answer key.",
        "1 key item explained differently.",
        "The words or points of 1 key item changed.",  # the reworded officer's quote
    ]


def test_what_changed_says_nothing_of_key_items_whose_offsets_only_moved():
    shifted = _lesson(versions.version_1().replace(*versions.ADDED))
    assert what_changed(V1, shifted) == ["The article's text changed."]
    assert what_changed(V1, replace(V1, teacher_note="New note")) == []
