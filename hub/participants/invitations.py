"""Invitations: a coordinator invites a person to log an organisation's records in a programme.

The link in the e-mail is the proof: whoever opens it from that mailbox may accept, once, before
it expires. Accepting gives the person (a new account without a password, their existing one, or
the one they are logged in with, e.g. through OpenID Connect) the participant role.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from hub import changes
from hub.accounts import services as accounts
from hub.accounts.links import LinkProblem, digest, new_token
from hub.accounts.models import User
from hub.db import utcnow
from hub.organisations.models import Organisation, Participation
from hub.participants.models import Invitation, InvitationState

LIFETIME = dt.timedelta(days=14)


@dataclasses.dataclass(frozen=True)
class Accepted:
    user: User
    invitation: Invitation
    new_account: bool


def participating_organisations(
    session: Session, *, programme_ids: Collection[int] | None
) -> Sequence[Organisation]:
    """The organisations that take part in these programmes (live participations), by name."""
    taking_part = select(Participation.organisation_id).where(Participation.withdrawn_at.is_(None))
    if programme_ids is not None:
        taking_part = taking_part.where(Participation.programme_id.in_(list(programme_ids)))
    return session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(taking_part), Organisation.withdrawn_at.is_(None))
        .order_by(Organisation.name, Organisation.id)
    ).all()


def takes_part(session: Session, *, programme_id: int, organisation_id: int) -> bool:
    return (
        session.scalar(
            select(Participation.id).where(
                Participation.programme_id == programme_id,
                Participation.organisation_id == organisation_id,
                Participation.withdrawn_at.is_(None),
            )
        )
        is not None
    )


def invite(
    session: Session,
    *,
    programme_id: int,
    organisation_id: int,
    email: str,
    name: str,
    language: str,
    invited_by_id: int | None,
    lifetime: dt.timedelta = LIFETIME,
) -> tuple[Invitation, str]:
    """A new invitation and its link's token (mailed once, never stored)."""
    token, token_digest = new_token()
    invitation = Invitation(
        digest=token_digest,
        programme_id=programme_id,
        organisation_id=organisation_id,
        email=accounts.normalise_email(email),
        name=name,
        language=language,
        invited_by_id=invited_by_id,
        expires_at=utcnow() + lifetime,
    )
    session.add(invitation)
    session.flush()
    changes.log(
        session,
        invitation,
        "create",
        user_id=invited_by_id,
        programme_id=programme_id,
        summary=f"{invitation.email} {organisation_id}",
    )
    return invitation, token


def list_invitations(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Invitation]:
    statement = select(Invitation).options(
        joinedload(Invitation.organisation),
        joinedload(Invitation.programme),
        joinedload(Invitation.accepted_by),
    )
    if programme_ids is not None:
        statement = statement.where(Invitation.programme_id.in_(list(programme_ids)))
    return session.scalars(
        statement.order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(200)
    ).all()


def get_invitation(session: Session, *, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)


# Why the link of an invitation in each state does not work (None: it does).
_PROBLEMS = {
    InvitationState.PENDING: None,
    InvitationState.ACCEPTED: LinkProblem.USED,
    InvitationState.REVOKED: LinkProblem.WITHDRAWN,
    InvitationState.EXPIRED: LinkProblem.EXPIRED,
}


def problem_of(invitation: Invitation | None, now: dt.datetime) -> LinkProblem | None:
    return LinkProblem.UNKNOWN if invitation is None else _PROBLEMS[invitation.state(now)]


def find(session: Session, *, token: str) -> Invitation | None:
    return session.scalar(
        select(Invitation)
        .where(Invitation.digest == digest(token))
        .options(joinedload(Invitation.organisation), joinedload(Invitation.programme))
    )


def accept(
    session: Session, *, token: str, current: User | None
) -> Accepted | tuple[LinkProblem, Invitation | None]:
    """Uses the invitation up for ``current`` (the person logged in), else for the account with the
    invited address, else for a new account. The caller commits, or rolls back on a problem."""
    now = utcnow()
    invitation = find(session, token=token)
    problem = problem_of(invitation, now)
    if problem is not None or invitation is None:
        return problem or LinkProblem.UNKNOWN, invitation
    user = current or accounts.find_user(session, email=invitation.email)
    if user is not None and not user.is_active:
        return LinkProblem.WITHDRAWN, invitation
    # Use the invitation up first: of two clicks at once, the second waits for the first's row
    # lock (PostgreSQL) or write lock (SQLite), then finds it accepted and opens no account.
    taken = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return LinkProblem.USED, invitation
    session.refresh(invitation)
    new_account = user is None
    if user is None:
        user = accounts.create_user(session, email=invitation.email, name=invitation.name)
    invitation.accepted_by_id = user.id
    accounts.grant_participant(
        session,
        user=user,
        programme_id=invitation.programme_id,
        organisation_id=invitation.organisation_id,
        granted_by_id=invitation.invited_by_id,
    )
    accounts.record_login(session, user=user)
    return Accepted(user, invitation, new_account)


def revoke(session: Session, *, invitation: Invitation, user_id: int) -> bool:
    """Withdraws an invitation not yet accepted (False if it was accepted or withdrawn already)."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return False
    invitation.revoked_at = utcnow()
    changes.log(
        session,
        invitation,
        "archive",
        user_id=user_id,
        programme_id=invitation.programme_id,
        summary=invitation.email,
    )
    session.flush()
    return True
