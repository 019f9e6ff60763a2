"""The newsletter benchmark: an issue sent to 20,000 subscribers, against a plain smtplib loop.

``python bench/newsletter.py`` (part of ``make bench``). The SMTP server is aiosmtpd in a process
of its own (its work is not in the sender's process), answering 250 to everything and keeping
nothing but a count. On PostgreSQL (``HUB_BENCH_POSTGRES_URL`` or ``HUB_TEST_POSTGRES_URL``, an
admin URL that may create databases), else on SQLite:

1. **throughput**: ``send_issue`` with the default settings (batches of 50, 3 connections, no rate
   limit) sends one issue to N subscribers (half Dutch, half English, a quarter following a
   programme: four segments) — claiming, loading subscribers, rendering each segment once, making
   each message personal, SMTP, marking sent — as messages per second, against the **baseline**:
   one smtplib connection sending the same N messages (the very bytes ``send_issue`` builds for
   each subscriber, built before the clock starts) in a loop. Goal: ≥ 90 % of the baseline.
   Each side runs ``--rounds`` times (default 3), alternating; medians count.
2. **memory**: the peak of the Python heap (``tracemalloc``, every thread) during ``send_issue``
   in a fresh process, for 2,000 and for 20,000 subscribers. Goal: less than 5 MB apart (the
   send streams batches and keeps nothing per subscriber). The rise of the resident set size
   (sampled every 5 ms, after the e-mail templates are loaded) is printed too, for information:
   it also counts memory outside Python's allocator (libpq, sockets, thread stacks) but moves in
   allocator-sized steps, so it is the coarser measure.

``--load`` runs a CPU burner (a second process keeping one core busy) beside both sides and
measures the throughput only; ``--quick`` sends to 5,000 subscribers, one round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import hub.models  # noqa: E402, F401  (every model, so that relationships resolve)
from bench import goals  # noqa: E402
from hub import mail, migrate, urls  # noqa: E402
from hub.app import routes  # noqa: E402
from hub.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from hub.newsletters import queue, segments, sending  # noqa: E402
from hub.newsletters.models import (  # noqa: E402
    DeliveryStatus,
    Interest,
    InterestKind,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.newsletters.rendering import Segment, render_issue  # noqa: E402
from hub.newsletters.transport import Prepared  # noqa: E402
from hub.programmes.models import Programme  # noqa: E402
from hub.settings import Settings  # noqa: E402

SUBSCRIBERS = 20_000
SMALL = 2_000
COUNT_ADDRESS = "count@bench.invalid"
INTRO = (
    "Beste lezer,\n\nDeze maand: drie nieuwe pilots, lessen uit de werkgroep ICT en de "
    "bijeenkomsten van de gemeenschap Bouw. Veel leesplezier!\n\nHet team van het netwerk"
)


# -- the SMTP server, in a process of its own -----------------------------------------------


def serve(port: int, ready: Any, stop: Any) -> None:
    """aiosmtpd on ``port`` until ``stop``: accepts everything, keeps only a count (a RCPT of
    COUNT_ADDRESS answers it)."""
    from aiosmtpd.controller import Controller

    class Counting:
        count = 0

        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address == COUNT_ADDRESS:
                return f"250 {self.count}"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.count += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@contextmanager
def smtp_server() -> Iterator[int]:
    with socket.socket() as probe:  # aiosmtpd cannot pick a free port itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    process = context.Process(target=serve, args=(port, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the SMTP server did not start")
        yield port
    finally:
        stop.set()
        process.join(10)


def server_count(port: int) -> int:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        smtp.mail("bench@bench.invalid")
        code, answer = smtp.rcpt(COUNT_ADDRESS)
        smtp.rset()
    assert code == 250, (code, answer)
    return int(answer.split()[0])


# -- databases ------------------------------------------------------------------------------


@contextmanager
def fresh_database(admin_url: str, workdir: Path, subscribers: int) -> Iterator[Engine]:
    """An empty database at the newest migration with ``subscribers`` confirmed subscriptions."""
    if not admin_url:
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        name = f"hub_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with make_sessionmaker(engine)() as session:
            programme = Programme(
                code="gdci", short_name="GDCI", name_nl="GDCI", name_en="GDCI", countries=["NL"]
            )
            session.add(programme)
            session.flush()
            session.execute(
                insert(Subscription),
                [
                    {
                        "email": f"reader{n:06}@example.org",
                        "language": ("nl", "en")[n % 2],
                        "status": SubscriptionStatus.CONFIRMED,
                    }
                    for n in range(subscribers)
                ],
            )
            ids = session.scalars(select(Subscription.id).order_by(Subscription.id)).all()
            session.execute(
                insert(Interest),
                [
                    {"subscription_id": i, "kind": InterestKind.PROGRAMME, "ref_id": programme.id}
                    for i in ids[::4]
                ],
            )
            session.commit()
            if engine.dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
                session.commit()
        yield engine
    finally:
        engine.dispose()
        if admin_url:
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        else:
            Path(make_url(url).database or "").unlink(missing_ok=True)


def bench_settings(workdir: Path, port: int) -> Settings:
    """The defaults (batch size, connections, rate), a local server without TLS."""
    return Settings.load(
        environ={},
        secret_key="bench-only-secret-key-of-32-characters-or-more",
        base_url="https://hub.example",
        data_dir=workdir,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_from="newsletter@hub.example",
    )


def started_issue(engine: Engine) -> tuple[int, float]:
    """A new issue, due now, started (its deliveries written); its id and the seconds starting took."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        issue = NewsletterIssue(
            subject_nl="Nieuws uit het netwerk · mei",
            subject_en="News from the network · May",
            intro_nl=INTRO,
            intro_en=INTRO,
            since=utcnow() - dt.timedelta(days=30),
            status=IssueStatus.SCHEDULED,
            scheduled_for=utcnow(),
        )
        session.add(issue)
        session.commit()
        began = time.perf_counter()
        assert sending.start_due_issues(session, now=utcnow()) == [issue.id]
        return issue.id, time.perf_counter() - began


