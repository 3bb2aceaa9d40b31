"""'Where I checked' takes a bare site as a browser's address bar does (reuters.com ->
https://reuters.com) and nothing that is not a web address; the browser runs the same cases
(tests/data/web_address_cases.json; its side: tests/js/address.test.js)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.annotations import web_address

CASES = json.loads(
    (Path(__file__).parent.parent / "data" / "web_address_cases.json").read_text("utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_the_server_reads_a_typed_address_as_the_shared_table_says(case):
    assert web_address(case["typed"]) == case["stored"]
