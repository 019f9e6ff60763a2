"""A community's meetings: finding an overlap, registering for one, publishing a close-out (their
values are written through ``hub.communities.writes``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub import changes
from hub.communities.calendar import DEFAULT_LENGTH
from hub.communities.models import CloseOut, Meeting, Registration
from hub.db import utcnow
from hub.i18n import gettext as _
from hub.refusals import Refused


def overlapping(
    session: Session,
    *,
    community_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    exclude_id: int | None = None,
) -> Meeting | None:
    """Another live meeting of the community whose time overlaps ``starts_at``–``ends_at``.

    A meeting without an end counts as lasting ``DEFAULT_LENGTH`` (as calendars show it).
    """
    ends = ends_at or starts_at + DEFAULT_LENGTH
    # Bounds first narrow the candidates by the index on starts_at; the exact test is in Python,
    # since "ends_at or starts_at + 2 h" is awkward to write portably in SQL.
    candidates = session.scalars(
        select(Meeting).where(
            Meeting.community_id == community_id,
            Meeting.withdrawn_at.is_(None),
            Meeting.starts_at < ends,
            or_(Meeting.ends_at.is_(None), Meeting.ends_at > starts_at),
            Meeting.id != (exclude_id or 0),
        )
    ).all()
    for meeting in candidates:
        if meeting.starts_at < ends and (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH) > starts_at:
            return meeting
    return None


def register(
    session: Session, *, meeting: Meeting, name: str, email: str, organisation_name: str, language: str
) -> Registration:
    """A place at the meeting; refused when it has passed, is full, or the address has one already.

    The meeting's row is locked first (PostgreSQL) or the write lock taken (SQLite, through a
    writer session), so two people cannot take the last place at once.
    """
    session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    if meeting.home_hub is not None:
        raise Refused(_("This meeting is kept by %(home)s: register there.", home=meeting.home_hub))
    if meeting.starts_at < utcnow():
        raise Refused(_("This meeting has taken place: registration is closed."))
    taken = session.scalar(
        select(Registration.id).where(
            Registration.meeting_id == meeting.id, func.lower(Registration.email) == email.lower()
        )
    )
    registered_already = Refused(
        _("%(email)s is registered for this meeting already.", email=email), field="email"
    )
    if taken is not None:
        raise registered_already
    if meeting.capacity is not None:
        count = session.scalar(select(func.count()).where(Registration.meeting_id == meeting.id)) or 0
        if count >= meeting.capacity:
            raise Refused(_("This meeting is full: all %(count)d places are taken.", count=meeting.capacity))
    registration = Registration(
        meeting_id=meeting.id, name=name, email=email, organisation_name=organisation_name, language=language
    )
    changes.add_unique(session, registration, registered_already)
    return registration


def publish_closeout(session: Session, *, closeout: CloseOut, user_id: int, programme_id: int) -> None:
    """Make the close-out public (and federated); publishing is for good, edits follow it."""
    if closeout.published_at is None:
        closeout.published_at = utcnow()
        changes.log(session, closeout, "publish", user_id=user_id, programme_id=programme_id)
        session.flush()
