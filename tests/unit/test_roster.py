"""The roster file parser (app/domain/roster.py): pure, no Flask, no database."""

from __future__ import annotations

import codecs

import pytest

from app.domain.roster import (
    MAX_BYTES,
    MAX_ROWS,
    NOT_TEXT,
    RosterRow,
    detect_delimiter,
    normalise_header,
    parse_roster,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
)


def csv_bytes(*lines: str, sep: str = ",", end: str = "\n", bom: bool = False) -> bytes:
    text = end.join(line.replace(",", sep) for line in lines) + end
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def messages(parsed) -> dict[int | None, str]:
    return {p.line: p.message for p in parsed.problems}


def test_a_plain_file_gives_rows_with_their_line_numbers():
    parsed = parse_roster(
        csv_bytes(
            "name,username,sis_user_id,sis_login_id,section",
            "Amira Khan,amira.k,S1,amira.khan,Period 3",
            "Ben Cole,Ben_C,,,",
        )
    )
    assert parsed.problems == []
    assert not parsed.refused
    assert parsed.rows == [
        RosterRow(2, "Amira Khan", "amira.k", "S1", "amira.khan", "Period 3"),
        RosterRow(3, "Ben Cole", "ben_c", None, None, None),  # usernames are lower case
    ]
    assert parsed.columns == {
        "name": "name",
        "username": "username",
        "sis_user_id": "sis_user_id",
        "sis_login_id": "sis_login_id",
        "section": "section",
    }


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [False, True])
def test_separators_line_ends_and_a_bom_all_read_the_same(sep, end, bom):
    parsed = parse_roster(
        csv_bytes(
            "Name,Username,Section",
            "Amira Khan,amira.k,P3",
            "Ben Cole,ben.c,P4",
            sep=sep,
            end=end,
            bom=bom,
        )
    )
    assert parsed.problems == []
    assert [(r.line, r.name, r.username, r.section) for r in parsed.rows] == [
        (2, "Amira Khan", "amira.k", "P3"),
        (3, "Ben Cole", "ben.c", "P4"),
    ]
    assert parsed.columns["name"] == "Name"  # the BOM is not part of the first column's name


def test_semicolons_with_commas_inside_names():
    parsed = parse_roster(b'name;username\nKhan, Amira;amira.k\n"O\'Neill; Ben";ben.o\n')
    assert [r.name for r in parsed.rows] == ["Khan, Amira", "O'Neill; Ben"]


def test_utf16_from_excel_unicode_text_is_read():
    data = "name\tusername\r\nZoë Ångström\tzoe.a\r\n".encode("utf-16")
    parsed = parse_roster(data)
    assert [(r.name, r.username) for r in parsed.rows] == [("Zoë Ångström", "zoe.a")]


def test_excels_sep_hint_line_is_honoured_and_lines_still_count_from_the_top():
    parsed = parse_roster(b"sep=;\r\nname;username\r\nAmira;amira.k\r\nBen;b\r\n")
    assert [r.username for r in parsed.rows] == ["amira.k"]
    assert list(messages(parsed)) == [4]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Student Name", "name"),
        ("STUDENT_NAME", "name"),
        ("Full name", "name"),
        ("User Name", "username"),
        ("login", "username"),
        ("SIS ID", "sis_user_id"),
        ("SIS User ID", "sis_user_id"),
        ("student-id", "sis_user_id"),
        ("Login ID", "sis_login_id"),
        ("SIS Login ID", "sis_login_id"),
        ("Period", "section"),
        ("Section", "section"),
    ],
)
def test_column_aliases_in_any_case(header, field):
    other = "username" if field != "username" else "name"
    data = f"{header},{other}\nAmira,amira.k\n".encode()
    if field not in ("name", "username"):
        data = f"name,username,{header}\nAmira,amira.k,X1\n".encode()
    parsed = parse_roster(data)
    assert parsed.columns[field] == header, parsed.problems


