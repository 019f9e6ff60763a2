"""How many short writes a second the embedded SQLite database takes (for the README).

``python bench/sqlite_writers.py [--seconds 5]``. A fresh, migrated SQLite file with the hub's own
engine settings (WAL, ``synchronous = NORMAL``). Each write is what a form post does: a
transaction begun as a web request that writes begins it (``BEGIN IMMEDIATE``, waiting up to the
web busy timeout), one read, one new row (a newsletter subscription), commit. Measured for 1, 4 and
16 writer threads in one process (the threads of ``hub serve``), for 4 processes of 4 threads
(several web processes), and for 4 threads while a sync-like writer commits batches of 2,000 rows
all the time. Prints writes per second, p50 and p99 latency, and writes refused as busy.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import platform
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, insert, select

from hub import db, migrate
from hub.busy import is_busy
from hub.db import make_engine, make_sessionmaker
from hub.newsletters.models import Subscription

_serial = itertools.count()


def writer(engine: Engine, stop: float, prefix: str) -> tuple[list[float], int]:
    """Writes until ``stop`` (a monotonic time): the latency of each write, and how many were busy."""
    sessions = make_sessionmaker(engine)
    db.web_request.set("write")  # as the busy middleware marks a form post
    latencies: list[float] = []
    busy = 0
    while time.monotonic() < stop:
        email = f"{prefix}-{next(_serial)}@example.org"
        started = time.perf_counter()
        try:
            with sessions() as session:
                session.scalar(select(Subscription.id).where(Subscription.email == email))
                session.add(Subscription(email=email, language="nl"))
                session.commit()
        except Exception as exc:
            if not is_busy(exc):
                raise
            busy += 1
            continue
        latencies.append(time.perf_counter() - started)
    return latencies, busy


def threads(url: str, count: int, seconds: float, prefix: str) -> tuple[list[float], int]:
    engine = make_engine(url, pool_size=count)
    stop = time.monotonic() + seconds
    results: list[tuple[list[float], int]] = [([], 0)] * count

    def run(i: int) -> None:
        results[i] = writer(engine, stop, f"{prefix}-{i}")

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    engine.dispose()
    return [x for r in results for x in r[0]], sum(r[1] for r in results)


def _process(args: tuple[str, int, float, str]) -> tuple[list[float], int]:
    return threads(*args)


def sync_like(url: str, stop: threading.Event) -> None:
    """A sync's batches: 2,000 rows a transaction, one after the other, with the write lock taken at once."""
    engine = make_engine(url).execution_options(sqlite_begin="IMMEDIATE")
    for batch in itertools.count():
        if stop.is_set():
            break
        rows = [{"email": f"sync-{batch}-{n}@example.org", "language": "nl", "key": "k"} for n in range(2000)]
        with engine.begin() as connection:
            connection.execute(insert(Subscription), rows)
    engine.dispose()


def report(name: str, seconds: float, latencies: list[float], busy: int) -> None:
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    p50 = statistics.median(ordered)
    rate = len(latencies) / seconds
    print(
        f"{name:<36} {rate:>7.0f} writes/s  p50 {p50 * 1000:6.1f} ms   p99 {p99 * 1000:7.1f} ms   busy {busy}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    seconds = parser.parse_args().seconds
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    print(f"{machine}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'hub.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        for count in (1, 4, 16):
            report(f"{count} thread(s), one process", seconds, *threads(url, count, seconds, f"t{count}"))
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            parts = pool.map(_process, [(url, 4, seconds, f"p{i}") for i in range(4)])
        report("4 processes x 4 threads", seconds, [x for p in parts for x in p[0]], sum(p[1] for p in parts))
        stop = threading.Event()
        sync = threading.Thread(target=sync_like, args=(url, stop))
        sync.start()
        try:
            report("4 threads, a sync writing meanwhile", seconds, *threads(url, 4, seconds, "s"))
        finally:
            stop.set()
            sync.join()


if __name__ == "__main__":
    main()
