"""Control characters in text people type, and in text written to a log: the standard library
alone, so gunicorn.conf.py can load this file without importing the app (see there)."""

from __future__ import annotations

import unicodedata

# what a multi-line text area may hold besides printable text: tabs and line breaks
LINE_BREAKS = "\t\n\r"


def is_control(ch: str) -> bool:
    """A control character (Unicode's ``Cc``: U+0000-U+001F, U+007F-U+009F), NUL among them."""
    return unicodedata.category(ch) == "Cc"


def has_control(text: str, allowed: str = "") -> bool:
    """Whether ``text`` holds a control character other than those in ``allowed``."""
    return any(is_control(ch) and ch not in allowed for ch in text)


# characters a log line must not carry as they are: control characters (a line feed or carriage
# return starts a forged line), Unicode's line and paragraph separators (a new line to some log
# viewers), and the backslash, so that an escape in the log is never text someone sent
_LOG_ESCAPES = {0x5C: "\\\\", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def log_safe(value: object) -> str:
    """``value`` as text that stays on one log line and reads back unambiguously: control
    characters, the line and paragraph separators and the backslash written as Python escapes
    (``\\n``, ``\\x00``, ``\\u2028``, ``\\\\``); everything else as it is."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and "\\" not in text:  # the usual case: nothing to escape
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code in _LOG_ESCAPES:
            out.append(_LOG_ESCAPES[code])
        elif is_control(ch):
            out.append(repr(ch)[1:-1] if ch in "\t\n\r" else f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)
