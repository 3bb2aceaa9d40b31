"""The server snaps a selection to words exactly as the browser does: both run the cases in
tests/data/snapping_cases.json (the browser's side: tests/js/text.test.js, `npm test`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.anchoring import snap_to_words

TABLE = json.loads(
    (Path(__file__).parent.parent / "data" / "snapping_cases.json").read_text("utf-8")
)
CASES = TABLE["cases"]


def test_the_shared_table_says_its_offsets_are_code_points():
    assert "code points" in TABLE["units"]
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_server_snaps_a_selection_as_the_shared_table_says(case):
    got = snap_to_words(case["text"], case["start"], case["end"])
    assert list(got) == case["expected"], (
        f"{case['why']}: {case['text'][got[0] : got[1]]!r}, expected "
        f"{case['text'][case['expected'][0] : case['expected'][1]]!r}"
    )
