"""Class summaries: a small class worked by hand, the heatmap, candidates, confusion and chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.heatmap import ALL, word_ranges
from app.domain.lessons import Lesson, load_lesson_file
from app.domain.overlay import heat_legend
from app.domain.summaries import ClassSummary, distribution_svg, summarise
from app.domain.work import AnnotationRow, OmissionMark, StudentWork

ROOT = Path(__file__).resolve().parents[2]
DUE = datetime(2022, 11, 16, 9, 0)
EARLY = DUE - timedelta(days=1)


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    loaded, problems = load_lesson_file(ROOT / "lessons" / "kiev-anger-milley.toml")
    assert loaded is not None, problems
    return loaded


class Student:
    """Builds one student's work the way a class would produce it."""

    def __init__(self, lesson: Lesson, sid: int, name: str) -> None:
        self.lesson, self.sid, self.name = lesson, sid, name
        self.annotations: list[AnnotationRow] = []
        self.marks: dict[str, OmissionMark] = {}
        self.minutes = 0

    def _add(self, category: str, start: int | None, end: int | None, note: str) -> str:
        self.minutes += 1
        aid = f"{self.sid}-{len(self.annotations)}"
        at = EARLY + timedelta(minutes=self.minutes)
        exact = self.lesson.text[start:end] if start is not None else ""
        self.annotations.append(
            AnnotationRow(aid, self.sid, category, None, start, end, exact, note, {}, at, at)
        )
        return aid

    def highlights(self, category: str, words: str, occurrence: int = 1) -> Student:
        start = -1
        for _ in range(occurrence):
            start = self.lesson.text.index(words, start + 1)
        self._add(category, start, start + len(words), "")
        return self

    def highlights_range(self, category: str, start: int, end: int) -> Student:
        """A range as an API client may send it, punctuation and all."""
        self._add(category, start, end, "")
        return self

    def omission(self, text: str, item: str | None = None, level: str = "full") -> Student:
        aid = self._add("omission", None, None, text)
        if item is not None:
            self.marks[aid] = OmissionMark(aid, item, level)
        return self

    def work(self, submitted: datetime | None = None, final: float | None = None) -> StudentWork:
        return StudentWork(
            self.sid,
            self.name,
            self.name.lower(),
            self.annotations,
            submitted,
            self.marks,
            final_grade=final,
        )


@pytest.fixture(scope="module")
def small_class(lesson) -> list[StudentWork]:
    """Four students, listed out of name order:

    - Cal: "vented its anger" as a source (wrong), "special military operation" as loaded; in
      progress; the teacher gave 10 points.
    - Ana: "vented its anger" (found), "media reports said on Tuesday" (found), the decoy
      "alleged war crimes", an omission marked full for the venue; submitted on time: 6 points.
    - bea: nothing at all (lower-case on purpose: the rows sort by name ignoring case).
    - Ben: "has vented its anger" (found), "pointed out" as a source (wrong: the key says
      loaded), "special military operation" as loaded; submitted late: 2 points.
    """
    return [
        Student(lesson, 3, "Cal")
        .highlights("source", "vented its anger")
        .highlights("loaded", "special military operation")
        .work(final=10),
        Student(lesson, 1, "Ana")
        .highlights("loaded", "vented its anger")
        .highlights("source", "media reports said on Tuesday")
        .highlights("loaded", "alleged war crimes")
        .omission("He was speaking at the Economic Club of New York", "om-venue", "full")
        .work(submitted=EARLY + timedelta(hours=1)),
        Student(lesson, 4, "bea").work(),
        Student(lesson, 2, "Ben")
        .highlights("loaded", "has vented its anger")
        .highlights("source", "pointed out")
        .highlights("loaded", "special military operation")
        .work(submitted=DUE + timedelta(hours=1)),
    ]


@pytest.fixture(scope="module")
def summary(lesson, small_class) -> ClassSummary:
    return summarise(lesson, small_class, DUE, now=EARLY)  # before the due date


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed


