"""What a student is shown of released feedback (app.domain.feedback): the summary, the grade's
reason, the article cut into marks with the notes that explain each, and the omissions."""

from __future__ import annotations

import dataclasses

from app.domain.feedback import Mark, article_marks, feedback_page, omissions, summary
from app.domain.lessons import Lesson
from app.domain.scoring import score_work
from app.domain.work import OmissionMark, StudentWork
from tests.unit.test_scoring import answer, highlight, work_of

pytest_plugins = ["tests.unit.test_scoring"]  # its `lesson` fixture: the first lesson


def marks_of(lesson: Lesson, work: StudentWork) -> list[Mark]:
    runs = article_marks(lesson, work, score_work(lesson, work))
    return [r for block in runs for r in block if isinstance(r, Mark)]


def mark_over(marks: list[Mark], words: str) -> Mark:
    [m] = [m for m in marks if words in "".join(p.text for p in m.pieces)]
    return m


def test_the_summary_counts_what_was_found_per_category(lesson):
    work = work_of(
        highlight(lesson, "a1", "source", "media reports said on Tuesday"),
        highlight(lesson, "a2", "loaded", "vented its anger"),
        answer("o1", "where he spoke"),
        marks=(OmissionMark("o1", "om-venue", "partial"),),
    )
    s = summary(lesson, work, score_work(lesson, work))
    counts = {c.category: (c.found, c.total) for c in s.by_category}
    totals = {c.id: sum(k.category == c.id for k in lesson.key) for c in lesson.categories}
    assert counts == {
        "source": (1, totals["source"]),
        "loaded": (1, totals["loaded"]),
        "omission": (1, totals["omission"]),
    }
    assert (s.found, s.total) == (3, len(lesson.key))
    assert not s.changed
    assert s.reason == ""


def test_the_summary_gives_the_teachers_reason_only_when_they_changed_the_grade(lesson):
    work = work_of(highlight(lesson, "a1", "loaded", "vented its anger"), final_grade=9)
    work.final_reason = "  Good notes on every highlight  "
    s = summary(lesson, work, score_work(lesson, work))
    assert (s.changed, s.final, s.auto_score) == (True, 9, 2)
    assert s.reason == "Good notes on every highlight"
    work.final_grade = None  # an override cleared: its old reason is not shown
    assert summary(lesson, work, score_work(lesson, work)).reason == ""


def test_every_key_phrase_is_one_mark_found_or_missed_with_its_explanation(lesson):
    work = work_of(highlight(lesson, "a1", "loaded", "has vented its anger"))
    marks = marks_of(lesson, work)
    spans = [k for k in lesson.key if not k.is_omission]
    shown = {n.text for m in marks for n in m.notes}
    assert all(k.explanation in shown for k in spans)
    vented = mark_over(marks, "vented its anger")
    assert vented.kind == "found"
    assert [n.heading for n in vented.notes] == ["You found this: Loaded wording"]
    # the highlight's extra word is part of the same mark, shown as counted
    assert vented.parts[0] == ("has ", "fb-p-mine")
    milley = mark_over(marks, "US Army General Mark Milley")
    assert milley.kind == "missed"
    assert milley.notes[0].heading == "You missed this: Source"
    assert milley.parts == [("US Army General Mark Milley", "fb-p-missed")]


def test_a_highlight_in_the_wrong_category_says_both_kinds_and_explains_the_key_phrase(lesson):
    work = work_of(highlight(lesson, "a1", "source", "vented its anger"))
    m = mark_over(marks_of(lesson, work), "vented its anger")
    assert m.kind == "wrong"
    kinds = [n.kind for n in m.notes]
    assert kinds == ["missed", "wrong"]
    assert m.notes[1].text == (
        "You marked this as Source, but the answer key lists it as Loaded wording."
    )
    assert m.parts == [("vented its anger", "fb-p-missed fb-p-extra")]
    assert "Right words, different kind" in m.label


