"""The CSV side of every export: the one formula guard, :class:`Table` and :func:`csv_lines`,
and how a score, a time and a yes/no are written in a cell."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# ----------------------------------------------------------------------------- the one guard

# OWASP "CSV Injection": a spreadsheet treats a cell starting with one of these as a formula
# (tab, CR and LF too: some programs strip them and then see the "=" behind). The full-width
# and small forms are there because some programs fold them to ASCII before parsing.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")


def neutralise(value: Any) -> str | int | float:
    """The cell as written: numbers stay numbers; text that could start a formula gets a ``'``.

    ``None`` is an empty cell; ``True``/``False`` and anything else become their text.
    """
    if type(value) is str:  # the common case first: this runs for every cell of every export
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


# ----------------------------------------------------------------------------- tables and CSV

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


@dataclass
class Table:
    """Headers and rows: what every export builder returns. ``rows`` may be a generator."""

    headers: list[str]
    rows: Iterable[Sequence[Any]]


def csv_lines(table: Table, bom: bool = True, *, flush_at: int = 32_768) -> Iterator[str]:
    """Stream a table as CSV text, a chunk of whole rows at a time, never the whole file.

    Rows are written into a small buffer that is emptied each time it holds ``flush_at``
    characters (``flush_at=0``: one row per chunk), so memory stays flat for any class size.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        if buffer.tell() >= flush_at:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
        writer.writerow([neutralise(cell) for cell in row])
    yield buffer.getvalue()


def score_cell(value: float | None) -> float | int | str:
    """A score as written: rounded to 2 places, whole numbers without ``.0``; None is blank."""
    if value is None or not math.isfinite(value):
        return ""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 / xsd:dateTime in UTC with a ``Z``; naive times are taken to be UTC already."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