def word_index(lesson: Lesson, summary: ClassSummary, word: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = lesson.text.index(word, start + 1)
    return summary.words.index((start, start + len(word)))


# ---------------------------------------------------------------- progress rows


def test_teacher_sees_one_row_per_student_sorted_by_name(summary):
    assert [r.name for r in summary.rows] == ["Ana", "bea", "Ben", "Cal"]


def test_each_row_shows_status_counts_and_scores(summary):
    rows = {r.name: r for r in summary.rows}
    assert {n: r.status for n, r in rows.items()} == {
        "Ana": "submitted",
        "Ben": "late",
        "Cal": "in progress",
        "bea": "not started",
    }
    assert rows["Ana"].counts == {"source": 1, "loaded": 2, "omission": 1}
    assert rows["Ben"].counts == {"source": 1, "loaded": 2, "omission": 0}
    assert (rows["Ana"].auto_score, rows["Ana"].final_grade, rows["Ana"].final) == (6, None, 6)
    assert (rows["Cal"].auto_score, rows["Cal"].final_grade, rows["Cal"].final) == (0, 10, 10)
    assert {r.possible for r in summary.rows} == {49}
    assert rows["Ana"].last_activity == EARLY + timedelta(hours=1)  # when she submitted
    assert rows["Cal"].last_activity == EARLY + timedelta(minutes=2)


def test_a_student_with_no_annotations_has_an_empty_row(summary):
    bea = next(r for r in summary.rows if r.name == "bea")
    assert bea.counts == {"source": 0, "loaded": 0, "omission": 0}
    # never started: no grade (a blank, not 0) until the teacher gives one
    assert (bea.auto_score, bea.final, bea.last_activity) == (0, None, None)
    assert not bea.started


# ---------------------------------------------------------------- key items


def test_key_items_show_the_share_of_the_class_that_found_them(summary):
    shares = {i.id: (i.found, i.share) for i in summary.items}
    assert shares["loaded-vented"] == (2, 0.5)
    assert shares["src-media-reports"] == (1, 0.25)
    assert shares["om-venue"] == (1, 0.25)
    assert shares["loaded-pointed-out"] == (0, 0.0)  # Ben called it a source
    assert len(shares) == 32


def test_most_missed_key_items_come_first_then_lesson_order(lesson, summary):
    ids = [i.id for i in summary.items]
    never = [
        k.id for k in lesson.key if k.id not in {"loaded-vented", "src-media-reports", "om-venue"}
    ]
    assert ids == [*never, "src-media-reports", "om-venue", "loaded-vented"]


def test_key_items_carry_their_label_and_explanation(lesson, summary):
    by_id = {i.id: i for i in summary.items}
    assert by_id["loaded-vented"].label == "vented its anger"
    assert by_id["om-venue"].label == "Where Milley spoke and who he was speaking to"
    assert by_id["om-venue"].is_omission
    assert by_id["om-venue"].explanation.startswith("The article says Milley told")


# ---------------------------------------------------------------- heatmap


@pytest.mark.parametrize(
    ("word", "category", "students"),
    [
        ("vented", "loaded", 2),  # Ana and Ben
        ("vented", "source", 1),  # Cal
        ("vented", ALL, 3),
        ("has", "loaded", 1),  # only Ben went one word wider
        ("special", "loaded", 2),
        ("Tuesday", "source", 1),
        ("Tuesday", "loaded", 0),
        ("Ukraine", ALL, 0),
    ],
)
def test_heatmap_counts_students_per_word(lesson, summary, word, category, students):
    assert summary.heatmap[category][word_index(lesson, summary, word)] == students


def test_heatmap_rows_line_up_with_the_words_of_the_article(lesson, summary):
    assert set(summary.heatmap) == {"source", "loaded", ALL}
    assert all(len(row) == len(summary.words) for row in summary.heatmap.values())
    assert summary.heat_max == {"source": 1, "loaded": 2, ALL: 3}


def test_a_student_with_overlapping_highlights_counts_once_per_word(lesson):
    one = (
        Student(lesson, 1, "Ana")
        .highlights("loaded", "vented its anger")
        .highlights("loaded", "has vented its anger")
        .highlights("source", "Ukraine has vented")
        .work()
    )
    result = summarise(lesson, [one], None)
    vented = word_index(lesson, result, "vented")
    assert result.heatmap["loaded"][vented] == 1
    assert result.heatmap[ALL][vented] == 1
    assert result.heatmap["source"][vented] == 1
    after = lesson.text.index("vented its anger on")
    anger, on = after + len("vented its "), after + len("vented its anger ")
    assert result.heatmap[ALL][result.words.index((anger, anger + 5))] == 1
    assert result.heatmap[ALL][result.words.index((on, on + 2))] == 0
    assert result.heat_max == {"source": 1, "loaded": 1, ALL: 1}


def test_a_highlight_starting_at_the_comma_after_a_word_does_not_heat_that_word(lesson):
    comma = lesson.text.index("Kherson, a regional capital") + len("Kherson")
    student = Student(lesson, 1, "Ana").highlights_range(
        "loaded", comma, comma + len(", a regional capital")
    )
    result = summarise(lesson, [student.work()], None)
    kherson = result.words.index((comma - len("Kherson"), comma))
    assert result.heatmap["loaded"][kherson] == 0
    assert result.heatmap["loaded"][kherson + 1] == 1  # "a"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("It's a re-run, isn't it?", ["It's", "a", "re-run", "isn't", "it"]),
        ("Milley\u2019s  \u201cwindow\u201d", ["Milley\u2019s", "window"]),
        ("Smile \U0001f600 now", ["Smile", "now"]),
        ("-- ... --", []),
        ("", []),
    ],
)
def test_words_are_cut_by_the_same_rule_as_highlights(text, words):
    assert [text[s:e] for s, e in word_ranges(text)] == words


