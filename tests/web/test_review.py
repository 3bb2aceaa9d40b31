"""Reviewing one student: their highlights over the key, each annotation's match, marking
omission answers, rubric levels, a final-grade override, the history of every change, moving
to the next student, and reopening a submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from app.domain.scoring import score_work
from app.domain.work import StudentWork
from app.models import FinalGrade, GradeChange, OmissionMark, RubricScore, Submission, utcnow
from app.web.forms import CONTROL_CHARACTER
from tests.support.client import ApiClient, FormClient
from tests.support.factory import Classwork, highlight, new_class, new_id, omission
from tests.support.html import page
from tests.web.grading_helpers import count, dashboard_url, review_url, rows_of

VENUE = "Where Milley spoke and who he was speaking to"
CANDIDATE = "a regional capital in southern Ukraine"


@dataclass
class Review:
    k: Classwork
    teacher: FormClient
    amy: Any
    bo: Any
    cal: Any
    ids: dict[str, str]

    @property
    def url(self) -> str:
        return review_url(self.k.assignment, self.amy)

    def get(self, student=None):
        resp = self.teacher.get(review_url(self.k.assignment, student or self.amy))
        assert resp.status_code == 200, resp.status_code
        return page(resp)

    def mark(self, uid: str, **data: str):
        return self.teacher.post(f"{self.url}/omissions/{uid}", data, prefix=f"m-{uid}")

    def rubric(self, **rows: dict[str, str]):
        """The rubric form's one Save, with these questions' fields (``loaded={"level": ...}``)."""
        data = {f"r-{prompt}-{k}": v for prompt, row in rows.items() for k, v in row.items()}
        return self.teacher.post(f"{self.url}/rubric", data)

    def final(self, **data: str):
        return self.teacher.post(f"{self.url}/final", data)

    def history(self) -> list[tuple[str, str, str, str]]:
        return [
            (c.what, c.old_value, c.new_value, c.reason)
            for c in rows_of(GradeChange, student_id=self.amy.id)
        ]


@pytest.fixture
def review(make, lesson) -> Review:
    """Amy (first of three) found one source, tagged a key phrase with the wrong category,
    chose a decoy and an off-key phrase, and wrote two omission answers; she has submitted."""
    k = new_class(make, lesson)
    amy, bo, cal = k.student("Amy Aalto"), k.student("Bo Brandt"), k.student("Cal Cho")
    ids = {
        "match": k.mark(amy, "media reports said on Tuesday", "source", note="Which reports?"),
        "wrong": k.mark(amy, "pointed out", "source"),
        "decoy": k.mark(amy, "alleged war crimes", "loaded"),
        "extra": k.mark(amy, CANDIDATE, "loaded"),
        "venue": k.put(
            amy,
            omission(
                "He spoke at the Economic Club of New York",
                why="The article says he told Kiev officials",
            ),
        ),
        "vague": k.put(amy, omission("Something about the weather")),
    }
    k.mark(bo, "vented its anger", "loaded")
    k.submit(amy)
    return Review(k, FormClient(make.app, k.teacher), amy, bo, cal, ids)


def possible_points(lesson) -> float:
    return score_work(lesson, StudentWork(0, "", "")).possible


# ---------------------------------------------------------------- what the teacher sees


def test_the_teacher_sees_the_students_highlights_over_the_key_in_words_not_only_colour(review):
    doc = review.get()
    legend = doc.find("ul", cls="overlay-legend")
    assert [li.find("span").classes for li in legend.find_all("li")] == [
        ["ov", "ov-found"],
        ["ov", "ov-missed"],
        ["ov", "ov-extra"],
    ]
    assert [li.find("span").words for li in legend.find_all("li")] == [
        "✓ found",
        "✗ missed",
        "+ extra",
    ]
    article = doc.find("div", cls="overlay-article")
    marked = {
        cls: [s for s in article.find_all("mark", cls=cls)]
        for cls in ("ov-found", "ov-missed", "ov-extra")
    }
    assert [s.seen_words for s in marked["ov-found"]] == ["media reports said on Tuesday"]
    assert "key: found" in marked["ov-found"][0].attrs["title"]
    assert "their highlight" in marked["ov-found"][0].attrs["title"]
    assert marked["ov-found"][0].said == [  # where each starts and ends, to a screen reader
        "start of key phrase they found",
        "start of their highlight",
        "end of their highlight",
        "end of key phrase they found",
    ]
    missed = [s.seen_words for s in marked["ov-missed"]]
    assert "vented its anger" in missed  # Bo found it; Amy did not
    assert "pointed out" in missed  # tagged with the wrong category earns nothing
    assert all("key: missed" in s.attrs["title"] for s in marked["ov-missed"])
    assert [s.seen_words for s in marked["ov-extra"]] == [CANDIDATE, "alleged war crimes"]
    assert all(s.attrs["title"] == "their highlight" for s in marked["ov-extra"])


def test_each_annotation_says_how_it_matches_the_key(review, lesson):
    by_quote = {
        li.find("q", cls="ann-quote").words: li.find("p", cls="match").words
        for li in review.get().find("ul", cls="ann-list").find_all("li", cls="ann")
    }
    decoy = next(d for d in lesson.decoys if d.id == "decoy-alleged")
    assert by_quote == {
        "media reports said on Tuesday": (
            "✓ Matches the key: media reports said on Tuesday (2.0 pt)"
        ),
        "pointed out": "+ On a key phrase, but the key calls it Loaded wording: pointed out",
        "alleged war crimes": f"+ A decoy: {' '.join(decoy.explanation.split())}",
        CANDIDATE: "+ Not in the key",
    }


def test_omission_answers_come_with_the_suggested_key_item_preselected(review):
    doc = review.get()
    venue = doc.find("form", id=f"answer-{review.ids['venue']}")
    assert "He spoke at the Economic Club of New York" in venue.words
    assert f"Suggested: {VENUE}" in venue.find("p", cls="suggest").words
    [chosen] = [o for o in venue.find("select").find_all("option") if "selected" in o.attrs]
    assert (chosen.attrs["value"], chosen.words) == ("om-venue", VENUE)
    assert not any("checked" in i.attrs for i in venue.find_all("input", type="radio"))
    vague = doc.find("form", id=f"answer-{review.ids['vague']}")
    assert vague.find_all("p", cls="suggest") == []
    [chosen] = [o for o in vague.find("select").find_all("option") if "selected" in o.attrs]
    assert chosen.attrs["value"] == ""


# ---------------------------------------------------------------- marking omission answers


def item_share(teacher: FormClient, assignment, statement: str) -> str:
    doc = page(teacher.get(dashboard_url(assignment)))
    li = next(li for li in doc.find_all("li", cls="item") if statement in li.words)
    return li.find("span", cls="pct").words


@pytest.mark.parametrize(
    ("level", "share", "found"),
    [
        ("full", "33%", True),
        ("partial", "33%", True),
        ("none", "0%", False),
    ],
)
def test_marking_an_omission_answer_saves_it_logs_it_and_moves_the_class_share(
    review, level, share, found
):
    uid = review.ids["venue"]
    assert item_share(review.teacher, review.k.assignment, VENUE) == "0%"
    before = utcnow() - timedelta(seconds=1)
    resp = review.mark(uid, key_item="om-venue", level=level)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"#answer-{uid}")
    [mark] = rows_of(OmissionMark, annotation_id=uid)
    assert (mark.key_item_id, mark.level) == ("om-venue", level)
    [change] = rows_of(GradeChange, student_id=review.amy.id)
    assert change.teacher_id == review.k.teacher.id
    assert change.assignment_id == review.k.assignment.id
    assert before <= change.at <= utcnow() + timedelta(seconds=1)
    assert (change.what, change.old_value, change.new_value) == (
        "omission answer",
        "",
        f"{level} (om-venue)",
    )
    assert item_share(review.teacher, review.k.assignment, VENUE) == share
    form = review.get().find("form", id=f"answer-{uid}")
    assert f"(saved: {level})" in form.find("legend").words
    [checked] = [i for i in form.find_all("input", type="radio") if "checked" in i.attrs]
    assert checked.attrs["value"] == level
    feedback_found = "Where Milley spoke" not in " ".join(
        li.words for li in review.get().find("ul", cls="missed").find_all("li")
    )
    assert feedback_found is found


def test_changing_a_mark_logs_from_and_to(review):
    uid = review.ids["venue"]
    review.mark(uid, key_item="om-venue", level="partial")
    review.mark(uid, key_item="om-rest-of-remarks", level="full")
    assert review.history()[-1][:3] == (
        "omission answer",
        "partial (om-venue)",
        "full (om-rest-of-remarks)",
    )
    [mark] = rows_of(OmissionMark, annotation_id=uid)
    assert (mark.key_item_id, mark.level) == ("om-rest-of-remarks", "full")
    history = review.get().find("section", id="final").find("table").words
    assert f"partial credit for “{VENUE}”" in history
    assert "full credit for “What else Milley said in the same remarks" in history
    assert "om-" not in history
    assert "partial (" not in history
    assert review.k.teacher.display_name in history


def test_the_history_says_in_words_what_each_change_was(review):
    review.rubric(loaded={"level": "basic", "comment": "Only one phrase"})
    review.final(score="9", reason="Generous")
    review.teacher.post(f"{review.url}/reopen")
    rows = [
        [td.words for td in tr.find_all("td")][2:5]
        for tr in review.get().find("section", id="final").find("tbody").find_all("tr")
    ]
    assert rows == [
        [
            "Submission",
            rows[0][1],
            "reopened: the student can change their work and submit again",
        ],
        ["Final grade", "the auto score", "9.0"],
        [
            "Rubric level for Loaded wording",
            "not set",
            "Basic, with the comment “Only one phrase”",
        ],
    ]
    assert rows[0][1].startswith("submitted at ")


def test_a_sources_fields_are_shown_by_their_labels_not_their_keys(review):
    review.k.mark(
        review.bo,
        "media reports said on Tuesday",
        "source",
        named="unnamed",
        independence="interested",
        affiliation="<b>a newspaper</b>",
    )
    [item] = [
        li
        for li in review.get(review.bo).find("ul", cls="ann-list").find_all("li")
        if "media reports said on Tuesday" in li.words
    ]
    shown = [p.words for p in item.find_all("p", cls="small")]
    assert shown == [
        "Is the source named? Unnamed / vague",
        "Who are they? (job, organisation): <b>a newspaper</b>",
        "Independent or interested party? Interested party",
    ]
    assert "named:" not in item.words
    assert "interested:" not in item.words


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key_item": "om-venue"}, "Choose full, partial or none."),
        ({"key_item": "om-venue", "level": "excellent"}, "Not a valid choice"),
        ({"key_item": "src-milley", "level": "full"}, "Choose one of this lesson's omissions."),
        ({"key_item": "om-nowhere", "level": "full"}, "Choose one of this lesson's omissions."),
    ],
)
def test_a_bad_omission_mark_is_refused_with_a_reason_and_nothing_is_saved(review, data, message):
    uid = review.ids["venue"]
    resp = review.mark(uid, **data)
    assert resp.status_code == 422
    form = page(resp).find("form", id=f"answer-{uid}")
    assert message in form.find("p", cls="error").words
    assert count(OmissionMark) == 0
    assert count(GradeChange) == 0


def test_a_mark_without_the_forms_token_is_refused(review):
    uid = review.ids["venue"]
    resp = review.teacher.client.post(
        f"{review.url}/omissions/{uid}",
        data={f"m-{uid}-key_item": "om-venue", f"m-{uid}-level": "full"},
    )
    assert resp.status_code == 422
    assert count(OmissionMark) == 0


def test_a_highlight_is_not_an_omission_answer_to_mark(review):
    uid = review.ids["match"]
    assert review.mark(uid, key_item="om-venue", level="full").status_code == 422
    assert count(OmissionMark) == 0
    assert count(GradeChange) == 0


# ---------------------------------------------------------------- rubric


def test_the_rubric_is_one_form_with_one_save_button(review, lesson):
    [form] = review.get().find_all("form", cls="rubric-form")
    assert form.attrs["action"].endswith("/rubric#rubric")
    assert [b.words for b in form.find_all("button")] == ["Save rubric"]
    assert [f.attrs["id"] for f in form.find_all("fieldset")] == [
        f"rubric-{p.id}" for p in lesson.prompts
    ]


@pytest.mark.parametrize(
    ("prompt", "level"), [("sources", "proficient"), ("loaded", "emergent"), ("omissions", "basic")]
)
def test_a_rubric_level_and_comment_are_saved_shown_and_logged(review, prompt, level):
    comment = "Good eye for verbs; now look at the nouns too."
    resp = review.rubric(**{prompt: {"level": level, "comment": comment}})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("#rubric")
    [row] = rows_of(RubricScore, student_id=review.amy.id)
    assert (row.prompt_id, row.level, row.comment) == (prompt, level, comment)
    assert review.history() == [(f"rubric {prompt}", "", f"{level}: {comment}", "")]
    row = review.get().find("fieldset", id=f"rubric-{prompt}")
    [chosen] = [o for o in row.find("select").find_all("option") if "selected" in o.attrs]
    assert chosen.attrs["value"] == level
    assert row.find("textarea").words == comment


def test_every_question_is_saved_with_one_click_and_confirmed_beside_the_rubric(review):
    resp = review.rubric(
        sources={"level": "proficient", "comment": "Named every source"},
        loaded={"level": "emergent", "comment": "Two of five"},
        omissions={"level": "", "comment": ""},
    )
    assert resp.status_code == 302
    assert sorted((r.prompt_id, r.level) for r in rows_of(RubricScore)) == [
        ("loaded", "emergent"),
        ("sources", "proficient"),
    ]
    doc = review.get()
    assert doc.find("section", id="rubric").find("p", cls="flash").words == "Rubric saved."
    assert not doc.find_all("div", cls="flashes")  # not at the top, out of view
    assert review.get().find("section", id="rubric").find_all("p", cls="flash") == []  # once


def test_changing_and_clearing_a_rubric_level_is_logged(review):
    review.rubric(loaded={"level": "basic", "comment": "Only one phrase"})
    review.rubric(loaded={"level": "emergent", "comment": "Better"})
    review.rubric(loaded={"level": "", "comment": ""})
    assert count(RubricScore) == 0
    assert review.history() == [
        ("rubric loaded", "", "basic: Only one phrase", ""),
        ("rubric loaded", "basic: Only one phrase", "emergent: Better", ""),
        ("rubric loaded", "emergent: Better", "", ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": "excellent", "comment": "Great"}, "Choose Proficient, Emergent or Basic."),
        (
            {"level": "Proficient; DROP TABLE", "comment": ""},
            "Choose Proficient, Emergent or Basic.",
        ),
        ({"level": "basic", "comment": "x" * 2001}, "2000"),
    ],
)
def test_a_rubric_with_one_bad_row_saves_nothing_and_says_which_row_keeping_the_rest(
    review, data, message
):
    resp = review.rubric(
        sources={"level": "proficient", "comment": "Named every source"}, loaded=data
    )
    assert resp.status_code == 422
    assert count(RubricScore) == 0
    assert count(GradeChange) == 0
    form = page(resp).find("form", cls="rubric-form")
    assert form.attrs["action"].endswith("#rubric")  # the browser comes back to the rubric
    bad = form.find("fieldset", id="rubric-loaded")
    assert message in " ".join(p.words for p in bad.find_all("p", cls="error"))
    good = form.find("fieldset", id="rubric-sources")
    assert good.find_all("p", cls="error") == []
    assert good.find("textarea").words == "Named every source"  # what was typed is kept


def test_a_rubric_for_a_question_the_lesson_does_not_have_is_refused(review):
    resp = review.rubric(**{"no-such-prompt": {"level": "basic", "comment": ""}})
    assert resp.status_code == 422
    assert count(RubricScore) == 0
    alert = page(resp).find("section", id="rubric").find("p", cls="error-box")
    assert alert.words == "That question isn't part of this lesson."


def test_an_expired_page_keeps_the_typed_rubric_and_says_so_at_the_rubric(review):
    resp = review.teacher.post(
        f"{review.url}/rubric",
        {"r-loaded-level": "basic", "r-loaded-comment": "Typed before lunch"},
        csrf=False,
    )
    assert resp.status_code == 422
    assert count(RubricScore) == 0
    section = page(resp).find("section", id="rubric")
    assert "press the button again" in section.find("p", cls="error-box").words
    assert section.find("fieldset", id="rubric-loaded").find("textarea").words == (
        "Typed before lunch"
    )


@pytest.mark.parametrize("comment", ["Good\x00 eye", "Good eye\x1b[2J", "\x0bGood eye"])
def test_a_control_character_in_a_rubric_comment_is_refused_beside_it(review, comment):
    resp = review.rubric(loaded={"level": "basic", "comment": comment})  # NUL: a 500 on PostgreSQL
    assert resp.status_code == 422
    row = page(resp).find("section", id="rubric").find("fieldset", id="rubric-loaded")
    assert CONTROL_CHARACTER in row.words
    assert comment in row.find("textarea").text  # what was typed is kept
    assert count(RubricScore) == 0
    assert count(GradeChange) == 0


def test_a_rubric_comment_keeps_its_tabs_and_line_breaks(review):
    comment = "Good eye.\r\n\tNow the nouns."
    assert review.rubric(loaded={"level": "basic", "comment": comment}).status_code == 302
    assert rows_of(RubricScore)[0].comment == comment


# ---------------------------------------------------------------- final grade


def test_a_final_grade_override_with_a_reason_is_saved_logged_and_keeps_the_auto_score(
    review, lesson
):
    resp = review.final(score="7.5", reason="Great omission answer")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("#final")
    [grade] = rows_of(FinalGrade, student_id=review.amy.id)
    assert (grade.score, grade.reason) == (7.5, "Great omission answer")
    assert review.history() == [("final grade", "", "7.5", "Great omission answer")]
    head = review.get().find("div", cls="dash-head").words
    assert "auto score 2.0 of" in head  # the matched source: kept beside the override
    assert "final grade 7.5 (override)" in head
    row = next(
        r
        for r in page(review.teacher.get(dashboard_url(review.k.assignment)))
        .find("table", cls="progress")
        .find("tbody")
        .find_all("tr")
        if "Amy Aalto" in r.words
    )
    cells = [td.words for td in row.find_all("td")]
    assert cells[-3:-1] == ["2.0", "7.5 override"]
    assert possible_points(lesson) > 7.5


def test_the_top_of_the_range_is_allowed(review, lesson):
    top = possible_points(lesson)
    assert review.final(score=f"{top:g}", reason="Perfect").status_code == 302
    assert rows_of(FinalGrade)[0].score == top


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("{over}", "Extra credit", "A grade must be between 0 and {possible}."),
        ("1000", "Extra credit", "A grade must be between 0 and {possible}."),
        ("-1", "Penalty", "A grade can't be negative."),
        ("seven", "Typo", "Not a valid decimal value."),
        ("sNaN", "Typo", "Type a number, like 7 or 7.5."),
        ("NaN", "Typo", "Type a number, like 7 or 7.5."),
        ("Infinity", "Typo", "Type a number, like 7 or 7.5."),
        ("7", "", "Say briefly why you are changing the grade."),
        ("7", "   ", "Say briefly why you are changing the grade."),
        ("7", "x" * 501, "500"),
        ("7", "Extra\x00 credit", CONTROL_CHARACTER),  # NUL: a 500 on PostgreSQL
        ("7", "Extra credit\n", CONTROL_CHARACTER),  # one line: no line breaks
    ],
)
def test_a_final_grade_outside_the_range_or_without_a_reason_is_refused(
    review, lesson, score, reason, message
):
    possible = possible_points(lesson)
    resp = review.final(score=score.format(over=possible + 0.5), reason=reason)
    assert resp.status_code == 422
    errors = " ".join(
        p.words for p in page(resp).find("section", id="final").find_all("p", cls="error")
    )
    assert message.format(possible=f"{possible:g}") in errors
    assert count(FinalGrade) == 0
    assert count(GradeChange) == 0


@pytest.mark.parametrize(
    ("score", "reason", "invalid", "message"),
    [
        ("75", "Extra credit", "score", "A grade must be between 0 and {possible}."),
        ("42", "", "reason", "Say briefly why you are changing the grade."),
    ],
)
def test_a_refused_final_grade_comes_back_at_the_form_with_the_error_beside_the_field(
    review, lesson, score, reason, invalid, message
):
    resp = review.final(score=score, reason=reason)
    assert resp.status_code == 422
    section = page(resp).find("section", id="final")
    form = section.find("form")
    assert form.attrs["action"].endswith("/final#final")  # the browser lands at the form
    field = form.find("input", id=invalid)
    assert field.attrs["aria-invalid"] == "true"
    error = form.find("p", id=f"{invalid}-error")
    assert error.words == message.format(possible=f"{possible_points(lesson):g}")
    assert field.attrs["aria-describedby"] == f"{invalid}-error"
    assert form.find("input", id="score").attrs["value"] == score  # what was typed is kept
    assert form.find("input", id="reason").attrs.get("value", "") == reason


def test_a_saved_final_grade_is_confirmed_beside_the_form(review, lesson):
    assert review.final(score="42", reason="Fine omission answers").status_code == 302
    doc = review.get()
    [saved] = doc.find("section", id="final").find_all("p", cls="flash")
    assert saved.words == f"Final grade saved: 42 of {possible_points(lesson):g}."
    assert not doc.find_all("div", cls="flashes")
    review.final(score="", reason="")
    [cleared] = review.get().find("section", id="final").find_all("p", cls="flash")
    assert cleared.words == "Final grade cleared: the auto score counts."


@pytest.mark.parametrize("score", ["nan", "NaN", "inf", "-inf", "1e400", "Infinity"])
def test_a_final_grade_that_is_not_a_number_is_refused_not_a_crash(review, score):
    resp = review.final(score=score, reason="Because")
    assert resp.status_code == 422
    assert count(FinalGrade) == 0


def test_clearing_the_override_goes_back_to_the_auto_score_and_is_logged(review):
    review.final(score="9", reason="Generous")
    resp = review.final(score="", reason="")
    assert resp.status_code == 302
    assert count(FinalGrade) == 0
    assert review.history() == [
        ("final grade", "", "9.0", "Generous"),
        ("final grade", "9.0", "", ""),
    ]
    assert "(override)" not in review.get().find("div", cls="dash-head").words


# ---------------------------------------------------------------- moving between students


@pytest.mark.parametrize(
    ("who", "prev", "next_", "position"),
    [
        ("amy", None, "Bo Brandt", "1 of 3"),
        ("bo", "Amy Aalto", "Cal Cho", "2 of 3"),
        ("cal", "Bo Brandt", None, "3 of 3"),
    ],
)
def test_next_and_previous_student_links_stop_at_the_ends(review, who, prev, next_, position):
    student = getattr(review, who)
    pager = review.get(student).find("nav", cls="pager")
    assert position in pager.words
    links = {a.attrs["rel"]: a for a in pager.find_all("a")}
    for rel, name in (("prev", prev), ("next", next_)):
        if name is None:
            assert rel not in links
            continue
        target = {"Amy Aalto": review.amy, "Bo Brandt": review.bo, "Cal Cho": review.cal}[name]
        assert links[rel].attrs["href"] == review_url(review.k.assignment, target)
        assert name in links[rel].words


# ---------------------------------------------------------------- reopening


def test_reopening_a_submission_lets_the_student_write_again_and_is_logged(review, make, lesson):
    student = ApiClient(make.app.test_client()).login(review.amy)
    body = highlight(lesson, "huge funds", category="loaded", prompt="loaded")
    assert student.put(review.k.assignment, new_id(), body).status_code == 409
    resp = review.teacher.post(f"{review.url}/reopen")
    assert resp.status_code == 302
    assert count(Submission, student_id=review.amy.id) == 0
    [change] = rows_of(GradeChange, student_id=review.amy.id)
    assert (change.what, change.new_value, change.teacher_id) == (
        "submission",
        "reopened",
        review.k.teacher.id,
    )
    assert change.old_value.startswith("submitted ")
    assert student.put(review.k.assignment, new_id(), body).status_code == 201
    again = dict(
        highlight(lesson, "media reports said on Tuesday", category="source", prompt="sources"),
        note="Still: which reports?",
    )
    assert student.put(review.k.assignment, review.ids["match"], again).status_code == 200
    assert "Reopen this submission" not in review.get().words


def test_reopening_a_student_who_has_not_submitted_changes_nothing(review):
    resp = review.teacher.post(f"{review_url(review.k.assignment, review.bo)}/reopen")
    assert resp.status_code == 302
    assert count(Submission) == 1
    assert count(GradeChange) == 0


def test_reopening_needs_the_forms_token(review):
    resp = review.teacher.post(f"{review.url}/reopen", csrf=False)
    assert resp.status_code == 302
    assert count(Submission, student_id=review.amy.id) == 1
