"""The password policy: what a new password must be, in words a student understands.

At least 8 characters (long passphrases welcome, up to ``MAX``); not a common password, not
one with digits or symbols stuck on the end (``monkey123``), not a keyboard or alphabet run
(``qwertyui``, ``87654321``), not a short piece repeated (``abababab``), and not mostly the
person's own username, name or email. Pure: the list of common passwords is read once, from
``app/data``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN = 8
MAX = 1000
COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

TOO_SHORT = (
    f"Use at least {MIN} characters. A few words together make a strong password "
    "that is easy to remember."
)
TOO_LONG = f"That is too long: use at most {MAX} characters."
TOO_COMMON = (
    "That password is one many people use, so it is easy to guess. Try a few words "
    "that don't usually go together."
)
TOO_SIMPLE = (
    "That password is a simple pattern (like 12345678 or qwertyui), so it is easy to "
    "guess. Try a few words that don't usually go together."
)
HAS_NAME = "Don't use your name or username in your password: others can guess it."

RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p",
)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_run(text: str) -> bool:
    """A stretch of a keyboard row or the alphabet, either way round."""
    return any(text in run or text in run[::-1] for run in RUNS)


def problem(password: str, *, username: str = "", name: str = "", email: str = "") -> str | None:
    """Why ``password`` can't be used, or None if it is fine."""
    if len(password) < MIN:
        return TOO_SHORT
    if len(password) > MAX:
        return TOO_LONG
    lowered = password.lower()
    squeezed = re.sub(r"\s+", "", lowered)
    stem = re.sub(r"[\d\W_]+$", "", squeezed)  # monkey123!, password2024 -> monkey, password
    common = common_passwords()
    if squeezed in common or stem in common or re.sub(r"^\d+|\d+$", "", squeezed) in common:
        return TOO_COMMON
    if _is_run(squeezed) or re.fullmatch(r"(.{1,4}?)\1+", squeezed):
        return TOO_SIMPLE
    personal = {username.lower(), email.lower().split("@")[0], *name.lower().split()}
    if any(len(p) >= 3 and (p in squeezed) and len(squeezed) - len(p) < MIN for p in personal):
        return HAS_NAME
    if username and username.lower() == squeezed:
        return HAS_NAME
    return None
