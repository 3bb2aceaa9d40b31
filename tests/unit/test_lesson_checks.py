"""The lesson checker's warnings (the lesson still loads) and its helpful errors, in words a
teacher understands; and that it is quick enough to run on every edit."""

from __future__ import annotations

import copy
import math
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.lessons import (
    MAX_ARTICLE_CHARS,
    MAX_DECOYS,
    MAX_KEY_ITEMS,
    Problem,
    lesson_files,
    load_lessons,
    parse_lesson,
)

ARTICLE = (
    "Russia\u2019s pullout from Kherson \u2014 a \u201cbig\u201d win, media reports said. "
    "Kiev said no. Kiev said yes. Milley spoke in New\u00a0York."
)

BASE: dict[str, Any] = {
    "id": "t",
    "title": "T",
    "published": "2022-11-15",
    "blocks": [{"kind": "paragraph", "text": ARTICLE}],
    "prompts": [
        {"id": "p-src", "category": "source", "question": "Who says so?"},
        {"id": "p-loaded", "category": "loaded", "question": "Which words push you?"},
    ],
    "key": [
        {
            "id": "k-reports",
            "category": "source",
            "quote": "media reports said",
            "explanation": "Vague.",
            "points": 1,
        },
        {
            "id": "k-pullout",
            "category": "loaded",
            "quote": "pullout",
            "explanation": "A soft word for a retreat.",
        },
    ],
    "decoys": [],
}


def lesson_with(change) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    change(raw)
    return raw


def check(raw: dict[str, Any]):
    return parse_lesson(raw, "t.toml")


def only(problems: list[Problem], severity: str) -> list[str]:
    return [f"{p.item}: {p.message}" for p in problems if p.severity == severity]


def test_the_base_lesson_has_no_problems():
    lesson, problems = check(BASE)
    assert lesson is not None
    assert problems == []


# ---------------------------------------------------------------- unknown fields


def _key(raw):
    return raw["key"][0]


def _decoy(quote: str, **extra) -> dict[str, Any]:
    return {"id": "d", "category": "loaded", "quote": quote, "explanation": "Plain.", **extra}


def _set(path: str, **fields):
    """A change that adds fields to a part of the lesson: "" the top, "key" its first item."""

    def change(raw):
        part = raw
        for step in path.split(".") if path else []:
            part = part[int(step)] if step.isdigit() else part[step]
        part.update(fields)

    return change


# (where, the change, the warning): a misspelt field in each part of a lesson
UNKNOWN = {
    "top": (_set("", keys=[]), "lesson: unknown field 'keys' (did you mean 'key'?)"),
    "block": (_set("blocks.0", knd="x"), "blocks[1]: unknown field 'knd' (did you mean 'kind'?)"),
    "prompt": (
        _set("prompts.0", hint=[]),
        "prompt p-src: unknown field 'hint' (did you mean 'hints'?)",
    ),
    "key-item": (
        _set("key.0", occurence=1),
        "key k-reports: unknown field 'occurence' (did you mean 'occurrence'?)",
    ),
    "decoy": (
        lambda r: r["decoys"].append(_decoy("spoke", explaination="Plain.")),
        "decoy d: unknown field 'explaination' (did you mean 'explanation'?)",
    ),
    "category": (
        _set("", categories={"claim": {"label": "Claim", "color": "#2f855a", "colour": "red"}}),
        "categories.claim: unknown field 'colour' (did you mean 'color'?)",
    ),
    "alternative": (
        _set("key.0", also=[{"quote": "reports said", "ocurrence": 1}]),
        "key k-reports: unknown field 'ocurrence' (did you mean 'occurrence'?)",
    ),
    "nothing-close": (_set("key.0", zzz=1), "key k-reports: unknown field 'zzz' (it is ignored)"),
}


@pytest.mark.parametrize(("change", "warning"), UNKNOWN.values(), ids=UNKNOWN.keys())
def test_an_unknown_field_anywhere_is_a_warning_that_suggests_the_known_one(change, warning):
    lesson, problems = check(lesson_with(change))
    assert lesson is not None, problems
    assert only(problems, "warning") == [warning]
    assert only(problems, "error") == []


def test_a_misspelt_scoring_category_is_an_error_that_suggests_the_known_one():
    lesson, problems = check(lesson_with(lambda r: r.update(scoring={"sorce": 2})))
    assert lesson is None
    assert only(problems, "error") == [
        "scoring.sorce: unknown category 'sorce' (did you mean 'source'?)"
    ]


