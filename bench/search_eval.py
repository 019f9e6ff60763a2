"""The search quality benchmark: recall@20 and nDCG@10 of the pilots search on labelled queries.

``python bench/search_eval.py [--pilots N] [--postgres URL [--reset]]`` loads the demo network with
``hub demo`` (``--pilots N`` scales it) into a fresh SQLite file, and into the PostgreSQL database at
``URL`` when given (it must be empty; ``--reset`` empties it first: every object in its ``public``
schema is dropped). Each query of ``bench/search_queries.json`` then goes through the pilots list's
own search (``hub.pilots.services.parse_filters`` and ``list_pilots``, as ``/{lang}/pilots?q=``
runs it: the query's language, the default order, the first page) and is scored against the
pilots its label rule selects from the database (see the file's "about" entry):

- **recall@20**: relevant pilots among the first 20 results / min(20, relevant pilots);
- **nDCG@10**: binary gains, discounted by log2(rank + 1), over the ideal ordering;
- **recall (all)**: relevant pilots among all results / relevant pilots (what the issue quoted).

Means are per language and overall over the queries that expect something; the no-hit queries
count as right when nothing is found. The queries with recall@20 = 0 are listed. Results are
written to ``bench/results/search_eval.json``. This measures; it sets no goal and exits 0 unless
it cannot run or, on the default demo, a label selects no pilot (a scaled demo may not draw a
rare object: such a query is listed and left out of the means).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import hub.models  # noqa: E402, F401  (every model, so that relationships resolve)
from hub.db import make_engine  # noqa: E402
from hub.organisations.models import Organisation  # noqa: E402
from hub.pilots import services  # noqa: E402
from hub.pilots.models import Pilot, PilotParty, pilot_strategies  # noqa: E402
from hub.programmes.models import Programme  # noqa: E402
from hub.taxonomy.models import ProductGroup, Strategy  # noqa: E402

QUERIES = REPO / "bench" / "search_queries.json"
RESULTS = REPO / "bench" / "results" / "search_eval.json"
RECALL_AT = 20
NDCG_AT = 10
Rule = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class LabelledQuery:
    id: str
    language: str
    query: str
    kind: str
    expect: Rule


@dataclasses.dataclass(frozen=True)
class PilotFacts:
    """What a label rule may look at: a live pilot's titles, vocabularies and parties."""

    id: int
    titles: str  # both titles, lower-cased
    product_group: str | None
    programme: str
    country: str
    phase: str
    strategies: frozenset[str]
    organisations: str  # the parties' names, lower-cased


@dataclasses.dataclass(frozen=True)
class Score:
    query: LabelledQuery
    relevant: int
    found: int  # results in all
    recall_at: float | None  # None for a no-hit query
    ndcg_at: float | None
    recall_all: float | None


