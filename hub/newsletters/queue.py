"""The deliveries of an issue as a queue in the database: created at once, claimed in batches with
a lease, recorded as sent, retried or set aside.

Every change is one statement whose WHERE clause holds the conditions it needs, so any number
of workers in any number of processes share the queue: a claim takes only pending deliveries
whose claim is free or expired (``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets concurrent claims
pass each other instead of queueing; SQLite has one writer at a time, see ``writer_sessions``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Table, and_, bindparam, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from hub.newsletters import issues
from hub.newsletters.models import (
    ConsentEvent,
    Delivery,
    DeliveryStatus,
    Interest,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.newsletters.rendering import Segment

MAX_ATTEMPTS = 3
ERROR_LENGTH = 500

deliveries: Table = Delivery.__table__  # type: ignore[assignment]
_interests: Table = Interest.__table__  # type: ignore[assignment]
_subscriptions: Table = Subscription.__table__  # type: ignore[assignment]

# The statements a send runs for every batch or every few messages: Core on the tables, built
# once, the ids bound (ORM bulk statements built anew cost more CPU than sending the messages).


def _claim() -> Any:
    """The claim of a batch (see ``claim_batch``)."""
    free = or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < bindparam("b_now"))
    pending = deliveries.c.status == DeliveryStatus.PENDING
    queue = (
        select(deliveries.c.id)
        .where(deliveries.c.issue_id == bindparam("b_issue"), pending, free)
        .order_by(deliveries.c.id)
        .limit(bindparam("b_size"))
        .with_for_update(skip_locked=True)
    )
    issue = NewsletterIssue.__table__
    sending = exists().where(issue.c.id == bindparam("b_issue"), issue.c.status == IssueStatus.SENDING)
    return (
        update(deliveries)
        .where(deliveries.c.id.in_(queue.scalar_subquery()), pending, free, sending)
        .values(claimed_by=bindparam("b_owner"), claimed_until=bindparam("b_until"))
        .returning(deliveries.c.id, deliveries.c.subscription_id, deliveries.c.attempts)
    )


CLAIM = _claim()
INTERESTS_OF = select(_interests.c.subscription_id, _interests.c.kind, _interests.c.ref_id).where(
    _interests.c.subscription_id.in_(bindparam("ids", expanding=True))
)
SUBSCRIBERS = select(
    *(_subscriptions.c[name] for name in ("id", "email", "language", "key", "status"))
).where(_subscriptions.c.id.in_(bindparam("ids", expanding=True)))
MARK_SENT = (
    update(deliveries)
    .where(deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=DeliveryStatus.SENT, sent_at=bindparam("now"), claimed_until=None)
)


def create_deliveries(session: Session, *, issue_id: int) -> int:
    """One pending delivery per confirmed subscription not yet on the issue; the issue's count.

    One INSERT ... SELECT (the subscribers never pass through Python); the NOT EXISTS guard and
    the unique (issue, subscription) constraint make a second call add nobody twice.
    """
    already = exists().where(Delivery.issue_id == issue_id, Delivery.subscription_id == Subscription.id)
    session.execute(
        insert(Delivery).from_select(
            ["issue_id", "subscription_id", "status", "attempts", "last_error"],
            select(
                literal(issue_id),
                Subscription.id,
                literal(DeliveryStatus.PENDING.value),
                literal(0),
                literal(""),
            ).where(Subscription.status == SubscriptionStatus.CONFIRMED, ~already),
        )
    )
    count = session.scalar(select(func.count()).where(Delivery.issue_id == issue_id)) or 0
    session.execute(
        update(NewsletterIssue)
        .where(NewsletterIssue.id == issue_id)
        .values(recipients=count)
        .execution_options(synchronize_session=False)
    )
    return count


def delivery_counts(session: Session, *, issue_id: int) -> dict[DeliveryStatus, int]:
    """One issue's deliveries per status (the composer's query, for one issue)."""
    counts = issues.delivery_counts(session, issue_ids=[issue_id])
    return counts.get(issue_id, dict.fromkeys(DeliveryStatus, 0))


def status_totals(session: Session) -> dict[DeliveryStatus, int]:
    """Every delivery of every issue per status (for the metrics): one grouped query, which the
    queue index (issue, status, id) covers."""
    counts = dict.fromkeys(DeliveryStatus, 0)
    for status, count in session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)):
        counts[status] = count
    return counts


def waiting(session: Session) -> int:
    """Deliveries of the issues being sent that are still to be sent (claimed or not)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(NewsletterIssue, NewsletterIssue.id == Delivery.issue_id)
            .where(NewsletterIssue.status == IssueStatus.SENDING, Delivery.status == DeliveryStatus.PENDING)
        )
        or 0
    )


