"""Real ``hub`` processes stopped with SIGTERM: a scheduler in the middle of sending a newsletter
through a real SMTP server, and a web server in the middle of a request; and the scheduler's
metrics port.

What a graceful stop promises, checked from the SMTP server's side and the database's:
the scheduler exits 0 within a few seconds, every message the server accepted is marked sent,
it holds no lease any more (so a second scheduler finishes the send at once, although the lease
would have lasted ten minutes), and every subscriber gets the issue exactly once. Duplicates can
only come from messages accepted but not yet marked when a process dies (SIGKILL, see
newsletters/test_crash.py); a graceful stop marks them first, so there are none.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, insert, or_, select

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import migrate
from hub.db import make_sessionmaker, utcnow
from hub.jobs.models import ScheduledJob
from hub.newsletters import queue
from hub.newsletters.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.sync.models import Source
from tests.servers import HUB, free_port, hub_environment, hub_process, run_hub

SUBSCRIBERS = 150
BATCH = 5
CONNECTIONS = 2
RATE = 40  # messages a second: the whole send takes about 4 s


class Recipients:
    """An aiosmtpd handler that keeps who each accepted message was for."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


@contextmanager
def smtp() -> Iterator[tuple[Recipients, int]]:
    handler = Recipients()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


@contextmanager
def scheduler(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("w") as log:
        process = subprocess.Popen([*HUB, "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def stop(process: subprocess.Popen[bytes], log_path: Path, *, within: float) -> float:
    """SIGTERM; the process must exit 0 within ``within`` seconds; how long it took."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        returncode = process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the scheduler did not stop within {within} s:\n{log_path.read_text()}")
    assert returncode == 0, log_path.read_text()
    return time.monotonic() - began


def held_by(engine: Engine, pid: int) -> list[str]:
    """Every lease a process still holds (its owner names carry its pid): deliveries, jobs, sources."""
    mark = f"%:{pid}:%"
    now = utcnow()
    with make_sessionmaker(engine)() as session:
        deliveries = session.scalars(
            select(Delivery.id).where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.claimed_by.like(mark),
                Delivery.claimed_until > now,
            )
        ).all()
        jobs = session.scalars(select(ScheduledJob.name).where(ScheduledJob.lease_owner.like(mark))).all()
        sources = session.scalars(select(Source.key).where(Source.lease_owner.like(mark))).all()
    return (
        [f"delivery {d}" for d in deliveries] + [f"job {j}" for j in jobs] + [f"source {s}" for s in sources]
    )


def test_a_scheduler_stopped_mid_send_leaves_the_rest_to_the_next_and_nobody_gets_two(
    empty_engine: Engine, tmp_path: Path
) -> None:
    migrate.upgrade(empty_engine)
    url = empty_engine.url.render_as_string(hide_password=False)
    sessions = make_sessionmaker(empty_engine)
    emails = [f"reader{n:03}@example.org" for n in range(SUBSCRIBERS)]
    with sessions() as session:
        session.execute(
            insert(Subscription),
            [
                {"email": e, "language": ("nl", "en")[n % 2], "status": SubscriptionStatus.CONFIRMED}
                for n, e in enumerate(emails)
            ],
        )
        issue = NewsletterIssue(
            subject_nl="Nieuws",
            subject_en="News",
            intro_nl="Hallo",
            intro_en="Hello",
            since=utcnow() - dt.timedelta(days=30),
            status=IssueStatus.SCHEDULED,
            scheduled_for=utcnow(),
        )
        session.add(issue)
        session.commit()
        issue_id = issue.id

    with smtp() as (handler, port):
        env = hub_environment(
            tmp_path,
            HUB_DATABASE_URL=url,
            HUB_SECRET_KEY="test-secret-of-at-least-32-characters",
            HUB_SMTP_HOST="127.0.0.1",
            HUB_SMTP_PORT=str(port),
            HUB_SMTP_STARTTLS="false",
            HUB_NEWSLETTER_BATCH_SIZE=str(BATCH),
            HUB_NEWSLETTER_CONNECTIONS=str(CONNECTIONS),
            HUB_NEWSLETTER_RATE=str(RATE),
            # Ten minutes: a lease left behind would keep the second scheduler waiting past the test.
            HUB_NEWSLETTER_LEASE_SECONDS="600",
            HUB_SCHEDULER_TICK_SECONDS="1",
            HUB_LOG_FORMAT="json",
        )
        first_log = tmp_path / "first.log"
        with scheduler(env, first_log) as first:
            wait_for(lambda: len(handler.received) >= 30, timeout=60, what="the first 30 messages")
            took = stop(first, first_log, within=10)
        accepted = collections.Counter(handler.received)
        assert 30 <= len(handler.received) < SUBSCRIBERS, "stopped mid-send"
        assert held_by(empty_engine, first.pid) == []
        with sessions() as session:
            # Every message the server accepted is marked sent, and nothing else is.
            marked = session.scalars(
                select(Subscription.email)
                .join(Delivery, Delivery.subscription_id == Subscription.id)
                .where(Delivery.issue_id == issue_id, Delivery.status == DeliveryStatus.SENT)
            ).all()
            assert sorted(marked) == sorted(accepted)
            assert session.get(NewsletterIssue, issue_id).status is IssueStatus.SENDING  # type: ignore[union-attr]
            # No delivery is claimed by anyone: the second scheduler can take every one at once.
            claimed = session.scalar(
                select(Delivery.id).where(
                    Delivery.status == DeliveryStatus.PENDING,
                    or_(Delivery.claimed_by.is_not(None), Delivery.claimed_until.is_not(None)),
                )
            )
            assert claimed is None
        messages = [json.loads(line)["message"] for line in first_log.read_text().splitlines()]
        assert "SIGTERM received: the scheduler stops once the work in hand is done" in messages
        assert any(m.startswith(f"newsletter {issue_id}: ") and m.endswith(", stopped") for m in messages)

        second_log = tmp_path / "second.log"
        with scheduler(env, second_log) as second:

            def sent() -> bool:
                with sessions() as session:
                    status = session.scalar(
                        select(NewsletterIssue.status).where(NewsletterIssue.id == issue_id)
                    )
                return status is IssueStatus.SENT

            wait_for(sent, timeout=60, what="the second scheduler finishing the send")
            stop(second, second_log, within=10)
        assert held_by(empty_engine, second.pid) == []

    copies = collections.Counter(handler.received)
    print(f"\nstopped in {took:.2f} s after {len(accepted)} messages; {len(handler.received)} in all")
    assert set(copies) == set(emails)
    assert max(copies.values()) == 1  # exactly once: a graceful stop repeats nothing
    with sessions() as session:
        assert queue.delivery_counts(session, issue_id=issue_id) == {
            DeliveryStatus.PENDING: 0,
            DeliveryStatus.SENT: SUBSCRIBERS,
            DeliveryStatus.FAILED: 0,
        }


def metrics(url: str, **headers: str) -> dict[str, Any]:
    response = httpx.get(url, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def sample(families: dict[str, Any], name: str, sample_name: str, **labels: str) -> float:
    found = [s.value for s in families[name].samples if s.name == sample_name and s.labels == labels]
    assert len(found) == 1, (sample_name, labels, families[name].samples)
    return float(found[0])


def test_the_scheduler_serves_its_metrics_on_its_port(tmp_path: Path) -> None:
    metrics_port = free_port()
    env = hub_environment(
        tmp_path,
        HUB_METRICS_PORT=str(metrics_port),
        HUB_METRICS_ADDRESS="127.0.0.1",
        HUB_METRICS_TOKEN="scrape-me",
        HUB_SCHEDULER_TICK_SECONDS="1",
    )
    assert run_hub("migrate", env=env).returncode == 0
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    log_path = tmp_path / "scheduler.log"
    with scheduler(env, log_path) as process:

        def ticked() -> bool:
            try:
                families = metrics(url, Authorization="Bearer scrape-me")
            except httpx.TransportError:
                return False
            return sample(families, "hub_scheduler_ticks", "hub_scheduler_ticks_total") >= 2

        wait_for(ticked, timeout=60, what="two scheduler ticks")
        assert httpx.get(url, timeout=5).status_code == 401
        assert httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
        families = metrics(url, Authorization="Bearer scrape-me")
        # The maintenance jobs (statistics, purging unconfirmed addresses and expired login
        # sessions, the search index's catch-up) are due at start: the first tick ran them, the
        # second found nothing due.
        work = ("hub_scheduler_work", "hub_scheduler_work_total")
        assert sample(families, *work, kind="job", outcome="succeeded") == 4
        assert sample(families, *work, kind="sync", outcome="failed") == 0
        assert sample(families, "hub_jobs_due", "hub_jobs_due") == 0
        assert sample(families, "hub_newsletter_queue_depth", "hub_newsletter_queue_depth") == 0
        assert sample(families, "process_resident_memory_bytes", "process_resident_memory_bytes") > 0
        stop(process, log_path, within=10)
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)  # the port is closed with the process


def test_a_web_process_finishes_the_request_in_flight_on_sigterm(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_SHUTDOWN_TIMEOUT_SECONDS="20")
    with hub_process(tmp_path, "--no-scheduler", env=env) as (process, base):
        port = int(base.rsplit(":", 1)[1])
        with httpx.Client(base_url=base) as browser:
            page = browser.get("/en/newsletter")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            cookie = browser.cookies["hub_session"]
        body = f"csrf_token={token}&email=slow.reader%40example.org&language=en&consent=on".encode()
        head = (
            f"POST /en/newsletter HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: hub_session={cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(head + body[:20])  # the request has begun: the server waits for the rest
            time.sleep(0.5)
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            time.sleep(1.5)
            assert process.poll() is None  # still finishing our request
            with pytest.raises(OSError):  # but taking no new connection
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
            client.sendall(body[20:])
            response = b""
            while chunk := client.recv(65536):
                response += chunk
        status_line = response.split(b"\r\n", 1)[0]
        assert status_line == b"HTTP/1.1 303 See Other", response[:500]
        assert b"location: /en/newsletter" in response.lower()
        assert process.wait(timeout=20) == 0
        assert time.monotonic() - began < 20
    assert 'POST /en/newsletter HTTP/1.1" 303' in (tmp_path / "serve.log").read_text()
    engine = create_engine(env["HUB_DATABASE_URL"])
    try:
        with make_sessionmaker(engine)() as session:
            subscription = session.scalar(
                select(Subscription).where(Subscription.email == "slow.reader@example.org")
            )
        assert subscription is not None and subscription.status is SubscriptionStatus.PENDING
    finally:
        engine.dispose()
