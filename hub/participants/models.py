"""Participants: the personal invitation a coordinator sends, and the records a participant logs
for their organisation, which wait for the coordinator's review before anyone else sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.db import Base, Created, Email, LanguageCode, LongText, Title, partial_index, utcnow
from hub.i18n import N_, LabelledEnum
from hub.organisations.models import Organisation
from hub.programmes.models import Programme, ProgrammeId
from hub.taxonomy.models import enum_column


class Invitation(Base):
    """A personal, single-use, expiring invitation to log an organisation's records in a programme.

    Only the digest of the link's token is kept: a copy of the database opens no account.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    programme_id: Mapped[ProgrammeId]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[Email]
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[LanguageCode]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Created]
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None]

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    def state(self, now: dt.datetime) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if now >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class InvitationState(LabelledEnum):
    PENDING = "pending", N_("Waiting")
    ACCEPTED = "accepted", N_("Accepted")
    EXPIRED = "expired", N_("Expired")
    REVOKED = "revoked", N_("Withdrawn")


class EntryKind(LabelledEnum):
    """What a participant can log: the three kinds of record of the ambition tool."""

    PILOT = "pilot", N_("Pilot")
    COMMITMENT = "commitment", N_("Commitment")
    SUPPORTING_ACTION = "supporting_action", N_("Supporting action")


class EntryState(LabelledEnum):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Waiting for review")
    RETURNED = "returned", N_("Returned for changes")
    PUBLISHED = "published", N_("Published")


OPEN_STATES = (EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED)


class Entry(Base):
    """A record as a participant logged it: new (``target_id`` None) or a change to one of their
    organisation's published records. ``values`` holds what the form holds; publishing applies
    them to the record, so the public pages and the API only ever show reviewed content."""

    __tablename__ = "participant_entries"
    __table_args__ = (
        Index("ix_participant_entries_review", "programme_id", "state", "submitted_at"),
        # One change in progress per record, whichever process opens the second.
        partial_index(
            "uq_participant_entries_open",
            "kind",
            "target_id",
            where="target_id IS NOT NULL AND state != 'published'",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "entry_kind"))
    target_id: Mapped[int | None]
    title: Mapped[Title]  # for lists and the audit log
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState, "entry_state"))
    review_note: Mapped[LongText]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Created]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def editable(self) -> bool:
        return self.state != EntryState.PUBLISHED
