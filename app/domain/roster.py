"""Reading a class roster from a spreadsheet file (CSV), as plain data. No Flask, no database.

``parse_roster(data)`` takes the uploaded bytes and returns the rows it could read and the
problems it found. Two kinds of problem:

* a problem with the whole file (``line`` is None: not text, empty, too big, too many rows,
  required columns missing): nothing in the file may be imported;
* a problem with one row (``line`` is the line number in the file, the header being line 1 as
  a spreadsheet shows it): that row is left out, the good rows are kept.

What a teacher's spreadsheet program may hand us, and what happens:

* UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), or UTF-16 with a BOM (Excel's
  "Unicode text"); anything else (Latin-1, a PNG, a .xlsx) is refused with one message;
* commas, semicolons (European Excel) or tabs between cells, found from the header line; an
  Excel ``sep=;`` first line is honoured; CRLF, LF or CR line ends; quoted cells with newlines;
* column names in any case, with spaces, dashes or underscores, and common aliases
  ("Student name", "Login ID", "SIS ID", "First name" + "Last name", ...);
* blank lines are skipped; Canvas's "Points Possible" row is skipped.

Values are stored as typed (stripped of surrounding spaces): a name such as ``=1+2`` or
``<b>Ann</b>`` is a name; pages escape it and every export neutralises formulas.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024  # ~10,000 rows of name, username, two SIS ids and a section fit
NAME_MAX = 80  # User.display_name
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{3,40}$")  # the student sign-up form's rule
SIS_MAX = 64  # Enrollment.sis_user_id, Enrollment.sis_login_id
SECTION_MAX = 64  # Enrollment.section

MAX_LENGTH = {"sis_user_id": SIS_MAX, "sis_login_id": SIS_MAX, "section": SECTION_MAX}
REQUIRED = ("name", "username")
OPTIONAL = ("sis_user_id", "sis_login_id", "section")
LABELS = {
    "name": "name",
    "username": "username",
    "sis_user_id": "SIS user ID",
    "sis_login_id": "SIS login ID",
    "section": "section",
    "first_name": "first name",
    "last_name": "last name",
}

# header (lower case, single spaces) -> field
ALIASES: dict[str, str] = {}
for _field, _names in {
    "name": (
        "name",
        "student name",
        "student",
        "full name",
        "student full name",
        "display name",
        "pupil",
        "pupil name",
    ),
    "username": (
        "username",
        "user name",
        "student username",
        "login",
        "login name",
        "user",
        "userid",
        "user id",
    ),
    "sis_user_id": (
        "sis user id",
        "sis id",
        "sis userid",
        "student id",
        "student number",
        "sis student id",
    ),
    "sis_login_id": ("sis login id", "login id", "sis login"),
    "section": ("section", "sections", "class section", "period", "group"),
    "first_name": ("first name", "firstname", "given name", "forename"),
    "last_name": ("last name", "lastname", "surname", "family name"),
}.items():
    for _name in _names:
        ALIASES[_name] = _field

DELIMITERS = (",", ";", "\t")
CANVAS_POINTS_ROW = "points possible"


@dataclass(frozen=True)
class RosterRow:
    """One student as read from the file. Optional values are None when absent or blank
    (an import then leaves what is stored alone)."""

    line: int
    name: str
    username: str  # lower case, like every username
    sis_user_id: str | None = None
    sis_login_id: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class RosterProblem:
    """``line`` None: the whole file is refused. Otherwise that line is left out."""

    line: int | None
    message: str
    name: str = ""  # what the row said, to help find it (shown as text)
    username: str = ""


@dataclass
class RosterParse:
    rows: list[RosterRow]
    problems: list[RosterProblem]
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as in the file

    @property
    def refused(self) -> bool:
        """The file as a whole cannot be imported (nothing in it may be)."""
        return any(p.line is None for p in self.problems)

    @property
    def file_problem(self) -> str | None:
        return next((p.message for p in self.problems if p.line is None), None)


def _refuse(message: str) -> RosterParse:
    return RosterParse([], [RosterProblem(None, message)])


NOT_TEXT = (
    "This file isn't a CSV text file we can read. In your spreadsheet program choose "
    "\u201cSave as\u201d \u2192 \u201cCSV UTF-8 (comma delimited)\u201d and upload that "
    "file."
)


def decode(data: bytes) -> str | None:
    """The file's text, or None if it is not UTF-8 (or UTF-16 with a byte-order mark) text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    if "\x00" in text:
        return None  # binary: UTF-8 decodes a few lucky binaries, but never without NULs
    return text


