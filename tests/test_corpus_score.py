"""The gold corpus scored the way bench/extraction.py scores it, with pinned floors (as
trafilatura's CI pins its F1): every field right on at least 99% of pages, body token F1 at
least 0.98 on average and never below 0.95, no caption, byline or chrome left in a body.
Not timed (speed lives in bench/RESULTS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.score import FIELDS, load_corpus, score_page, summarise, with_site_chrome
from parsers import parse_bytes

CORPUS = Path(__file__).parent / "fixtures"
FIELD_FLOOR = 0.99
F1_FLOOR, WORST_F1_FLOOR = 0.98, 0.95


def _scores(transform=lambda c: c):
    cases = [transform(c) for c in load_corpus(CORPUS)]
    return [score_page(c, parse_bytes(c.raw, c.url, "text/html").as_dict()) for c in cases]


@pytest.fixture(scope="module")
def scores():
    return _scores()


def test_the_corpus_has_every_platform(scores) -> None:
    platforms = {s.case.platform for s in scores}
    assert platforms == {
        "kontum",
        "nukeviet",
        "joomla",
        "liferay",
        "sharepoint",
        "wordpress",
        "generic",
    }


@pytest.mark.parametrize("field", FIELDS)
def test_field_accuracy_floor(scores, field: str) -> None:
    summary = summarise(scores)
    wrong = [f"{s.case.platform}/{s.case.name}" for s in scores if not s.correct[field]]
    assert summary.accuracy[field] >= FIELD_FLOOR, wrong


def test_body_f1_floor(scores) -> None:
    summary = summarise(scores)
    assert summary.f1 >= F1_FLOOR
    assert summary.min_f1 >= WORST_F1_FLOOR


def test_no_caption_byline_or_chrome_in_a_body(scores) -> None:
    assert [(s.case.name, s.leaks) for s in scores if s.leaks] == []


def test_a_real_portals_weight_of_chrome_changes_nothing() -> None:
    # menus, a dated news box and inline script around every gold page: same fields
    heavy = _scores(with_site_chrome)
    summary = summarise(heavy)
    assert all(v == 1.0 for v in summary.accuracy.values()), [
        (s.case.name, [f for f in FIELDS if not s.correct[f]])
        for s in heavy
        if not all(s.correct.values())
    ]
    assert summary.min_f1 == 1.0


def test_scoring_counts_what_it_should() -> None:
    case = load_corpus(CORPUS)[0]
    exact = score_page(case, dict(case.expected))
    assert all(exact.correct.values()) and exact.f1 == 1.0 and exact.leaks == []
    wrong = dict(
        case.expected, views=69534, body=case.expected["body"] + "\n\nLượt xem: 544\n\nQuay về"
    )
    scored = score_page(case, wrong)
    assert not scored.correct["views"] and scored.f1 < 1.0 and len(scored.leaks) == 2
    assert score_page(case, None, "boom").error == "boom"
