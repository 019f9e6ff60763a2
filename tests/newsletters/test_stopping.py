"""A send stopped from outside (the scheduler got SIGTERM) in the middle of its batches: the
messages the server accepted are marked sent, the rest of every claimed batch is given back at
once, and resuming sends each remaining subscriber exactly once. Several workers, a real SMTP
server, both backends."""

from __future__ import annotations

import collections
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import migrate
from hub.db import make_sessionmaker, utcnow
from hub.newsletters import queue, sending
from hub.newsletters.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from tests.mail import smtp_settings
from tests.servers import free_port

SUBSCRIBERS = 60
STOP_AFTER = 12


class StoppingInbox:
    """Keeps who each message was for; sets ``stop`` when the ``after``-th message arrives."""

    def __init__(self, stop: threading.Event, after: int) -> None:
        self.received: list[str] = []
        self.stop = stop
        self.after = after

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.extend(envelope.rcpt_tos)
        if len(self.received) >= self.after:
            self.stop.set()
        return "250 OK"


@pytest.fixture
def sessions(empty_engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to an engine of its own: the workers each take a connection."""
    migrate.upgrade(empty_engine)
    return make_sessionmaker(empty_engine)


@pytest.fixture
def stop() -> threading.Event:
    return threading.Event()


@pytest.fixture
def inbox(stop: threading.Event) -> Iterator[tuple[StoppingInbox, int]]:
    handler = StoppingInbox(stop, STOP_AFTER)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_a_stopped_send_gives_back_its_batches_and_resumes_exactly_once(
    sessions: sessionmaker[Session], inbox: tuple[StoppingInbox, int], stop: threading.Event, tmp_path: Path
) -> None:
    handler, port = inbox
    emails = [f"reader{n:02}@example.org" for n in range(SUBSCRIBERS)]
    with sessions() as session:
        session.execute(
            insert(Subscription),
            [{"email": e, "status": SubscriptionStatus.CONFIRMED} for e in emails],
        )
        issue = NewsletterIssue(
            subject_nl="Nieuws",
            subject_en="News",
            since=utcnow() - dt.timedelta(days=30),
            status=IssueStatus.SCHEDULED,
            scheduled_for=utcnow(),
        )
        session.add(issue)
        session.commit()
        issue_id = issue.id
        assert sending.start_due_issues(session, now=utcnow()) == [issue_id]
    # Batches of 10 over 3 connections; the lease is long: nothing may wait for it to run out.
    settings = smtp_settings(
        tmp_path, port, newsletter_batch_size=10, newsletter_connections=3, newsletter_lease_seconds=600
    )

    stopped = sending.send_issue(sessions, issue_id=issue_id, settings=settings, owner="first", stop=stop)
    assert not stopped.finished
    # The messages in flight when the stop came were finished, no more: fewer than the 30
    # of three whole batches.
    assert STOP_AFTER <= len(handler.received) < 30
    assert stopped.sent == len(handler.received)
    with sessions() as session:
        marked = session.scalars(
            select(Subscription.email)
            .join(Delivery, Delivery.subscription_id == Subscription.id)
            .where(Delivery.status == DeliveryStatus.SENT)
        ).all()
        assert sorted(marked) == sorted(handler.received)
        held = session.scalars(
            select(Delivery.id).where(
                Delivery.status == DeliveryStatus.PENDING, Delivery.claimed_until.is_not(None)
            )
        ).all()
        assert held == []  # every claim given back, none left to run out

    again = sending.send_issue(sessions, issue_id=issue_id, settings=settings, owner="second")
    assert again.finished and again.sent == SUBSCRIBERS - stopped.sent
    copies = collections.Counter(handler.received)
    assert set(copies) == set(emails) and max(copies.values()) == 1
    with sessions() as session:
        assert queue.delivery_counts(session, issue_id=issue_id)[DeliveryStatus.SENT] == SUBSCRIBERS


def test_a_scheduler_told_to_stop_starts_no_send(
    sessions: sessionmaker[Session], inbox: tuple[StoppingInbox, int], stop: threading.Event, tmp_path: Path
) -> None:
    handler, port = inbox
    with sessions() as session:
        session.add(Subscription(email="reader@example.org", status=SubscriptionStatus.CONFIRMED))
        session.add(NewsletterIssue(since=utcnow(), status=IssueStatus.SCHEDULED, scheduled_for=utcnow()))
        session.commit()
    stop.set()
    settings = smtp_settings(tmp_path, port)
    assert sending.run_due_newsletters(sessions, owner="stopping", settings=settings, stop=stop) == []
    assert handler.received == []
    with sessions() as session:
        assert session.scalar(select(NewsletterIssue.status)) is IssueStatus.SCHEDULED
