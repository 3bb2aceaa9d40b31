"""A category's colour must be seen where the pages draw it: WCAG contrast, the checker's rule
for a lesson's own categories (an error when too light, a warning when too dark), the
shade it suggests instead, and the CSS the rule is measured against."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.lessons import (
    BUILTIN_CATEGORIES,
    better_shade,
    colour_problems,
    contrast_ratio,
    parse_lesson,
)
from app.domain.lessons.colours import (
    HEAT_STRONGEST,
    INK,
    PAGE,
    heat_text_contrast,
    mark_contrast,
    mix_with_white,
)
from tests.support.properties import examples

os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "read-closely-hypothesis")
)
ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
HEATMAP_DEFAULT = "#b45309"  # the dashboard's heat colour for "any category"


# ---------------------------------------------------------------- contrast


@pytest.mark.parametrize(
    ("one", "two", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#000000", "#ffffff", 21.0),  # either order
        ("#2b6cb0", "#2b6cb0", 1.0),
        ("#777777", "#ffffff", 4.48),  # the well-known grey just short of 4.5:1
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes; capitals too
        ("#ff0000", "#ffffff", 4.0),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_ratio_is_wcags(one, two, ratio):
    assert contrast_ratio(one, two) == pytest.approx(ratio, abs=0.005)


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "2b6cb0", ""])
def test_contrast_ratio_takes_only_six_digit_colours(colour):
    with pytest.raises(ValueError, match="not a colour"):
        contrast_ratio(colour, "#ffffff")


def test_a_tint_is_css_color_mix_with_white():
    assert mix_with_white("#000000", 0.7) == "#4d4d4d"
    assert mix_with_white("#2b6cb0", 0) == "#ffffff"
    assert mix_with_white("#2b6cb0", 1) == "#2b6cb0"


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("category", [*BUILTIN_CATEGORIES, "heatmap default"])
def test_the_built_in_colours_pass(category):
    colour = BUILTIN_CATEGORIES.get(category, {}).get("color", HEATMAP_DEFAULT)
    assert colour_problems(colour) == []
    assert better_shade(colour) == colour


def test_a_colour_too_light_for_the_marks_is_an_error_with_a_darker_shade():
    [(severity, message)] = colour_problems("#f6e05e")
    assert severity == "error"
    shade = better_shade("#f6e05e")
    assert message == (
        "colour #f6e05e is too light to see on the white page (contrast 1.33:1; highlights' "
        "underlines and this category's marks need at least 3:1), so students could not tell "
        f"which category a highlight is: try {shade}, a darker shade of it"
    )
    assert mark_contrast(shade) >= 3
    assert mark_contrast(shade) < 3.2  # the nearest that passes, not black
    assert colour_problems(shade) == []


def test_a_colour_too_dark_for_heatmap_text_is_a_warning_with_a_lighter_shade():
    [(severity, message)] = colour_problems("#000000")
    assert severity == "warning"
    shade = better_shade("#000000")
    assert message == (
        "colour #000000 is so dark that the words on the class heatmap's strongest shade of it "
        "are hard to read (contrast 1.86:1; text needs 4.5:1). Students do not see the "
        f"heatmap, so the lesson still loads: try {shade}, a lighter shade of it"
    )
    assert heat_text_contrast(shade) >= 4.5
    assert colour_problems(shade) == []


def test_a_ratio_just_under_the_line_is_never_shown_rounded_up_to_it():
    # #959595 on white is 2.997:1: it fails, and the message must not say 3.00:1
    [(_, message)] = colour_problems("#959595")
    assert "contrast 2.99:1" in message


colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


@settings(max_examples=examples(300), deadline=None, database=None)
@given(colours)
def test_every_colour_has_a_shade_that_passes_and_a_passing_one_is_kept(colour):
    shade = better_shade(colour)
    assert colour_problems(shade) == []
    if colour_problems(colour) == []:
        assert shade == colour
    else:
        assert [s for s, _ in colour_problems(colour)] in (["error"], ["warning"])


# ---------------------------------------------------------------- in the checker

LESSON = {
    "id": "c",
    "title": "Colours",
    "blocks": [{"kind": "paragraph", "text": "The mayor said the plan was a disgrace."}],
    "prompts": [
        {"id": "p", "category": "loaded", "question": "Which words push you?"},
        {"id": "q", "category": "claim", "question": "Which claims?"},
    ],
}


def with_claim_colour(colour: str) -> dict:
    return {**LESSON, "categories": {"claim": {"label": "Claim", "color": colour}}}


def test_a_lesson_with_a_category_too_light_to_see_does_not_load():
    lesson, problems = parse_lesson(with_claim_colour("#ffff00"), "c.toml")
    assert lesson is None
    assert [(p.item, p.severity) for p in problems] == [("categories.claim", "error")]
    assert "too light to see on the white page" in problems[0].message


def test_a_lesson_with_a_very_dark_category_loads_with_a_warning():
    lesson, problems = parse_lesson(with_claim_colour("#1a1a1a"), "c.toml")
    assert lesson is not None
    assert [(p.item, p.severity) for p in problems] == [("categories.claim", "warning")]


def test_a_built_in_category_restated_with_a_light_colour_is_checked_too():
    raw = {
        **LESSON,
        "prompts": LESSON["prompts"][:1],
        "categories": {"source": {"label": "Source", "color": "#a0c4ff"}},
    }
    lesson, problems = parse_lesson(raw, "c.toml")
    assert lesson is None
    assert [p.item for p in problems] == ["categories.source"]


def test_a_good_colour_gives_no_problem():
    assert parse_lesson(with_claim_colour("#2f855a"), "c.toml")[1] == []


# ---------------------------------------------------------------- the CSS it is measured on


def _root_colour(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert found, name
    return found[1].lower()


def test_the_rule_uses_the_pages_own_ink_and_paper():
    assert _root_colour("ink") == INK
    assert _root_colour("paper") == PAGE


def test_the_heatmaps_strongest_shade_is_the_one_the_rule_measures():
    found = re.search(
        r"\.heat \{ background: color-mix\(in srgb, var\(--heat\) "
        r"calc\(var\(--h\) \* (\d+)% \+ (\d+)%\), white\)",
        CSS,
    )
    assert found, "the .heat rule in app.css changed: update colours.HEAT_STRONGEST"
    assert (int(found[1]) + int(found[2])) / 100 == HEAT_STRONGEST  # at --h: 1, the most chosen
    legend = re.search(r"\.heat-swatch \{[^}]*var\(--h\) \* (\d+)%\), white\)", CSS)
    assert legend, "the heatmap legend's rule changed"
    assert int(legend[1]) / 100 == HEAT_STRONGEST  # the legend shows the same strongest shade


def test_every_pale_tint_behind_words_is_readable_whatever_the_colour():
    """Highlights, key marks, chips and swatches mix the colour with white at a small share:
    the ink is readable on such a tint of any colour (of black, the darkest, too)."""
    shares = [int(n) for n in re.findall(r"color-mix\(in srgb, var\(--cat\) (\d+)%, white\)", CSS)]
    assert shares, "no category tints found in app.css"
    assert max(shares) <= 25
    assert contrast_ratio(INK, mix_with_white("#000000", max(shares) / 100)) >= 4.5