def pending_state(session: Session, *, issue_id: int) -> tuple[IssueStatus | None, int, dt.datetime | None]:
    """The issue's status, how many deliveries are pending, and when the earliest claim on one ends."""
    status = session.scalar(select(NewsletterIssue.status).where(NewsletterIssue.id == issue_id))
    pending, earliest = session.execute(
        select(func.count(), func.min(Delivery.claimed_until)).where(
            Delivery.issue_id == issue_id, Delivery.status == DeliveryStatus.PENDING
        )
    ).one()
    return status, pending, earliest


def finish_if_done(session: Session, *, issue_id: int, now: dt.datetime) -> bool:
    """Mark the issue sent once no delivery is pending; True if it is sent (now or before)."""
    session.execute(
        update(NewsletterIssue)
        .where(
            NewsletterIssue.id == issue_id,
            NewsletterIssue.status == IssueStatus.SENDING,
            ~exists().where(Delivery.issue_id == issue_id, Delivery.status == DeliveryStatus.PENDING),
        )
        .values(status=IssueStatus.SENT, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return session.scalar(select(NewsletterIssue.status).where(NewsletterIssue.id == issue_id)) is (
        IssueStatus.SENT
    )


# -- claiming and recording -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Claimed:
    id: int
    subscription_id: int
    attempts: int


def claim_batch(
    session: Session, *, issue_id: int, owner: str, size: int, lease: dt.timedelta, now: dt.datetime
) -> list[Claimed]:
    """Take up to ``size`` pending deliveries of a ``sending`` issue whose claim is free or expired."""
    values = {"b_issue": issue_id, "b_size": size, "b_now": now, "b_owner": owner, "b_until": now + lease}
    rows = session.connection().execute(CLAIM, values).all()
    session.commit()
    return [Claimed(*row) for row in sorted(rows)]


def extend_claims(
    session: Session, *, ids: Sequence[int], owner: str, lease: dt.timedelta, now: dt.datetime
) -> set[int]:
    """Keep our claim on ``ids`` while a slow batch goes on; the ids still ours."""
    kept = session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == owner, Delivery.status == DeliveryStatus.PENDING)
        .values(claimed_until=now + lease)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return set(kept)


def release(session: Session, *, ids: Sequence[int], owner: str) -> None:
    """Give deliveries back untried (the connection failed, not the message)."""
    if ids:
        session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(ids), Delivery.claimed_by == owner, Delivery.status == DeliveryStatus.PENDING
            )
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
    session.commit()


class Recipient(NamedTuple):
    subscription: Subscription  # detached: its id, address, key, language and status only
    segment: Segment


def recipients(session: Session, *, subscription_ids: Sequence[int]) -> dict[int, Recipient]:
    """The subscriptions of a batch and what they follow: two plain queries, no ORM identity map
    (loading 50 subscriptions with their interests as ORM objects cost more than sending them)."""
    followed: dict[int, set[tuple[Any, int]]] = {}
    connection, ids = session.connection(), {"ids": list(subscription_ids)}
    for subscription_id, kind, ref_id in connection.execute(INTERESTS_OF, ids):
        followed.setdefault(subscription_id, set()).add((kind, ref_id))
    found = {}
    for subscription_id, email, language, key, status in connection.execute(SUBSCRIBERS, ids):
        subscription = Subscription(
            id=subscription_id, email=email, language=language, key=key, status=status
        )
        segment = Segment(language, frozenset(followed.get(subscription_id, ())))
        found[subscription_id] = Recipient(subscription, segment)
    return found


