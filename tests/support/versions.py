"""A second version of the test suite's own lesson (tests/data/lessons/eastbrook-parking.toml),
for moving an assignment from one version to the next: words added before most highlights (they
move by their words), one quote reworded (it moves fuzzily), one sentence taken out with its key
item (a highlight on it can't be placed), and one explanation corrected."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EASTBROOK = ROOT / "tests" / "data" / "lessons" / "eastbrook-parking.toml"
LESSON_ID = "eastbrook-parking"

ADDED = ("Councillors voted to charge", "Councillors voted 9-8 on Monday to charge")
REWORDED = ("who asked not to be named", "who asked not to be identified")
REMOVED = (
    "Councillor Sam Reyes, who voted against the plan, said families would simply park on the "
    "streets around the park instead. "
)
CORRECTED = (
    "'Rams' suggests force and haste; the council held a vote.",
    "'Rams' suggests force and haste, but the council held an ordinary vote.",
)
# the key item whose quote is in the sentence taken out
_REYES_ITEM = re.compile(r'\[\[key\]\]\nid = "src-reyes"\n.*?\npoints = 1\n\n', re.DOTALL)


def version_1() -> str:
    return EASTBROOK.read_text(encoding="utf-8")


def version_2() -> str:
    text = version_1()
    for old, new in (ADDED, REWORDED, CORRECTED, (REMOVED, "")):
        assert old in text, old
        text = text.replace(old, new)
    text, n = _REYES_ITEM.subn("", text)
    assert n == 1
    return text


def write(folder: Path, text: str) -> Path:
    """The lesson file in ``folder`` with this text (the app re-reads a changed file)."""
    path = folder / EASTBROOK.name
    path.write_text(text, encoding="utf-8")
    return path
