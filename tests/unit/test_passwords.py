"""The password policy: long enough, not common, not a pattern, not the person's own name."""

from __future__ import annotations

import pytest

from app.domain import passwords
from app.domain.passwords import HAS_NAME, TOO_COMMON, TOO_LONG, TOO_SHORT, TOO_SIMPLE, problem


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", TOO_SHORT),
        ("seven77", TOO_SHORT),
        ("x" * 1001, TOO_LONG),
        ("password", TOO_COMMON),
        ("Password123!", TOO_COMMON),
        ("monkey123", TOO_COMMON),
        ("iloveyou", TOO_COMMON),
        ("12345678", TOO_COMMON),
        ("Trustno1", TOO_COMMON),
        ("minecraft2025", TOO_COMMON),
        ("123password", TOO_COMMON),
        ("pass word 1", TOO_COMMON),
        ("qwertyui", TOO_COMMON),
        ("zyxwvuts", TOO_SIMPLE),
        ("87654321", TOO_COMMON),
        ("aaaaaaaa", TOO_SIMPLE),
        ("abababab", TOO_SIMPLE),
        ("12341234", TOO_SIMPLE),
        ("xyzxyzxyz", TOO_SIMPLE),
        ("hjklhjkl", TOO_SIMPLE),
        ("chris.jones1", HAS_NAME),
        ("ilovechris", HAS_NAME),
        ("jones2024", HAS_NAME),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    assert problem(password, username="chris.jones", name="Chris Jones", email="") == reason


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "purple tiger drinks tea",
        "Zebra-Lamp-47",
        "ab12ab12ab",
        "dragonfly summer",
        ("the quick brown fox jumps over the lazy dog " * 22)[:1000],
        "mi contraseña es larga",
        "пароль для урока",
        "🦊🦊 fox den 🦊",
    ],
)
def test_good_passwords_and_long_passphrases_are_accepted(password):
    assert problem(password, username="chris", name="Chris Jones") is None


def test_a_name_inside_a_long_passphrase_is_fine():
    assert problem("chris likes long walks home", username="chris", name="Chris") is None


def test_the_common_list_is_read_from_the_data_file_and_lower_case():
    common = passwords.common_passwords()
    assert len(common) > 3000
    assert "password" in common
    assert all(p == p.lower() for p in common)