@dataclasses.dataclass(frozen=True)
class Failure:
    delivery: Claimed
    error: str
    permanent_refusal: bool = False  # a 5xx to RCPT: the address does not take mail


@dataclasses.dataclass
class Outcome:
    sent: list[int] = dataclasses.field(default_factory=list)
    failures: list[Failure] = dataclasses.field(default_factory=list)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (delivery id, why)
    untried: list[int] = dataclasses.field(default_factory=list)
    marked: int = 0  # how many of ``sent`` are marked in the database already (``mark_sent``)


def record(
    session: Session,
    *,
    outcome: Outcome,
    owner: str,
    now: dt.datetime,
    retry_after: dt.timedelta,
    bounce_threshold: int,
) -> tuple[int, int]:
    """Write what a batch did, in one transaction: (set aside, bounces counted)."""
    if len(outcome.sent) > outcome.marked:
        _mark_sent(session, ids=outcome.sent[outcome.marked :], now=now)
    if outcome.skipped:
        session.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("b_id"), deliveries.c.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.FAILED, last_error=bindparam("b_error"), claimed_until=None),
            [{"b_id": delivery_id, "b_error": why} for delivery_id, why in outcome.skipped],
        )
    set_aside = [f for f in outcome.failures if f.delivery.attempts + 1 >= MAX_ATTEMPTS]
    if outcome.failures:
        session.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("b_id"), deliveries.c.status == DeliveryStatus.PENDING)
            .values(
                attempts=deliveries.c.attempts + 1,
                last_error=bindparam("b_error"),
                status=case(
                    (deliveries.c.attempts + 1 >= MAX_ATTEMPTS, DeliveryStatus.FAILED.value),
                    else_=DeliveryStatus.PENDING.value,
                ),
                claimed_by=None,
                claimed_until=now + retry_after,
            ),
            [{"b_id": f.delivery.id, "b_error": f.error[:ERROR_LENGTH]} for f in outcome.failures],
        )
    bounced = [f.delivery.subscription_id for f in set_aside if f.permanent_refusal]
    if bounced:
        _count_bounces(session, subscription_ids=bounced, now=now, threshold=bounce_threshold)
    if outcome.untried:
        release(session, ids=outcome.untried, owner=owner)
    session.commit()
    return len(set_aside), len(bounced)


def mark_sent(session: Session, *, outcome: Outcome, now: dt.datetime) -> None:
    """Messages the server accepted, marked before their batch ends: a process killed mid-batch
    leaves fewer to be sent a second time once its lease runs out. (``record`` marks the rest.)"""
    _mark_sent(session, ids=outcome.sent[outcome.marked :], now=now)
    session.commit()
    outcome.marked = len(outcome.sent)


def _mark_sent(session: Session, *, ids: Sequence[int], now: dt.datetime) -> None:
    session.connection().execute(MARK_SENT, {"ids": list(ids), "now": now})


def _count_bounces(
    session: Session, *, subscription_ids: list[int], now: dt.datetime, threshold: int
) -> None:
    """One bounce each; a confirmed subscription reaching ``threshold`` becomes ``bounced``."""
    rows = session.execute(
        update(Subscription)
        .where(Subscription.id.in_(subscription_ids))
        .values(
            bounces=Subscription.bounces + 1,
            last_bounce_at=now,
            status=case(
                (
                    and_(
                        Subscription.bounces + 1 >= threshold,
                        Subscription.status == SubscriptionStatus.CONFIRMED,
                    ),
                    SubscriptionStatus.BOUNCED.value,
                ),
                else_=Subscription.status,
            ),
        )
        .returning(Subscription.id, Subscription.status, Subscription.language, Subscription.bounces)
        .execution_options(synchronize_session=False)
    ).all()
    for subscription_id, status, language, bounces in rows:
        if status is SubscriptionStatus.BOUNCED and bounces >= threshold:
            session.add(
                ConsentEvent(
                    subscription_id=subscription_id,
                    at=now,
                    action="bounced",
                    language=language,
                )
            )
    session.flush()
