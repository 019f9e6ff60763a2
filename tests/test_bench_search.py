"""The search quality benchmark keeps working: its labels resolve and its figures are proportions.

It sets no threshold on the figures (that is the benchmark's job, bench/search_eval.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench import search_eval
from bench.search_eval import PilotFacts

FURNITURE_CHAIR = PilotFacts(
    id=1,
    titles="bureaustoelen via hergebruik\noffice chairs through reuse",
    product_group="furniture",
    programme="gdca",
    country="BE",
    phase="tender",
    strategies=frozenset({"reuse", "extend_lifetime"}),
    organisations="gemeente klaverdonk\nmeubelrevisie bv",
)


def test_the_query_set_is_big_enough_and_balanced() -> None:
    queries = search_eval.load_queries()
    languages = Counter(query.language for query in queries)
    assert len(queries) >= 60
    assert set(languages) == {"nl", "en"}
    assert abs(languages["nl"] - languages["en"]) <= 2
    assert len({query.id for query in queries}) == len(queries)
    assert {"inflected", "compound", "two_words", "other_language", "no_hit"} <= {q.kind for q in queries}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"product_group": "furniture"}, True),
        ({"product_group": "ict"}, False),
        ({"strategy": ["second_hand", "reuse"]}, True),
        ({"strategy": "recycle"}, False),
        ({"title_contains_any": ["Bureaustoelen"]}, True),
        ({"title_contains_any": ["rolstoelen", "wheelchairs"]}, False),
        ({"organisation_contains": "Klaverdonk"}, True),
        ({"country": "BE", "phase": "tender", "programme": "gdca"}, True),
        ({"country": "BE", "phase": "award"}, False),
        ({"all": [{"product_group": "furniture"}, {"strategy": "recycle"}]}, False),
        ({"any": [{"product_group": "ict"}, {"strategy": "reuse"}]}, True),
        ({"none": True}, False),
    ],
)
def test_label_rules(rule: dict[str, object], expected: bool) -> None:
    assert search_eval.matches(rule, FURNITURE_CHAIR) is expected


def test_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        search_eval.matches({"product_groep": "furniture"}, FURNITURE_CHAIR)


def test_metrics() -> None:
    assert search_eval.recall_at([1, 2, 3], {3, 4}) == 0.5
    assert search_eval.recall_at(list(range(30)), set(range(100))) == 1.0  # at most 20 can be found
    assert search_eval.ndcg_at([1, 2], {1, 2}) == 1.0
    assert 0 < search_eval.ndcg_at([2, 1], {1}) < 1
    assert search_eval.ndcg_at([5, 6], {1}) == 0.0


def test_evaluation_on_the_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'search.sqlite3'}"
    scores = search_eval.run(url, None, tmp_path / "data")  # raises if a label selects no pilot
    assert len(scores) == len(search_eval.load_queries())
    for score in scores:
        if "none" in score.query.expect:
            assert score.recall_at is None
            continue
        assert score.relevant > 0, score.query
        for figure in (score.recall_at, score.ndcg_at, score.recall_all):
            assert figure is not None and 0.0 <= figure <= 1.0, score
    table = search_eval.summary(scores)
    assert set(table) == {"nl", "en", "all"}
    assert table["all"]["queries"] == len(scores)
    for row in table.values():
        assert 0.0 <= row["recall@20"] <= 1.0
        assert 0.0 <= row["ndcg@10"] <= 1.0
