"""Accounts: creating people, granting roles, checking passwords, writing the audit log."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hub.accounts.models import AuditEntry, RoleGrant, RoleName, User
from hub.accounts.passwords import check_password, hash_password, needs_rehash, verify_password
from hub.accounts.sessions import end_sessions_of
from hub.db import utcnow
from hub.programmes.models import Programme
from hub.refusals import Refused


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is logged in, with the roles they hold now (rebuilt from the database on each request)."""

    user_id: int
    name: str
    email: str
    roles: tuple[tuple[str, int | None], ...] = ()  # (role, programme id)
    communities: tuple[int, ...] = ()  # the communities this person moderates
    organisations: tuple[tuple[int, int], ...] = ()  # (programme id, organisation id) they log for

    @property
    def is_admin(self) -> bool:
        return any(role == RoleName.ADMIN for role, _ in self.roles)

    @property
    def is_newsletter_editor(self) -> bool:
        """Administrators and newsletter editors write, schedule and cancel newsletter issues."""
        return any(role in (RoleName.ADMIN, RoleName.NEWSLETTER_EDITOR) for role, _ in self.roles)

    @property
    def programme_ids(self) -> frozenset[int]:
        """The programmes this person coordinates (every programme for an administrator)."""
        return frozenset(p for role, p in self.roles if role == RoleName.COORDINATOR and p is not None)

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The organisations this person logs records for, as a participant."""
        return frozenset(organisation for _, organisation in self.organisations)

    @property
    def is_participant_only(self) -> bool:
        """A participant with no other role: their place is the participant pages, not the workspace."""
        return bool(self.organisations) and all(role == RoleName.PARTICIPANT for role, _ in self.roles)

    def may_edit_programme(self, programme_id: int) -> bool:
        return self.is_admin or programme_id in self.programme_ids

    def may_moderate(self, *, community_id: int, programme_id: int) -> bool:
        """Administrators, the community's moderators, and the coordinators of its programme."""
        return community_id in self.communities or self.may_edit_programme(programme_id)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise Refused(f"not a valid e-mail address: {email!r}", status=400)
    return email


def create_user(session: Session, *, email: str, name: str = "", password: str | None = None) -> User:
    email = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Refused(f"a user with the e-mail address {email} already exists")
    user = User(email=email, name=name or email.split("@")[0])
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """The one way a password is set: refused (translated) when it is easy to guess, also from the
    person's own address and name; stored as an argon2 hash."""
    check_password(password, user_inputs=(user.email, user.name))
    user.password_hash = hash_password(password)


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.scalar(select(User).where(User.id == user_id).options(selectinload(User.grants)))


def find_user(session: Session, *, email: str) -> User | None:
    return session.scalar(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.grants))
    )


def find_oidc_user(session: Session, *, issuer: str, subject: str) -> User | None:
    """The person an OpenID Connect provider knows as ``subject`` (never matched by e-mail address)."""
    return session.scalar(
        select(User)
        .where(User.oidc_issuer == issuer, User.oidc_subject == subject)
        .options(selectinload(User.grants))
    )


def email_in_use(session: Session, *, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email.strip().lower())) is not None


def create_oidc_user(session: Session, *, issuer: str, subject: str, email: str, name: str = "") -> User:
    """A person's first login through an OpenID Connect provider: an account with no roles.

    An e-mail address that already belongs to an account is refused rather than linked: the
    provider's word about an address is not proof enough to hand over that account's roles.
    """
    email = normalise_email(email)
    if email_in_use(session, email=email):
        raise Refused(f"a user with the e-mail address {email} already exists", status=403)
    user = User(
        email=email,
        name=name.strip()[:200] or email.split("@")[0],
        oidc_issuer=issuer,
        oidc_subject=subject,
    )
    session.add(user)
    session.flush()
    audit(session, user=user, action="create", entity="users", entity_id=user.id, summary=f"{email} {issuer}")
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User).order_by(func.lower(User.name), User.id).options(selectinload(User.grants))
    ).all()


def coordinators_of(session: Session, *, programme_id: int) -> Sequence[User]:
    """The active people who coordinate a programme, by e-mail address."""
    return session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            User.is_active,
            RoleGrant.role == RoleName.COORDINATOR,
            RoleGrant.programme_id == programme_id,
        )
        .order_by(User.email)
        .distinct()
    ).all()


