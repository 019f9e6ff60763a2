"""Login sessions: one row per login, checked on every request, ended by logout or by time.

The cookie carries only a random token; the row keeps its SHA-256 digest (a copied database
opens no session). A session ends after ``IDLE`` without a request or ``ABSOLUTE`` after login,
whichever comes first; nothing extends the absolute limit. Because the rows are in the
database, every process of the hub sees the same sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session, joinedload

from hub.accounts.models import LoginSession, User
from hub.db import utcnow

IDLE = dt.timedelta(hours=2)
ABSOLUTE = dt.timedelta(hours=8)
# last_seen_at is written at most this often: a page with many requests costs one write.
TOUCH_EVERY = dt.timedelta(minutes=1)
USER_AGENT_LENGTH = 200


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session, *, user_id: int, token: str, user_agent: str = "", now: dt.datetime | None = None
) -> LoginSession:
    now = now or utcnow()
    row = LoginSession(
        digest=digest_of(token),
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        user_agent=user_agent[:USER_AGENT_LENGTH],
    )
    session.add(row)
    session.flush()
    return row


def is_expired(row: LoginSession, now: dt.datetime) -> bool:
    return now - row.last_seen_at >= IDLE or now - row.created_at >= ABSOLUTE


def live_session(session: Session, *, token: str, now: dt.datetime | None = None) -> LoginSession | None:
    """The session ``token`` opens, with its user and roles as they are now, or None.

    An expired session, or one of a deactivated person, is deleted on sight. A live one is
    marked as seen (which extends only the idle limit).
    """
    now = now or utcnow()
    row = session.scalar(
        select(LoginSession)
        .where(LoginSession.digest == digest_of(token))
        .options(joinedload(LoginSession.user).selectinload(User.grants))
    )
    if row is None:
        return None
    if is_expired(row, now) or not row.user.is_active:
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.digest == digest_of(token)))


def end_sessions_of(session: Session, *, user_id: int) -> int:
    """Log a person out everywhere; returns how many sessions ended."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def end_session_of(session: Session, *, user_id: int, session_id: int) -> bool:
    """End one of a person's sessions (an administrator's action); False if there is no such one."""
    result = session.execute(
        delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def sessions_of(session: Session, *, user_id: int, now: dt.datetime | None = None) -> Sequence[LoginSession]:
    """A person's live sessions, the most recently used first."""
    now = now or utcnow()
    return session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, *_live(now))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).all()


def live_sessions_by_user(
    session: Session, *, now: dt.datetime | None = None
) -> dict[int, list[LoginSession]]:
    """Every live session, per person (for the administrators' people screen)."""
    now = now or utcnow()
    rows = session.scalars(
        select(LoginSession).where(*_live(now)).order_by(LoginSession.last_seen_at.desc(), LoginSession.id)
    ).all()
    found: dict[int, list[LoginSession]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(row)
    return found


def purge_expired(session: Session, *, now: dt.datetime | None = None) -> int:
    """Delete the sessions past either limit (the scheduler's job); returns how many."""
    now = now or utcnow()
    result = session.execute(
        delete(LoginSession).where(
            or_(LoginSession.last_seen_at <= now - IDLE, LoginSession.created_at <= now - ABSOLUTE)
        )
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_job(session: Session) -> None:
    """The scheduler's hourly job (``hub.scheduler.JOBS``)."""
    purge_expired(session)


def _live(now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    return (LoginSession.last_seen_at > now - IDLE, LoginSession.created_at > now - ABSOLUTE)
