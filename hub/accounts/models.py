"""People who log in, the roles they hold (scoped to a programme or community), and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, Created, Email, utcnow
from hub.i18n import N_, LabelledEnum
from hub.programmes.models import Programme, ProgrammeId
from hub.taxonomy.models import enum_column

if TYPE_CHECKING:
    from hub.communities.models import Community
    from hub.organisations.models import Organisation


class RoleName(LabelledEnum):
    ADMIN = "admin", N_("Hub administrator")
    COORDINATOR = "coordinator", N_("Programme coordinator")
    MODERATOR = "moderator", N_("Community moderator")
    NEWSLETTER_EDITOR = "newsletter_editor", N_("Newsletter editor")
    # A participating organisation's own person: logs that organisation's records for review.
    PARTICIPANT = "participant", N_("Participant")


class User(Base):
    """A person. Local accounts have a password hash; OpenID Connect accounts an issuer and subject."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[Email] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    oidc_issuer: Mapped[str | None] = mapped_column(String(300))
    oidc_subject: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )


class RoleGrant(Base):
    """A role held by a user: coordinators per programme, moderators per community, participants
    per programme and organisation, the others hub-wide."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "role", "programme_id", "community_id", "organisation_id", name="uq_role_grants_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[RoleName] = mapped_column(enum_column(RoleName, "role_name"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    programme: Mapped[Programme | None] = relationship()
    community: Mapped[Community | None] = relationship("Community")
    organisation: Mapped[Organisation | None] = relationship("Organisation")


class SignInLink(Base):
    """A single-use link that logs a person in without a password (only its digest is kept)."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[Created]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """One login: the cookie carries a random id, only its digest is kept here."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    programme_id: Mapped[ProgrammeId | None]
    action: Mapped[str] = mapped_column(String(20))  # create, update, archive, grant, revoke, login
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
