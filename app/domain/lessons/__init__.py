"""Lesson files: parsing, validation, canonical text and content versions.

A lesson is a TOML file in ``lessons/`` (see ``lessons/README.md`` for the format). Loading
never raises for a bad file: problems come back as ``Problem(file, item, message, severity)``
so one broken lesson cannot stop the others; an error keeps the lesson out, a warning does not.

The modules: ``model`` (the lesson as plain data, its text and version), ``parse`` (checking a
file's data, a function per section), ``quotes`` (where a quote sits, or what the text has
instead), ``checks`` (warnings across sections), ``report`` (one file's problems), ``files``
(loading files from disk), ``export`` (a lesson written back out as a file), ``article``
(a new lesson's article from pasted text or HTML, or an uploaded file) and ``colours``
(whether a category's colour can be seen). Import from this package: it names the public API.
"""

from ..anchoring import AnchorError
from .article import (
    MAX_PASTE_CHARS,
    ArticleDraft,
    ArticleError,
    article_from_upload,
    blocks_from_html,
    blocks_from_text,
    draft_from_html,
    lesson_data_from_toml,
)
from .colours import better_shade, colour_problems, contrast_ratio
from .export import lesson_to_toml
from .files import LessonSet, lesson_files, load_lesson_file, load_lessons
from .model import (
    ANY,
    BLOCK_KINDS,
    BLOCK_SEPARATOR,
    BUILTIN_CATEGORIES,
    FIELD_SETS,
    Alternative,
    Block,
    Category,
    Decoy,
    KeyItem,
    Lesson,
    Problem,
    Prompt,
    canonical_text,
)
from .parse import (
    MAX_ARTICLE_CHARS,
    MAX_DECOYS,
    MAX_KEY_ITEMS,
    MAX_POINTS,
    SLUG,
    Parsed,
    article_too_long,
    parse,
    parse_lesson,
)

__all__ = [
    "ANY",
    "BLOCK_KINDS",
    "BLOCK_SEPARATOR",
    "BUILTIN_CATEGORIES",
    "FIELD_SETS",
    "MAX_ARTICLE_CHARS",
    "MAX_DECOYS",
    "MAX_KEY_ITEMS",
    "MAX_PASTE_CHARS",
    "MAX_POINTS",
    "SLUG",
    "Alternative",
    "AnchorError",
    "ArticleDraft",
    "ArticleError",
    "Block",
    "Category",
    "Decoy",
    "KeyItem",
    "Lesson",
    "LessonSet",
    "Parsed",
    "Problem",
    "Prompt",
    "article_from_upload",
    "article_too_long",
    "better_shade",
    "blocks_from_html",
    "blocks_from_text",
    "canonical_text",
    "colour_problems",
    "contrast_ratio",
    "draft_from_html",
    "lesson_data_from_toml",
    "lesson_files",
    "lesson_to_toml",
    "load_lesson_file",
    "load_lessons",
    "parse",
    "parse_lesson",
]
