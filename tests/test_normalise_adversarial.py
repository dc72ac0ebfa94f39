"""Normalisation cases written from the issue's rules (tests/data/adversarial_cases.json,
made by tests/data/make_adversarial_cases.py): legacy and mojibake inputs are built there with
encoders of their own, so these check the repair against the standards, not against itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers.normalise import display, search_key

CASES = json.loads(
    (Path(__file__).parent / "data" / "adversarial_cases.json").read_text(encoding="utf-8")
)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 200


@pytest.mark.parametrize(
    "case", CASES, ids=[c["why"].split("]")[0].strip("[") + ":" + c["input"][:24] for c in CASES]
)
def test_adversarial_case(case: dict[str, str]) -> None:
    shown = display(case["input"])
    assert shown == case["display"], case["why"]
    assert search_key(shown) == case["search_key"], case["why"]
    assert len(search_key(shown)) == len(shown)
    assert display(shown) == shown, "display is idempotent"