def test_word_ranges_count_code_points_after_an_emoji():
    assert word_ranges("\U0001f600 ok") == [(2, 4)]


# ---------------------------------------------------------------- candidates and confusion


def test_a_phrase_two_students_highlighted_outside_the_key_is_a_candidate(lesson, summary):
    start = lesson.text.index("special military operation")
    assert [(c.category, c.text, c.start, c.end, c.count) for c in summary.candidates] == [
        ("loaded", "special military operation", start, start + 26, 2)
    ]


def _students_on(lesson: Lesson, count: int, words: str, first_id: int = 1) -> list[StudentWork]:
    return [
        Student(lesson, first_id + i, f"S{first_id + i:03d}").highlights("loaded", words).work()
        for i in range(count)
    ]


def _idle(lesson: Lesson, count: int) -> list[StudentWork]:
    return [Student(lesson, 500 + i, f"Z{i:03d}").work() for i in range(count)]


@pytest.mark.parametrize(
    ("class_size", "highlighters", "kept"),
    [
        (2, 1, False),  # one student is never enough
        (2, 2, True),
        (10, 2, True),  # 20% of 10 is 2
        (11, 2, False),  # 20% of 11 is 2.2
        (15, 3, True),
        (15, 2, False),
    ],
)
def test_a_candidate_needs_two_students_and_a_fifth_of_the_class(
    lesson, class_size, highlighters, kept
):
    works = [
        *_students_on(lesson, highlighters, "de-Nazifying"),
        *_idle(lesson, class_size - highlighters),
    ]
    result = summarise(lesson, works, None)
    assert [c.text for c in result.candidates] == (["de-Nazifying"] if kept else [])


def test_students_who_highlight_a_phrase_with_different_edges_support_one_candidate(lesson):
    works = [
        Student(lesson, 1, "A").highlights("loaded", "special military operation").work(),
        Student(lesson, 2, "B")
        .highlights("loaded", 'special military operation" in Ukraine')
        .work(),
        Student(lesson, 3, "C").highlights("loaded", "military operation").work(),
        Student(lesson, 4, "D").highlights("loaded", "special military operation").work(),
    ]
    result = summarise(lesson, works, None)
    assert [(c.text, c.count) for c in result.candidates] == [("special military operation", 4)]


def test_paragraph_wide_highlights_do_not_make_candidates(lesson):
    paragraph = next(b for b in lesson.blocks if "de-Nazifying" in b.text).text
    works = [Student(lesson, i, f"S{i}").highlights("loaded", paragraph).work() for i in range(5)]
    assert summarise(lesson, works, None).candidates == []


def test_highlights_on_key_items_and_decoys_are_not_candidates(lesson):
    works = [
        Student(lesson, i, f"S{i}")
        .highlights("loaded", "alleged war crimes")  # a decoy
        .highlights("source", "vented its anger")  # a key item, wrong category
        .highlights("loaded", "has vented its anger")  # a key item, one word wider
        .highlights("loaded", "vented its anger")  # and a duplicate of it
        .work()
        for i in range(4)
    ]
    assert summarise(lesson, works, None).candidates == []


def test_candidates_list_the_most_highlighted_first_and_stop_at_fifteen(lesson):
    phrases = [
        "de-Nazifying",
        "special military operation",
        "more territory",
        "at what cost",
        "Zelensky also signed a decree in October",
        "stalemate",
        "Kherson",
        "World War I",
        "Moscow",
        "Putin",
        "the West",
        "winter",
        "the Pentagon",
        "Washington, DC",
        "September 1, 2021",
        "regional capital",
        "Russian leaders",
    ]
    works = []
    for sid in range(20):
        student = Student(lesson, sid, f"S{sid:02d}")
        for rank, phrase in enumerate(phrases):
            if sid < 20 - rank:  # phrase 0 by all 20 students, phrase 16 by 4 (a fifth)
                student.highlights("loaded", phrase)
        works.append(student.work())
    result = summarise(lesson, works, None)
    assert [(c.text, c.count) for c in result.candidates] == [
        (phrase, 20 - rank) for rank, phrase in enumerate(phrases[:15])
    ]


