"""The foundation speed benchmark: each hub endpoint against a baseline in the same server process.

``python bench/run.py`` (``make bench``) prepares a fresh SQLite database with the demo network
scaled to 10,000 pilots, starts one uvicorn process serving ``bench.server:make_bench_app``, and
measures every pair with ``wrk``, alternating target and baseline, so that the figures that count
are ratios unaffected by how fast or busy the machine is. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402

RESULTS = REPO / "bench" / "results" / "foundation.json"
DEMO_PILOTS = {"gdca": 9898, "gdci": 70, "procirc": 32}
QUICK_PILOTS = {"gdca": 1898, "gdci": 70, "procirc": 32}  # --quick: loads in a fifth of the time
HOST = "127.0.0.1"
APP = "bench.server:make_bench_app"


@dataclass(frozen=True)
class Pair:
    """A hub endpoint, its baseline, and the goals of the issue for it."""

    name: str
    target: str
    baseline: str
    min_ratio: float  # target rps / baseline rps
    max_tail: float | None = None  # target p99 / target p50

    @property
    def goal(self) -> str:
        goal = f"≥ {self.min_ratio:.0%} of baseline"
        return f"{goal}, p99 ≤ {self.max_tail:g}×p50" if self.max_tail else goal


PAIRS = (
    Pair("pilots list page", "/en/pilots", "/en/bench-list-from-memory", 0.40, max_tail=4.0),
    Pair("pilots API", "/api/v1/pilots?limit=50", "/bench/core-json", 0.60),
    Pair("health check", "/healthz", "/bare/healthz", 0.80),
)


@dataclass(frozen=True)
class Sample:
    """One ``wrk`` run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors


@dataclass
class Side:
    path: str
    samples: list[Sample] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(sample, attribute) for sample in self.samples))

    @property
    def errors(self) -> int:
        return sum(sample.errors for sample in self.samples)


@dataclass
class Result:
    pair: Pair
    target: Side
    baseline: Side

    @property
    def ratio(self) -> float:
        return self.target.median("rps") / self.baseline.median("rps")

    @property
    def tail(self) -> float:
        return self.target.median("p99_ms") / self.target.median("p50_ms")

    @property
    def passed(self) -> bool:
        if self.target.errors or self.baseline.errors:
            return False
        tail_ok = self.pair.max_tail is None or self.tail <= self.pair.max_tail
        return self.ratio >= self.pair.min_ratio and tail_ok


@dataclass(frozen=True)
class Load:
    """How ``wrk`` loads the server, and on which CPUs the two run."""

    threads: int
    connections: int
    seconds: int
    server_cpus: tuple[int, ...] | None
    wrk_cpus: tuple[int, ...] | None

    def pinning(self) -> str:
        if self.server_cpus is None or self.wrk_cpus is None:
            return "not pinned (server and wrk share all CPUs)"
        return f"server on CPU {_cpus(self.server_cpus)}, wrk on CPU {_cpus(self.wrk_cpus)} (taskset)"


class BenchError(RuntimeError):
    """The benchmark cannot run; the message says why."""


# --- the database -------------------------------------------------------------------------------


