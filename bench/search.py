"""The search speed benchmark: searched pages against the unfiltered list, indexing against the sync.

``python bench/search.py [--pilots N] [--quick] [--postgres URL [--reset]]`` (part of ``make
bench``) loads the demo with ``hub demo --pilots N`` (default 100,000; lessons and library entries
grow alongside) into a fresh SQLite file, and into the PostgreSQL database at ``URL`` when given
(it must be empty; ``--reset`` empties it first), and measures on each (issue 20):

1. **Searching**: 200 mixed queries, made from the hub's vocabularies and the demo's material
   (single words, two words, compounds, inflected forms, words inside compounds, nonsense that
   finds nothing), never from search results. Each is requested as ``/{lang}/pilots?q=`` and
   ``/{lang}/search?q=`` through the whole app in this process (Starlette's TestClient: routing,
   middleware, the view, the template), alternating with the unfiltered list page
   ``/{lang}/pilots``, the baseline; and its query part alone is timed: ``list_pilots`` (the
   list's count and page) and ``hub.search.services.search`` (counts per kind, the page, the
   cards). Goals: each searched page's p95 ≤ 2× the unfiltered page's p95; each query part's p95
   ≤ 50 ms. Figures per query kind and the five slowest queries show where the time goes.
2. **Indexing**: a CSV export of ``--index-rows`` pilots (20,000) synced into an empty database
   (``run_by_id``, as ``bench/sync.py`` measures it; the sync only queues the index's work in
   ``search_pending``), then that queue indexed (``hub.search.index.catch_up_all``), then every
   pilot indexed again (``index.rebuild``), each in rows per second. Goal: indexing (the catch-up
   and the rebuild) ≥ 25 % of the sync's rows per second.
3. **Index size**: the bytes of the index's tables (SQLite: ``search_documents``, ``search_words``,
   ``search_pending`` and FTS5's ``search_fts_*`` shadow tables, indexes included, from ``dbstat``;
   PostgreSQL: ``pg_total_relation_size``, which counts the tsvector's TOAST and GIN index), per
   pilot and against the pilots table. Reported, no goal.

Each measurement runs ``--rounds`` times; a round's p50 and p95 are over its queries and the
medians over the rounds count. Results go to ``bench/results/search.json``. Exits 0 when every
goal is met, 1 when one is not, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import hub.models  # noqa: E402, F401  (every model and searchable kind)
from bench import goals, search_eval  # noqa: E402
from bench.run import postgres_database  # noqa: E402
from bench.search_indexing import BenchError, Indexing, index_size, measure_indexing  # noqa: E402
from bench.search_mix import KINDS, BenchQuery, make_queries  # noqa: E402
from hub.app import create_app  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.pilots import services as pilot_services  # noqa: E402
from hub.search import services as search_services  # noqa: E402
from hub.search.query import parse  # noqa: E402
from hub.settings import Settings  # noqa: E402

RESULTS = REPO / "bench" / "results" / "search.json"
PAGE_RATIO = 2.0  # goal: a searched page's p95 / the unfiltered page's p95, at most
QUERY_MS = 50.0  # goal: a query part's p95, at most
INDEXING = 0.25  # goal: indexing rows/s / the sync's rows/s, at least
SECRET = "bench-only-secret-key-of-32-characters-or-more"
QUICK = {"pilots": 5_000, "rounds": 1, "index_rows": 5_000, "index_rounds": 1}
DEFAULTS = {"pilots": 100_000, "rounds": 3, "index_rows": 20_000, "index_rounds": 3}


# --- searching ----------------------------------------------------------------------------------

# What is timed, in the order of the report: (name, label, baseline name or None).
PAGES = (
    ("page_list", "/{lang}/pilots (unfiltered)", None),
    ("page_pilots", "/{lang}/pilots?q=", "page_list"),
    ("page_search", "/{lang}/search?q=", "page_list"),
)
QUERY_PARTS = (
    ("query_list", "list_pilots, unfiltered", None),
    ("query_pilots", "list_pilots(q)", None),
    ("query_search", "search(q)", None),
)
TARGETS = ("page_pilots", "page_search", "query_pilots", "query_search")
INDEXING_STEPS = (
    ("sync", "sync (run_by_id)"),
    ("catch_up", "catch-up (catch_up_all)"),
    ("rebuild", "rebuild (pilots)"),
)


@dataclass
class Speed:
    """Seconds per measurement per round; targets' samples are in the queries' order."""

    queries: list[BenchQuery]
    rounds: list[dict[str, list[float]]]

    def figure(self, name: str, quantile: float) -> float:
        """The median over rounds of the round's ``quantile`` of ``name``, in ms."""
        return statistics.median(_quantile(r[name], quantile) for r in self.rounds) * 1000

    def per_query(self, name: str) -> list[float]:
        """Each query's median over the rounds, in ms."""
        return [statistics.median(r[name][i] for r in self.rounds) * 1000 for i in range(len(self.queries))]