# -- the two sides --------------------------------------------------------------------------


def ours(engine: Engine, settings: Settings, subscribers: int) -> tuple[float, float]:
    """(seconds of send_issue, seconds of starting the issue)."""
    issue_id, starting = started_issue(engine)
    sessions = make_sessionmaker(engine)
    began = time.perf_counter()
    result = sending.send_issue(sessions, issue_id=issue_id, settings=settings, owner="bench")
    elapsed = time.perf_counter() - began
    assert result.finished and result.sent == subscribers, result
    with sessions() as session:
        assert queue.delivery_counts(session, issue_id=issue_id)[DeliveryStatus.SENT] == subscribers
    return elapsed, starting


def prebuilt_messages(engine: Engine, settings: Settings) -> list[tuple[str, bytes]]:
    """Every subscriber's message, as send_issue builds it (rendered per segment, made personal)."""
    issue_id, _ = started_issue(engine)
    prepared: dict[Segment, Prepared] = {}
    messages = []
    with make_sessionmaker(engine)() as session:
        issue = session.get(NewsletterIssue, issue_id)
        assert issue is not None
        for subscription in session.scalars(select(Subscription).order_by(Subscription.id)):
            segment = segments.segment_of(subscription)
            if segment not in prepared:
                rendered = render_issue(session, issue=issue, segment=segment, settings=settings)
                prepared[segment] = Prepared(settings, rendered, segment.language)
            data, _ = prepared[segment].message(subscription)
            messages.append((subscription.email, data))
    return messages


def baseline(settings: Settings, messages: list[tuple[str, bytes]]) -> float:
    """Seconds for one reused smtplib connection to send ``messages``."""
    began = time.perf_counter()
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port) as smtp:
        for recipient, data in messages:
            smtp.sendmail(settings.mail_from, [recipient], data)
    return time.perf_counter() - began


