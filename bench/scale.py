"""Scale-out on one machine: four web processes and two schedulers behind nginx, on PostgreSQL.

``python bench/scale.py`` needs PostgreSQL (``HUB_BENCH_POSTGRES_URL`` or ``HUB_TEST_POSTGRES_URL``,
an admin URL that may create databases), ``nginx`` and ``wrk`` (Debian: ``apt-get install nginx
wrk``). In a fresh database with the demo network it starts four ``hub serve --no-scheduler``
processes, nginx in front of them (the proxy settings of ``deploy/nginx/hub.conf``, without TLS),
a local feed server and a local SMTP server, and measures:

1. **speed**: requests per second for the pilots list through nginx with one web process and
   with four, alternating, three rounds each; the figure is the ratio (four / one).
2. **resilience**, for ``--seconds`` (default 360: every feed is due twice): ``wrk`` loads the
   pilots list through nginx while two ``hub scheduler`` processes run staggered feed syncs and
   send a newsletter to ``--subscribers`` confirmed addresses. A third of the way in one web process is killed
   (SIGKILL) and restarted; half-way one scheduler is killed and restarted. Then:

   - no failed request, except a response the killed process had begun sending (nginx passes an
     idempotent request to another process when one dies, but cannot take back a response it has
     begun; its error log names each one, and the run counts them);
   - every scheduled sync ran once: no two runs of a source overlap, none came before its next
     due time (five minutes apart at the shortest), every source ran;
   - every subscriber got the newsletter exactly once, except at most one batch in flight when
     the scheduler was killed (``HUB_NEWSLETTER_BATCH_SIZE``);
   - memory flat: each web process's resident memory in the last fifth of the run against the
     first fifth after warm-up (goal: less than 15 % growth);
   - the schedulers stop on SIGTERM with status 0.

Results go to ``bench/results/scale.json``; the exit status is 1 if a check fails.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import hub.models  # noqa: E402, F401  (every table, for the foreign keys)
from bench.run import BenchError, Sample, find_wrk, free_port, parse_wrk  # noqa: E402
from hub.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from hub.newsletters.models import (  # noqa: E402
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.sync.models import Source, SyncRun  # noqa: E402

RESULTS = REPO / "bench" / "results" / "scale.json"
HOST = "127.0.0.1"
HUB = str(Path(sys.executable).with_name("hub"))
WEB_PROCESSES = 4
SCHEDULERS = 2
FEEDS = 12
BATCH = 50
PAGE = "/en/pilots"
CONNECTIONS = 32  # of wrk's load
MEMORY_GROWTH = 0.15
PROXY = """
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;  # replaced, not appended: see deploy/nginx
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 3;
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
"""


# --- the pieces: database, feeds, mail, processes, nginx ------------------------------------------


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"hub_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class FeedHandler(BaseHTTPRequestHandler):
    """``/feed-N.xml``: an RSS feed whose newest item changes every minute (each run writes)."""

    def do_GET(self) -> None:
        minute = int(time.time() // 60)
        items = "".join(
            f"<item><title>News {self.path} {n}</title><link>http://{HOST}/news/{n}</link>"
            f"<guid>{self.path}-{n}</guid><description>Update {n} of {self.path}</description>"
            f"<pubDate>{format_datetime(dt.datetime.fromtimestamp(n * 60, dt.UTC))}</pubDate></item>"
            for n in range(minute - 20, minute + 1)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class Mailbox:
    """An SMTP server that counts the messages each address received."""

    def __init__(self) -> None:
        self.received: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        return "250 OK"


class Process:
    """A hub process (web or scheduler) with its log, restartable under the same name."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name, self.command, self.env, self.workdir = name, command, env, workdir
        self.popen: subprocess.Popen[bytes] | None = None
        self.generation = 0

    def start(self) -> None:
        self.generation += 1
        with (self.workdir / f"{self.name}.{self.generation}.log").open("wb") as log:
            self.popen = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def kill(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = 120) -> int:
        """SIGTERM, then the exit status (SIGKILL after ``timeout``: status -9)."""
        assert self.popen is not None
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode


def wait_ready(url: str, process: Process | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen is not None and process.popen.poll() is not None:
            raise BenchError(f"{process.name} exited with status {process.popen.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s")


def nginx_config(workdir: Path, ports: list[int], one: int, all_: int) -> Path:
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "nginx" / folder).mkdir(parents=True, exist_ok=True)
    servers = "".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=3s;\n" for port in ports)
    config = f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx/nginx.pid;
