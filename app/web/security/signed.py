"""Signed values (the session cookie, CSRF tokens) verified once per worker.

Verifying a signed value costs an HMAC, base64 and JSON; an autosave does little else, and a
worker sees the same cookie and token again and again. ``SignedValueCache`` keeps what each
value it has verified holds and when it was signed, and for a value seen before checks only
the age, as itsdangerous does, raising itsdangerous's own exceptions: its callers answer a
hit exactly as they answer a verification.

The key is the value's whole text and the secrets it was checked with, so a tampered value,
a new secret key or a value never seen is a miss and goes through the serializer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from itsdangerous import SignatureExpired, URLSafeTimedSerializer


def _now() -> float:
    return time.time()  # looked up at each call, as itsdangerous's own clock is


class SignedValueCache:
    """``(text, secrets) -> (what it holds, when it was signed)``, at most ``max_entries``
    of them (the oldest goes first)."""

    def __init__(self, max_entries: int = 4096, clock: Callable[[], float] = _now) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._verified: dict[tuple[str, Hashable], tuple[Any, int]] = {}
        self._lock = threading.Lock()

    def loads(
        self,
        text: str,
        secrets: Hashable,
        max_age: int | None,
        serializer: Callable[[], URLSafeTimedSerializer],
        keep: Callable[[Any], bool] = lambda value: True,
    ) -> Any:
        """What ``serializer().loads(text, max_age=max_age)`` returns, or the exception it
        raises (``BadSignature``, ``SignatureExpired``, ...), verifying the signature only
        the first time. A value for which ``keep`` is false is verified every time."""
        key = (text, secrets)
        known = self._verified.get(key)
        if known is not None:
            value, signed = known
            age = int(self.clock()) - signed
            if max_age is not None and (age > max_age or age < 0):
                raise SignatureExpired(f"Signature age {age} is outside 0..{max_age} seconds")
            return value
        value, when = serializer().loads(text, max_age=max_age, return_timestamp=True)
        if keep(value):
            with self._lock:
                while len(self._verified) >= self.max_entries:
                    del self._verified[next(iter(self._verified))]  # the oldest
                self._verified[key] = (value, int(when.timestamp()))
        return value

    def __len__(self) -> int:
        return len(self._verified)

    def __contains__(self, text: object) -> bool:
        """Whether a value with this text is kept (under any secret)."""
        return any(key[0] == text for key in list(self._verified))
