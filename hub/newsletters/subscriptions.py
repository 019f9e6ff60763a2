"""Subscribing without an account: double opt-in, the preference centre, leaving, bounces, and
the subscriber's own data.

A request never changes a subscription's status by itself: a new address waits for its
confirmation, a confirmed one stays as it is, one that left stays unsubscribed until the new
confirmation link is used. So nobody can subscribe, resubscribe or re-route someone else by
typing their address, and the page answers the same for every address (it reveals nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from hub.communities.models import Community
from hub.db import utcnow
from hub.newsletters.models import (
    ConsentEvent,
    Delivery,
    Interest,
    InterestKind,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
    new_key,
)
from hub.newsletters.tokens import ConfirmRequest, Interests
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup
from hub.urls import absolute_url

# One confirmation (or reminder) per address in this time, however often the form is sent.
RESEND_AFTER = dt.timedelta(minutes=15)


class Reply(enum.Enum):
    """What to send after a request: a confirmation link, a link to the preferences, or nothing."""

    CONFIRM = "confirm"
    MANAGE = "manage"
    NOTHING = "nothing"


@dataclasses.dataclass(frozen=True)
class Lists:
    """What one may follow: the live programmes, product groups and communities, by id."""

    programmes: list[Programme]
    product_groups: list[ProductGroup]
    communities: list[Community]

    def ids(self) -> dict[InterestKind, set[int]]:
        return {
            InterestKind.PROGRAMME: {p.id for p in self.programmes},
            InterestKind.PRODUCT_GROUP: {g.id for g in self.product_groups},
            InterestKind.COMMUNITY: {c.id for c in self.communities},
        }


def lists(session: Session) -> Lists:
    return Lists(
        programmes=list(
            session.scalars(
                select(Programme)
                .where(Programme.withdrawn_at.is_(None))
                .order_by(Programme.starts_on, Programme.id)
            )
        ),
        product_groups=list(
            session.scalars(select(ProductGroup).order_by(ProductGroup.position, ProductGroup.id))
        ),
        communities=list(
            session.scalars(
                select(Community)
                .where(Community.withdrawn_at.is_(None))
                .order_by(Community.programme_id, Community.name_en, Community.id)
            )
        ),
    )


def confirmed_count(session: Session) -> int:
    """How many subscribers an issue sent now would go to (every confirmed one)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Subscription)
            .where(Subscription.status == SubscriptionStatus.CONFIRMED)
        )
        or 0
    )


def find(session: Session, *, email: str) -> Subscription | None:
    return session.scalars(select(Subscription).where(Subscription.email == email)).one_or_none()


def get(session: Session, *, subscription_id: int, key: str) -> Subscription | None:
    """The subscription a signed link names, if its key still matches (a link not revoked)."""
    subscription = session.scalars(
        select(Subscription)
        .where(Subscription.id == subscription_id)
        .options(selectinload(Subscription.interests))
    ).one_or_none()
    return subscription if subscription is not None and subscription.key == key else None


def consent(
    session: Session, subscription: Subscription, action: str, *, text: str = "", language: str
) -> None:
    session.add(ConsentEvent(subscription_id=subscription.id, action=action, text=text, language=language))


def request(
    session: Session,
    *,
    email: str,
    language: str,
    consent_text: str,
    consent_language: str,
    now: dt.datetime | None = None,
) -> tuple[Subscription, Reply]:
    """Records a request to subscribe ``email`` (flushed) and says what to mail it.

    ``consent_text`` is what the form showed, in ``consent_language`` (the page's); ``language``
    is the one asked for the newsletter.
    """
    now = now or utcnow()
    subscription = find(session, email=email)
    if subscription is None:
        subscription = Subscription(email=email, language=language)
        try:
            with session.begin_nested():  # the same address from two requests at once
                session.add(subscription)
        except IntegrityError:
            subscription = find(session, email=email)
            assert subscription is not None
    consent(session, subscription, "requested", text=consent_text, language=consent_language)
    recently = (
        subscription.confirmation_sent_at is not None
        and now - subscription.confirmation_sent_at < RESEND_AFTER
    )
    if recently:
        return subscription, Reply.NOTHING
    subscription.confirmation_sent_at = now
    session.flush()
    if subscription.status is SubscriptionStatus.CONFIRMED:
        return subscription, Reply.MANAGE
    return subscription, Reply.CONFIRM


def confirm(session: Session, *, asked: ConfirmRequest, consent_text: str) -> Subscription | None:
    """Confirms what a confirmation link asks (None: the link was revoked, e.g. used already)."""
    subscription = get(session, subscription_id=asked.subscription_id, key=asked.key)
    if subscription is None:
        return None
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.confirmed_at = utcnow()
    subscription.unsubscribed_at = None
    subscription.bounces = 0
    subscription.language = asked.language
    subscription.key = new_key()  # this link, and any other sent before, now says "used"
    set_interests(subscription, asked.interests)
    consent(session, subscription, "confirmed", text=consent_text, language=asked.language)
    session.flush()
    return subscription


def set_interests(subscription: Subscription, interests: Iterable[tuple[InterestKind, int]]) -> None:
    wanted = set(interests)
    subscription.interests = [i for i in subscription.interests if (i.kind, i.ref_id) in wanted] + [
        Interest(kind=kind, ref_id=ref)
        for kind, ref in sorted(wanted - {(i.kind, i.ref_id) for i in subscription.interests})
    ]