def test_a_field_of_the_other_kind_of_key_item_is_ignored_with_a_warning():
    def change(raw):
        _key(raw)["cues"] = ["reports"]
        raw["prompts"].append({"id": "p-om", "category": "omission", "question": "Missing?"})
        raw["key"].append(
            {
                "id": "k-om",
                "category": "omission",
                "statement": "The venue",
                "explanation": "New York.",
                "reference": "CNN",
                "cues": ["club"],
                "occurrence": 1,
            }
        )

    lesson, problems = check(lesson_with(change))
    assert lesson is not None
    assert only(problems, "warning") == [
        "key k-reports: 'cues' is only used by omission items: it is ignored here",
        "key k-om: 'occurrence' is only used by items that quote the article: it is ignored here",
    ]


# ---------------------------------------------------------------- decoys, prompts, dates


@pytest.mark.parametrize(
    ("quote", "also", "says"),
    [
        ("media reports said", [], "key item 'k-reports' ('media reports said') quotes the same"),
        ("reports said", [], "key item 'k-reports' ('media reports said') overlaps it"),
        ("Milley spoke", ["Milley"], "key item 'k-reports' ('media reports said') overlaps it"),
    ],
)
def test_a_decoy_on_a_key_items_words_is_a_warning(quote, also, says):
    def change(raw):
        raw["decoys"].append(_decoy(quote))
        _key(raw)["also"] = also

    lesson, problems = check(lesson_with(change))
    assert lesson is not None
    [warning] = only(problems, "warning")
    assert warning.startswith(f"decoy d: {says}")
    assert "both a finding and careful reporting" in warning


def test_a_decoy_beside_a_key_item_is_fine():
    lesson, problems = check(lesson_with(lambda r: r["decoys"].append(_decoy("Milley spoke"))))
    assert lesson is not None
    assert problems == []


def test_a_key_item_in_a_category_no_prompt_asks_for_is_a_warning():
    lesson, problems = check(lesson_with(lambda r: r["prompts"].pop()))
    assert lesson is not None
    assert only(problems, "warning") == [
        "key k-pullout: no prompt asks students for 'Loaded wording' (category 'loaded'), so "
        "they are not asked to look for this item: add a prompt or change its category"
    ]


@pytest.mark.parametrize("published", ["15 Nov 2022", "2022-02-30", "2022-11-15T10:00:00"])
def test_a_published_value_that_is_not_a_date_is_a_warning(published):
    lesson, problems = check(lesson_with(lambda r: r.update(published=published)))
    assert lesson is not None
    assert only(problems, "warning") == [
        f"published: {published!r} is not a date: write it as year-month-day, like 2022-11-15 "
        "(or about 2022-11-15 when the date is inferred, not printed)"
    ]


@pytest.mark.parametrize("published", ["about 2022-11-15", "~2022-11-15", "Approx. 2022-11-15"])
def test_an_approximate_date_is_a_date(published):
    """An inferred date is written "about ..." (the list and the lesson page say "about")."""
    lesson, problems = check(lesson_with(lambda r: r.update(published=published)))
    assert lesson is not None
    assert only(problems, "warning") == []


@pytest.mark.parametrize(("given", "kept"), [(date(2022, 11, 15), "2022-11-15"), ("", "")])
def test_a_toml_date_or_no_date_is_fine(given, kept):
    lesson, problems = check(lesson_with(lambda r: r.update(published=given)))
    assert problems == []
    assert lesson is not None
    assert lesson.published == kept


def test_a_warning_prints_as_file_item_warning_message():
    problem = Problem("a.toml", "key x", "unknown field 'hint'", "warning")
    assert str(problem) == "a.toml: key x: warning: unknown field 'hint'"
    assert not problem.is_error


# ---------------------------------------------------------------- quotes that are nearly there


@pytest.mark.parametrize(
    ("quote", "hint"),
    [
        ("Russia's pullout", "the text has \u2019 (curly apostrophe) where the key has ' "),
        ("Kherson - a", "the text has \u2014 (em dash) where the key has - (hyphen)"),
        (
            'a "big" win',
            'the text has \u201c (curly opening quote mark) where the key has " (straight quote '
            'mark); and \u201d (curly closing quote mark) where the key has " (straight quote',
        ),
        ("New York", "the text has a non-breaking space where the key has a space"),
        ("kiev said no", "the text has K where the key has k"),
    ],
)
def test_a_quote_that_differs_only_in_look_alike_characters_says_how(quote, hint):
    lesson, problems = check(lesson_with(lambda r: _key(r).update(quote=quote)))
    assert lesson is None
    [error] = only(problems, "error")
    assert error.startswith(f"key k-reports: quote {quote!r} is not in the article: {hint}")