def _quantile(samples: Sequence[float], quantile: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))]


def app_settings(url: str, data_dir: Path) -> Settings:
    return Settings.load(
        environ={}, database_url=url, data_dir=data_dir, secret_key=SECRET, base_url="http://testserver"
    )


def measure_speed(
    url: str, queries: Sequence[BenchQuery], rounds: int, data_dir: Path, warm_up: int = 20
) -> Speed:
    """Every query's pages and query parts, alternating with the unfiltered list, ``rounds`` times."""
    with TestClient(create_app(app_settings(url, data_dir))) as client:
        sessions: sessionmaker[Session] = client.app.state.sessions  # type: ignore[attr-defined]
        for query in queries[:warm_up]:
            _one(client, sessions, query, defaultdict(list))
        speed = Speed(list(queries), [])
        for number in range(rounds):
            samples: dict[str, list[float]] = defaultdict(list)
            for query in queries:
                _one(client, sessions, query, samples)
            speed.rounds.append(dict(samples))
            print(
                f"  round {number + 1}/{rounds}: "
                + ", ".join(f"{name} p95 {_quantile(samples[name], 0.95) * 1000:.1f} ms" for name in samples),
                file=sys.stderr,
            )
    return speed


def _one(
    client: TestClient, sessions: sessionmaker[Session], query: BenchQuery, samples: dict[str, list[float]]
) -> None:
    """One query: baseline, pilots page, baseline, search page, then the three query parts."""
    lang = query.language
    samples["page_list"].append(_get(client, f"/{lang}/pilots", None))
    samples["page_pilots"].append(_get(client, f"/{lang}/pilots", query.text))
    samples["page_list"].append(_get(client, f"/{lang}/pilots", None))
    samples["page_search"].append(_get(client, f"/{lang}/search", query.text))
    samples["query_list"].append(_timed(lambda: _list_pilots(sessions, "", lang)))
    samples["query_pilots"].append(_timed(lambda: _list_pilots(sessions, query.text, lang)))
    samples["query_search"].append(_timed(lambda: _search(sessions, query.text, lang)))


