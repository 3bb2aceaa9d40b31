"""Checks across a lesson's parts, once each part is read: warnings about what is probably a
mistake (the lesson still loads), worded for the teacher who wrote it."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import fields
from typing import Any

from . import model
from .report import Report


def _names(cls: type, *computed: str) -> frozenset[str]:
    """The fields an author may write for one of the model's classes: all but the computed."""
    return frozenset(f.name for f in fields(cls)) - set(computed)


# The fields each part of a lesson file may have, read off the model.
LESSON_FIELDS = _names(model.Lesson, "source_file")
BLOCK_FIELDS = _names(model.Block, "start")
CATEGORY_FIELDS = _names(model.Category, "id")
PROMPT_FIELDS = _names(model.Prompt, "fields")
KEY_FIELDS = _names(model.KeyItem, "start", "end", "extra_spans")
DECOY_FIELDS = _names(model.Decoy, "start", "end")
ALTERNATIVE_FIELDS = _names(model.Alternative)
SPAN_ONLY = frozenset({"quote", "occurrence", "also"})  # key fields of items that quote words
OMISSION_ONLY = frozenset({"statement", "reference", "cues"})


def fields_of_kind(raw: dict[str, Any], where: str, out: Report, *, omission: bool) -> None:
    """Unknown fields of a key item, and those that belong to the other kind of item."""
    out.unknown_fields(raw, KEY_FIELDS, where)
    if omission:
        # 'quote' on an omission is an error, reported where the item is read
        stray, kind = sorted(SPAN_ONLY & raw.keys() - {"quote"}), "items that quote the article"
    else:
        stray, kind = sorted(OMISSION_ONLY & raw.keys()), "omission items"
    for name in stray:
        out.warn(where, f"'{name}' is only used by {kind}: it is ignored here")


def decoys_on_key_items(key: list[model.KeyItem], decoys: list[model.Decoy], out: Report) -> None:
    """A decoy on words the key counts as a finding tells students opposite things."""
    spans = sorted((s, e, k.id, k.quote) for k in key for s, e in k.spans if e > s)
    starts = [s for s, *_ in spans]
    longest = max((e - s for s, e, *_ in spans), default=0)
    for d in decoys:
        if d.end <= d.start:
            continue
        lo, hi = bisect_left(starts, d.start - longest), bisect_left(starts, d.end)
        hit = next((x for x in spans[lo:hi] if x[0] < d.end and d.start < x[1]), None)
        if hit is None:
            continue
        start, end, kid, quote = hit
        same = "quotes the same words" if (start, end) == (d.start, d.end) else "overlaps it"
        out.warn(
            f"decoy {d.id}",
            f"key item {kid!r} ({quote!r}) {same}: students would be told these words are "
            "both a finding and careful reporting",
        )


def unasked_categories(
    prompts: list[model.Prompt],
    key: list[model.KeyItem],
    categories: list[model.Category],
    out: Report,
) -> None:
    """Key items in a category no prompt asks students for."""
    asked = {p.category for p in prompts}
    labels = {c.id: c.label for c in categories}
    for item in key:
        if item.category and item.category not in asked:
            out.warn(
                f"key {item.id}",
                f"no prompt asks students for {labels.get(item.category, item.category)!r} "
                f"(category {item.category!r}), so they are not asked to look for this item: "
                "add a prompt or change its category",
            )