def test_a_quote_nowhere_near_the_text_says_only_that():
    _, problems = check(lesson_with(lambda r: _key(r).update(quote="furious outburst")))
    assert only(problems, "error") == [
        "key k-reports: quote 'furious outburst' is not in the article"
    ]


# ---------------------------------------------------------------- alternatives, "any"

ALSO_ERRORS = [
    pytest.param({"also": "Milley"}, "'also' must be a list of quotes", id="not-a-list"),
    pytest.param({"also": [3]}, "'also' must be a list of quotes", id="not-a-quote"),
    pytest.param({"also": [{"occurrence": 1}]}, "'also' must be a list", id="table-no-quote"),
    pytest.param({"also": ["Putin"]}, "alternative 'Putin' is not in the article", id="not-found"),
    pytest.param(
        {"also": ["Kiev said"]},
        "alternative 'Kiev said' occurs 2 times: say which with 'occurrence' (or \"any\"",
        id="repeated",
    ),
    pytest.param(
        {"also": [{"quote": "Kiev said", "occurrence": 3}]},
        "occurrence 3 asked for, but 'Kiev said' occurs 2 time(s)",
        id="occurrence-too-high",
    ),
    pytest.param(
        {"also": ["illey spoke"]}, "alternative 'illey spoke' must start and end on whole words"
    ),
    pytest.param(
        {"also": [{"quote": "illey spoke", "occurrence": "any"}]},
        "alternative 'illey spoke' must start and end on whole words",
        id="any-but-never-on-whole-words",
    ),
    pytest.param(
        {"occurrence": "every"},
        "'occurrence' must be a whole number (1 is the first) or \"any\"",
        id="occurrence-word",
    ),
]


@pytest.mark.parametrize(("fields", "message"), ALSO_ERRORS)
def test_a_bad_alternative_or_occurrence_is_an_error(fields, message):
    lesson, problems = check(lesson_with(lambda r: _key(r).update(fields)))
    assert lesson is None
    errors = only(problems, "error")
    assert any(e.startswith(f"key k-reports: {message}") for e in errors), errors


def test_a_misspelt_occurrence_on_a_repeated_quote_says_both_what_and_why():
    lesson, problems = check(lesson_with(_set("key.0", quote="Kiev said", occurence=2)))
    assert lesson is None
    assert [f"{p.severity}: {p.message}" for p in problems] == [
        "warning: unknown field 'occurence' (did you mean 'occurrence'?)",
        "error: quote 'Kiev said' occurs 2 times: say which with 'occurrence' "
        '(or "any" if every one counts)',
    ]


def test_a_decoy_takes_no_any_occurrence():
    lesson, problems = check(
        lesson_with(lambda r: r["decoys"].append(_decoy("Kiev said", occurrence="any")))
    )
    assert lesson is None
    assert only(problems, "error") == [
        'decoy d: occurrence "any" is only for key items: give a decoy\'s as a number'
    ]


# ---------------------------------------------------------------- loading files


def test_a_lesson_with_only_warnings_loads_and_its_warnings_are_kept_apart(tmp_path: Path):
    good = 'id = "a"\ntitle = "A"\npublished = "soon"\n'
    body = (
        '[[blocks]]\nkind = "paragraph"\ntext = "Kiev said no."\n'
        '[[prompts]]\nid = "p"\ncategory = "loaded"\nquestion = "Which?"\n'
        '[[key]]\nid = "k"\ncategory = "loaded"\nquote = "Kiev"\nexplanation = "A spelling."\n'
    )
    (tmp_path / "a.toml").write_text(good + body, encoding="utf-8")
    b = good.replace('"a"', '"b"') + body + "hint = 1\n"
    (tmp_path / "b.toml").write_text(b, encoding="utf-8")
    c = body.replace('quote = "Kiev"', 'quote = "Kyiv"')
    (tmp_path / "c.toml").write_text(good.replace('"a"', '"c"') + c, encoding="utf-8")
    result = load_lessons(lesson_files(tmp_path))
    assert sorted(result.lessons) == ["a", "b"]
    assert [str(p) for p in result.problems] == [
        "c.toml: key k: quote 'Kyiv' is not in the article"
    ]
    assert [(p.file, p.item) for p in result.warnings] == [
        ("a.toml", "published"),
        ("b.toml", "published"),
        ("b.toml", "key k"),
        ("c.toml", "published"),
    ]
    assert [p.file for p in result.reports] == ["a.toml", "b.toml", "b.toml", "c.toml", "c.toml"]


# ---------------------------------------------------------------- speed


