"""``hub newsletter send`` killed with SIGKILL at random moments, restarted until the issue is sent.

What this proves, from what the SMTP server received (the recipients of every message it
accepted), with K kills, C connections and batches of B:

1. every one of the 5,000 confirmed subscribers received the issue at least once, and nobody else
   received it (nobody is skipped, whatever the moment of the crash);
2. the copies beyond the first, over all subscribers, number at most K × C × B: only the batches
   in flight at a kill (accepted by the server, not yet marked sent) are sent again;
3. no subscriber received more than 1 + K copies (one extra for each kill that caught their batch
   in flight), and at most K × C × B subscribers received more than one;
4. the issue ends ``sent``, with every delivery ``sent``.

PostgreSQL only (the production database, with several processes): it needs
``HUB_TEST_POSTGRES_URL`` and is skipped without it (failed when ``HUB_TEST_REQUIRE_POSTGRES``
is set), like every PostgreSQL test.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import migrate
from hub.db import make_engine, make_sessionmaker, utcnow
from hub.newsletters import queue
from hub.newsletters.models import (
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from tests.conftest import create_database_url, drop_database
from tests.servers import HUB, free_port, hub_environment

SUBSCRIBERS = 5_000
KILLS = 4
CONNECTIONS = 3
BATCH = 50
SEED = 20180607


class Recipients:
    """An aiosmtpd handler that keeps only who each accepted message was for (cheap: no parsing)."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def wait_until(condition: Any, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_sigkill_at_random_moments_skips_nobody_and_repeats_only_the_batches_in_flight(
    postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    url, handle = create_database_url("postgresql", tmp_path_factory, postgres_admin_url)
    engine = make_engine(url)
    handler = Recipients()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        emails = [f"reader{n:05}@example.org" for n in range(SUBSCRIBERS)]
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
            )
            session.add(issue)
            session.commit()
            issue_id = issue.id

        env = hub_environment(
            tmp_path,
            HUB_DATABASE_URL=url,
            HUB_SECRET_KEY="test-secret-of-at-least-32-characters",
            HUB_SMTP_HOST="127.0.0.1",
            HUB_SMTP_PORT=str(port),
            HUB_SMTP_STARTTLS="false",
            HUB_NEWSLETTER_LEASE_SECONDS="2",
            HUB_NEWSLETTER_CONNECTIONS=str(CONNECTIONS),
            HUB_NEWSLETTER_BATCH_SIZE=str(BATCH),
            HUB_LOG_LEVEL="WARNING",
        )
        rng = random.Random(SEED)
        kills = 0
        runs = 0
        started = time.monotonic()
        while True:
            runs += 1
            assert runs <= KILLS + 3, "the issue was not sent after every kill and two clean runs"
            with (tmp_path / f"run{runs}.log").open("w") as log:
                process = subprocess.Popen(
                    [*HUB, "newsletter", "send", str(issue_id)], env=env, stdout=log, stderr=subprocess.STDOUT
                )
                if kills < KILLS:
                    if kills == 0:
                        # Anywhere from start-up (migration check, starting the issue) to sending.
                        time.sleep(rng.uniform(0.2, 2.5))
                    else:
                        # While it sends: once this process has had messages accepted.
                        before = len(handler.received)

                        def sending(before: int = before, process: Any = process) -> bool:
                            return len(handler.received) > before or process.poll() is not None

                        wait_until(sending, timeout=30)
                        time.sleep(rng.uniform(0.0, 0.8))
                    if process.poll() is None:
                        process.kill()  # SIGKILL: no cleanup, no lease released
                        process.wait()
                        kills += 1
                        continue
                returncode = process.wait(timeout=60)
            with sessions() as session:
                status = session.scalar(select(NewsletterIssue.status).where(NewsletterIssue.id == issue_id))
            if status is IssueStatus.SENT:
                assert returncode == 0, (tmp_path / f"run{runs}.log").read_text()
                break
        elapsed = time.monotonic() - started

        copies = collections.Counter(handler.received)
        extra = len(handler.received) - SUBSCRIBERS
        print(
            f"\n{kills} kills, {runs} runs, {elapsed:.1f} s: {len(handler.received):,} messages for "
            f"{SUBSCRIBERS:,} subscribers, {extra} extra copies (bound {kills * CONNECTIONS * BATCH}), "
            f"most copies of one message: {max(copies.values())}"
        )
        assert kills == KILLS
        # 1. nobody skipped, nobody else
        assert set(copies) == set(emails)
        # 2. only the batches in flight at a kill were sent again
        assert 0 <= extra <= kills * CONNECTIONS * BATCH
        # 3. one extra copy per kill at most, for at most the in-flight batches' subscribers
        assert max(copies.values()) <= 1 + kills
        assert sum(1 for n in copies.values() if n > 1) <= kills * CONNECTIONS * BATCH
        # 4. the issue is sent, every delivery too
        with sessions() as session:
            assert queue.delivery_counts(session, issue_id=issue_id) == {
                DeliveryStatus.PENDING: 0,
                DeliveryStatus.SENT: SUBSCRIBERS,
                DeliveryStatus.FAILED: 0,
            }
            sent = session.get(NewsletterIssue, issue_id)
            assert sent is not None and sent.recipients == SUBSCRIBERS and sent.finished_at is not None
    finally:
        controller.stop()
        engine.dispose()
        drop_database(postgres_admin_url, handle)
