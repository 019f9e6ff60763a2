"""The spreadsheet download's memory: ``/en/pilots.xlsx`` of a large list against the CSV download.

``python bench/spreadsheets.py [--pilots N]`` loads the demo with ``hub demo --pilots N`` (default
100,000) into a fresh SQLite file, then downloads ``/en/pilots.xlsx`` and, as the baseline,
``/en/pilots.csv`` (the same rows, streamed), each in a process of its own through the whole app
(Starlette's TestClient), reading the response in pieces as a browser would. It reports how far
each process's resident memory (sampled at every piece received) rose above where it stood before
the download, the time each took, and the spreadsheet's rows as read back. Goal (issue 21): the
spreadsheet grows the process by at most 50 MB. Exits 0 when the goal is met, 1 when not, 2 when
it cannot run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import goals, search_eval  # noqa: E402

GOAL_MB = 50.0

# Run in a process of its own: the app, one warm-up request, then the download, read in pieces.
_CHILD = r"""
import json, os, sys, time
from pathlib import Path
from starlette.testclient import TestClient
from hub.app import create_app
from hub.settings import Settings

url, data_dir, path = sys.argv[1:4]
settings = Settings.load(environ={}, database_url=url, data_dir=Path(data_dir),
                         secret_key="bench-only-secret-key-of-32-characters-or-more",
                         base_url="http://testserver")
PAGE = os.sysconf("SC_PAGE_SIZE")

def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE

with TestClient(create_app(settings)) as client:
    client.get("/en/pilots")  # the app's own start-up costs come before the measurement
    before = most = resident()
    started = time.perf_counter()
    size = 0
    with client.stream("GET", path) as response:
        assert response.status_code == 200, response.status_code
        for piece in response.iter_bytes():  # the resident memory, sampled at every piece
            size += len(piece)
            most = max(most, resident())
    seconds = time.perf_counter() - started
print(json.dumps({"grew_mb": (most - before) / 2**20, "seconds": seconds, "bytes": size}))
"""


def measure(url: str, data_dir: Path, path: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(data_dir), path],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(2)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def rows_in(url: str, data_dir: Path) -> int:
    """The spreadsheet's data rows, read back (so the figure is of a whole, valid workbook)."""
    import io

    import openpyxl
    from starlette.testclient import TestClient

    from hub.app import create_app
    from hub.settings import Settings

    settings = Settings.load(
        environ={},
        database_url=url,
        data_dir=data_dir,
        secret_key="bench-only-secret-key-of-32-characters-or-more",
        base_url="http://testserver",
    )
    with TestClient(create_app(settings)) as client:
        content = client.get("/en/pilots.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pilots", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 pilots (make bench-quick)")
    args = parser.parse_args(argv)
    if args.quick:
        args.pilots = 5_000
    with tempfile.TemporaryDirectory(prefix="hub-spreadsheet-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        print(f"loading the demo with {args.pilots:,} pilots…", file=sys.stderr)
        search_eval.load_demo_database(url, args.pilots, Path(workdir))
        csv = measure(url, Path(workdir), "/en/pilots.csv")
        xlsx = measure(url, Path(workdir), "/en/pilots.xlsx")
        rows = rows_in(url, Path(workdir))
    print(f"\n/en/pilots of {args.pilots:,} pilots, each download in a process of its own")
    print(f"{'download':<20} {'memory rose by':>17} {'seconds':>8} {'size':>10}")
    for name, figures in (("pilots.csv", csv), ("pilots.xlsx", xlsx)):
        grew, seconds, size = figures["grew_mb"], figures["seconds"], figures["bytes"] / 2**20
        print(f"{name:<20} {grew:>14.1f} MB {seconds:>8.1f} {size:>7.1f} MB")
    print(
        f"spreadsheet rows read back: {rows:,}; time against the CSV: {xlsx['seconds'] / csv['seconds']:.1f}×"
    )
    passed = xlsx["grew_mb"] <= GOAL_MB and rows == args.pilots
    goal = f"the spreadsheet grows the process by ≤ {GOAL_MB:g} MB: {xlsx['grew_mb']:.1f} MB"
    print(f"\n  {'PASS' if passed else 'FAIL'}  {goal}")
    measure_text = f"memory of /en/pilots.xlsx, {args.pilots:,} pilots ({rows:,} rows read back)"
    row = goals.Goal(measure_text, f"≤ {GOAL_MB:g} MB", f"{xlsx['grew_mb']:.1f} MB", passed, "sqlite")
    goals.record("spreadsheets", [row], quick=args.quick)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
