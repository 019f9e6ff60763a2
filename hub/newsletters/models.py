"""Newsletters: subscriptions (no account), what each subscriber follows, consent, issues, deliveries.

One subscription per address. Its status moves only through the subscriber's own confirmed
actions (a confirmation link, the preference centre, unsubscribing) or bounces; a new request
from an address that left is recorded, but changes nothing until it is confirmed.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, Created, Email, LanguageCode, LongText, utcnow
from hub.i18n import N_, LabelledEnum
from hub.taxonomy.models import enum_column


def new_key() -> str:
    return secrets.token_hex(16)


class SubscriptionStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting for confirmation")
    CONFIRMED = "confirmed", N_("Confirmed")
    UNSUBSCRIBED = "unsubscribed", N_("Unsubscribed")
    BOUNCED = "bounced", N_("Bounced")


class InterestKind(LabelledEnum):
    """What a subscriber may follow: a programme, a product group, a community (the hub's lists)."""

    PROGRAMME = "programme", N_("Programme")
    PRODUCT_GROUP = "product_group", N_("Product group")
    COMMUNITY = "community", N_("Community")


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[Email] = mapped_column(unique=True)  # normalised (domain in lower case)
    language: Mapped[LanguageCode]
    status: Mapped[SubscriptionStatus] = mapped_column(
        enum_column(SubscriptionStatus, "subscription_status"), default=SubscriptionStatus.PENDING
    )
    # Signs the subscriber's links; a new key revokes every link sent before.
    key: Mapped[str] = mapped_column(String(32), default=new_key)
    created_at: Mapped[Created]
    confirmed_at: Mapped[dt.datetime | None]
    unsubscribed_at: Mapped[dt.datetime | None]
    confirmation_sent_at: Mapped[dt.datetime | None]
    bounces: Mapped[int] = mapped_column(default=0)
    last_bounce_at: Mapped[dt.datetime | None]

    interests: Mapped[list[Interest]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", passive_deletes=True
    )


class Interest(Base):
    """One list a subscription follows (no interests at all: the whole network)."""

    __tablename__ = "subscription_interests"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[InterestKind] = mapped_column(enum_column(InterestKind, "interest_kind"), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)

    subscription: Mapped[Subscription] = relationship(back_populates="interests")


class ConsentEvent(Base):
    """What the subscriber agreed to or did, when, with the text shown and its language."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[Created]
    action: Mapped[str] = mapped_column(String(20))  # requested, confirmed, changed, unsubscribed, bounced
    text: Mapped[LongText]
    language: Mapped[LanguageCode]


class IssueStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    SCHEDULED = "scheduled", N_("Scheduled")
    SENDING = "sending", N_("Sending")
    SENT = "sent", N_("Sent")
    CANCELLED = "cancelled", N_("Cancelled")


class NewsletterIssue(Base):
    """An issue: the editor's text in both languages, and the digest of the network since ``since``."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (Index("ix_newsletter_issues_due", "status", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_nl: Mapped[str] = mapped_column(String(200), default="")
    subject_en: Mapped[str] = mapped_column(String(200), default="")
    intro_nl: Mapped[LongText]
    intro_en: Mapped[LongText]
    since: Mapped[dt.datetime]  # the digest covers what happened after
    status: Mapped[IssueStatus] = mapped_column(
        enum_column(IssueStatus, "issue_status"), default=IssueStatus.DRAFT
    )
    scheduled_for: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Created]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeliveryStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting")
    SENT = "sent", N_("Sent")
    FAILED = "failed", N_("Set aside after three failures")


class Delivery(Base):
    """One issue to one subscriber: written before sending, so a crash resumes where it stopped.

    A batch of deliveries is claimed (``claimed_until``) by one sender, sent over one connection,
    then marked sent together; a sender that dies leaves its claim to expire, and only that batch
    is sent again.
    """

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (
        UniqueConstraint("issue_id", "subscription_id"),
        Index("ix_newsletter_deliveries_queue", "issue_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]

    issue: Mapped[NewsletterIssue] = relationship()
    subscription: Mapped[Subscription] = relationship()