def test_a_decoy_and_a_phrase_the_key_lacks_are_told_apart(lesson):
    decoy = next(d for d in lesson.decoys if d.id == "decoy-alleged")
    work = work_of(
        highlight(lesson, "a1", "loaded", "alleged war crimes"),
        highlight(lesson, "a2", "loaded", "provision of compensation"),
    )
    marks = marks_of(lesson, work)
    d = mark_over(marks, "alleged war crimes")
    assert (d.kind, d.notes[0].text) == ("decoy", decoy.explanation)
    assert d.notes[0].heading == "Careful wording: not Loaded wording"
    extra = mark_over(marks, "provision of compensation")
    assert extra.kind == "extra"
    assert "doesn't list these words" in extra.notes[0].text
    assert extra.parts == [("provision of compensation", "fb-p-extra")]


def test_a_second_highlight_of_a_found_phrase_is_close_but_not_counted(lesson):
    work = work_of(
        highlight(lesson, "a1", "loaded", "vented its anger"),
        highlight(lesson, "a2", "loaded", "Ukraine has vented its anger"),
    )
    m = mark_over(marks_of(lesson, work), "vented its anger")
    assert [n.kind for n in m.notes] == ["found", "near"]
    assert m.kind == "found"


def test_overlapping_spans_make_one_mark_and_separate_ones_stay_apart(lesson):
    work = work_of(
        highlight(lesson, "a1", "loaded", "vented its anger"),
        highlight(lesson, "a2", "source", "media reports said on Tuesday"),
    )
    runs = article_marks(lesson, work, score_work(lesson, work))
    numbers = [r.number for block in runs for r in block if isinstance(r, Mark)]
    assert numbers == list(range(1, len(numbers) + 1))  # one note per mark, numbered in order
    # the text is all there, in order, marks and plain pieces alike
    for block, runs_ in zip(lesson.blocks, runs, strict=True):
        text = "".join(
            "".join(p.text for p in r.pieces) if isinstance(r, Mark) else r.text for r in runs_
        )
        assert text == lesson.text[block.start : block.end]


def test_a_phrase_found_where_the_key_also_accepts_it_is_shown_found_there(lesson):
    work = work_of(highlight(lesson, "a1", "loaded", "for proposing peace"))
    scored = score_work(lesson, work)
    assert "loaded-peace-proposal" in scored.found
    m = mark_over(marks_of(lesson, work), "for proposing peace")
    assert m.kind == "found"
    assert m.notes[0].quote == "proposal for peace"  # the key's words, not these


def test_omissions_list_each_key_item_with_the_answers_marked_for_it(lesson):
    work = work_of(
        answer("o1", "where he spoke"),
        answer("o2", "who the audience was"),
        answer("o3", "no idea"),
        marks=(
            OmissionMark("o1", "om-venue", "full"),
            OmissionMark("o3", "om-venue", "none"),
        ),
    )
    lines, others = omissions(lesson, work)
    assert len(lines) == sum(k.is_omission for k in lesson.key)
    venue = next(line for line in lines if line.answers)
    assert venue.found
    assert venue.answers == [("where he spoke", "full credit")]
    assert others == [("who the audience was", "not marked yet"), ("no idea", "no credit")]
    assert sum(line.found for line in lines) == 1


def test_the_page_holds_every_part_and_names_highlights_no_longer_in_the_text(lesson):
    lost = dataclasses.replace(
        highlight(lesson, "a2", "source", "media reports said on Tuesday"),
        start=None,
        end=None,
        orphaned=True,
    )
    work = work_of(highlight(lesson, "a1", "loaded", "vented its anger"), lost)
    page = feedback_page(lesson, work, score_work(lesson, work))
    assert page.summary.found == 1
    assert len(page.marks) == len(lesson.blocks)
    assert len(page.omissions) == sum(k.is_omission for k in lesson.key)
    assert page.other_answers == []
    assert page.orphans == ["media reports said on Tuesday"]