# -- memory ---------------------------------------------------------------------------------


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_memory(subscribers: int, port: int, admin_url: str, mode: str) -> None:
    """In a fresh process: the Python heap's peak (mode "heap") or the resident set's rise
    (mode "rss", sampled every 5 ms) during send_issue; printed in MB."""
    with tempfile.TemporaryDirectory() as tmp, fresh_database(admin_url, Path(tmp), subscribers) as engine:
        settings = bench_settings(Path(tmp), port)
        issue_id, _ = started_issue(engine)
        sessions = make_sessionmaker(engine)
        # Load the e-mail templates first: importing them imports hub.accounts.passwords, whose
        # argon2 dummy hash takes 64 MiB for a moment — a cost of the process, not of the send.
        mail._templates()
        urls.paths()  # the route table the links are built from, likewise (it imports the pages)
        done = threading.Event()
        before = peak = resident_mb()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.005):
                peak = max(peak, resident_mb())

        if mode == "heap":
            tracemalloc.start()
        else:
            sampler = threading.Thread(target=sample)
            sampler.start()
        try:
            result = sending.send_issue(sessions, issue_id=issue_id, settings=settings, owner="bench")
        finally:
            done.set()
        assert result.finished and result.sent == subscribers, result
        if mode == "heap":
            print(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        else:
            sampler.join()
            print(max(peak, resident_mb()) - before)


def memory(subscribers: int, port: int, admin_url: str, mode: str) -> float:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child-memory",
            str(subscribers),
            str(port),
            mode,
            "--postgres",
            admin_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


# -- the benchmark --------------------------------------------------------------------------


def bench(admin_url: str, subscribers: int, small: int, rounds: int, *, with_memory: bool) -> dict[str, Any]:
    backend = "postgresql" if admin_url else "sqlite"
    sends: list[float] = []
    starts: list[float] = []
    loops: list[float] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-newsletter-") as tmp, smtp_server() as port:
        workdir = Path(tmp)
        settings = bench_settings(workdir, port)
        with fresh_database(admin_url, workdir, subscribers) as engine:
            messages = prebuilt_messages(engine, settings)
            size = statistics.mean(len(data) for _, data in messages)
            for round_number in range(rounds):
                order = ("ours", "baseline") if round_number % 2 == 0 else ("baseline", "ours")
                for side in order:
                    counted = server_count(port)
                    if side == "ours":
                        seconds, starting = ours(engine, settings, subscribers)
                        sends.append(seconds)
                        starts.append(starting)
                    else:
                        loops.append(baseline(settings, messages))
                    assert server_count(port) - counted == subscribers
                print(
                    f"  round {round_number + 1}: send_issue {subscribers / sends[-1]:,.0f} msg/s, "
                    f"smtplib loop {subscribers / loops[-1]:,.0f} msg/s",
                    file=sys.stderr,
                )
            del messages
        sizes = (small, subscribers) if with_memory else ()
        heap = {n: memory(n, port, admin_url, "heap") for n in sizes}
        rss = {n: memory(n, port, admin_url, "rss") for n in sizes}
    ours_rate = subscribers / statistics.median(sends)
    base_rate = subscribers / statistics.median(loops)
    return {
        "backend": backend,
        "subscribers": subscribers,
        "message_bytes": round(size),
        "send_issue_msgs_per_s": round(ours_rate),
        "smtplib_loop_msgs_per_s": round(base_rate),
        "ratio": round(ours_rate / base_rate, 3),
        "ratio_rounds": [round(loop / send, 3) for send, loop in zip(sends, loops, strict=True)],
        "start_seconds": round(statistics.median(starts), 3),
        "heap_peak_mb": {str(n): round(mb, 2) for n, mb in heap.items()},
        "heap_peak_growth_mb": round(heap[subscribers] - heap[small], 2) if heap else None,
        "rss_rise_mb": {str(n): round(mb, 1) for n, mb in rss.items()},
        "small": small,
    }


def report(result: dict[str, Any], *, load: bool) -> list[goals.Goal]:
    n, small = result["subscribers"], result["small"]
    backend = result["backend"]
    beside = ", a CPU burner beside" if load else ""
    rows = [
        goals.Goal(
            f"send_issue / an smtplib loop{beside}",
            "≥ 90 %",
            f"{result['ratio']:.0%}",
            result["ratio"] >= 0.90,
            backend,
            goals.spread(result["ratio_rounds"]),
        )
    ]
    line = (
        f"\n{backend}: {n:,} subscribers{beside}, messages of {result['message_bytes']:,} bytes — "
        f"send_issue {result['send_issue_msgs_per_s']:,} msg/s, smtplib loop "
        f"{result['smtplib_loop_msgs_per_s']:,} msg/s; starting the issue (the deliveries) took "
        f"{result['start_seconds']} s"
    )
    if result["heap_peak_growth_mb"] is not None:
        heap, rss = result["heap_peak_mb"], result["rss_rise_mb"]
        rows.append(
            goals.Goal(
                f"heap peak: {n:,} vs {small:,} subscribers",
                "< 5 MB apart",
                f"{result['heap_peak_growth_mb']} MB",
                result["heap_peak_growth_mb"] < 5,
                backend,
            )
        )
        line += (
            f"; heap peak {heap[str(small)]} MB at {small:,}, {heap[str(n)]} MB at {n:,}; resident set "
            f"rose by {rss[str(small)]} MB and {rss[str(n)]} MB"
        )
    print(line)
    for row in rows:
        print(f"  {'PASS' if row.passed else 'FAIL'}  {row.measure} ({row.goal}): {row.figure}")
    return rows


@contextmanager
def cpu_burner(on: bool) -> Iterator[None]:
    """A second process keeping one core busy for as long as the block runs (``--load``)."""
    if not on:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="5,000 subscribers, one round (make bench-quick)"
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="with a CPU burner beside both sides (throughput only: the memory check is the run without)",
    )
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    parser.add_argument("--small", type=int, default=SMALL, help="the smaller send of the memory check")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL is configured")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HUB_BENCH_POSTGRES_URL") or os.environ.get("HUB_TEST_POSTGRES_URL", ""),
    )
    parser.add_argument("--child-memory", nargs=3, metavar=("N", "PORT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    urls.install(routes)  # the mails' links, by route name (see hub.urls)
    admin_url = "" if args.sqlite else args.postgres
    if args.child_memory:
        n, port, mode = args.child_memory
        child_memory(int(n), int(port), admin_url, mode)
        return 0
    if not admin_url:
        print("PostgreSQL not configured (HUB_BENCH_POSTGRES_URL): benchmarking on SQLite", file=sys.stderr)
    if args.quick:
        args.subscribers, args.small, args.rounds = 5_000, 500, 1
    with cpu_burner(args.load):
        result = bench(admin_url, args.subscribers, args.small, args.rounds, with_memory=not args.load)
    rows = report(result, load=args.load)
    goals.record(f"newsletter-{result['backend']}{'-load' if args.load else ''}", rows, quick=args.quick)
    ok = all(row.passed for row in rows)
    out = REPO / "bench" / "results" / "newsletter.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"measured_at": dt.datetime.now(dt.UTC).isoformat(), **result}, indent=2))
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
