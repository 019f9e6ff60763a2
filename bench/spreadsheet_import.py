"""Importing a spreadsheet: a 100,000-row ``.xlsx`` synced against the same rows as CSV, same run.

``python bench/spreadsheet_import.py [--rows N] [--rounds R]`` writes the rows of ``bench/sync.py``
once as CSV and once as an ``.xlsx`` (typed cells: dates as dates), then, on SQLite, syncs each
into an empty database through the whole sync (connector, coercion, checks, batched writes, the
run row), alternating which goes first, and reports rows per second of each and their ratio
(medians, with the spread of the rounds). Goal (issue 21): the spreadsheet at ≥ 50 % of the CSV.

It also measures, in fresh processes, how far the resident memory rises while 10,000 and while
100,000 rows of the ``.xlsx`` are synced. Goal: less than 50 MB apart (python-calamine holds a sheet
whole, so a file over ``connectors.spreadsheet.STREAM_BYTES`` is streamed with openpyxl instead).
Exits 0 when both goals are met, 1 when not.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import update

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402
from bench import sync as sync_bench  # noqa: E402
from hub.db import make_sessionmaker  # noqa: E402
from hub.sync.models import Source  # noqa: E402

RATIO_GOAL = 0.50
MEMORY_GOAL_MB = 50.0


def write_workbook(csv_path: Path, xlsx_path: Path) -> None:
    """The CSV's rows as a sheet, its start dates as date cells."""
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Pilots")
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    with csv_path.open(newline="", encoding="utf-8") as f:
        for number, row in enumerate(csv.reader(f)):
            for column, value in enumerate(row):
                if number and column == len(row) - 1:
                    sheet.write_datetime(number, column, dt.date.fromisoformat(value), dated)
                else:
                    sheet.write_string(number, column, value)
    book.close()


def exports(workdir: Path, rows: int) -> None:
    sync_bench.write_export(workdir / "pilots.csv", rows)
    write_workbook(workdir / "pilots.csv", workdir / "pilots.xlsx")


def synced(workdir: Path, file: str) -> float:
    """Seconds to sync ``file`` into an empty database (SQLite)."""
    with sync_bench.fresh_database("sqlite", "", workdir) as engine:
        with make_sessionmaker(engine)() as session:
            options = {**sync_bench.OPTIONS, "upload": file}
            session.execute(update(Source).where(Source.key == "export").values(options=options))
            session.commit()
        seconds, run = sync_bench.sync(engine, workdir)
        assert run.failed == 0, run.failed
        return seconds


def child_memory(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        exports(workdir, rows)
        with sync_bench.fresh_database("sqlite", "", workdir) as engine:
            with make_sessionmaker(engine)() as session:
                options = {**sync_bench.OPTIONS, "upload": "pilots.xlsx"}
                session.execute(update(Source).where(Source.key == "export").values(options=options))
                session.commit()
            before = peak = sync_bench.resident_mb()
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.wait(0.005):
                    peak = max(peak, sync_bench.resident_mb())

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                _, run = sync_bench.sync(engine, workdir)
            finally:
                done.set()
                sampler.join()
            assert run.added == rows, run.added
    print(max(peak, sync_bench.resident_mb()) - before)


def memory_rise(rows: int) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(rows)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=sync_bench.ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5,000 rows, one round (make bench-quick)")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.rounds = 5_000, 1
    if args.child_memory:
        child_memory(args.child_memory)
        return 0
    seconds: dict[str, list[float]] = {"pilots.csv": [], "pilots.xlsx": []}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        exports(workdir, args.rows)
        for number in range(args.rounds):
            order = ("pilots.csv", "pilots.xlsx") if number % 2 == 0 else ("pilots.xlsx", "pilots.csv")
            for file in order:
                seconds[file].append(synced(workdir, file))
    csv_rate = [args.rows / s for s in seconds["pilots.csv"]]
    xlsx_rate = [args.rows / s for s in seconds["pilots.xlsx"]]
    ratios = [x / c for x, c in zip(xlsx_rate, csv_rate, strict=True)]
    ratio = statistics.median(xlsx_rate) / statistics.median(csv_rate)
    small, large = memory_rise(args.rows // 10), memory_rise(args.rows)
    rows: list[tuple[str, Any, str, str]] = [
        (f"CSV sync, rows/s ({args.rows:,} rows)", f"{statistics.median(csv_rate):,.0f}", "baseline", ""),
        (".xlsx sync, rows/s", f"{statistics.median(xlsx_rate):,.0f}", "", ""),
        (
            ".xlsx / CSV",
            f"{ratio:.0%} (rounds {spread(ratios)})",
            f"≥ {RATIO_GOAL:.0%}",
            _verdict(ratio >= RATIO_GOAL),
        ),
        (f"memory rise, {args.rows // 10:,} rows .xlsx", f"{small:.1f} MB", "", ""),
        (f"memory rise, {args.rows:,} rows .xlsx", f"{large:.1f} MB", "", ""),
        (
            "apart",
            f"{large - small:.1f} MB",
            f"< {MEMORY_GOAL_MB:.0f} MB",
            _verdict(large - small < MEMORY_GOAL_MB),
        ),
    ]
    print("| measure | figure | goal | |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    apart = large - small
    goals.record(
        "spreadsheet-import",
        [
            goals.Goal(
                ".xlsx sync / CSV sync",
                f"≥ {RATIO_GOAL:.0%}",
                f"{ratio:.0%}",
                ratio >= RATIO_GOAL,
                "sqlite",
                goals.spread(ratios),
            ),
            goals.Goal(
                f"memory: .xlsx of {args.rows // 10:,} vs {args.rows:,} rows",
                f"< {MEMORY_GOAL_MB:.0f} MB apart",
                f"{apart:.1f} MB",
                apart < MEMORY_GOAL_MB,
                "sqlite",
            ),
        ],
        quick=args.quick,
    )
    return 0 if ratio >= RATIO_GOAL and apart < MEMORY_GOAL_MB else 1


def _verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


if __name__ == "__main__":
    raise SystemExit(main())
