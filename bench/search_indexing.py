"""The indexing and index-size parts of the search speed benchmark (``bench/search.py``).

Indexing: a CSV export of pilots synced into an empty database with ``run_by_id`` as
``bench/sync.py`` measures it (the sync only queues the index's work in ``search_pending``), then
that queue indexed (``hub.search.index.catch_up_all``), then every pilot indexed again
(``index.rebuild``). Size: the bytes of the index's tables, and of the pilots table.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from bench import search_eval
from bench import sync as sync_bench
from hub.db import make_engine, make_sessionmaker
from hub.pilots.models import Pilot
from hub.search import index
from hub.search.models import SearchDocument, SearchPending


class BenchError(RuntimeError):
    """The benchmark cannot run; the message says why."""


@dataclass
class Indexing:
    rows: int
    sync_s: list[float]
    catch_up_s: list[float]
    rebuild_s: list[float]

    def rate(self, name: str) -> float:
        seconds: list[float] = getattr(self, f"{name}_s")
        return self.rows / statistics.median(seconds)


@contextmanager
def empty_database(url: str) -> Iterator[Engine]:
    """``url`` emptied (PostgreSQL) or new (SQLite), migrated, with a programme and the CSV source
    of ``bench/sync.py``."""
    if url.startswith("postgresql"):
        search_eval.empty_postgres(url, reset=True)
    engine = make_engine(url)
    try:
        sync_bench.prepare(engine)
        yield engine
    finally:
        engine.dispose()


def measure_indexing(url_of: Callable[[int], str], rows: int, rounds: int, workdir: Path) -> Indexing:
    """Per round, in a database of its own (``url_of(round)``): the sync of ``rows`` pilots, the
    catch-up of the index it queued, and a rebuild of the pilots' index."""
    sync_bench.write_export(workdir / "pilots.csv", rows)
    result = Indexing(rows, [], [], [])
    for number in range(rounds):
        with empty_database(url_of(number)) as engine:
            seconds, run = sync_bench.sync(engine, workdir)
            if run.added != rows:
                raise BenchError(f"the sync added {run.added} pilots, not {rows}")
            result.sync_s.append(seconds)
            sessions = make_sessionmaker(engine)
            with sessions() as session:
                queued = session.scalar(select(func.count()).select_from(SearchPending)) or 0
                started = time.perf_counter()
                done = index.catch_up_all(session)
                session.commit()
                result.catch_up_s.append(time.perf_counter() - started)
            with sessions() as session:
                started = time.perf_counter()
                counts = index.rebuild(session, only=("pilot",))
                session.commit()
                result.rebuild_s.append(time.perf_counter() - started)
            if not queued == done == counts["pilot"] == rows:
                raise BenchError(f"queued {queued}, caught up {done}, rebuilt {counts['pilot']}, not {rows}")
        print(
            f"  indexing round {number + 1}/{rounds}: sync {result.sync_s[-1]:.2f} s, catch-up "
            f"{result.catch_up_s[-1]:.2f} s, rebuild {result.rebuild_s[-1]:.2f} s",
            file=sys.stderr,
        )
    return result


# --- index size ---------------------------------------------------------------------------------

SQLITE_SIZES = text(
    "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat AS s JOIN sqlite_master AS m ON m.name = s.name "
    "WHERE m.tbl_name IN ('search_documents', 'search_words', 'search_pending', 'pilots') "
    "OR m.tbl_name LIKE 'search_fts%' GROUP BY m.tbl_name ORDER BY m.tbl_name"
)
POSTGRES_TABLES = ("search_documents", "search_words", "search_pending", "pilots")


def index_size(engine: Engine) -> dict[str, Any]:
    """Bytes per table of the index (indexes included) and of the pilots table, documents per kind."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            tables = {name: int(size) for name, size in connection.execute(SQLITE_SIZES)}
        else:
            tables = {
                name: int(
                    connection.scalar(
                        text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": name}
                    )
                    or 0
                )
                for name in POSTGRES_TABLES
            }
        pilots = connection.scalar(select(func.count()).select_from(Pilot)) or 0
        documents = dict(
            connection.execute(select(SearchDocument.kind, func.count()).group_by(SearchDocument.kind)).all()
        )
    pilots_bytes = tables.pop("pilots", 0)
    total = sum(tables.values())
    return {
        "tables": tables,
        "total_bytes": total,
        "pilots": pilots,
        "documents": {str(kind): int(n) for kind, n in documents.items()},
        "bytes_per_pilot": round(total / pilots) if pilots else None,
        "pilots_table_bytes": pilots_bytes,
        "vs_pilots_table": round(total / pilots_bytes, 3) if pilots_bytes else None,
    }