def grant(
    session: Session,
    *,
    user: User,
    role: RoleName,
    programme_code: str | None = None,
    community_id: int | None = None,
    granted_by: User | None = None,
) -> RoleGrant:
    """Give ``user`` a role: a coordinator's needs a programme, a moderator's a community."""
    if role == RoleName.PARTICIPANT:
        raise Refused("a participant role comes with a coordinator's invitation", status=400)
    programme_id = None
    if role == RoleName.COORDINATOR:
        if not programme_code:
            raise Refused("a coordinator role needs a programme", status=400)
        programme_id = session.scalar(select(Programme.id).where(Programme.code == programme_code))
        if programme_id is None:
            raise Refused(f"there is no programme {programme_code!r}", status=400)
    if role == RoleName.MODERATOR:
        if community_id is None:
            raise Refused("a moderator role needs a community", status=400)
        # The community is found through the grant's own relationship: accounts does not import
        # the communities domain (communities builds on accounts, not the other way round).
        if session.get(RoleGrant.community.property.mapper.class_, community_id) is None:
            raise Refused(f"there is no community {community_id}", status=400)
    else:
        community_id = None
    existing = next(
        (
            g
            for g in user.grants
            if g.role == role and g.programme_id == programme_id and g.community_id == community_id
        ),
        None,
    )
    if existing:
        return existing
    role_grant = RoleGrant(
        role=role,
        programme_id=programme_id,
        community_id=community_id,
        granted_by_id=granted_by.id if granted_by else None,
    )
    user.grants.append(role_grant)
    session.flush()
    audit(
        session,
        user=granted_by,
        action="grant",
        entity="users",
        entity_id=user.id,
        summary=f"{role.value} {programme_code or community_id or ''}".strip(),
        programme_id=programme_id,
    )
    return role_grant


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this e-mail address and password, or None (same time either way)."""
    user = find_user(session, email=email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def principal_of(user: User) -> Principal:
    roles = tuple(
        sorted(((g.role.value, g.programme_id) for g in user.grants), key=lambda r: (r[0], r[1] or 0))
    )
    communities = tuple(
        sorted(g.community_id for g in user.grants if g.role == RoleName.MODERATOR and g.community_id)
    )
    organisations = tuple(
        sorted(
            (g.programme_id, g.organisation_id)
            for g in user.grants
            if g.role == RoleName.PARTICIPANT and g.programme_id and g.organisation_id
        )
    )
    return Principal(
        user_id=user.id,
        name=user.name,
        email=user.email,
        roles=roles,
        communities=communities,
        organisations=organisations,
    )


def deactivate(session: Session, *, user: User, by: User | None) -> None:
    """Stop a person logging in; their open sessions end now (and ``live_session`` refuses the
    sessions of an inactive person anyway)."""
    user.is_active = False
    end_sessions_of(session, user_id=user.id)
    audit(session, user=by, action="deactivate", entity="users", entity_id=user.id, summary=user.email)


def reset_password(session: Session, *, user: User, password: str, by: User | None) -> None:
    """A new password for an existing account: every session opened with the old one ends."""
    set_password(user, password)
    end_sessions_of(session, user_id=user.id)
    audit(session, user=by, action="password", entity="users", entity_id=user.id, summary=user.email)


def record_login(session: Session, *, user: User) -> None:
    user.last_login_at = utcnow()
    audit(session, user=user, action="login", entity="users", entity_id=user.id, summary=user.email)


def audit(
    session: Session,
    *,
    user: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str = "",
    programme_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=user.id if user else user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:300],
        programme_id=programme_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def revoke(session: Session, *, grant_id: int, revoked_by: User) -> RoleGrant:
    """Remove a role. An administrator cannot remove their own administrator role (no lock-out)."""
    role_grant = session.get(RoleGrant, grant_id)
    if role_grant is None:
        raise Refused("there is no such role", status=400)
    if role_grant.user_id == revoked_by.id and role_grant.role == RoleName.ADMIN:
        raise Refused("you cannot remove your own administrator role", status=400)
    scope = role_grant.programme.code if role_grant.programme else role_grant.community_id or ""
    summary = f"{role_grant.role.value} {scope}".strip()
    session.delete(role_grant)
    audit(
        session,
        user=revoked_by,
        action="revoke",
        entity="users",
        entity_id=role_grant.user_id,
        summary=summary,
        programme_id=role_grant.programme_id,
    )
    session.flush()
    return role_grant


def grant_participant(
    session: Session, *, user: User, programme_id: int, organisation_id: int, granted_by_id: int | None
) -> RoleGrant:
    """Let ``user`` log the records of an organisation in a programme (once; again is a no-op)."""
    for role_grant in user.grants:
        if (role_grant.role, role_grant.programme_id, role_grant.organisation_id) == (
            RoleName.PARTICIPANT,
            programme_id,
            organisation_id,
        ):
            return role_grant
    role_grant = RoleGrant(
        role=RoleName.PARTICIPANT,
        programme_id=programme_id,
        organisation_id=organisation_id,
        granted_by_id=granted_by_id,
    )
    user.grants.append(role_grant)
    session.flush()
    audit(
        session,
        user=None,
        user_id=granted_by_id or user.id,
        action="grant",
        entity="users",
        entity_id=user.id,
        summary=f"participant {organisation_id}",
        programme_id=programme_id,
    )
    return role_grant
