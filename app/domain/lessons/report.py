"""One file's problems as they are found (errors and warnings), and what the checks of later
sections need from earlier ones: the ids used so far and the categories the lesson knows."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from typing import Any

from . import model

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # used with fullmatch


class Report:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[model.Problem] = []
        self.ids: dict[str, str] = {}  # id -> where it was first used
        self.known: set[str] = set()

    def add(self, item: str, message: str) -> None:
        """An error: the lesson does not load."""
        self.problems.append(model.Problem(self.file, item, message))

    def warn(self, item: str, message: str) -> None:
        """Probably a mistake, but the lesson still loads."""
        self.problems.append(model.Problem(self.file, item, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def unique(self, item_id: Any, where: str) -> str:
        if not isinstance(item_id, str) or not SLUG.fullmatch(item_id):
            self.add(where, "'id' must be a slug: lower-case letters, digits and hyphens")
            return repr(item_id)  # repr: a later "file: item: problem" line stays one line
        if item_id in self.ids:
            self.add(where, f"duplicate id {item_id!r} (also used by {self.ids[item_id]})")
        self.ids[item_id] = where
        return item_id

    def category_of(self, entry: dict[str, Any], where: str) -> str:
        cid = entry.get("category", "")
        known = self.known
        if not isinstance(cid, str) or cid not in known:
            self.add(where, f"unknown category {cid!r} (known: {', '.join(sorted(known))})")
        return cid if isinstance(cid, str) and cid in known else ""

    def unknown_fields(self, table: dict[str, Any], known: Collection[str], where: str) -> None:
        """A warning for each field the lesson format does not have (it would be ignored)."""
        for name in table:
            if name not in known:
                hint = self.suggest(name, known) or " (it is ignored)"
                self.warn(where, f"unknown field {name!r}{hint}")

    @staticmethod
    def suggest(name: str, known: Collection[str]) -> str:
        """' (did you mean 'x'?)' for the known name closest to a misspelt one, else ''."""
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""