def normalise_header(cell: str) -> str:
    cell = cell.strip().strip("\ufeff").strip().lower()
    return " ".join(re.sub(r"[_\-.:#]+", " ", cell).split())


def detect_delimiter(header_line: str) -> str:
    """The separator the header line uses most, ignoring any inside quotes; comma if none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier: comma first
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _shown(cells: list[str], limit: int = 20) -> str:
    shown = [f"\u201c{c.strip()[:40]}\u201d" for c in cells[:limit] if c.strip()]
    more = len([c for c in cells if c.strip()]) - len(shown)
    return (", ".join(shown) + (f" and {more} more" if more > 0 else "")) or "none"


def _map_columns(header: list[str]) -> tuple[dict[str, int], str | None]:
    """field -> column index, or an error message naming what is missing and what was found."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = ALIASES.get(normalise_header(cell))
        if key is None:
            continue
        if key in found:
            first = header[found[key]].strip()
            return {}, (
                f"Two columns both mean \u201c{LABELS[key]}\u201d: \u201c{first}\u201d "
                f"and \u201c{cell.strip()}\u201d. Delete or rename one of them."
            )
        found[key] = index
    missing = [f for f in REQUIRED if f not in found]
    if "name" in missing and "first_name" in found and "last_name" in found:
        missing.remove("name")
    if missing:
        names = " and ".join(f"\u201c{m}\u201d" for m in missing)
        what = f"a {names} column" if len(missing) == 1 else f"{names} columns"
        return {}, (
            f"The file needs {what} (the first line must hold the column names). "
            f"Columns found: {_shown(header)}."
        )
    return found, None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


# characters that flip the direction of the text after them: in a name, they let it show
# reversed or disguised in a teacher's list ("Trojan Source")
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_direction_controls(value: str) -> bool:
    """Whether ``value`` holds a hidden direction change (names, notes, answers)."""
    return not DIRECTION_CONTROLS.isdisjoint(value)


def has_invisible_controls(value: str) -> bool:
    """Control characters, or direction overrides, which no real name contains."""
    return has_direction_controls(value) or any(unicodedata.category(ch) == "Cc" for ch in value)


_control = has_invisible_controls


def full_name(first: str, last: str) -> str:
    """A student's name from its first and last parts (either may be empty)."""
    return " ".join(p for p in (first.strip(), last.strip()) if p)


def _check_row(
    line: int, cells: list[str], columns: dict[str, int], width: int
) -> tuple[RosterRow | None, list[str]]:
    def cell(key: str) -> str:
        return _cell(cells, columns.get(key))

    name = cell("name")
    if "name" not in columns:
        name = full_name(cell("first_name"), cell("last_name"))
    username = cell("username")
    errors: list[str] = []
    extra = [c for c in cells[width:] if c.strip()]
    if extra:
        errors.append(
            f"this line has {len(cells)} cells but the first line names {width} "
            "columns: a name with a comma or semicolon needs quotes around it"
        )
    if not name:
        errors.append("the name is empty")
    elif len(name) > NAME_MAX:
        errors.append(f"the name is longer than {NAME_MAX} characters")
    elif _control(name):
        errors.append("the name contains an invisible control character")
    if not username:
        errors.append("the username is empty")
    elif not USERNAME_RE.match(username):
        if not 3 <= len(username) <= 40:
            errors.append("a username needs 3 to 40 characters")
        else:
            errors.append(
                "a username may only have letters, numbers, dots, dashes and "
                "underscores (no spaces)"
            )
    optional: dict[str, str | None] = {}
    for key in OPTIONAL:
        value = cell(key)
        if len(value) > MAX_LENGTH[key]:
            errors.append(f"the {LABELS[key]} is longer than {MAX_LENGTH[key]} characters")
        elif _control(value):
            errors.append(f"the {LABELS[key]} contains an invisible control character")
        optional[key] = value or None
    if errors:
        return None, errors
    return RosterRow(line, name, username.lower(), **optional), []


