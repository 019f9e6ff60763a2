"""The sync benchmark: a 100,000-row export synced into an empty database, against a raw insert.

``python bench/sync.py`` (part of ``make bench``) measures, on SQLite and on PostgreSQL
(``HUB_BENCH_POSTGRES_URL`` or ``HUB_TEST_POSTGRES_URL``, an admin URL that may create databases):

1. **first sync**: ``hub sync`` of a 100,000-row CSV of pilots (the tabular connector streaming
   the file, coercion, checks, nh3, content hashes, batched upserts, the run row) into an empty
   database, as rows per second, against a raw DB-API ``executemany`` of the very rows that sync
   stores (every column, values computed beforehand, one transaction) into another empty database
   at the same migration. Goal: ≥ 45 %.
2. **unchanged re-sync** of the same export: no row written (counted with a statement listener)
   and at least as fast as the first sync.
3. **memory**: how far the resident memory of a fresh process rises (sampled every 5 ms) while it
   syncs 10,000 rows, and while it syncs 100,000. Goal: less than 50 MB apart (the sync streams).

Each measurement runs ``--rounds`` times (default 3), alternating target and baseline; medians count.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402
from hub import migrate  # noqa: E402
from hub.db import make_engine, make_sessionmaker  # noqa: E402
from hub.pilots.models import Pilot  # noqa: E402
from hub.programmes.models import Programme  # noqa: E402
from hub.sync.models import RunStatus, RunTrigger, Source  # noqa: E402
from hub.sync.runner import RunSettings, run_by_id  # noqa: E402

ROWS = 100_000
OPTIONS = {
    "upload": "pilots.csv",
    "target": "pilot",
    "id_column": "id",
    "columns": {
        "title_nl": "titel",
        "title_en": "title",
        "summary_nl": "samenvatting",
        "country": "land",
        "status": "status",
        "phase": "fase",
        "starts_on": "start",
    },
}
PHASES = ("needs_assessment", "market_dialogue", "tender", "award", "contract_management")


def write_export(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "titel", "title", "samenvatting", "land", "status", "fase", "start"])
        for n in range(rows):
            writer.writerow(
                [
                    f"P-{n:06d}",
                    f"Circulaire aankoop {n}: kantoormeubilair",
                    f"Circular procurement {n}: office furniture",
                    f"<p>Hergebruik van <b>meubilair</b> in pilot {n}.</p>",
                    ("BE", "NL", "DK", "DE")[n % 4],
                    ("running", "completed")[n % 2],
                    PHASES[n % len(PHASES)],
                    f"20{18 + n % 5}-0{1 + n % 9}-1{n % 10}",
                ]
            )


# -- databases ------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, admin_url: str, workdir: Path) -> Iterator[Engine]:
    """An empty database at the newest migration with one programme and one source."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        name = f"hub_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        prepare(engine)
        yield engine
    finally:
        engine.dispose()
        if backend == "sqlite":
            Path(make_url(url).database or "").unlink(missing_ok=True)
        else:
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def prepare(engine: Engine) -> None:
    """Migrate an empty database and add one programme and the CSV source the sync reads."""
    migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        programme = Programme(
            code="gdci", short_name="GDCI", name_nl="GDCI", name_en="GDCI", countries=["NL"]
        )
        session.add(programme)
        session.flush()
        session.add(
            Source(
                key="export", name="GDCI export", kind="tabular", programme_id=programme.id, options=OPTIONS
            )
        )
        session.commit()


def sync(engine: Engine, uploads: Path) -> tuple[float, Any]:
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        source_id = session.scalar(select(Source.id).where(Source.key == "export"))
    assert source_id is not None
    started = time.perf_counter()
    run = run_by_id(
        sessions,
        source_id=source_id,
        owner="bench",
        trigger=RunTrigger.COMMAND,
        run_settings=RunSettings(uploads_dir=uploads),
        lease=dt.timedelta(minutes=30),
    )
    elapsed = time.perf_counter() - started
    assert run is not None and run.status is RunStatus.SUCCEEDED, run and (run.status, run.message)
    return elapsed, run


