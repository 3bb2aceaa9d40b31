"""Property tests' settings: how many examples, the same ones on every run unless fuzzing."""

from __future__ import annotations

import os

# ``make fuzz`` sets FUZZ_SCALE (and HYPOTHESIS_PROFILE=fuzz: new examples each run)
SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))


def examples(n: int) -> int:
    """``n`` examples in everyday runs and CI; ``n`` x FUZZ_SCALE under ``make fuzz``."""
    return n * SCALE
