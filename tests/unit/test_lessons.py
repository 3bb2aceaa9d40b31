"""Lesson files: the real lesson, its version hash, and every way an author can break one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.lessons import (
    BLOCK_SEPARATOR,
    Lesson,
    Problem,
    Prompt,
    lesson_files,
    load_lesson_file,
    load_lessons,
    parse_lesson,
)

ROOT = Path(__file__).resolve().parents[2]
REAL_LESSON = ROOT / "lessons" / "kiev-anger-milley.toml"
SEED_ARTICLE = ROOT / "tests" / "data" / "seed_article.txt"

# A small lesson that loads cleanly; each broken case below changes one thing in it.
GOOD = """\
id = "tiny"
title = "A tiny lesson"
minutes = 10

[[blocks]]
kind = "headline"
text = "Kiev expresses anger over a proposal"

[[blocks]]
kind = "paragraph"
text = "Ukraine has vented its anger on a top US general. Read more here. Read more there."

[[prompts]]
id = "sources"
category = "source"
question = "Who says so?"

[[prompts]]
id = "wording"
category = "loaded"
question = "Which words push you?"

[[prompts]]
id = "omissions"
category = "omission"
question = "What is missing?"
required = ["missing"]

[[key]]
id = "loaded-vented"
category = "loaded"
quote = "vented its anger"
explanation = "An emotional word for a reported reaction."
points = 2

[[key]]
id = "om-venue"
category = "omission"
statement = "Where he spoke"
explanation = "He spoke at a club in New York."
reference = "CNN, 9 Nov 2022"
cues = ["club", "new york"]
points = 2