def big_lesson(words: int = 5000, items: int = 150) -> dict[str, Any]:
    """An article of ``words`` distinct words, a paragraph per key item, each item quoting
    three words of its paragraph (a third with an alternative span), a decoy per 10 items
    and the three prompts."""
    vocab = [f"w{i:05d}" for i in range(words)]  # none is a part of another
    step = words // items
    paragraphs = [" ".join(vocab[i : i + step]) + "." for i in range(0, words, step)]
    key = [
        {
            "id": f"k{n}",
            "category": ("source", "loaded")[n % 2],
            "quote": " ".join(vocab[n * step + 5 : n * step + 8]),
            "explanation": "Why it matters.",
            "also": [vocab[n * step + 6]] if n % 3 == 0 else [],
        }
        for n in range(items)
    ]
    return {
        "id": "big",
        "title": "Big",
        "published": "2022-11-15",
        "blocks": [{"kind": "paragraph", "text": p} for p in paragraphs],
        "prompts": [
            {"id": f"p-{c}", "category": c, "question": "?"}
            for c in ("source", "loaded", "omission")
        ],
        "key": key,
        "decoys": [
            {
                "id": f"d{n}",
                "category": "loaded",
                "quote": vocab[n * step + 20],
                "explanation": "Plain.",
            }
            for n in range(0, items, 10)
        ],
    }


def test_a_5000_word_article_with_150_key_items_is_checked_quickly():
    raw = big_lesson()
    times = []
    for _ in range(3):
        began = time.perf_counter()
        lesson, problems = parse_lesson(raw, "big.toml")
        times.append(time.perf_counter() - began)
    assert problems == []
    assert lesson is not None
    assert len(lesson.text.split()) == 5000
    assert len(lesson.key) == 150
    assert min(times) < 0.25  # measured ~10 ms; the live editor's budget is 50 ms


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_points_and_weights_that_are_no_finite_number_are_errors(bad):
    """TOML has nan and inf: a key item worth nan points would make every score nan."""
    lesson, problems = check(lesson_with(lambda r: r["key"][0].update(points=bad)))
    assert lesson is None
    assert f"key {BASE['key'][0]['id']}: 'points' must be a number" in only(problems, "error")
    lesson, problems = check(lesson_with(lambda r: r.update(scoring={"source": bad})))
    assert lesson is None
    assert "scoring.source: a weight must be a number of zero or more" in only(problems, "error")


# ---------------------------------------------------------------- size limits


def test_the_limits_are_the_documented_ones():
    assert (MAX_ARTICLE_CHARS, MAX_KEY_ITEMS, MAX_DECOYS) == (100_000, 200, 200)


def test_an_article_over_the_limit_is_an_error_that_says_how_long_it_is():
    def change(raw):
        raw["blocks"].append({"kind": "paragraph", "text": "x" * MAX_ARTICLE_CHARS})
        _key(raw)["quote"] = "not in the article"  # not looked for: the size comes first

    lesson, problems = check(lesson_with(change))
    assert lesson is None
    length = len(ARTICLE) + 2 + MAX_ARTICLE_CHARS
    assert only(problems, "error") == [
        f"blocks: The article is {length:,} characters long; a lesson may have at most "
        "100,000. Shorten it or split it into two lessons."
    ]
    assert f"{length:,}" == "100,121"


def test_an_article_of_exactly_the_limit_loads():
    text = "Kiev said no. " + "x" * (MAX_ARTICLE_CHARS - 14)
    lesson, problems = check({**BASE, "blocks": [{"kind": "paragraph", "text": text}], "key": []})
    assert problems == []
    assert lesson is not None
    assert len(lesson.text) == MAX_ARTICLE_CHARS


def test_two_hundred_key_items_load_and_one_more_is_an_error():
    lesson, problems = parse_lesson(big_lesson(items=MAX_KEY_ITEMS), "big.toml")
    assert problems == []
    assert lesson is not None
    lesson, problems = parse_lesson(big_lesson(items=MAX_KEY_ITEMS + 1), "big.toml")
    assert lesson is None
    assert only(problems, "error") == [
        "key: The answer key has 201 items; a lesson may have at most 200. Remove some, or "
        "split the article into two lessons."
    ]


def test_decoys_have_a_limit_of_their_own():
    raw = big_lesson(items=MAX_KEY_ITEMS)
    raw["decoys"] = [
        {"id": f"d{n}", "category": "loaded", "quote": "w00000", "explanation": "Plain."}
        for n in range(MAX_DECOYS + 1)
    ]
    lesson, problems = parse_lesson(raw, "big.toml")
    assert lesson is None
    assert only(problems, "error") == [
        "decoys: The lesson has 201 decoys; a lesson may have at most 200. Remove some, or "
        "split the article into two lessons."
    ]