def _get(client: TestClient, path: str, q: str | None) -> float:
    started = time.perf_counter()
    response = client.get(path, params={"q": q} if q is not None else None)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchError(f"GET {path}?q={q!r} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _list_pilots(sessions: sessionmaker[Session], q: str, language: str) -> None:
    with sessions() as session:
        filters = pilot_services.parse_filters(session, {"q": q})
        pilot_services.list_pilots(session, filters=filters, language=language)


def _search(sessions: sessionmaker[Session], q: str, language: str) -> None:
    with sessions() as session:
        search_services.search(session, parse(q), language=language)


# --- one database -------------------------------------------------------------------------------


def run_backend(
    name: str,
    url: str,
    *,
    pilots: int | None,
    queries: Sequence[BenchQuery],
    rounds: int,
    index_rows: int,
    index_rounds: int,
    workdir: Path,
) -> dict[str, Any]:
    """Load the demo into ``url``, then measure searching, the index's size and indexing (which
    empties the database, or uses files of its own on SQLite)."""
    print(f"loading the demo into {name}…", file=sys.stderr)
    search_eval.load_demo_database(url, pilots, workdir / name)
    engine = make_engine(url)
    try:
        size = index_size(engine)
    finally:
        engine.dispose()
    print(f"measuring {len(queries)} queries × {rounds} rounds on {name}…", file=sys.stderr)
    speed = measure_speed(url, queries, rounds, workdir / name)
    print(f"measuring indexing on {name}…", file=sys.stderr)
    if name == "sqlite":
        indexing = measure_indexing(
            lambda n: f"sqlite:///{workdir / f'index-{n}.sqlite3'}", index_rows, index_rounds, workdir
        )
    else:
        indexing = measure_indexing(lambda _n: url, index_rows, index_rounds, workdir)
    return summarise(name, speed, indexing, size)


@dataclass(frozen=True)
class Goal:
    text: str
    figure: float
    limit: float
    unit: str  # "×" (a ratio), " ms", or "%" (a share, at least ``limit``)

    @property
    def passed(self) -> bool:
        return self.figure >= self.limit if self.unit == "%" else self.figure <= self.limit

    def shown(self) -> str:
        if self.unit == "%":
            return f"{self.figure:.0%}"
        return f"{self.figure:.2f}×" if self.unit == "×" else f"{self.figure:.1f} ms"


def summarise(name: str, speed: Speed, indexing: Indexing, size: dict[str, Any]) -> dict[str, Any]:
    """The figures, goals and details of one database, as written to the results file."""
    keys = [key for key, _, _ in (*PAGES, *QUERY_PARTS)]
    figures = {key: {"p50_ms": speed.figure(key, 0.5), "p95_ms": speed.figure(key, 0.95)} for key in keys}
    medians = {key: speed.per_query(key) for key in TARGETS}
    by_kind: dict[str, dict[str, Any]] = {}
    for kind, _ in KINDS:
        members = [i for i, query in enumerate(speed.queries) if query.kind == kind]
        by_kind[kind] = {"n": len(members)}
        for key in TARGETS:
            times = [medians[key][i] for i in members]
            by_kind[kind][key] = [_quantile(times, 0.5), _quantile(times, 0.95)] if times else None
    slowest = sorted(
        range(len(speed.queries)), key=lambda i: -max(medians["page_pilots"][i], medians["page_search"][i])
    )[:5]
    per_query = [
        {**asdict(query), **{key: round(medians[key][i], 2) for key in TARGETS}}
        for i, query in enumerate(speed.queries)
    ]
    base, sync_rate = figures["page_list"]["p95_ms"], indexing.rate("sync")
    goals = [
        *(
            Goal(
                f"{label} p95 ≤ {PAGE_RATIO:g}× the unfiltered page's",
                figures[key]["p95_ms"] / base,
                PAGE_RATIO,
                "×",
            )
            for key, label, baseline in PAGES
            if baseline
        ),
        *(
            Goal(f"{label} p95 ≤ {QUERY_MS:g} ms", figures[key]["p95_ms"], QUERY_MS, " ms")
            for key, label, _ in QUERY_PARTS
            if key in TARGETS
        ),
        *(
            Goal(
                f"{label} ≥ {INDEXING:.0%} of the sync's rows/s",
                indexing.rate(key) / sync_rate,
                INDEXING,
                "%",
            )
            for key, label in INDEXING_STEPS[1:]
        ),
    ]
    return {
        "backend": name,
        "queries": len(speed.queries),
        "rounds": len(speed.rounds),
        "figures": figures,
        "by_kind": by_kind,
        "per_query": per_query,
        "slowest": [per_query[i] for i in slowest],
        "indexing": {
            "rows": indexing.rows,
            **{f"{key}_rows_per_s": round(indexing.rate(key)) for key, _ in INDEXING_STEPS},
            **{f"{key}_s": getattr(indexing, f"{key}_s") for key, _ in INDEXING_STEPS},
        },
        "size": size,
        "goals": [{**asdict(goal), "passed": goal.passed, "shown": goal.shown()} for goal in goals],
    }


# --- the report ---------------------------------------------------------------------------------


def report(result: dict[str, Any]) -> bool:
    """Print one database's tables and its goals; whether every goal is met."""
    figures, size, indexing = result["figures"], result["size"], result["indexing"]
    labels = {key: label for key, label, _ in (*PAGES, *QUERY_PARTS)}
    base = figures["page_list"]["p95_ms"]
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    what = f"{size['pilots']:,} pilots, {result['queries']} queries, {rounds}"
    print(f"\n{result['backend']}: {what}")
    print(f"{'measured':<30} {'p50 ms':>8} {'p95 ms':>8} {'p95 / unfiltered page':>22}")
    for key, label, baseline in (*PAGES, *QUERY_PARTS):
        ratio = f"{figures[key]['p95_ms'] / base:.2f}×" if baseline else ""
        print(f"{label:<30} {figures[key]['p50_ms']:>8.1f} {figures[key]['p95_ms']:>8.1f} {ratio:>22}")
    print("\nper kind of query: p50 / p95 ms of the queries' medians over the rounds")
    print(f"{'kind':<10} {'n':>3}" + "".join(f" {labels[key]:>21}" for key in TARGETS))
    for kind, row in result["by_kind"].items():
        cells = [f"{row[key][0]:>9.1f} / {row[key][1]:>7.1f}" if row[key] else "" for key in TARGETS]
        print(f"{kind:<10} {row['n']:>3}" + "".join(f" {cell:>21}" for cell in cells))
    print("\nthe 5 slowest queries (by their slower page), ms:")
    for query in result["slowest"]:
        times = ", ".join(f"{labels[key]} {query[key]:.1f}" for key in TARGETS)
        print(f"  {query['text']!r:<26} {query['kind']:<9} {query['language']}  {times}")
    print(f"\nindexing {indexing['rows']:,} pilots synced from a CSV export (medians over the rounds):")
    for key, label in INDEXING_STEPS:
        rate = indexing[f"{key}_rows_per_s"]
        share = f"{rate / indexing['sync_rows_per_s']:>5.0%} of the sync" if key != "sync" else ""
        seconds = statistics.median(indexing[f"{key}_s"])
        print(f"  {label:<26} {seconds:>7.2f} s {rate:>8,} rows/s {share}".rstrip())
    print("\nindex size:")
    for table, size_bytes in size["tables"].items():
        print(f"  {table:<22} {_mb(size_bytes)}")
    print(
        f"  {'together':<22} {_mb(size['total_bytes'])}, {size['bytes_per_pilot']:,} B a pilot, "
        f"{size['vs_pilots_table']:.2f}× the pilots table ({_mb(size['pilots_table_bytes']).strip()})"
    )
    print("  documents: " + ", ".join(f"{kind} {n:,}" for kind, n in sorted(size["documents"].items())))
    print()
    for goal in result["goals"]:
        print(f"  {'PASS' if goal['passed'] else 'FAIL'}  {goal['text']}: {goal['shown']}")
    return all(goal["passed"] for goal in result["goals"])


def _goal_text(goal: dict[str, Any]) -> str:
    limit, unit = goal["limit"], goal["unit"]
    if unit == "%":
        return f"≥ {limit:.0%}"
    return f"≤ {limit:g}×" if unit == "×" else f"≤ {limit:g} ms"


def _mb(size: int) -> str:
    return f"{size / 2**20:>8.1f} MB" if size >= 2**20 else f"{size / 2**10:>8.0f} kB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pilots", type=int, help=f"demo pilots (default {DEFAULTS['pilots']:,}; quick {QUICK['pilots']:,})"
    )
    parser.add_argument("--quick", action="store_true", help="a smaller demo, one round: " + str(QUICK))
    parser.add_argument("--rounds", type=int, help=f"rounds of the queries (default {DEFAULTS['rounds']})")
    parser.add_argument("--queries", type=int, help="mixed queries (default 200; quick 60)")
    parser.add_argument(
        "--index-rows", type=int, help=f"pilots synced and indexed (default {DEFAULTS['index_rows']:,})"
    )
    parser.add_argument(
        "--index-rounds", type=int, help=f"rounds of indexing (default {DEFAULTS['index_rounds']})"
    )
    parser.add_argument("--postgres", metavar="URL", help="also measure on this (empty) PostgreSQL database")
    parser.add_argument(
        "--postgres-admin",
        metavar="ADMIN_URL",
        help="also measure on a new PostgreSQL database made (and dropped after) through this admin URL",
    )
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    chosen = {
        **(QUICK if args.quick else DEFAULTS),
        **{k: v for k in DEFAULTS if (v := getattr(args, k)) is not None},
    }
    queries = make_queries(args.queries or (60 if args.quick else 200))
    results: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="hub-search-bench-") as workdir, ExitStack() as stack:
            databases = [("sqlite", f"sqlite:///{Path(workdir) / 'search.sqlite3'}")]
            if args.postgres:
                search_eval.empty_postgres(args.postgres, reset=args.reset)
                databases.append(("postgresql", args.postgres))
            elif args.postgres_admin:
                databases.append(("postgresql", stack.enter_context(postgres_database(args.postgres_admin))))
            for name, url in databases:
                result = run_backend(name, url, queries=queries, workdir=Path(workdir), **chosen)
                results.append(result)
    except BenchError as error:
        print(f"bench/search.py: {error}", file=sys.stderr)
        return 2
    ok = all([report(result) for result in results])
    goals.record(
        "search",
        [
            goals.Goal(g["text"], _goal_text(g), g["shown"], g["passed"], result["backend"])
            for result in results
            for g in result["goals"]
        ],
        quick=args.quick,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    payload = {
        "measured_at": when,
        "load_average": os.getloadavg(),
        "settings": chosen,
        "queries": [asdict(q) for q in queries],
        "results": results,
    }
    args.output.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten to {args.output}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