def prepare_database(url: str, sizes: dict[str, int] = DEMO_PILOTS) -> int:
    """Migrate ``url`` and load the 10,000-pilot demo network into it if it is empty; the pilots."""
    from sqlalchemy import func, select

    from hub.db import make_engine, make_sessionmaker, refresh_statistics
    from hub.migrate import upgrade
    from hub.pilots.models import Pilot

    try:
        from hub.demo.generate import is_empty, load_demo
    except ImportError as error:
        raise BenchError(f"cannot load the demo network: {error}") from error
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            if is_empty(session):
                load_demo(session, pilots=sizes)
                refresh_statistics(session)
            return session.scalar(select(func.count()).select_from(Pilot)) or 0
    finally:
        engine.dispose()


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    app: str, database_url: str, workdir: Path, port: int, cpus: tuple[int, ...] | None
) -> subprocess.Popen[bytes]:
    command = [
        *_pinned(cpus),
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_DATA_DIR": str(workdir),
        "HUB_SECRET_KEY": os.environ.get("HUB_SECRET_KEY", "bench-only-secret-key-of-32-characters-or-more"),
    }
    with (workdir / "server.log").open("wb") as log:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with status {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise BenchError(f"the server did not answer /healthz within {timeout:.0f} s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(base: str, path: str) -> bytes:
    """The body of ``path``, which must answer 200 (a benchmark of error pages would be no use)."""
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as error:
        raise BenchError(f"GET {path} answered {error.code}: {error.read()[:500]!r}") from error


# --- wrk ----------------------------------------------------------------------------------------


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError(
            "the load generator `wrk` is not installed. Install it with `apt-get install wrk` "
            "(Debian/Ubuntu), `dnf install wrk` (Fedora) or `brew install wrk` (macOS), then rerun."
        )
    return wrk


def run_wrk(
    wrk: str, url: str, load: Load, seconds: int | None = None, headers: dict[str, str] | None = None
) -> Sample:
    command = [
        *_pinned(load.wrk_cpus),
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds or load.seconds}s",
        "--timeout",
        "10s",
        "--latency",
        *(part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")),
        url,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> Sample:
    """Requests per second, median and 99th percentile latency and errors from ``wrk --latency``."""

    def number(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise BenchError(f"cannot find {pattern!r} in the output of wrk:\n{output}")
        return match

    def latency(percentile: str) -> float:
        match = number(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$")
        return float(match.group(1)) * _UNITS_MS[match.group(2)]

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Sample(
        rps=float(number(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        requests=int(number(r"^\s*(\d+) requests in").group(1)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


# --- the measurement ----------------------------------------------------------------------------


def measure(wrk: str, base: str, load: Load, rounds: int, warmup: int) -> list[Result]:
    """Every pair: a warm-up of both sides, then ``rounds`` of target and baseline in turn."""
    results = []
    for pair in PAIRS:
        result = Result(pair, Side(pair.target), Side(pair.baseline))
        for side in (result.target, result.baseline):
            run_wrk(wrk, base + side.path, load, seconds=warmup)
        for number in range(1, rounds + 1):
            for side in (result.target, result.baseline):
                sample = run_wrk(wrk, base + side.path, load)
                side.samples.append(sample)
                print(
                    f"  {pair.name:<17} round {number}/{rounds}  {side.path:<28} "
                    f"{sample.rps:8.1f} req/s  p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms"
                    + (f"  {sample.errors} ERRORS" if sample.errors else ""),
                    flush=True,
                )
        results.append(result)
    return results


def cpu_split(pin: bool) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """Server on the first CPU, wrk on the others (when there are two or more and taskset exists)."""
    cpus = tuple(sorted(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else ()
    if not pin or len(cpus) < 2 or shutil.which("taskset") is None:
        return None, None
    return cpus[:1], cpus[1:]


def _pinned(cpus: tuple[int, ...] | None) -> list[str]:
    return ["taskset", "--cpu-list", _cpus(cpus)] if cpus else []


def _cpus(cpus: tuple[int, ...]) -> str:
    return ",".join(str(cpu) for cpu in cpus)


# --- the report ---------------------------------------------------------------------------------

COLUMNS = (
    ("endpoint", 16),
    ("rps", 8),
    ("p50 ms", 7),
    ("p99 ms", 7),
    ("p99/p50", 7),
    ("baseline", 27),
    ("base rps", 8),
    ("ratio", 6),
    ("goal", 33),
    ("result", 6),
)


def table(results: Sequence[Result]) -> str:
    lines = [_row([name for name, _ in COLUMNS]), _row(["-" * width for _, width in COLUMNS])]
    for result in results:
        target = result.target
        lines.append(
            _row(
                [
                    target.path,
                    f"{target.median('rps'):.1f}",
                    f"{target.median('p50_ms'):.2f}",
                    f"{target.median('p99_ms'):.2f}",
                    f"{result.tail:.2f}",
                    result.baseline.path,
                    f"{result.baseline.median('rps'):.1f}",
                    f"{result.ratio:.1%}",
                    result.pair.goal,
                    "PASS" if result.passed else "FAIL",
                ]
            )
        )
        errors = target.errors + result.baseline.errors
        if errors:
            lines.append(f"  ^ {errors} failed requests (non-2xx or socket errors): the pair fails")
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        cell.ljust(width) if index in (0, 5, 8, 9) else cell.rjust(width)
        for index, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    ).rstrip()


def report(results: Sequence[Result], meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "meta": meta,
        "results": [
            {
                "name": result.pair.name,
                "goal": result.pair.goal,
                "min_ratio": result.pair.min_ratio,
                "max_tail": result.pair.max_tail,
                "ratio": round(result.ratio, 4),
                "target_p99_over_p50": round(result.tail, 3),
                "passed": result.passed,
                "target": _side_report(result.target),
                "baseline": _side_report(result.baseline),
            }
            for result in results
        ],
    }


def _side_report(side: Side) -> dict[str, Any]:
    return {
        "path": side.path,
        "rps": side.median("rps"),
        "p50_ms": side.median("p50_ms"),
        "p99_ms": side.median("p99_ms"),
        "errors": side.errors,
        "rounds": [asdict(sample) for sample in side.samples],
    }


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        help="benchmark this database (e.g. PostgreSQL) instead of a fresh SQLite one; "
        "it is migrated, and loaded with the 10,000-pilot demo if it is empty",
    )
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="benchmark a fresh PostgreSQL database made (and dropped after) through this admin URL",
    )
    parser.add_argument("--quick", action="store_true", help="one round of 1 s a side (make bench-quick)")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds per pair (default 3)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and wrk to separate CPUs")
    parser.add_argument(
        "--app",
        default=APP,
        help=f"the server's ASGI app factory (default {APP}); "
        "another one wrapping it lets you try a change before making it",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> list[Result]:
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 1, 1
    wrk = find_wrk()
    server_cpus, wrk_cpus = cpu_split(not args.no_pin)
    load = Load(args.threads, args.connections, args.duration, server_cpus, wrk_cpus)
    database_url = args.database_url or f"sqlite:///{workdir / 'hub.sqlite3'}"
    started = time.monotonic()
    pilots = prepare_database(database_url, QUICK_PILOTS if args.quick else DEMO_PILOTS)
    print(f"database: {_redacted(database_url)} with {pilots:,} pilots ({time.monotonic() - started:.0f} s)")
    if pilots != sum(DEMO_PILOTS.values()):
        print(f"note: the goals are set for {sum(DEMO_PILOTS.values()):,} pilots")
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(args.app, database_url, workdir, port, server_cpus)
    try:
        wait_until_up(server, base, workdir / "server.log")
        sizes = {path: len(fetch(base, path)) for pair in PAIRS for path in (pair.target, pair.baseline)}
        meta = _meta(args, load, database_url, pilots, sizes)
        _print_setup(meta, sizes)
        results = measure(wrk, base, load, args.rounds, args.warmup)
    finally:
        stop_server(server)
    print()
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report(results, meta), indent=2) + "\n")
    print(f"\nresults written to {args.output}")
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    goals.record(f"foundation-{backend}", [_goal(result, backend) for result in results], quick=args.quick)
    return results


def _goal(result: Result, backend: str) -> goals.Goal:
    ratios = [t.rps / b.rps for t, b in zip(result.target.samples, result.baseline.samples, strict=True)]
    figure = f"{result.ratio:.0%}" + (f", p99 {result.tail:.1f}×p50" if result.pair.max_tail else "")
    measure = f"{result.pair.target} / {result.baseline.path}"
    return goals.Goal(measure, result.pair.goal, figure, result.passed, backend, goals.spread(ratios))


def _meta(
    args: argparse.Namespace, load: Load, database_url: str, pilots: int, sizes: dict[str, int]
) -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "server": (
            f"{args.app}, one uvicorn {version('uvicorn')} process ({_uvicorn_stack()}), "
            f"starlette {version('starlette')}"
        ),
        "database": _redacted(database_url),
        "pilots": pilots,
        "load": f"wrk -t{load.threads} -c{load.connections}, {args.rounds} rounds × {args.duration} s a side",
        "pinning": load.pinning(),
        "response_bytes": sizes,
    }


def _uvicorn_stack() -> str:
    """What ``uvicorn``'s ``auto`` settings pick: the faster C parsers and loop when installed."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http}, {loop}"


def _print_setup(meta: dict[str, Any], sizes: dict[str, int]) -> None:
    for key in ("machine", "python", "server", "load", "pinning"):
        print(f"{key}: {meta[key]}")
    print("response sizes: " + ", ".join(f"{path} {size:,} B" for path, size in sizes.items()))
    print()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one run: its URL; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"hub_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-") as workdir, ExitStack() as stack:
            if args.postgres:
                args.database_url = stack.enter_context(postgres_database(args.postgres))
            results = run(args, Path(workdir))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    failed = [result.pair.name for result in results if not result.passed]
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print("all goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