error_log {workdir}/nginx/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/nginx/body;
    proxy_temp_path {workdir}/nginx/proxy;
    fastcgi_temp_path {workdir}/nginx/fastcgi;
    uwsgi_temp_path {workdir}/nginx/uwsgi;
    scgi_temp_path {workdir}/nginx/scgi;
    upstream one {{ server {HOST}:{ports[0]}; keepalive 32; }}
    upstream all {{
{servers}        keepalive 32;
    }}
    server {{ listen {HOST}:{one}; location / {{ proxy_pass http://one; {PROXY} }} }}
    server {{ listen {HOST}:{all_}; location / {{ proxy_pass http://all; {PROXY} }} }}
}}
"""
    path = workdir / "nginx" / "nginx.conf"
    path.write_text(config)
    return path


def account_failures(wrk_output: str, workdir: Path, killed_port: int) -> dict[str, Any]:
    """Every failed request, explained or not.

    nginx passes a GET whose process died to another process, unless it has begun sending that
    process's response: once the status line went out it can only cut the response short (wrk counts a
    read error; nginx logs "upstream prematurely closed connection while reading upstream"). Those
    few, begun by the killed process, are the only failures a crash may cause; any other is a fault.
    """
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk_output)
    connect, read, write, timeout = map(int, errors.groups()) if errors else (0, 0, 0, 0)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_output)
    statuses = int(non_2xx.group(1)) if non_2xx else 0
    nginx_log = workdir / "nginx" / "error.log"
    nginx_errors = [
        line
        for line in (nginx_log.read_text(errors="replace").splitlines() if nginx_log.exists() else [])
        if "[error]" in line or "[crit]" in line
    ]
    cut_short = sum(
        1 for line in nginx_errors if "while reading upstream," in line and f":{killed_port}/" in line
    )
    unexplained = connect + write + timeout + statuses + max(0, read - cut_short)
    accounted = {
        "socket_errors": {"connect": connect, "read": read, "write": write, "timeout": timeout},
        "non_2xx": statuses,
        "cut_short_by_the_kill": cut_short,
        "unexplained": unexplained,
    }
    if unexplained:
        accounted["nginx_errors"] = nginx_errors[-20:]
        accounted["web_errors"] = [
            f"{log.name}: {line}"
            for log in sorted(workdir.glob("web*.log"))
            for line in log.read_text(errors="replace").splitlines()
            if '"ERROR"' in line or "Traceback" in line
        ][-20:]
    return accounted


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wrk_run(wrk: str, url: str, seconds: int, connections: int = CONNECTIONS) -> Sample:
    completed = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"wrk failed: {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout)


# --- the run ---------------------------------------------------------------------------------------


def prepare(database_url: str, workdir: Path, env: dict[str, str], feed_port: int, subscribers: int) -> None:
    for command in (["migrate"], ["demo"]):
        subprocess.run([HUB, *command], env=env, check=True, capture_output=True)
    lines = []
    for n in range(FEEDS):
        lines += [
            "[[source]]",
            f'key = "feed-{n}"',
            f'name = "Feed {n}"',
            'kind = "feed"',
            'programme = "gdca"',
            'schedule = "every 5"',
            "allow_private = true",
            "notify_failures = false",
            "[source.options]",
            f'url = "http://{HOST}:{feed_port}/feed-{n}.xml"',
            'language = "nl"',
            "",
        ]
    (workdir / "sources.toml").write_text("\n".join(lines))
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        now = utcnow()
        session.execute(
            insert(Subscription),
            [
                {
                    "email": f"reader{n}@scale.example",
                    "language": "nl" if n % 2 else "en",
                    "status": SubscriptionStatus.CONFIRMED,
                    "key": uuid.uuid4().hex,
                    "created_at": now,
                    "confirmed_at": now,
                }
                for n in range(subscribers)
            ],
        )
        session.commit()
    engine.dispose()


def schedule(database_url: str, *, newsletter_in: float, spread: float) -> int:
    """Stagger the feeds' first runs over ``spread`` seconds; schedule the newsletter issue."""
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        now = utcnow()
        for n, source in enumerate(session.scalars(select(Source).order_by(Source.key))):
            source.next_run_at = now + dt.timedelta(seconds=spread * n / FEEDS)
        issue = NewsletterIssue(
            subject_nl="Nieuws uit het netwerk",
            subject_en="News from the network",
            intro_nl="Dit is een belastingstest.",
            intro_en="This is a load test.",
            since=now - dt.timedelta(days=3650),
            status=IssueStatus.SCHEDULED,
            scheduled_for=now + dt.timedelta(seconds=newsletter_in),
        )
        session.add(issue)
        session.commit()
        issue_id = issue.id
    engine.dispose()
    return issue_id


def sent_so_far(database_url: str) -> str:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        statuses = collections.Counter(session.scalars(select(Delivery.status)))
    engine.dispose()
    sent = statuses[DeliveryStatus.SENT]
    return f"the newsletter sent to {sent} of {sum(statuses.values())} so far"


def check_syncs(database_url: str) -> dict[str, Any]:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        rows = session.execute(
            select(Source.key, SyncRun.started_at, SyncRun.finished_at, SyncRun.status)
            .join(Source, Source.id == SyncRun.source_id)
            .where(Source.key.startswith("feed-"))  # the demo network has a source of its own
            .order_by(Source.key, SyncRun.started_at)
        ).all()
    engine.dispose()
    by_source: dict[str, list[Any]] = collections.defaultdict(list)
    for row in rows:
        by_source[row.key].append(row)
    overlaps = early = 0
    shortest = None
    for runs in by_source.values():
        for before, after in itertools.pairwise(runs):
            if before.finished_at is None or after.started_at < before.finished_at:
                overlaps += 1
            gap = (after.started_at - before.started_at).total_seconds()
            shortest = gap if shortest is None else min(shortest, gap)
            if gap < 300 - 15:  # the schedule is every 5 minutes; ticks are 5 s apart
                early += 1
    statuses = collections.Counter(row.status.value for row in rows)
    return {
        "runs": len(rows),
        "sources_that_ran": len(by_source),
        "sources": FEEDS,
        "overlapping_runs": overlaps,
        "runs_before_due": early,
        "shortest_gap_s": shortest,
        "statuses": dict(statuses),
    }


def newsletter_done(database_url: str, issue_id: int, timeout: float) -> dict[str, Any]:
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    with make_sessionmaker(engine)() as session:
        while True:
            issue = session.get_one(NewsletterIssue, issue_id)
            session.refresh(issue)
            if issue.status is IssueStatus.SENT or time.monotonic() > deadline:
                break
            time.sleep(2)
        found = {
            "status": issue.status.value,
            "recipients": issue.recipients,
            "seconds": (issue.finished_at - issue.started_at).total_seconds()
            if issue.finished_at and issue.started_at
            else None,
        }
    engine.dispose()
    return found


def run(args: argparse.Namespace, admin_url: str, workdir: Path) -> dict[str, Any]:
    wrk = find_wrk()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise BenchError("nginx is not installed: `apt-get install nginx` (Debian)")
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname=HOST, port=free_port())
    feeds = ThreadingHTTPServer((HOST, free_port()), FeedHandler)
    threading.Thread(target=feeds.serve_forever, daemon=True).start()
    smtp.start()
    processes: list[Process] = []
    nginx_process = None
    try:
        with fresh_database(admin_url) as database_url:
            ports = [free_port() for _ in range(WEB_PROCESSES)]
            one, all_ = free_port(), free_port()
            env = {
                **os.environ,
                "HUB_DATABASE_URL": database_url,
                "HUB_SECRET_KEY": "scale-test-only-secret-of-32-characters-or-more",
                "HUB_BASE_URL": f"http://{HOST}:{all_}",
                "HUB_DATA_DIR": str(workdir / "data"),
                "HUB_LOG_FORMAT": "json",
                "HUB_LOG_LEVEL": "WARNING",
                "HUB_SOURCES_FILE": str(workdir / "sources.toml"),
                "HUB_SMTP_HOST": HOST,
                "HUB_SMTP_PORT": str(smtp.port),
                "HUB_SMTP_STARTTLS": "false",
                "HUB_NEWSLETTER_BATCH_SIZE": str(BATCH),
                "HUB_NEWSLETTER_RATE": str(args.rate),
                "HUB_NEWSLETTER_LEASE_SECONDS": "20",
                "HUB_SCHEDULER_TICK_SECONDS": "5",
                "HUB_FETCH_ALLOWED_NETWORKS": f"{HOST}/32",
                "HUB_DB_POOL_SIZE": "5",
            }
            env.pop("HUB_TEST_POSTGRES_URL", None)
            print("preparing the database (demo network, subscribers) …", flush=True)
            prepare(database_url, workdir, env, feeds.server_address[1], args.subscribers)
            webs = [
                Process(
                    f"web{n}",
                    [HUB, "serve", "--no-scheduler", "--host", HOST, "--port", str(port)],
                    env,
                    workdir,
                )
                for n, port in enumerate(ports, start=1)
            ]
            processes += webs
            for web in webs:
                web.start()
            for web, port in zip(webs, ports, strict=True):
                wait_ready(f"http://{HOST}:{port}/readyz", web)
            nginx_process = subprocess.Popen(
                [nginx, "-c", str(nginx_config(workdir, ports, one, all_)), "-p", str(workdir / "nginx")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            wait_ready(f"http://{HOST}:{all_}/readyz")
            wait_ready(f"http://{HOST}:{one}/readyz")

            # 1. Speed: one process against four, through the same nginx.
            print("speed: one web process against four, through nginx …", flush=True)
            for url in (f"http://{HOST}:{one}{PAGE}", f"http://{HOST}:{all_}{PAGE}"):
                wrk_run(wrk, url, 3)  # warm-up
            rounds: dict[str, list[Sample]] = {"one": [], "four": []}
            for number in range(1, args.rounds + 1):
                for name, port in (("one", one), ("four", all_)):
                    sample = wrk_run(wrk, f"http://{HOST}:{port}{PAGE}", args.round_seconds)
                    rounds[name].append(sample)
                    print(
                        f"  round {number} {name:>4}: {sample.rps:8.1f} req/s  p99 {sample.p99_ms:.0f} ms",
                        flush=True,
                    )
            one_rps = statistics.median(s.rps for s in rounds["one"])
            four_rps = statistics.median(s.rps for s in rounds["four"])

            # 2. Resilience: load, syncs and a newsletter while processes die.
            print(f"resilience: {args.seconds} s of load, syncs and a newsletter; kills …", flush=True)
            schedulers = [Process(f"scheduler{n}", [HUB, "scheduler"], env, workdir) for n in range(1, 3)]
            processes += schedulers
            for scheduler in schedulers:
                scheduler.start()
            # The send starts shortly before the scheduler is killed, so the kill comes mid-send.
            issue_id = schedule(
                database_url, newsletter_in=max(5, args.seconds / 2 - 15), spread=min(60, args.seconds / 3)
            )
            memory: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
            started = time.monotonic()
            load = subprocess.Popen(
                [
                    wrk,
                    "-t2",
                    f"-c{CONNECTIONS}",
                    f"-d{args.seconds}s",
                    "--timeout",
                    "10s",
                    "--latency",
                    f"http://{HOST}:{all_}{PAGE}",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            events: list[str] = []
            killed_web = killed_scheduler = False
            while load.poll() is None:
                elapsed = time.monotonic() - started
                for process in processes:
                    if process.popen is not None and process.popen.poll() is None:
                        found = rss_mb(process.pid)
                        if found is not None:
                            memory[f"{process.name}.{process.generation}"].append((elapsed, found))
                if not killed_web and elapsed > args.seconds / 3:
                    killed_web = True
                    webs[1].kill()
                    events.append(f"{elapsed:.0f} s: killed web2 (SIGKILL)")
                    time.sleep(3)
                    webs[1].start()
                    wait_ready(f"http://{HOST}:{ports[1]}/readyz", webs[1])
                    events.append(f"{time.monotonic() - started:.0f} s: web2 serving again")
                if not killed_scheduler and elapsed > args.seconds / 2:
                    killed_scheduler = True
                    schedulers[0].kill()
                    events.append(
                        f"{elapsed:.0f} s: killed scheduler1 (SIGKILL), {sent_so_far(database_url)}"
                    )
                    time.sleep(3)
                    schedulers[0].start()
                    events.append(f"{time.monotonic() - started:.0f} s: scheduler1 started again")
                time.sleep(2)
            output, _ = load.communicate()
            load_sample = parse_wrk(output)
            newsletter = newsletter_done(database_url, issue_id, timeout=args.seconds * 2)
            exits = {s.name: s.stop() for s in schedulers}
            syncs = check_syncs(database_url)
            with mailbox.lock:
                received = dict(mailbox.received)
            addresses = {f"reader{n}@scale.example" for n in range(args.subscribers)}
            mailed = {
                "subscribers": args.subscribers,
                "received": sum(received.get(a, 0) for a in addresses),
                "missing": sum(1 for a in addresses if not received.get(a)),
                "twice_or_more": sum(1 for a in addresses if received.get(a, 0) > 1),
                **newsletter,
            }
            growth = {}
            for name, samples in memory.items():
                if not name.startswith("web") or name.endswith(".2") or len(samples) < 10:
                    continue  # web2's first life ended at the kill; its second is shorter
                fifth = max(2, len(samples) // 5)
                first = statistics.median(mb for _, mb in samples[fifth : 2 * fifth])  # after warm-up
                last = statistics.median(mb for _, mb in samples[-fifth:])
                growth[name] = {
                    "first_mb": round(first, 1),
                    "last_mb": round(last, 1),
                    "growth": round(last / first - 1, 3),
                }
            return {
                "speed": {
                    "page": PAGE,
                    "one_process_rps": round(one_rps, 1),
                    "four_processes_rps": round(four_rps, 1),
                    "ratio": round(four_rps / one_rps, 2),
                    "rounds": {k: [round(s.rps, 1) for s in v] for k, v in rounds.items()},
                    "cpus": os.cpu_count(),
                },
                "load": {
                    "seconds": args.seconds,
                    "requests": load_sample.requests,
                    "rps": round(load_sample.rps, 1),
                    "p50_ms": load_sample.p50_ms,
                    "p99_ms": load_sample.p99_ms,
                    "failed": load_sample.errors,
                    "failures": account_failures(output, workdir, killed_port=ports[1]),
                },
                "events": events,
                "syncs": syncs,
                "newsletter": mailed,
                "scheduler_exits": exits,
                "memory": growth,
            }
    finally:
        for process in processes:
            if process.popen is not None and process.popen.poll() is None:
                process.stop(timeout=30)
        if nginx_process is not None:
            nginx_process.terminate()
            nginx_process.wait()
        smtp.stop()
        feeds.shutdown()
        feeds.server_close()


def checks(result: dict[str, Any]) -> list[tuple[str, bool]]:
    speed, load, syncs, mailed = result["speed"], result["load"], result["syncs"], result["newsletter"]
    return [
        (
            f"pilots list: {speed['four_processes_rps']} req/s with four web processes, "
            f"{speed['one_process_rps']} with one: ×{speed['ratio']} on {speed['cpus']} CPUs",
            speed["ratio"] > 1.0,
        ),
        (
            f"{load['requests']} requests in {load['seconds']} s ({load['rps']} req/s, p99 "
            f"{load['p99_ms']:.0f} ms) with a web process and a scheduler killed: {load['failed']} failed, "
            f"{load['failures']['cut_short_by_the_kill']} of them cut short by the killed process",
            load["failures"]["unexplained"] == 0,
        ),
        (
            f"syncs: {syncs['runs']} runs of {syncs['sources_that_ran']}/{syncs['sources']} sources, "
            f"{syncs['overlapping_runs']} overlapping, {syncs['runs_before_due']} before due "
            f"(shortest gap {syncs['shortest_gap_s']} s), statuses {syncs['statuses']}",
            syncs["overlapping_runs"] == 0
            and syncs["runs_before_due"] == 0
            and syncs["sources_that_ran"] == syncs["sources"],
        ),
        (
            f"newsletter {mailed['status']} to {mailed['subscribers']} subscribers in "
            f"{mailed['seconds']} s: {mailed['missing']} missing, {mailed['twice_or_more']} mailed "
            f"twice (allowed: one batch of {BATCH}; those accepted but not yet marked at the kill)",
            mailed["status"] == "sent" and mailed["missing"] == 0 and mailed["twice_or_more"] <= BATCH,
        ),
        (
            "memory: "
            + ", ".join(f"{n} {m['first_mb']}→{m['last_mb']} MB" for n, m in result["memory"].items()),
            bool(result["memory"]) and all(m["growth"] < MEMORY_GROWTH for m in result["memory"].values()),
        ),
        (
            f"schedulers stopped by SIGTERM with status {result['scheduler_exits']}",
            all(code == 0 for code in result["scheduler_exits"].values()),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=360, help="length of the resilience run (360)")
    parser.add_argument("--subscribers", type=int, default=3000, help="newsletter recipients (3000)")
    parser.add_argument("--rate", type=float, default=20, help="messages a second per scheduler (20)")
    parser.add_argument("--rounds", type=int, default=3, help="speed rounds per side (3)")
    parser.add_argument("--round-seconds", type=int, default=10, help="seconds per speed round (10)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    args = parser.parse_args(argv)
    admin_url = os.environ.get("HUB_BENCH_POSTGRES_URL") or os.environ.get("HUB_TEST_POSTGRES_URL", "")
    if not admin_url:
        print(
            "set HUB_BENCH_POSTGRES_URL (or HUB_TEST_POSTGRES_URL) to a PostgreSQL admin URL", file=sys.stderr
        )
        return 2
    try:
        with tempfile.TemporaryDirectory() as workdir:
            result = run(args, admin_url, Path(workdir))
    except BenchError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 2
    for event in result["events"]:
        print(f"  {event}")
    verdicts = checks(result)
    for line, passed in verdicts:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results written to {args.output}")
    return 0 if all(passed for _, passed in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