def test_first_and_last_name_columns_make_the_name():
    parsed = parse_roster(b"First Name,Last Name,Username\nAmira,Khan,amira.k\nBen,,ben.c\n")
    assert [r.name for r in parsed.rows] == ["Amira Khan", "Ben"]


def test_header_names_are_normalised():
    assert normalise_header("  SIS_User-ID ") == "sis user id"
    assert normalise_header("\ufeffName") == "name"


def test_delimiter_detection_ignores_separators_inside_quotes():
    assert detect_delimiter('"name, full";username;section') == ";"
    assert detect_delimiter("name\tusername") == "\t"
    assert detect_delimiter("name") == ","


# ---------------------------------------------------------------- whole-file problems


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", codecs.BOM_UTF8])
def test_an_empty_file_is_refused(data):
    parsed = parse_roster(data)
    assert parsed.refused
    assert parsed.rows == []
    assert "empty" in parsed.file_problem


def test_a_header_without_students_is_refused():
    parsed = parse_roster(b"name,username\n\n")
    assert parsed.refused
    assert "no students" in parsed.file_problem


@pytest.mark.parametrize(
    "data",
    [
        PNG,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx is a zip
        "name,username\nZoë,zoe\n".encode("latin-1"),  # not UTF-8
        b"name,username\nA\x00,abc\n",  # NUL bytes
    ],
)
def test_binary_or_non_utf8_files_get_one_clear_message(data):
    parsed = parse_roster(data)
    assert parsed.refused
    assert parsed.rows == []
    assert [p.message for p in parsed.problems] == [NOT_TEXT]
    assert "CSV UTF-8" in NOT_TEXT


def test_missing_columns_are_named_with_the_columns_found():
    parsed = parse_roster(b"Student,Email,Grade\nAmira,a@x.org,9\n")
    assert parsed.refused
    message = parsed.file_problem
    assert "\u201cusername\u201d column" in message
    assert "\u201cEmail\u201d" in message
    assert "\u201cGrade\u201d" in message


def test_both_required_columns_missing_names_both():
    parsed = parse_roster(b"a;b;c\n1;2;3\n")
    assert "\u201cname\u201d and \u201cusername\u201d columns" in parsed.file_problem
    assert "\u201ca\u201d, \u201cb\u201d, \u201cc\u201d" in parsed.file_problem


def test_two_columns_meaning_the_same_are_refused():
    parsed = parse_roster(b"name,username,login\nA,abc,abd\n")
    assert parsed.refused
    assert "\u201cusername\u201d" in parsed.file_problem
    assert "login" in parsed.file_problem


def test_the_row_limit_is_inclusive_and_one_more_refuses_the_whole_file():
    header = "name,username"
    ok = parse_roster(csv_bytes(header, *[f"S {i},s{i:05d}" for i in range(MAX_ROWS)]))
    assert len(ok.rows) == MAX_ROWS
    assert not ok.problems
    too_many = parse_roster(csv_bytes(header, *[f"S {i},s{i:05d}" for i in range(MAX_ROWS + 1)]))
    assert too_many.refused
    assert too_many.rows == []
    assert "10,001" in too_many.file_problem
    assert "10,000" in too_many.file_problem