def interests_of(subscription: Subscription) -> Interests:
    return frozenset((i.kind, i.ref_id) for i in subscription.interests)


def change(
    session: Session, subscription: Subscription, *, language: str, interests: Interests, consent_text: str
) -> None:
    """The preference centre: another language or other lists (only for a confirmed subscription)."""
    subscription.language = language
    set_interests(subscription, interests)
    consent(session, subscription, "changed", text=consent_text, language=language)
    session.flush()


def unsubscribe(session: Session, subscription: Subscription, *, how: str) -> bool:
    """Leaves the newsletter (False: it had left already). ``how``: "one-click" or "page"."""
    if subscription.status is SubscriptionStatus.UNSUBSCRIBED:
        return False
    subscription.status = SubscriptionStatus.UNSUBSCRIBED
    subscription.unsubscribed_at = utcnow()
    consent(session, subscription, "unsubscribed", text=how, language=subscription.language)
    session.flush()
    return True


def record_bounce(session: Session, *, email: str, hard: bool, threshold: int) -> Subscription | None:
    """A bounce notification for ``email``: after ``threshold`` of them (a hard one counts as all),
    nothing more is sent to it. None for an address the hub does not know."""
    subscription = find(session, email=email)
    if subscription is None:
        return None
    subscription.bounces = max(subscription.bounces + 1, threshold if hard else 0)
    subscription.last_bounce_at = utcnow()
    if subscription.bounces >= threshold and subscription.status is SubscriptionStatus.CONFIRMED:
        subscription.status = SubscriptionStatus.BOUNCED
        consent(session, subscription, "bounced", language=subscription.language)
    session.flush()
    return subscription


def followed(session: Session, subscription: Subscription, base_url: str) -> list[dict[str, Any]]:
    """What a subscriber follows, by name (in their language) and with the address of its page."""
    language = subscription.language
    models: dict[InterestKind, tuple[Any, str, Any]] = {
        InterestKind.PROGRAMME: (Programme, "programme", lambda p: {"code": p.code}),
        InterestKind.PRODUCT_GROUP: (ProductGroup, "product_group", lambda g: {"code": g.code}),
        InterestKind.COMMUNITY: (Community, "community", lambda c: {"community_id": c.id}),
    }
    result = []
    for interest in subscription.interests:
        model, route, params = models[interest.kind]
        record = session.get(model, interest.ref_id)
        entry: dict[str, Any] = {"kind": interest.kind.value, "id": interest.ref_id}
        if record is not None:
            entry["name"] = getattr(record, f"name_{language}") or record.name_nl or record.name_en
            entry["url"] = absolute_url(base_url, route, lang=language, **params(record))
        result.append(entry)
    return result


def export(session: Session, subscription: Subscription, base_url: str) -> dict[str, Any]:
    """Everything the hub holds about a subscriber (their right of access)."""
    events = session.scalars(
        select(ConsentEvent).where(ConsentEvent.subscription_id == subscription.id).order_by(ConsentEvent.at)
    )
    deliveries = session.execute(
        select(
            NewsletterIssue.id,
            NewsletterIssue.subject_nl,
            NewsletterIssue.subject_en,
            Delivery.status,
            Delivery.sent_at,
        )
        .join(NewsletterIssue, NewsletterIssue.id == Delivery.issue_id)
        .where(Delivery.subscription_id == subscription.id)
        .order_by(Delivery.id)
    )

    def moment(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "email": subscription.email,
        "language": subscription.language,
        "status": subscription.status.value,
        "created_at": moment(subscription.created_at),
        "confirmed_at": moment(subscription.confirmed_at),
        "unsubscribed_at": moment(subscription.unsubscribed_at),
        "bounces": subscription.bounces,
        "follows": followed(session, subscription, base_url),
        "consent": [
            {"at": moment(e.at), "action": e.action, "text": e.text, "language": e.language} for e in events
        ],
        "issues": [
            {
                "issue": issue,
                "subject": subject_nl or subject_en,
                "status": status.value,
                "sent_at": moment(sent_at),
            }
            for issue, subject_nl, subject_en, status, sent_at in deliveries
        ],
    }


def erase(session: Session, subscription: Subscription) -> None:
    """Deletes the subscriber and everything about them (consent, deliveries cascade)."""
    session.execute(delete(Subscription).where(Subscription.id == subscription.id))
    session.flush()


def purge_unconfirmed(session: Session, *, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Deletes subscriptions never confirmed within ``older_than`` of their request; how many."""
    cutoff = (now or utcnow()) - older_than
    result = session.execute(
        delete(Subscription).where(
            Subscription.status == SubscriptionStatus.PENDING,
            Subscription.confirmed_at.is_(None),
            Subscription.created_at < cutoff,
        )
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def parse_interests(raw: Collection[str], allowed: dict[InterestKind, set[int]]) -> Interests | None:
    """``kind:id`` values from a form, checked against the lists that exist (None if one is not)."""
    chosen: set[tuple[InterestKind, int]] = set()
    for value in raw:
        kind, _, ref = value.partition(":")
        try:
            item = (InterestKind(kind), int(ref))
        except ValueError:
            return None
        if item[1] not in allowed[item[0]]:
            return None
        chosen.add(item)
    return frozenset(chosen)
