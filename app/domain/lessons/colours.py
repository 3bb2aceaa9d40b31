"""Whether a category's colour can be seen where the pages draw it (WCAG 2 contrast), and a
shade of it that can when it cannot.

How ``static/css/app.css`` uses a category colour (``--cat``, and ``--heat`` on the class
heatmap), all on the white page:
- as itself, for marks that tell the categories apart: a highlight's underline, the edge of a
  prompt and of a note, an omission's caret, a swatch's border, the bars of the key items'
  chart. Marks need 3:1 against what is around them (WCAG 1.4.11, non-text contrast);
- as a pale tint behind words: a highlight (20%), a key mark (18%), a chosen chip (22%), a
  swatch (25%), mixed with white. The page's ink on any colour's tint that pale is over 9:1,
  so no colour can fail there (a test holds the CSS to it);
- on the teacher's class heatmap, as shades up to ``HEAT_STRONGEST`` behind the article's
  words: text needs 4.5:1 (WCAG 1.4.3) on the strongest, which a very dark colour fails.
The checker's rule: a colour too light for the marks is an error (students could not tell a
highlight's category, and the lesson is for them); one too dark for the heatmap's text is a
warning (it only makes the teacher's own heatmap harder to read).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

PAGE = "#ffffff"  # --paper: the article and the panels
INK = "#1f2328"  # --ink: the words
HEAT_STRONGEST = 0.70  # .heat: color-mix(var(--heat) <= 70%, white) for the most-chosen words
MARK_CONTRAST = 3.0  # WCAG 1.4.11, non-text contrast
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, text (the heatmap's article is not large text)

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _rgb(colour: str) -> tuple[int, int, int]:
    if not _HEX.fullmatch(colour):
        raise ValueError(f"not a colour like #1a2b3c: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(channels: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in channels)


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(colour1: str, colour2: str) -> float:
    """WCAG 2's contrast ratio of two colours written #rrggbb: 1 (the same) to 21."""
    lighter, darker = sorted((relative_luminance(colour1), relative_luminance(colour2)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def mix_with_white(colour: str, share: float) -> str:
    """CSS ``color-mix(in srgb, colour share, white)``: what a tint of the colour looks like."""
    return _hex(tuple(c * share + 255 * (1 - share) for c in _rgb(colour)))


def mark_contrast(colour: str) -> float:
    return contrast_ratio(colour, PAGE)


def heat_text_contrast(colour: str) -> float:
    return contrast_ratio(INK, mix_with_white(colour, HEAT_STRONGEST))


def _fits(colour: str) -> bool:
    return mark_contrast(colour) >= MARK_CONTRAST and heat_text_contrast(colour) >= TEXT_CONTRAST


def better_shade(colour: str) -> str:
    """The colour itself if it passes both rules, else the nearest shade of it that does:
    darker (each channel scaled down) when it is too light, lighter (mixed with white) when
    it is too dark. Every colour has one: a shade light enough for text on its heatmap tint
    is still dark enough for the marks."""
    if _fits(colour):
        return colour
    rgb = _rgb(colour)
    too_light = mark_contrast(colour) < MARK_CONTRAST
    for step in range(1, 101):
        t = step / 100
        if too_light:
            shade = _hex(tuple(c * (1 - t) for c in rgb))
        else:
            shade = _hex(tuple(c + (255 - c) * t for c in rgb))
        if _fits(shade):
            return shade
    raise AssertionError(f"no shade of {colour} passes")  # pragma: no cover (a test covers all)


def _shown(ratio: float) -> str:
    """A ratio as people read it, never rounded up to a pass (2.996 is "2.99:1")."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def colour_problems(colour: str) -> list[tuple[str, str]]:
    """(severity, message) for a category colour, in words for the teacher who chose it."""
    problems: list[tuple[str, str]] = []
    mark = mark_contrast(colour)
    if mark < MARK_CONTRAST:
        problems.append(
            (
                "error",
                f"colour {colour} is too light to see on the white page (contrast "
                f"{_shown(mark)}; highlights' underlines and this category's marks need at "
                "least 3:1), so students could not tell which category a highlight is: try "
                f"{better_shade(colour)}, a darker shade of it",
            )
        )
        return problems
    heat = heat_text_contrast(colour)
    if heat < TEXT_CONTRAST:
        problems.append(
            (
                "warning",
                f"colour {colour} is so dark that the words on the class heatmap's strongest "
                f"shade of it are hard to read (contrast {_shown(heat)}; text needs 4.5:1). "
                f"Students do not see the heatmap, so the lesson still loads: try "
                f"{better_shade(colour)}, a lighter shade of it",
            )
        )
    return problems
