"""Queries over programmes: the list with their key figures and what the hub itself counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hub.communities.models import Community, Meeting
from hub.db import utcnow
from hub.events.models import Event
from hub.organisations.models import Participation, Role, SupportingAction
from hub.pilots.models import Pilot
from hub.programmes.models import Programme


@dataclasses.dataclass(frozen=True)
class Counts:
    """Figures the hub computes from its own records, shown beside the published ones."""

    pilots: int = 0
    procurers: int = 0
    facilitators: int = 0
    partners: int = 0
    supporting_actions: int = 0
    meetings_held: int = 0  # meetings of the programme's communities that have taken place
    events_held: int = 0  # the programme's live events that have started


def list_programmes(session: Session) -> Sequence[Programme]:
    return session.scalars(
        select(Programme)
        .where(Programme.withdrawn_at.is_(None))
        .order_by(Programme.starts_on, Programme.id)
        .options(selectinload(Programme.key_figures))
    ).all()


def programme_choices(session: Session) -> Sequence[tuple[str, str]]:
    """(code, short name) of every programme, for the public lists' filter forms."""
    return session.execute(
        select(Programme.code, Programme.short_name).order_by(Programme.starts_on, Programme.id)
    ).all()


def programme_id_of(session: Session, *, code: str) -> int | None:
    return session.scalar(select(Programme.id).where(Programme.code == code.strip().lower()))


def get_programme(session: Session, *, code: str) -> Programme | None:
    return session.scalar(
        select(Programme)
        .where(Programme.code == code)
        .options(selectinload(Programme.key_figures), selectinload(Programme.sdg_links))
    )


def counts(session: Session) -> dict[int, Counts]:
    """Per programme id: live pilots, participants by role, supporting actions, the meetings
    its communities held and the events it held."""
    pilots = dict(
        session.execute(
            select(Pilot.programme_id, func.count())
            .where(Pilot.withdrawn_at.is_(None))
            .group_by(Pilot.programme_id)
        ).all()
    )
    roles: dict[int, dict[Role, int]] = {}
    for programme_id, role, n in session.execute(
        select(Participation.programme_id, Participation.role, func.count())
        .where(Participation.withdrawn_at.is_(None))
        .group_by(Participation.programme_id, Participation.role)
    ):
        roles.setdefault(programme_id, {})[role] = n
    actions = dict(
        session.execute(
            select(SupportingAction.programme_id, func.count())
            .where(SupportingAction.withdrawn_at.is_(None))
            .group_by(SupportingAction.programme_id)
        ).all()
    )
    meetings = dict(
        session.execute(
            select(Community.programme_id, func.count())
            .join(Meeting, Meeting.community_id == Community.id)
            .where(Meeting.withdrawn_at.is_(None), Meeting.starts_at < utcnow())
            .group_by(Community.programme_id)
        ).all()
    )
    events = dict(
        session.execute(
            select(Event.programme_id, func.count())
            .where(Event.withdrawn_at.is_(None), Event.starts_at < utcnow())
            .group_by(Event.programme_id)
        ).all()
    )
    result = {}
    for programme_id in set(pilots) | set(roles) | set(actions) | set(meetings) | set(events):
        by_role = roles.get(programme_id, {})
        result[programme_id] = Counts(
            supporting_actions=actions.get(programme_id, 0),
            meetings_held=meetings.get(programme_id, 0),
            events_held=events.get(programme_id, 0),
            pilots=pilots.get(programme_id, 0),
            procurers=by_role.get(Role.PROCURER, 0),
            facilitators=by_role.get(Role.FACILITATOR, 0),
            partners=sum(
                by_role.get(r, 0) for r in (Role.PROJECT_PARTNER, Role.LEAD_PARTNER, Role.KNOWLEDGE_PARTNER)
            ),
        )
    return result


def editable_programmes(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Programme]:
    statement = select(Programme).where(Programme.withdrawn_at.is_(None))
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Programme.starts_on, Programme.id)).all()
