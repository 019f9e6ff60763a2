"""The search speed benchmark keeps running: its queries are fixed and mixed, and the whole of it
(demo, pages, query parts, indexing, index size, report, results file) runs on a tiny demo.

No timing is asserted: that is the benchmark's job (bench/search.py), on a demo of 100,000 pilots.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench import search
from bench.search_mix import KINDS, make_queries
from hub.demo.scaled import extra


def test_the_queries_are_mixed_fixed_and_made_from_the_material() -> None:
    queries = make_queries()
    assert len(queries) == len(set(queries)) == 200
    assert Counter(query.kind for query in queries) == dict(KINDS)
    assert {query.language for query in queries} == {"nl", "en"}
    assert make_queries() == queries  # the same seed, the same queries
    texts = {query.text for query in queries}
    assert {"bureaustoelen", "meubilair", "hergebruikt"} & texts  # a compound, a part, an inflection
    assert make_queries(12) == make_queries(12) and len({q.kind for q in make_queries(12)}) == len(KINDS)


def test_lessons_and_library_grow_with_a_scaled_demo_only() -> None:
    assert extra(40, 302, 302) == 0  # the default demo
    assert extra(40, 50, 302) == 0  # a smaller one keeps the written texts
    assert extra(40, 100_000, 302) == 13_245 - 40
    assert extra(14, 100_000, 302) == 4_636 - 14


def test_the_benchmark_runs_on_a_tiny_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "search.json"
    status = search.main(
        [
            *("--pilots", "400", "--rounds", "1", "--queries", "12"),
            *("--index-rows", "40", "--index-rounds", "1", "--output", str(output)),
        ]
    )
    assert status in (0, 1)  # 1: a goal missed, which a test does not judge
    printed = capsys.readouterr().out
    assert "/{lang}/search?q=" in printed and "index size" in printed
    (result,) = json.loads(output.read_text(encoding="utf-8"))["results"]
    assert result["backend"] == "sqlite" and result["queries"] == 12
    for figure in result["figures"].values():
        assert 0 < figure["p50_ms"] <= figure["p95_ms"]
    assert {goal["text"].split(" ")[0] for goal in result["goals"]} >= {"/{lang}/pilots?q=", "search(q)"}
    assert len(result["goals"]) == 6 and all(line["shown"] in printed for line in result["goals"])
    assert result["indexing"]["rows"] == 40 and result["indexing"]["rebuild_rows_per_s"] > 0
    size = result["size"]
    assert size["pilots"] == 400 and size["total_bytes"] > 0 and size["pilots_table_bytes"] > 0
    # 400 pilots: the demo's 40 lessons and 14 library entries grown in proportion
    assert size["documents"]["lesson"] == 53 and size["documents"]["library"] == 19