def load_queries(path: Path = QUERIES) -> list[LabelledQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [LabelledQuery(**item) for item in data["queries"]]


def pilot_facts(session: Session) -> list[PilotFacts]:
    """Every live pilot with the fields the rules use, read in four queries."""
    strategies: dict[int, set[str]] = defaultdict(set)
    for pilot_id, code in session.execute(
        select(pilot_strategies.c.pilot_id, Strategy.code).join(
            Strategy, Strategy.id == pilot_strategies.c.strategy_id
        )
    ):
        strategies[pilot_id].add(code)
    organisations: dict[int, list[str]] = defaultdict(list)
    for pilot_id, name in session.execute(
        select(PilotParty.pilot_id, Organisation.name).join(
            Organisation, Organisation.id == PilotParty.organisation_id
        )
    ):
        organisations[pilot_id].append(name)
    rows = session.execute(
        select(
            Pilot.id,
            Pilot.title_nl,
            Pilot.title_en,
            ProductGroup.code,
            Programme.code,
            Pilot.country,
            Pilot.phase,
        )
        .join(Programme, Programme.id == Pilot.programme_id)
        .outerjoin(ProductGroup, ProductGroup.id == Pilot.product_group_id)
        .where(Pilot.withdrawn_at.is_(None))
    )
    return [
        PilotFacts(
            id=pilot_id,
            titles=f"{title_nl or ''}\n{title_en or ''}".lower(),
            product_group=group,
            programme=programme,
            country=country,
            phase=phase.value,
            strategies=frozenset(strategies[pilot_id]),
            organisations="\n".join(organisations[pilot_id]).lower(),
        )
        for pilot_id, title_nl, title_en, group, programme, country, phase in rows
    ]


def matches(rule: Rule, pilot: PilotFacts) -> bool:
    """Whether ``pilot`` is one a person typing the query expects (see the queries' "about")."""
    if not rule:
        raise ValueError("an empty rule")
    results: list[bool] = []
    for key, value in rule.items():
        if key == "none":
            results.append(False)
        elif key == "all":
            results.append(all(matches(part, pilot) for part in value))
        elif key == "any":
            results.append(any(matches(part, pilot) for part in value))
        elif key == "product_group":
            results.append(pilot.product_group == value)
        elif key == "strategy":
            results.append(bool(pilot.strategies & set(_listed(value))))
        elif key == "programme":
            results.append(pilot.programme == value)
        elif key == "country":
            results.append(pilot.country == value)
        elif key == "phase":
            results.append(pilot.phase == value)
        elif key == "title_contains_any":
            results.append(any(word.lower() in pilot.titles for word in _listed(value)))
        elif key == "organisation_contains":
            results.append(value.lower() in pilot.organisations)
        else:
            raise ValueError(f"unknown rule {key!r}")
    return all(results)


def _listed(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def expected(rule: Rule, pilots: Iterable[PilotFacts]) -> set[int]:
    return {pilot.id for pilot in pilots if matches(rule, pilot)}


def search(session: Session, query: str, language: str) -> tuple[list[int], set[int]]:
    """The pilots list's search: the first page's ids in order, and the ids of every result."""
    filters = services.parse_filters(session, {"q": query})
    page = services.list_pilots(session, filters=filters, language=language)
    ranked = [row.id for row in page.rows]
    chunks = services.iter_pilot_rows(session, filters=filters, language=language)
    everything = {row.id for chunk in chunks for row in chunk}
    return ranked, everything


def recall_at(ranked: Sequence[int], relevant: set[int], k: int = RECALL_AT) -> float:
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int = NDCG_AT) -> float:
    dcg = sum(1 / math.log2(rank + 2) for rank, pilot in enumerate(ranked[:k]) if pilot in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def evaluate(engine: Engine, queries: Sequence[LabelledQuery], *, strict: bool = True) -> list[Score]:
    """Each query run through the pilots search and scored against its label.

    A label that expects something but selects no pilot (a rare object a differently scaled demo
    happened not to draw) raises ``ValueError`` when ``strict``, else leaves the query unscored.
    """
    scores: list[Score] = []
    with Session(engine) as session:
        pilots = pilot_facts(session)
        for query in queries:
            relevant = expected(query.expect, pilots)
            ranked, everything = search(session, query.query, query.language)
            if "none" in query.expect:
                scores.append(Score(query, 0, len(everything), None, None, None))
                continue
            if not relevant:
                if strict:
                    raise ValueError(f"the label of {query.id} ({query.query!r}) selects no pilot")
                scores.append(Score(query, 0, len(everything), None, None, None))
                continue
            scores.append(
                Score(
                    query,
                    len(relevant),
                    len(everything),
                    recall_at(ranked, relevant),
                    ndcg_at(ranked, relevant),
                    len(everything & relevant) / len(relevant),
                )
            )
    return scores


def summary(scores: Sequence[Score]) -> dict[str, dict[str, float | int]]:
    """Mean figures per language and overall."""
    groups: dict[str, list[Score]] = {"nl": [], "en": [], "all": []}
    for score in scores:
        groups[score.query.language].append(score)
        groups["all"].append(score)
    table: dict[str, dict[str, float | int]] = {}
    for name, members in groups.items():
        labelled = [s for s in members if s.recall_at is not None]
        no_hit = [s for s in members if "none" in s.query.expect]
        table[name] = {
            "queries": len(members),
            "recall@20": _mean(s.recall_at for s in labelled),
            "ndcg@10": _mean(s.ndcg_at for s in labelled),
            "recall_all": _mean(s.recall_all for s in labelled),
            "no_hit_right": sum(1 for s in no_hit if s.found == 0),
            "no_hit_queries": len(no_hit),
            "unscored": len(members) - len(labelled) - len(no_hit),
        }
    return table


def _mean(values: Iterable[float | None]) -> float:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else 0.0


def load_demo_database(url: str, pilots: int | None, data_dir: Path) -> None:
    """``hub demo`` into the database at ``url``, in a process of its own, exactly as a user runs it."""
    command = [sys.executable, "-c", "import sys; from hub.cli import main; sys.exit(main())", "demo"]
    if pilots:
        command += ["--pilots", str(pilots)]
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("HUB_CONFIG_FILE", None)
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"hub demo failed with status {done.returncode}")
    print(done.stderr.strip().splitlines()[-1], file=sys.stderr)  # "Loaded in ... s: ..."


def empty_postgres(url: str, *, reset: bool) -> None:
    """Make sure the PostgreSQL database is empty: refuse, or with ``reset`` clear its ``public`` schema."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            used = connection.execute(
                text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public'"
                )
            ).scalar()
            if used and not reset:
                where = engine.url.render_as_string()
                raise SystemExit(f"{where} is not empty; --reset clears its public schema")
            if used:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def run(url: str, pilots: int | None, data_dir: Path, *, strict: bool = True) -> list[Score]:
    load_demo_database(url, pilots, data_dir)
    engine = make_engine(url)
    try:
        return evaluate(engine, load_queries(), strict=strict)
    finally:
        engine.dispose()


def print_report(database: str, scores: Sequence[Score]) -> None:
    table = summary(scores)
    print(f"\n{database}")
    print(f"{'':8} {'queries':>7} {'recall@20':>10} {'nDCG@10':>8} {'recall(all)':>12} {'no-hit right':>13}")
    for name, row in table.items():
        print(
            f"{name:8} {row['queries']:>7} {row['recall@20']:>10.3f} {row['ndcg@10']:>8.3f} "
            f"{row['recall_all']:>12.3f} {row['no_hit_right']:>6}/{row['no_hit_queries']:<6}"
        )
    missed = [s for s in scores if s.recall_at == 0]
    print(f"queries with recall@20 = 0 ({len(missed)}):")
    for s in missed:
        print(f"  {s.query.id}  {s.query.query!r:42} found {s.found:>6}, expected {s.relevant:>6}")
    unscored = [s for s in scores if s.recall_at is None and "none" not in s.query.expect]
    if unscored:
        print(f"labels that select no pilot in this demo, not scored ({len(unscored)}):")
        for s in unscored:
            print(f"  {s.query.id}  {s.query.query!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pilots", type=int, help="total number of demo pilots (hub demo --pilots)")
    parser.add_argument("--postgres", metavar="URL", help="also evaluate on this (empty) PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"pilots": args.pilots, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="hub-search-eval-") as workdir:
        databases = [("sqlite", f"sqlite:///{Path(workdir) / 'search.sqlite3'}")]
        if args.postgres:
            empty_postgres(args.postgres, reset=args.reset)
            databases.append(("postgresql", args.postgres))
        for name, url in databases:
            print(f"loading the demo into {name}…", file=sys.stderr)
            try:
                scores = run(url, args.pilots, Path(workdir) / name, strict=not args.pilots)
            except ValueError as error:
                print(f"search_eval: {error}", file=sys.stderr)
                return 2
            print_report(name, scores)
            results["databases"][name] = {
                "summary": summary(scores),
                "queries": [
                    {**dataclasses.asdict(s), "query": s.query.query, "id": s.query.id} for s in scores
                ],
            }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
