"""Every benchmark's goals in one table.

Each benchmark records its goals here as it ends (``record``): one row per goal with the figure
measured, whether it met the goal, the database it ran on and the spread of its rounds (the lowest
and highest round), so that a noisy machine shows as noise. ``python bench/goals.py`` (the last
step of ``make bench`` and ``make bench-quick``) prints them as one table and writes it to
``bench/results/summary.json``; it exits 1 when a goal is missed, 2 when a benchmark recorded none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
GOALS = RESULTS / "goals"  # one file per benchmark, rewritten by each run of it
SUMMARY = RESULTS / "summary.json"


@dataclass(frozen=True)
class Goal:
    measure: str  # what is measured, against what
    goal: str  # e.g. "≥ 60 %"
    figure: str  # what this run measured, e.g. "64 %"
    passed: bool
    backend: str = "-"  # sqlite, postgresql, or "-" where no database is measured
    spread: str = ""  # the lowest and highest of the rounds, e.g. "58–69 %"


def spread(values: Sequence[float], unit: str = "%") -> str:
    """The rounds' range, as a percentage (``unit`` "%") or with ``unit`` after the numbers."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    if unit == "%":
        return f"{low:.0%}–{high:.0%}"
    return f"{low:.3g}–{high:.3g}{unit}"


def record(benchmark: str, goals: Sequence[Goal], *, quick: bool = False) -> None:
    """Write ``benchmark``'s goals of this run (replacing its earlier ones)."""
    GOALS.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": benchmark,
        "quick": quick,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "goals": [asdict(goal) for goal in goals],
    }
    (GOALS / f"{benchmark}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def collect(expected: Sequence[str] = ()) -> tuple[list[dict[str, object]], list[str]]:
    """The recorded goals of every benchmark, and the expected benchmarks that recorded none."""
    rows: list[dict[str, object]] = []
    found = set()
    for path in sorted(GOALS.glob("*.json")) if GOALS.is_dir() else []:
        document = json.loads(path.read_text())
        found.add(document["benchmark"])
        rows += [
            {"benchmark": document["benchmark"], "quick": document["quick"], **g} for g in document["goals"]
        ]
    return rows, [name for name in expected if name not in found]


COLUMNS = (("benchmark", 18), ("measure", 58), ("backend", 10), ("goal", 16), ("figure", 16), ("spread", 11))


def table(rows: Sequence[dict[str, object]]) -> str:
    header = "  ".join(name.ljust(width) for name, width in COLUMNS) + "  result"
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = [str(row[name]).ljust(width) for name, width in COLUMNS]
        lines.append("  ".join(cells) + ("  PASS" if row["passed"] else "  FAIL"))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect", nargs="*", default=[], help="benchmarks that must have recorded goals")
    parser.add_argument("--clear", action="store_true", help="forget the recorded goals (before a run)")
    args = parser.parse_args(argv)
    if args.clear:
        for path in GOALS.glob("*.json") if GOALS.is_dir() else []:
            path.unlink()
        return 0
    rows, missing = collect(args.expect)
    print("\nEvery goal, as this run measured it:\n")
    print(table(rows))
    for name in missing:
        print(f"MISSING  {name} recorded no goal (it failed to run: see its output above)")
    failed = [row for row in rows if not row["passed"]]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} goals met"
        + (f"; {len(missing)} benchmarks missing" if missing else "")
    )
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(
        json.dumps(
            {
                "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "goals": rows,
                "missing": missing,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"written to {SUMMARY.relative_to(Path.cwd()) if SUMMARY.is_relative_to(Path.cwd()) else SUMMARY}")
    if missing:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
