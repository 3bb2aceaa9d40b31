"""Control characters in typed text and in log lines (app.domain.text), and the forms that use
the one check."""

from __future__ import annotations

import inspect

import pytest
from flask_wtf import FlaskForm
from wtforms import Form

from app.domain.text import LINE_BREAKS, has_control, log_safe
from app.web import forms


@pytest.mark.parametrize("ch", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r"])
def test_every_control_character_is_found(ch):
    assert has_control(f"a{ch}b")


@pytest.mark.parametrize("ch", list(LINE_BREAKS))
def test_a_text_area_may_keep_tabs_and_line_breaks(ch):
    assert not has_control(f"a{ch}b", LINE_BREAKS)
    assert has_control(f"a{ch}b\x00", LINE_BREAKS)


@pytest.mark.parametrize("text", ["Ms Rivera", "Zoë \u00a0O\u2019Neill", "\U0001f600", "\u2028"])
def test_printable_text_and_other_separators_are_not_control_characters(text):
    assert not has_control(text)


@pytest.mark.parametrize(
    ("value", "logged"),
    [
        ("/student/assignments/1", "/student/assignments/1"),
        (
            "/x\n127.0.0.1 - POST /teacher/classes/1/delete",
            "/x\\n127.0.0.1 - POST /teacher/classes/1/delete",
        ),
        ("/x\r\n", "/x\\r\\n"),
        ("a\x00b\x1b[31m\x7f\x85", "a\\x00b\\x1b[31m\\x7f\\x85"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("typed \\n itself", "typed \\\\n itself"),
        ("Zoë\u00a0\U0001f600", "Zoë\u00a0\U0001f600"),
        (42, "42"),
    ],
)
def test_a_logged_value_stays_on_one_line_and_reads_back_unambiguously(value, logged):
    assert log_safe(value) == logged
    assert len(log_safe(value).splitlines()) <= 1


def test_every_form_refuses_control_characters():
    kinds = [
        c
        for _, c in inspect.getmembers(forms, inspect.isclass)
        if issubclass(c, Form) and c.__module__ == forms.__name__
    ]
    assert len(kinds) > 20
    assert [c.__name__ for c in kinds if not issubclass(c, forms.PlainText)] == []
    assert issubclass(forms.LoginForm, FlaskForm)
