"""The federation benchmark: a full pull of 100,000 pilots from a peer hub, against downloading them.

``python bench/federation.py`` (part of ``make bench``):

1. A publishing hub on 127.0.0.1 (``uvicorn hub.app:app_from_environment``, SQLite) holding the
   demo network scaled to ``--pilots`` (default 100,000).
2. **Full pull**: a receiving hub (a fresh SQLite database, or PostgreSQL with ``--receiver
   postgresql`` and ``HUB_BENCH_POSTGRES_URL``/``HUB_TEST_POSTGRES_URL``) runs the peer-hub source
   for the pilots (the organisations they refer to were pulled before, untimed): the connector
   reads every page over HTTP, the mirror resolves references, hashes and writes them. Its rate
   (pilots per second) is set against the **baseline**: the same pages, at the same page size,
   downloaded by one HTTP client from the same server, each parsed only as far as finding the next
   cursor, and nothing stored. Goal: ≥ 30 %.
3. **Incremental pull with nothing changed**: the source run again over every kind; the requests
   it made are counted per kind. Goal: one per kind.

Each measurement runs ``--rounds`` times (default 3), alternating target and baseline; medians count.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402
from bench.run import free_port, stop_server, wait_until_up  # noqa: E402
from bench.sync import fresh_database  # noqa: E402
from connectors import fetch  # noqa: E402
from hub import migrate  # noqa: E402
from hub.db import make_engine, make_sessionmaker  # noqa: E402
from hub.demo.generate import load_demo, scaled_sizes  # noqa: E402
from hub.programmes.models import Programme  # noqa: E402
from hub.sync import runner  # noqa: E402
from hub.sync.models import RunStatus, RunTrigger, Source  # noqa: E402
from hub.sync.runner import RunSettings, run_by_id  # noqa: E402
from hub.taxonomy.vocabulary import ensure_vocabulary  # noqa: E402

GOAL = 0.30
PAGE_SIZE = 500


@contextlib.contextmanager
def publish(workdir: Path, pilots: int) -> Iterator[str]:
    """A publishing hub with the demo network of ``pilots`` pilots; yields its address."""
    url = f"sqlite:///{workdir / 'publisher.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    with make_sessionmaker(engine)() as session:
        load_demo(session, pilots=scaled_sizes(pilots))
        session.commit()
    engine.dispose()
    print(f"publisher: {pilots:,} pilots loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_DATA_DIR": str(workdir),
        "HUB_SECRET_KEY": "bench-only-secret-key-of-32-characters-or-more",
        "HUB_BASE_URL": base,
        "HUB_API_SETTLE_SECONDS": "0",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "hub.app:app_from_environment",
        "--port",
        str(port),
    ]
    command += ["--no-access-log", "--log-level", "warning"]
    with (workdir / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(server, base, workdir / "server.log")
        yield base
    finally:
        stop_server(server)


def download(base: str, page_size: int) -> tuple[float, int]:
    """The baseline: every page of pilots fetched, parsed for its cursor, stored nowhere."""
    started = time.perf_counter()
    count = 0
    after: str | None = None
    with httpx.Client(timeout=60) as client:
        while True:
            params = {"limit": str(page_size), **({"after": after} if after else {})}
            page = json.loads(client.get(f"{base}/api/v1/pilots", params=params).content)
            count += len(page["data"])
            after = page["next_cursor"]
            if not page["has_more"]:
                return time.perf_counter() - started, count


def pull(engine: Any, source_id: int, kinds: list[str]) -> tuple[float, Any]:
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        source = session.get(Source, source_id)
        assert source is not None
        source.options = {**source.options, "kinds": kinds}
        session.commit()
    started = time.perf_counter()
    run = run_by_id(
        sessions,
        source_id=source_id,
        owner="bench",
        trigger=RunTrigger.COMMAND,
        run_settings=SETTINGS,
        lease=dt.timedelta(hours=1),
    )
    elapsed = time.perf_counter() - started
    assert run is not None and run.status is RunStatus.SUCCEEDED, run and (run.message, run.message_values)
    return elapsed, run


SETTINGS = RunSettings(
    timeout_seconds=60, max_seconds=600, allowed_networks=("127.0.0.1/32",), hub_address="bench"
)


@contextlib.contextmanager
def receiver(
    backend: str, admin_url: str, workdir: Path, base: str, page_size: int
) -> Iterator[tuple[Any, int]]:
    """A fresh receiving hub following ``base``; its engine and the id of the peer source."""
    with fresh_database(backend, admin_url, workdir) as engine, make_sessionmaker(engine)() as session:
        ensure_vocabulary(session)
        gdci = session.scalars(select(Programme).where(Programme.code == "gdci")).one()
        for code in ("gdca", "procirc"):
            session.add(Programme(code=code, short_name=code, name_nl=code, name_en=code, countries=[]))
        source = Source(
            key="peer",
            name="Peer hub",
            kind="hub",
            programme_id=gdci.id,
            options={"url": base, "page_size": page_size},
            # What an administrator chooses since the hardening issue (without it the source brings
            # nothing in: this benchmark stopped running then, and nothing said so until its goals
            # went into one table).
            peer_programmes=["gdca", "gdci", "procirc"],
        )
        session.add(source)
        session.commit()
        yield engine, source.id


@contextlib.contextmanager
def counting_requests() -> Iterator[collections.Counter[str]]:
    """Counts the requests the sync's HTTP client sends, by API kind."""
    counts: collections.Counter[str] = collections.Counter()
    namespace = vars(runner)  # where the sync looks its HTTP client factory up
    original = namespace["make_client"]

    def make_client(**kwargs: Any) -> httpx.Client:
        client = fetch.make_client(**kwargs)
        client.event_hooks["request"].append(
            lambda request: counts.update([request.url.path.rsplit("/", 1)[-1]])
        )
        return client

    namespace["make_client"] = make_client
    try:
        yield counts
    finally:
        namespace["make_client"] = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 pilots, one round (make bench-quick)")
    parser.add_argument("--pilots", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--receiver", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        default=os.environ.get("HUB_BENCH_POSTGRES_URL") or os.environ.get("HUB_TEST_POSTGRES_URL", ""),
        help="the receiver's PostgreSQL (default HUB_BENCH_POSTGRES_URL or HUB_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args()
    if args.quick:
        args.pilots, args.rounds = 5_000, 1
    admin_url = args.postgres
    if args.receiver == "postgresql" and not admin_url:
        print("--receiver postgresql needs --postgres or HUB_BENCH_POSTGRES_URL", file=sys.stderr)
        return 2
    pulls: list[float] = []
    downloads: list[float] = []
    requests: collections.Counter[str] = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="hub-bench-federation-") as tmp:
        workdir = Path(tmp)
        with publish(workdir, args.pilots) as base:
            for round_number in range(1, args.rounds + 1):
                seconds, count = download(base, args.page_size)
                downloads.append(count / seconds)
                with receiver(args.receiver, admin_url, workdir, base, args.page_size) as (engine, source_id):
                    pull(engine, source_id, ["organisations"])
                    seconds, run = pull(engine, source_id, ["pilots"])
                    assert run.added == count == args.pilots, (run.added, count)
                    pulls.append(run.added / seconds)
                    pull(engine, source_id, [])  # the other kinds, to be current everywhere
                    with counting_requests() as counts:
                        _, unchanged = pull(engine, source_id, [])
                    assert unchanged.added == unchanged.updated == unchanged.deleted == 0
                    requests = counts
                print(
                    f"round {round_number}: pull {pulls[-1]:,.0f} pilots/s, "
                    f"download {downloads[-1]:,.0f} pilots/s",
                    file=sys.stderr,
                )
    ratio = statistics.median(pulls) / statistics.median(downloads)
    result = {
        "pilots": args.pilots,
        "receiver": args.receiver,
        "page_size": args.page_size,
        "pull_pilots_per_second": round(statistics.median(pulls)),
        "download_pilots_per_second": round(statistics.median(downloads)),
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "unchanged_pull_requests_per_kind": dict(requests),
    }
    print(json.dumps(result, indent=2))
    one_each = bool(requests) and set(requests.values()) == {1}
    print(
        f"full pull: {ratio:.0%} of downloading the same pages (goal ≥ {GOAL:.0%}): "
        f"{'met' if ratio >= GOAL else 'NOT met'}; unchanged pull: "
        f"{sum(requests.values())} requests for {len(requests)} kinds ({'met' if one_each else 'NOT met'})"
    )
    rounds = [p / d for p, d in zip(pulls, downloads, strict=True)]
    goals.record(
        f"federation-{args.receiver}",
        [
            goals.Goal(
                "full pull / plain download of the pages",
                f"≥ {GOAL:.0%}",
                f"{ratio:.0%}",
                ratio >= GOAL,
                args.receiver,
                goals.spread(rounds),
            ),
            goals.Goal(
                "requests of an unchanged pull, per kind",
                "1",
                ", ".join(sorted({str(n) for n in requests.values()})) or "none",
                one_each,
                args.receiver,
            ),
        ],
        quick=args.quick,
    )
    return 0 if ratio >= GOAL and one_each else 1


if __name__ == "__main__":
    sys.exit(main())