def test_confusion_table_counts_what_students_called_it_against_the_key(summary):
    assert summary.confusion == {
        ("loaded", "loaded"): 2,  # Ana and Ben found "vented its anger"
        ("source", "source"): 1,  # Ana found the media reports
        ("source", "loaded"): 2,  # Cal's "vented", Ben's "pointed out"
    }
    assert summary.categories == ["source", "loaded"]


# ---------------------------------------------------------------- distribution and chart


def test_scores_fall_in_ten_percent_bands_of_the_points_possible(summary):
    # Ana 6/49 = 12%, Ben 2/49 = 4%, Cal's final 10/49 = 20% (the next band); bea never
    # started, so she is apart, not in 0-10%
    assert summary.distribution == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert summary.not_started == 1
    assert summary.possible == 49


def test_after_the_due_date_work_not_submitted_is_missing(lesson, small_class):
    rows = {
        r.name: r for r in summarise(lesson, small_class, DUE, now=DUE + timedelta(days=1)).rows
    }
    assert {n: r.status for n, r in rows.items()} == {
        "Ana": "submitted",
        "Ben": "late",
        "Cal": "missing",
        "bea": "missing",
    }
    assert rows["bea"].final is None  # missing and never started: still no grade


def test_a_student_who_never_started_but_has_a_grade_is_in_the_chart(lesson):
    result = summarise(lesson, [Student(lesson, 1, "A").work(final=30)], None)
    assert result.not_started == 0
    assert result.distribution[6] == 1


@pytest.mark.parametrize(
    ("final", "band"),
    # of 49 points: 4.9 is 10%, 14.7 is 30%, 44.1 is 90%
    [(0, 0), (4.89, 0), (4.9, 1), (14.7, 3), (44.1, 9), (48.99, 9), (49, 9), (60, 9)],
)
def test_final_grade_bands_include_their_lower_edge(lesson, final, band):
    result = summarise(lesson, [Student(lesson, 1, "A").work(final=final)], None)
    assert result.distribution[band] == 1
    assert sum(result.distribution) == 1


def test_an_empty_class_has_an_empty_summary(lesson):
    result = summarise(lesson, [], DUE)
    assert result.rows == []
    assert result.class_size == 0
    assert {i.share for i in result.items} == {0.0}
    assert len(result.items) == len(lesson.key)
    assert all(set(row) == {0} for row in result.heatmap.values())
    assert result.heat_max == {"source": 0, "loaded": 0, ALL: 0}
    assert result.candidates == []
    assert result.confusion == {}
    assert result.distribution == [0] * 10
    assert result.possible == 49


def test_score_chart_is_an_accessible_svg_with_the_counts_in_words(summary):
    svg = distribution_svg(summary)
    root = parse_svg(svg)  # well-formed
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.find(f"{ns}title").text == "Score distribution"
    desc = root.find(f"{ns}desc").text
    assert "3 students" in desc
    assert "0-10%: 1" in desc
    assert "20-30%: 1" in desc
    assert desc.endswith("Not in the chart: 1 student who never started.")
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert "90-100%" in labels
    assert labels.count("1") == 3
    assert "<script" not in svg
    assert "href" not in svg


def test_score_chart_escapes_its_text(summary):
    svg = distribution_svg(summary, title='Class <7B> & "Friends"', id_prefix='x"y')
    assert "&lt;7B&gt; &amp; &quot;Friends&quot;" in svg
    assert "<7B>" not in svg
    assert parse_svg(svg).find("{http://www.w3.org/2000/svg}title").text == (
        'Class <7B> & "Friends"'
    )


def test_score_chart_of_an_empty_class_still_draws(lesson):
    svg = distribution_svg(summarise(lesson, [], None))
    assert "0 students" in svg
    parse_svg(svg)


@pytest.mark.parametrize(
    ("top", "legend"),
    [
        (0, []),
        (1, [(0.0, 0), (1.0, 1)]),
        (2, [(0.0, 0), (0.5, 1), (1.0, 2)]),
        (3, [(0.0, 0), (0.67, 2), (1.0, 3)]),
        (25, [(0.0, 0), (0.52, 13), (1.0, 25)]),
    ],
)
def test_the_heatmap_legend_never_labels_its_middle_0_and_shades_it_as_the_article(top, legend):
    assert heat_legend(top) == legend
    for shade, students in legend[1:-1]:
        assert 0 < students < top
        assert shade == round(students / top, 2)