def stored_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every column of the pilots a sync stored: what the raw insert writes again."""
    table = Pilot.__table__
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(table).order_by(table.c.id))]
    for row in rows:
        del row["id"]
        row["uid"] = str(uuid.uuid4())
        row["local_fields"] = json.dumps(row["local_fields"])
        for name in ("phase", "status"):
            row[name] = row[name].value
    return rows


def raw_insert(engine: Engine, rows: list[dict[str, Any]]) -> float:
    """A DB-API ``executemany`` of ``rows`` into pilots, in one transaction; seconds."""
    columns = list(rows[0])
    table: Table = Pilot.__table__  # type: ignore[assignment]
    statement = insert(table).compile(dialect=engine.dialect, column_keys=columns)
    sql = str(statement)
    positional = engine.dialect.paramstyle in ("qmark", "numeric", "format")
    names = statement.positiontup if positional else None
    params = [tuple(row[n] for n in names) for row in rows] if names else rows
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")
        started = time.perf_counter()
        cursor.executemany(sql, params)
        connection.commit()
        elapsed = time.perf_counter() - started
        cursor.close()
    finally:
        connection.close()
    return elapsed


class WriteCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("INSERT INTO PILOTS", "UPDATE PILOTS", "DELETE FROM PILOTS")):
            self.count += len(params) if many and isinstance(params, list) else 1


# -- memory ---------------------------------------------------------------------------------


def peak_rss_of_sync(backend: str, admin_url: str, rows: int) -> float:
    """MB: how far a fresh process's resident memory rises above where it was, while it syncs ``rows``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", backend, str(rows), "--postgres", admin_url],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_memory(backend: str, rows: int, admin_url: str) -> None:
    """Sample the resident memory every few milliseconds during the sync (not the set-up before)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_export(workdir / "pilots.csv", rows)
        with fresh_database(backend, admin_url, workdir) as engine:
            before = resident_mb()
            peak = before
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.wait(0.005):
                    peak = max(peak, resident_mb())

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                _, run = sync(engine, workdir)
            finally:
                done.set()
                sampler.join()
            assert run.added == rows, run.added
    print(max(peak, resident_mb()) - before)


# -- the benchmark --------------------------------------------------------------------------


def bench_backend(backend: str, admin_url: str, rows: int, rounds: int) -> dict[str, Any]:
    first: list[float] = []
    baseline: list[float] = []
    resync: list[float] = []
    resync_writes = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_export(workdir / "pilots.csv", rows)
        for round_number in range(rounds):
            order = ("sync", "raw") if round_number % 2 == 0 else ("raw", "sync")
            rows_to_insert: list[dict[str, Any]] = []
            for step in order:
                if step == "sync":
                    with fresh_database(backend, admin_url, workdir) as engine:
                        seconds, run = sync(engine, workdir)
                        assert run.added == rows
                        first.append(seconds)
                        rows_to_insert = stored_rows(engine)
                        counter = WriteCounter(engine)
                        seconds, run = sync(engine, workdir)
                        assert run.unchanged == rows and run.added == run.updated == 0
                        resync.append(seconds)
                        resync_writes.append(counter.count)
                else:
                    if not rows_to_insert:  # the raw insert needs rows the sync produced
                        with fresh_database(backend, admin_url, workdir) as engine:
                            sync(engine, workdir)
                            rows_to_insert = stored_rows(engine)
                    with fresh_database(backend, admin_url, workdir) as engine:
                        baseline.append(raw_insert(engine, rows_to_insert))
                        with engine.connect() as conn:
                            assert conn.scalar(select(func.count()).select_from(Pilot)) == rows
            print(
                f"  {backend} round {round_number + 1}: sync {first[-1]:.2f} s, raw {baseline[-1]:.2f} s, "
                f"unchanged re-sync {resync[-1]:.2f} s",
                file=sys.stderr,
            )
    sync_rps = rows / statistics.median(first)
    raw_rps = rows / statistics.median(baseline)
    resync_rps = rows / statistics.median(resync)
    small = peak_rss_of_sync(backend, admin_url, rows // 10)
    large = peak_rss_of_sync(backend, admin_url, rows)
    return {
        "backend": backend,
        "rows": rows,
        "sync_rows_per_s": round(sync_rps),
        "raw_executemany_rows_per_s": round(raw_rps),
        "sync_vs_raw": round(sync_rps / raw_rps, 3),
        "sync_vs_raw_rounds": [round(b / f, 3) for f, b in zip(first, baseline, strict=True)],
        "resync_rows_per_s": round(resync_rps),
        "resync_vs_first": round(resync_rps / sync_rps, 3),
        "resync_rows_written": max(resync_writes),
        "sync_rss_rise_mb_small": round(small, 1),
        "sync_rss_rise_mb_large": round(large, 1),
        "peak_rss_growth_mb": round(large - small, 1),
    }


def report(result: dict[str, Any]) -> list[goals.Goal]:
    backend = result["backend"]
    rows = [
        goals.Goal(
            "first sync / raw executemany",
            "≥ 45 %",
            f"{result['sync_vs_raw']:.0%}",
            result["sync_vs_raw"] >= 0.45,
            backend,
            goals.spread(result["sync_vs_raw_rounds"]),
        ),
        goals.Goal(
            "rows an unchanged re-sync writes",
            "0",
            str(result["resync_rows_written"]),
            result["resync_rows_written"] == 0,
            backend,
        ),
        goals.Goal(
            "unchanged re-sync / first sync",
            "≥ 1×",
            f"{result['resync_vs_first']:.2f}×",
            result["resync_vs_first"] >= 1.0,
            backend,
        ),
        goals.Goal(
            f"memory: {result['rows'] // 10:,} vs {result['rows']:,} rows synced",
            "< 50 MB apart",
            f"{result['peak_rss_growth_mb']} MB",
            result["peak_rss_growth_mb"] < 50,
            backend,
        ),
    ]
    print(
        f"\n{result['backend']}: {result['rows']:,} rows — sync {result['sync_rows_per_s']:,}/s, "
        f"raw executemany {result['raw_executemany_rows_per_s']:,}/s, unchanged re-sync "
        f"{result['resync_rows_per_s']:,}/s; resident memory rose by {result['sync_rss_rise_mb_small']} "
        f"MB syncing {result['rows'] // 10:,} rows, by {result['sync_rss_rise_mb_large']} MB syncing "
        f"{result['rows']:,}"
    )
    for row in rows:
        print(f"  {'PASS' if row.passed else 'FAIL'}  {row.measure} ({row.goal}): {row.figure}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, one round (make bench-quick)")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HUB_BENCH_POSTGRES_URL") or os.environ.get("HUB_TEST_POSTGRES_URL", ""),
    )
    parser.add_argument("--child-memory", nargs=2, metavar=("BACKEND", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory[0], int(args.child_memory[1]), args.postgres)
        return 0
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not args.postgres:
        print("PostgreSQL skipped: set HUB_BENCH_POSTGRES_URL (an admin URL)", file=sys.stderr)
        backends.remove("postgresql")
    if args.quick:
        args.rows, args.rounds = 20_000, 1
    results = [bench_backend(b, args.postgres, args.rows, args.rounds) for b in backends]
    rows = [row for result in results for row in report(result)]
    goals.record("sync", rows, quick=args.quick)
    ok = all(row.passed for row in rows)
    out = REPO / "bench" / "results" / "sync.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"measured_at": dt.datetime.now(dt.UTC).isoformat(), "results": results}, indent=2)
    )
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
