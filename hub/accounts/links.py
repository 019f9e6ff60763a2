"""Links that stand in for a password: a random token in the link, only its digest in the database.

Used by sign-in links (here) and participants' invitations. A link works once, until it expires:
redeeming is one conditional UPDATE, so of two clicks at once exactly one wins.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.accounts.models import SignInLink, User
from hub.db import utcnow

SIGN_IN_LIFETIME = dt.timedelta(minutes=30)


class LinkProblem(enum.Enum):
    """Why a link does not work (the pages say each in words)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def new_token() -> tuple[str, str]:
    """A token for a link and the digest to store: 256 random bits, so a plain SHA-256 suffices."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_sign_in_link(session: Session, *, user: User, lifetime: dt.timedelta = SIGN_IN_LIFETIME) -> str:
    """A new sign-in link's token for ``user`` (the caller mails it; it is not kept)."""
    token, token_digest = new_token()
    session.add(SignInLink(digest=token_digest, user_id=user.id, expires_at=utcnow() + lifetime))
    session.flush()
    return token


def peek_sign_in_link(session: Session, *, token: str) -> SignInLink | LinkProblem:
    """The link if it would still work, else why not (nothing is used up)."""
    link = session.scalar(select(SignInLink).where(SignInLink.digest == digest(token)))
    if link is None:
        return LinkProblem.UNKNOWN
    if link.used_at is not None:
        return LinkProblem.USED
    if utcnow() >= link.expires_at:
        return LinkProblem.EXPIRED
    return link


def redeem_sign_in_link(session: Session, *, token: str) -> User | LinkProblem:
    """Uses the link up and returns its person, or says why it does not work."""
    now = utcnow()
    token_digest = digest(token)
    used = session.execute(
        update(SignInLink)
        .where(SignInLink.digest == token_digest, SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        problem = peek_sign_in_link(session, token=token)
        return problem if isinstance(problem, LinkProblem) else LinkProblem.USED
    link = session.scalar(select(SignInLink).where(SignInLink.digest == token_digest))
    assert link is not None
    if not link.user.is_active:
        return LinkProblem.WITHDRAWN
    return link.user