def _size_problem(data: bytes, max_bytes: int) -> str | None:
    if not data.strip():
        return (
            "The file is empty. Export the class list from your spreadsheet with a "
            "first line of column names (name, username) and one student per line."
        )
    if len(data) > max_bytes:
        return (
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{max_bytes / 1024 / 1024:.0f} MB. Split it into smaller files."
        )
    return None


def _records(text: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The non-blank lines as (line number, cells), or the problem that stopped the reading."""
    delimiter = None
    line_offset = 0
    sep = re.match(r'"?sep=([,;\t|])"?[,;\t]*(?:\r\n|\r|\n)', text)
    if sep:  # Excel's hint line, "sep=;": the roster starts on line 2
        delimiter = sep.group(1)
        text = text[sep.end() :]
        line_offset = 1
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter or detect_delimiter(_first_line(text))
    )
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((start + line_offset, cells))
            start = reader.line_num + 1
    except csv.Error as e:
        return [], (
            f"Line {start + line_offset} can't be read ({e}). Nothing was imported: "
            "check that line (a stray quote mark?) and upload the file again."
        )
    return records, None


def _students(
    body: list[tuple[int, list[str]]], columns: dict[str, int], width: int
) -> tuple[list[RosterRow], list[RosterProblem]]:
    """The rows under the header: the good ones, and a problem for each one left out."""
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for line, cells in body:
        raw_name = _cell(cells, columns.get("name"))
        if raw_name.lower() == CANVAS_POINTS_ROW:
            continue  # Canvas gradebook exports carry a "Points Possible" row
        row, errors = _check_row(line, cells, columns, width)
        if row is None:
            problems.append(
                RosterProblem(
                    line,
                    _sentence("; ".join(errors)),
                    raw_name[:NAME_MAX],
                    _cell(cells, columns["username"])[:40],
                )
            )
        elif row.username in seen:
            first = seen[row.username]
            problems.append(
                RosterProblem(
                    line,
                    f"The username \u201c{row.username}\u201d is also on line {first}; "
                    f"each student needs a different one (line {first} is kept).",
                    row.name,
                    row.username,
                )
            )
        else:
            seen[row.username] = line
            rows.append(row)
    return rows, problems


def parse_roster(
    data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> RosterParse:
    """Read a roster file. See the module's docstring for what is accepted."""
    problem = _size_problem(data, max_bytes)
    if problem:
        return _refuse(problem)
    text = decode(data)
    if text is None:
        return _refuse(NOT_TEXT)
    records, problem = _records(text)
    if problem:
        return _refuse(problem)
    if not records:
        return _refuse("The file is empty.")
    (_, header), body = records[0], records[1:]
    columns, problem = _map_columns(header)
    if problem:
        return _refuse(problem)
    if not body:
        return _refuse("The file has column names but no students under them.")
    if len(body) > max_rows:
        return _refuse(
            f"The file has {len(body):,} students; the limit is {max_rows:,} per "
            "file. Nothing was imported: split it into smaller files."
        )
    rows, problems = _students(body, columns, len(header))
    found = {key: header[index].strip() for key, index in columns.items()}
    return RosterParse(rows, problems, found)
