"""Sending an issue: one delivery row per subscriber, claimed in batches with a lease, sent, marked.

What is due lives in the database. ``start_due_issues`` turns a scheduled issue into one
``Delivery`` row per confirmed subscription (one INSERT ... SELECT, in the same transaction as the
issue's move to ``sending``). ``send_issue`` then runs ``newsletter_connections`` workers; each
claims a batch of pending deliveries with one UPDATE that sets ``claimed_by``/``claimed_until``
(``FOR UPDATE SKIP LOCKED`` spreads the queue over workers and processes on PostgreSQL; SQLite
has one writer at a time), sends the batch over its one SMTP connection, and marks what the server
accepted ``sent``: every ``MARK_EVERY`` messages, and the rest when the batch ends.

**The guarantee.** A delivery is marked sent only after the mail server accepted its message,
and a claim is only ever taken when it is free or its lease has expired. So whenever a sender
dies (SIGKILL, power loss), every delivery it had not marked is sent later by whoever claims
it once the lease expires: nobody is skipped. The only messages sent twice are those accepted by
the server but not yet marked at the crash: fewer than ``MARK_EVERY`` per connection, so at most
``newsletter_connections × MARK_EVERY`` per crashed process (less than one batch), and a
subscriber gets one extra copy for each crash that caught their message in that window.

**Stopping.** When the caller's ``stop`` is set (the scheduler or ``hub newsletter send`` got
SIGTERM), every worker finishes the message it is sending, records what the server accepted as
sent, and gives the rest of its batch back at once (not when the lease runs out), so another
process resumes the send without waiting and without sending anything twice.

A message the server refuses counts as an attempt and returns to the queue (after
``retry_after``); after ``MAX_ATTEMPTS`` it is set aside (``failed``), and a permanent refusal
of the recipient (5xx) then counts one bounce on the subscription. A connection that fails as a
whole (server down) gives its batch back untouched and the worker backs off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.db import utcnow, writer_sessions
from hub.newsletters.models import IssueStatus, NewsletterIssue, Subscription, SubscriptionStatus
from hub.newsletters.queue import (
    Claimed,
    Failure,
    Outcome,
    claim_batch,
    create_deliveries,
    extend_claims,
    finish_if_done,
    mark_sent,
    pending_state,
    recipients,
    record,
)
from hub.newsletters.segments import SegmentCache
from hub.newsletters.transport import (
    ConnectionFailed,
    Prepared,
    RateLimit,
    Transport,
    describe,
    make_transport,
    permanent_refusal,
)
from hub.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(seconds=30)  # before a refused message is tried again
BACKOFF = 1.0  # seconds after the first failed connection; doubles up to BACKOFF_MAX
BACKOFF_MAX = 60.0
CONNECTION_FAILURES = 6  # in a row: the worker gives up (the next run resumes)
# Accepted messages are marked sent every this many, not only when their batch ends: a process
# killed mid-send leaves at most this many per connection to be sent again.
MARK_EVERY = 10


# -- starting --------------------------------------------------------------------------------


def start_due_issues(session: Session, *, now: dt.datetime) -> list[int]:
    """Scheduled issues whose time has come become ``sending``, with their deliveries; their ids.

    The UPDATE's WHERE clause holds the conditions, so of processes racing for an issue one
    wins it; its deliveries are written in the same transaction.
    """
    started = list(
        session.execute(
            update(NewsletterIssue)
            .where(
                NewsletterIssue.status == IssueStatus.SCHEDULED,
                NewsletterIssue.scheduled_for <= now,
            )
            .values(status=IssueStatus.SENDING, started_at=now)
            .returning(NewsletterIssue.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    for issue_id in started:
        create_deliveries(session, issue_id=issue_id)
    session.commit()
    return started


def schedule_now(session: Session, *, issue_id: int, now: dt.datetime) -> bool:
    """Make a draft or scheduled issue due now; False if it is sending, sent or cancelled."""
    result = session.execute(
        update(NewsletterIssue)
        .where(
            NewsletterIssue.id == issue_id,
            NewsletterIssue.status.in_([IssueStatus.DRAFT, IssueStatus.SCHEDULED]),
        )
        .values(status=IssueStatus.SCHEDULED, scheduled_for=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def sending_issues(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(NewsletterIssue.id)
            .where(NewsletterIssue.status == IssueStatus.SENDING)
            .order_by(NewsletterIssue.id)
        )
    )


# -- sending --------------------------------------------------------------------------------


@dataclasses.dataclass
class SendResult:
    issue_id: int
    sent: int = 0  # accepted by the mail server in this call
    retried: int = 0  # refused, back in the queue
    set_aside: int = 0  # failed for the last time
    bounces: int = 0
    skipped: int = 0  # no longer confirmed when their turn came
    finished: bool = False  # the issue is sent
    error: str = ""  # why the workers gave up (the mail server did not answer)


Progress = Callable[[SendResult], None]


class _Send:
    """The shared state of one ``send_issue``: counters, the segment cache, the rate limit."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        issue_id: int,
        settings: Settings,
        owner: str,
        progress: Progress | None,
        stop: threading.Event | None,
        retry_after: dt.timedelta,
        backoff: float,
    ) -> None:
        self.sessions = sessions
        self.writer = writer_sessions(sessions)
        self.issue_id = issue_id
        self.settings = settings
        self.owner = owner
        self.progress = progress
        self.stop = stop or threading.Event()  # the caller's: stop after the message in hand
        self.halt = threading.Event()  # a worker failed (or Ctrl-C): every worker stops
        self.retry_after = retry_after
        self.backoff = backoff
        self.lease = dt.timedelta(seconds=settings.newsletter_lease_seconds)
        self.cache = SegmentCache(issue_id=issue_id, settings=settings)
        self.rate = RateLimit(settings.newsletter_rate)
        self.result = SendResult(issue_id)
        self.crash: Exception | None = None
        self.lock = threading.Lock()

    def work(self, number: int) -> None:
        owner = f"{self.owner}/{number}"[:200]
        transport: Transport | None = None
        try:
            transport = make_transport(self.settings)
            self._work(owner, transport)
        except Exception as error:  # a bug or the database: stop every worker, tell the caller
            log.exception(
                "newsletter %d: worker %s failed", self.issue_id, owner, extra={"issue_id": self.issue_id}
            )
            with self.lock:
                self.crash = self.crash or error
            self.halt.set()
        finally:
            if transport is not None:
                transport.close()

    def _work(self, owner: str, transport: Transport) -> None:
        failures = 0
        while not self.stopping():
            claimed_at = time.monotonic()  # the lease runs from (before) the claim
            with self.writer() as session:
                batch = claim_batch(
                    session,
                    issue_id=self.issue_id,
                    owner=owner,
                    size=self.settings.newsletter_batch_size,
                    lease=self.lease,
                    now=utcnow(),
                )
            if not batch:
                if not self._wait_for_work():
                    return
                continue
            outcome = Outcome()
            try:
                error = self._send_batch(batch, transport, owner, outcome, claimed_at)
            except BaseException:  # record what the server took; give the rest back at once
                done = set(outcome.sent) | set(outcome.untried) | {f.delivery.id for f in outcome.failures}
                done |= {delivery_id for delivery_id, _ in outcome.skipped}
                outcome.untried.extend(d.id for d in batch if d.id not in done)
                self._record(outcome, owner)
                raise
            set_aside, bounces = self._record(outcome, owner)
            self._count(outcome, set_aside, bounces)
            if error is None:
                failures = 0
                continue
            failures += 1
            log.warning(
                "newsletter %d: %s (connection failure %d)",
                self.issue_id,
                error,
                failures,
                extra={"issue_id": self.issue_id, "worker": owner},
            )
            if failures >= CONNECTION_FAILURES:
                with self.lock:
                    self.result.error = error
                return
            self.pause(min(BACKOFF_MAX, self.backoff * 2 ** (failures - 1)))

    def stopping(self) -> bool:
        return self.stop.is_set() or self.halt.is_set()

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the send is stopped meanwhile (the caller's ``stop`` is
        looked at every 0.1 s)."""
        deadline = time.monotonic() + seconds
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.halt.wait(min(left, 0.1))

    def _record(self, outcome: Outcome, owner: str) -> tuple[int, int]:
        with self.writer() as session:
            return record(
                session,
                outcome=outcome,
                owner=owner,
                now=utcnow(),
                retry_after=self.retry_after,
                bounce_threshold=self.settings.bounce_threshold,
            )

    def _wait_for_work(self) -> bool:
        """Nothing to claim: False when the queue is empty or the issue no longer sending, else wait
        until the earliest claim (another worker's batch, a crashed process's, a retry) expires."""
        with self.sessions() as session:
            status, pending, earliest = pending_state(session, issue_id=self.issue_id)
        if status is not IssueStatus.SENDING or not pending:
            return False
        delay = 0.05 if earliest is None else (earliest - utcnow()).total_seconds()
        self.pause(min(1.0, max(0.05, delay)))
        return True

    def _send_batch(
        self, batch: list[Claimed], transport: Transport, owner: str, outcome: Outcome, claimed_at: float
    ) -> str | None:
        """Send a claimed batch, noting in ``outcome`` what became of each delivery; the reason
        when the connection failed (the rest of the batch is then given back untried). When the
        send is stopped, the rest of the batch after the message in hand is given back too."""
        with self.sessions() as session:  # the reads, then the session is closed before sending
            found = recipients(session, subscription_ids=[d.subscription_id for d in batch])
            todo: list[tuple[Claimed, Prepared, Subscription]] = []
            for delivery in batch:
                recipient = found.get(delivery.subscription_id)
                if recipient is None or recipient.subscription.status is not SubscriptionStatus.CONFIRMED:
                    state = recipient.subscription.status.value if recipient else "deleted"
                    outcome.skipped.append((delivery.id, f"skipped: the subscription is {state}"))
                    continue
                todo.append((delivery, self.cache.get(session, recipient.segment), recipient.subscription))
        renew_every = self.lease.total_seconds() / 3
        renew_at = claimed_at + renew_every
        ours = {delivery.id for delivery, _, _ in todo}
        for index, (delivery, prepared, subscription) in enumerate(todo):
            if len(outcome.sent) - outcome.marked >= MARK_EVERY:
                with self.writer() as session:
                    mark_sent(session, outcome=outcome, now=utcnow())
            if time.monotonic() >= renew_at:  # a slow batch (a low rate): keep the claim alive
                with self.writer() as session:
                    ours = extend_claims(
                        session,
                        ids=[d.id for d, _, _ in todo[index:]],
                        owner=owner,
                        lease=self.lease,
                        now=utcnow(),
                    )
                renew_at = time.monotonic() + renew_every
            if delivery.id not in ours:  # our claim expired and another sender has it now
                continue
            if self.stopping():
                outcome.untried.extend(d.id for d, _, _ in todo[index:] if d.id in ours)
                return None
            # Each message is made just before it is sent: the other workers' connections get
            # the interpreter between every two messages, not after a whole batch was built.
            try:
                data, smtputf8 = prepared.message(subscription)
            except Exception as error:  # one bad address must not stop the batch
                outcome.failures.append(Failure(delivery, describe(error)))
                continue
            self.pause(self.rate.reserve())  # stopping cuts the wait short: checked again below
            if self.stopping():
                outcome.untried.extend(d.id for d, _, _ in todo[index:] if d.id in ours)
                return None
            try:
                transport.send(data, subscription.email, smtputf8=smtputf8)
            except ConnectionFailed as error:
                if error.in_message:
                    outcome.failures.append(Failure(delivery, str(error)))
                else:
                    outcome.untried.append(delivery.id)
                outcome.untried.extend(d.id for d, _, _ in todo[index + 1 :] if d.id in ours)
                return str(error)
            except smtplib.SMTPException as error:
                outcome.failures.append(_failure(delivery, error))
            else:
                outcome.sent.append(delivery.id)
        return None

    def _count(self, outcome: Outcome, set_aside: int, bounces: int) -> None:
        with self.lock:
            self.result.sent += len(outcome.sent)
            self.result.retried += len(outcome.failures) - set_aside
            self.result.set_aside += set_aside
            self.result.bounces += bounces
            self.result.skipped += len(outcome.skipped)
            snapshot = dataclasses.replace(self.result)
        if self.progress is not None:
            self.progress(snapshot)


def _failure(delivery: Claimed, error: smtplib.SMTPException) -> Failure:
    return Failure(delivery, describe(error), permanent_refusal=permanent_refusal(error))


def send_issue(
    sessions: sessionmaker[Session],
    *,
    issue_id: int,
    settings: Settings,
    owner: str,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    retry_after: dt.timedelta = RETRY_AFTER,
    backoff: float = BACKOFF,
) -> SendResult:
    """Send a ``sending`` issue's pending deliveries until none is left (or the issue is cancelled,
    or ``stop`` is set: see the module's doc).

    ``newsletter_connections`` workers (threads) each claim batches and send them over their own
    connection. ``sessions`` should be bound to an engine: with a single connection (the tests'
    transaction) one worker runs, in this thread. Any number of processes may send the same issue
    at once; they share the queue.
    """
    if not settings.secret_key:
        raise ValueError("sending a newsletter needs the secret key that signs its links")
    state = _Send(
        sessions,
        issue_id=issue_id,
        settings=settings,
        owner=owner,
        progress=progress,
        stop=stop,
        retry_after=retry_after,
        backoff=backoff,
    )
    bind = sessions.kw.get("bind")
    workers = settings.newsletter_connections if isinstance(bind, Engine) else 1
    if workers == 1:
        state.work(0)
    else:
        threads = [
            threading.Thread(target=state.work, args=(n,), name=f"newsletter-{issue_id}-{n}")
            for n in range(workers)
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:  # Ctrl-C: let the messages in flight finish and be recorded
            state.halt.set()
            for thread in threads:
                thread.join()
            raise
    if state.crash is not None:
        raise state.crash
    with writer_sessions(sessions)() as session:
        state.result.finished = finish_if_done(session, issue_id=issue_id, now=utcnow())
    result = state.result
    log.info(
        "newsletter %d: %d sent, %d retried, %d set aside, %d skipped%s",
        issue_id,
        result.sent,
        result.retried,
        result.set_aside,
        result.skipped,
        ", finished" if result.finished else (", stopped" if state.stop.is_set() else ""),
        extra={
            "issue_id": issue_id,
            "sent": result.sent,
            "retried": result.retried,
            "set_aside": result.set_aside,
            "skipped": result.skipped,
            "finished": result.finished,
        },
    )
    return result


def run_due_newsletters(
    sessions: sessionmaker[Session],
    *,
    owner: str,
    settings: Settings,
    stop: threading.Event | None = None,
    sent: Callable[[SendResult], None] | None = None,
) -> list[int]:
    """The scheduler's part: start due issues, then send every issue in ``sending`` (resuming one
    a stopped process left); the ids of the issues that are now sent.

    ``stop``: stop sending (see the module's doc) and start no other issue; ``sent`` is told how
    each send went.
    """
    stopped = stop.is_set if stop is not None else lambda: False
    if stopped():
        return []
    with writer_sessions(sessions)() as session:
        started = start_due_issues(session, now=utcnow())
    for issue_id in started:
        log.info("newsletter %d: sending started", issue_id, extra={"issue_id": issue_id})
    with sessions() as session:
        issue_ids = sending_issues(session)
    done = []
    for issue_id in issue_ids:
        if stopped():
            break
        result = send_issue(sessions, issue_id=issue_id, settings=settings, owner=owner, stop=stop)
        if sent is not None:
            sent(result)
        if result.finished:
            done.append(issue_id)
    return done