def test_a_file_over_the_byte_limit_is_refused():
    data = b"name,username\n" + b"A,abc\n" * (MAX_BYTES // 6 + 1)
    assert len(data) > MAX_BYTES
    parsed = parse_roster(data)
    assert parsed.refused
    assert "MB" in parsed.file_problem
    assert "limit" in parsed.file_problem


def test_an_unreadable_line_refuses_the_file():
    huge = "x" * 200_000  # longer than the csv module's field limit
    parsed = parse_roster(f'name,username\nA,abc\n"{huge}",abd\n'.encode())
    assert parsed.refused
    assert parsed.file_problem.startswith("Line 3")


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_by_line_and_good_rows_kept():
    parsed = parse_roster(
        csv_bytes(
            "name,username",  # 1
            "Amira Khan,amira.k",  # 2 ok
            ",nameless",  # 3 no name
            "No Username,",  # 4 no username
            "",  # 5 blank: skipped silently
            "Cy Twombly,c y",  # 6 a space
            "Di,di",  # 7 too short
            "Ed,amira.k",  # 8 duplicate of line 2
            "Fay,AMIRA.K",  # 9 duplicate whatever the case
            "Gus,gus!",  # 10 a bad character
            "Hal,hal.h",  # 11 ok
        )
    )
    assert [r.line for r in parsed.rows] == [2, 11]
    found = messages(parsed)
    assert sorted(found) == [3, 4, 6, 7, 8, 9, 10]
    assert "name is empty" in found[3]
    assert "username is empty" in found[4]
    assert "no spaces" in found[6]
    assert "3 to 40" in found[7]
    assert "also on line 2" in found[8]
    assert "also on line 2" in found[9]
    assert "letters, numbers" in found[10]
    bad = {p.line: (p.name, p.username) for p in parsed.problems}
    assert bad[8] == ("Ed", "amira.k")
    assert bad[3] == ("", "nameless")


def test_line_numbers_count_physical_lines_with_quoted_newlines_and_blank_lines():
    data = b'name,username\n\n"Amira\nKhan",amira.k\nBen,\n'
    parsed = parse_roster(data)
    assert list(messages(parsed)) == [3, 5]  # the name with a line break; no username


def test_too_long_values_are_reported():
    parsed = parse_roster(
        csv_bytes(
            "name,username,sis_user_id,section",
            f"{'A' * 81},abc,,",
            f"Ben,{'b' * 41},,",
            f"Cy,cyy,{'9' * 65},",
            f"Di,dii,,{'P' * 65}",
            f"{'E' * 80},{'e' * 40},{'9' * 64},{'P' * 64}",  # exactly at the limits: fine
        )
    )
    assert [r.line for r in parsed.rows] == [6]
    found = messages(parsed)
    assert "longer than 80" in found[2]
    assert "3 to 40" in found[3]
    assert "SIS user ID is longer than 64" in found[4]
    assert "section is longer than 64" in found[5]


def test_extra_cells_from_an_unquoted_comma_are_reported():
    parsed = parse_roster(b"name,username\nKhan, Amira,amira.k\nBen,ben.c,,\n")
    found = messages(parsed)
    assert "quotes" in found[2]
    assert [r.username for r in parsed.rows] == ["ben.c"]  # empty trailing cells are fine


def test_names_that_look_like_formulas_or_markup_are_kept_as_typed():
    names = [
        '=HYPERLINK("http://evil.test","x")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "<script>alert(1)</script>",
        "Ann & <b>Bo</b>",
    ]
    lines = ["name,username"] + [
        f'"{n.replace(chr(34), chr(34) * 2)}",user{i}' for i, n in enumerate(names)
    ]
    parsed = parse_roster(csv_bytes(*lines))
    assert parsed.problems == []
    assert [r.name for r in parsed.rows] == names


def test_control_characters_in_a_name_are_refused():
    parsed = parse_roster(b"name,username\nA\x07my,abc\n")
    assert "control character" in messages(parsed)[2]


def test_canvas_points_possible_row_is_skipped():
    parsed = parse_roster(b"Student,Username,SIS User ID\n    Points Possible,,\nAmira,amira.k,1\n")
    assert parsed.problems == []
    assert [r.username for r in parsed.rows] == ["amira.k"]


def test_a_hidden_direction_change_in_a_name_is_refused():
    """U+202E shows the rest of the name reversed in the teacher's lists ("Trojan Source")."""
    parsed = parse_roster("name,username\nAmy \u202enosbor,abc\n".encode())
    assert "control character" in messages(parsed)[2]