[[decoys]]
id = "decoy-top"
category = "loaded"
quote = "top US general"
explanation = "A plain job title."
"""


def write(tmp_path: Path, text: str, name: str = "tiny.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def broken(old: str, new: str) -> str:
    assert old in GOOD, f"the test's edit must apply: {old!r}"
    return GOOD.replace(old, new, 1)


# ---------------------------------------------------------------- the real lesson


@pytest.fixture(scope="module")
def real() -> Lesson:
    lesson, problems = load_lesson_file(REAL_LESSON)
    assert problems == []
    assert lesson is not None
    return lesson


def test_the_real_lesson_loads_with_no_problems(real):
    assert real.id == "kiev-anger-milley"
    assert real.source_file == "kiev-anger-milley.toml"
    assert {c.id for c in real.categories} >= {"source", "loaded", "omission"}


def test_the_real_lesson_reproduces_the_article_character_for_character(real):
    article = SEED_ARTICLE.read_text(encoding="utf-8").strip("\n")
    expected = re.split(r"\n{2,}", article)
    assert [b.text for b in real.blocks] == expected
    assert real.text == BLOCK_SEPARATOR.join(expected)


def test_the_real_lessons_blocks_know_where_they_start(real):
    for block in real.blocks:
        assert real.text[block.start : block.end] == block.text


def test_the_real_lesson_has_a_full_answer_key(real):
    by_category: dict[str, list] = {}
    for item in real.key:
        by_category.setdefault(item.category, []).append(item)
    assert len(by_category["source"]) >= 8
    assert len(by_category["loaded"]) >= 10
    assert len(real.decoys) >= 2
    omissions = by_category["omission"]
    assert len(omissions) >= 6
    for item in omissions:
        assert item.reference.strip(), item.id
        assert item.cues, item.id
        assert item.statement.strip(), item.id


def test_every_quote_in_the_real_key_sits_where_the_lesson_says(real):
    for item in [*real.key, *real.decoys]:
        if item.quote:
            assert real.text[item.start : item.end] == item.quote, item.id


def test_the_version_hash_is_stable(real):
    again, _ = load_lesson_file(REAL_LESSON)
    assert again is not None
    assert again.version == real.version
    assert re.fullmatch(r"[0-9a-f]{16}", real.version)


def test_the_version_hash_changes_when_the_article_text_changes(tmp_path):
    original, _ = load_lesson_file(write(tmp_path, GOOD, "a.toml"))
    edited, _ = load_lesson_file(
        write(tmp_path, GOOD.replace("Ukraine has vented", "Ukraine has now vented"), "b.toml")
    )
    assert original is not None
    assert edited is not None
    assert original.version != edited.version


def test_the_version_hash_ignores_the_file_name(tmp_path):
    one, _ = load_lesson_file(write(tmp_path, GOOD, "one.toml"))
    two, _ = load_lesson_file(write(tmp_path, GOOD, "two.toml"))
    assert one is not None
    assert two is not None
    assert one.source_file != two.source_file
    assert one.version == two.version


def test_a_lesson_survives_the_snapshot_round_trip(real):
    copy = Lesson.from_dict(real.to_dict())
    assert copy.text == real.text
    assert copy.version == real.version


# ---------------------------------------------------------------- broken lessons


def test_the_small_good_lesson_loads(tmp_path):
    lesson, problems = load_lesson_file(write(tmp_path, GOOD))
    assert problems == []
    assert lesson is not None
    assert lesson.text.startswith("Kiev expresses anger")


BROKEN = [
    pytest.param(GOOD + 'title = "unterminated\n', "syntax", "", id="bad-toml-syntax"),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "furious outburst"'),
        "key loaded-vented",
        "is not in the article",
        id="quote-not-in-article",
    ),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "Read more"'),
        "key loaded-vented",
        "occurs 2 times",
        id="repeated-quote-without-occurrence",
    ),
    pytest.param(
        broken('id = "decoy-top"', 'id = "loaded-vented"'),
        "decoys[1]",
        "duplicate id 'loaded-vented' (also used by key[1])",
        id="duplicate-id",
    ),
    pytest.param(
        broken('category = "loaded"\nquote = "vented', 'category = "spin"\nquote = "vented'),
        "key loaded-vented",
        "unknown category 'spin'",
        id="unknown-category",
    ),
    pytest.param(
        broken("points = 2", "points = -1"),
        "key loaded-vented",
        "must not be negative",
        id="negative-points",
    ),
    pytest.param(
        broken("points = 2", "points = 1000"),
        "key loaded-vented",
        "at most 100",
        id="too-many-points",
    ),
    pytest.param(
        broken("points = 2", 'points = "two"'),
        "key loaded-vented",
        "'points' must be a number",
        id="points-not-a-number",
    ),
    pytest.param(
        broken("points = 2", "points = true"),
        "key loaded-vented",
        "'points' must be a number",
        id="points-a-boolean",
    ),
    pytest.param(
        broken('category = "loaded"\nquote = "vented', 'category = ["loaded"]\nquote = "vented'),
        "key loaded-vented",
        "unknown category",
        id="category-as-a-list",
    ),
    pytest.param(
        broken('category = "source"', 'category = ["source"]'),
        "prompt sources",
        "unknown category",
        id="prompt-category-as-a-list",
    ),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "Read more"\noccurrence = 0'),
        "key loaded-vented",
        "occurrence 0 asked for",
        id="occurrence-zero",
    ),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "Read more"\noccurrence = 3'),
        "key loaded-vented",
        "occurs 2 time(s)",
        id="occurrence-too-high",
    ),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "Read more"\noccurrence = "2"'),
        "key loaded-vented",
        "'occurrence' must be a whole number",
        id="occurrence-as-text",
    ),
    pytest.param(
        broken('id = "loaded-vented"', 'id = "loaded-vented\\n"'),
        "key[1]",
        "'id' must be a slug",
        id="id-with-trailing-newline",
    ),
    pytest.param(
        broken("[[decoys]]", "[decoys]"), "decoys", "use [[decoys]] entries", id="decoys-as-a-table"
    ),
    pytest.param(
        broken('[[key]]\nid = "loaded-vented"', '[key]\nid = "loaded-vented"').replace(
            '[[key]]\nid = "om-venue"', '[key2]\nid = "om-venue"'
        ),
        "key",
        "use [[key]] entries",
        id="key-as-a-table",
    ),
    pytest.param(
        broken('text = "Ukraine has', 'text = "Kiev said no.\\n\\nUkraine has'),
        "blocks[2]",
        "blank line",
        id="block-with-a-blank-line",
    ),
    pytest.param(
        broken('text = "Ukraine has', 'text = "\\nUkraine has'),
        "blocks[2]",
        "start or end with a line break",
        id="block-starting-with-newline",
    ),
    pytest.param(
        broken('kind = "paragraph"', 'kind = "sidebar"'),
        "blocks[2]",
        "unknown block kind 'sidebar'",
        id="unknown-block-kind",
    ),
    pytest.param(
        broken('quote = "vented its anger"', 'quote = "ented its ang"'),
        "key loaded-vented",
        "whole words",
        id="quote-not-on-whole-words",
    ),
    pytest.param(
        broken('cues = ["club", "new york"]\n', ""),
        "key om-venue",
        "needs 'cues'",
        id="omission-without-cues",
    ),
    pytest.param(
        broken('cues = ["club", "new york"]', "cues = []"),
        "key om-venue",
        "needs 'cues'",
        id="omission-with-empty-cues",
    ),
    pytest.param(
        broken('reference = "CNN, 9 Nov 2022"\n', ""),
        "key om-venue",
        "'reference' is missing",
        id="omission-without-reference",
    ),
    pytest.param(
        broken('statement = "Where he spoke"', 'statement = "Where he spoke"\nquote = "x"'),
        "key om-venue",
        "remove 'quote'",
        id="omission-with-a-quote",
    ),
    pytest.param(
        broken('id = "tiny"', 'id = "Tiny Lesson!"'),
        "id",
        "lesson id must be a slug",
        id="lesson-id-not-a-slug",
    ),
    pytest.param(
        broken('title = "A tiny lesson"', 'title = "  "'),
        "title",
        "'title' is missing",
        id="blank-title",
    ),
    pytest.param(
        broken("minutes = 10", "minutes = 0"),
        "minutes",
        "whole number from 1 to 600",
        id="zero-minutes",
    ),
    pytest.param(
        broken('required = ["missing"]', 'required = ["rewrite"]'),
        "prompt omissions",
        "'required' may list only",
        id="required-field-unknown",
    ),
    pytest.param(
        GOOD + "\n[scoring]\nspin = 1\n",
        "scoring.spin",
        "unknown category 'spin'",
        id="scoring-unknown-category",
    ),
    pytest.param(
        GOOD + "\n[scoring]\nsource = -2\n",
        "scoring.source",
        "a weight must be a number",
        id="scoring-negative-weight",
    ),
    pytest.param(
        GOOD + '\n[categories.claim]\nlabel = "Claim"\ncolor = "green"\n',
        "categories.claim",
        "color must look like",
        id="category-bad-color",
    ),
]


@pytest.mark.parametrize(("text", "item", "message"), BROKEN)
def test_a_broken_lesson_is_reported_with_file_and_item_never_raised(tmp_path, text, item, message):
    lesson, problems = load_lesson_file(write(tmp_path, text))
    assert lesson is None
    assert problems, "a broken lesson must report at least one problem"
    assert all(isinstance(p, Problem) and p.file == "tiny.toml" for p in problems)
    matching = [p for p in problems if p.item == item and message in p.message]
    assert matching, f"expected {item}: ...{message}... in {[str(p) for p in problems]}"


def test_a_problem_prints_as_file_item_message():
    assert str(Problem("a.toml", "key x", "quote 'y' is not in the article")) == (
        "a.toml: key x: quote 'y' is not in the article"
    )


def test_a_bad_syntax_problem_says_where_the_mistake_is(tmp_path):
    _, problems = load_lesson_file(write(tmp_path, GOOD + 'title = "unterminated\n'))
    assert len(problems) == 1
    assert problems[0].item == "syntax"
    assert "line" in problems[0].message


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.replace("A tiny lesson", "Le\xe7on").encode("latin-1"))
    lesson, problems = load_lesson_file(path)
    assert lesson is None
    assert problems == [Problem("latin.toml", "file", "not UTF-8 text")]


def test_every_problem_in_a_badly_broken_lesson_is_reported_at_once(tmp_path):
    text = broken("points = 2", "points = -1").replace(
        'quote = "top US general"', 'quote = "nowhere in the text"'
    )
    _, problems = load_lesson_file(write(tmp_path, text))
    items = {p.item for p in problems}
    assert {"key loaded-vented", "decoy decoy-top"} <= items


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"id": 5, "title": ["x"], "blocks": "text", "prompts": {}, "key": "x", "decoys": 3},
        {
            "id": "x",
            "title": "t",
            "blocks": [1, {"kind": 2, "text": None}],
            "prompts": [["sources"]],
            "key": [None],
            "decoys": [{"quote": 3}],
        },
        {
            "id": "x",
            "title": "t",
            "blocks": [{"kind": "paragraph", "text": "Some words."}],
            "prompts": [
                {
                    "id": "p",
                    "category": {"a": 1},
                    "question": "Q?",
                    "hints": "h",
                    "required": [["note"]],
                }
            ],
            "key": [{"id": ["k"], "category": "loaded", "quote": "Some", "occurrence": True}],
            "categories": {"Bad Id": {}, "ok": "not a table"},
            "scoring": [1],
            "minutes": "ten",
        },
    ],
)
def test_nonsense_lesson_data_gives_problems_not_exceptions(raw):
    lesson, problems = parse_lesson(raw, "nonsense.toml")
    assert lesson is None
    assert problems
    assert all(p.file == "nonsense.toml" for p in problems)


def test_one_broken_file_does_not_stop_a_good_one_from_loading(tmp_path):
    good = write(tmp_path, GOOD, "a-good.toml")
    bad = write(
        tmp_path, broken('quote = "vented its anger"', 'quote = "furious outburst"'), "b-bad.toml"
    )
    worse = write(tmp_path, "this is = not [toml", "c-worse.toml")
    result = load_lessons(lesson_files(tmp_path))
    assert list(result.lessons) == ["tiny"]
    assert result.lessons["tiny"].source_file == good.name
    assert {p.file for p in result.problems} == {bad.name, worse.name}


def test_two_files_with_the_same_lesson_id_keep_the_first_and_report_the_second(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD.replace("A tiny lesson", "Another"), "b.toml")
    result = load_lessons(lesson_files(tmp_path))
    assert result.lessons["tiny"].title == "A tiny lesson"
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.item) == ("b.toml", "id")
    assert "already used by a.toml" in problem.message


def test_a_missing_file_is_reported_not_raised(tmp_path):
    result = load_lessons([tmp_path / "gone.toml"])
    assert result.lessons == {}
    assert [(p.file, p.item) for p in result.problems] == [("gone.toml", "file")]


def test_every_problem_prints_on_one_line_even_for_an_id_with_a_newline(tmp_path):
    text = broken('id = "loaded-vented"', 'id = "loaded vented\\n"').replace(
        'quote = "vented its anger"', 'quote = "nowhere in the text"'
    )
    _, problems = load_lesson_file(write(tmp_path, text))
    assert len(problems) == 2
    for problem in problems:
        assert "\n" not in str(problem)
        assert str(problem).count(": ") >= 2
    assert any("nowhere in the text" in p.message for p in problems)


@pytest.mark.parametrize(
    ("question", "label"),
    [
        (
            "Who does this article get its information from? Highlight every person.",
            "Who does this article get its information from?",
        ),
        (
            "Find words or phrases that push you towards a feeling or a side when plainer words "
            "would do. Highlight them.",
            "Find words or phrases that push you towards a feeling or a side when…",
        ),
        ("Short one", "Short one"),
        ("x" * 80, "x" * 69 + "\u2026"),
    ],
)
def test_a_prompts_label_is_its_first_sentence_never_cut_mid_word(question, label):
    """Issue 12 item 6: the type-the-words form cut "when plainer" to "when pl?"."""
    assert Prompt("p", "source", question).short == label


def test_the_first_lessons_prompt_labels_end_on_whole_words():
    lesson, _ = load_lesson_file(REAL_LESSON)
    for p in lesson.prompts:
        words = p.question.replace("?", " ").replace(".", " ").split()
        assert p.short.rstrip("?.\u2026").split()[-1] in words, p.short
