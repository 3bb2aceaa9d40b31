"""Waiting for a condition instead of sleeping: poll until it holds or a deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(
    condition: Callable[[], T], timeout: float = 10.0, every: float = 0.02, what: str = ""
) -> T:
    """Call ``condition`` until it returns something true, and return that; fail after
    ``timeout`` seconds, saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout}s in vain for {what or condition}")
        time.sleep(every)
