"""Workspace queries over the network: organisations, participations, commitments, supporting actions.

Keyword-only functions taking the session first; ``programme_ids`` of ``None`` means every
programme (an administrator).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.organisations.models import (
    Commitment,
    Organisation,
    Participation,
    Role,
    SupportingAction,
)
from hub.pagination import Page, escape_like, paginate


def list_organisations(
    session: Session, *, programme_ids: Collection[int] | None, q: str = "", page: int = 1
) -> Page[Organisation]:
    """Live organisations taking part in these programmes (every one for an administrator)."""
    conditions: list[ColumnElement[bool]] = [Organisation.withdrawn_at.is_(None)]
    if programme_ids is not None:
        conditions.append(
            Organisation.id.in_(
                select(Participation.organisation_id).where(
                    Participation.programme_id.in_(list(programme_ids)),
                    Participation.withdrawn_at.is_(None),
                )
            )
        )
    if q:
        conditions.append(func.lower(Organisation.name).like(escape_like(q), escape="\\"))
    statement = (
        select(Organisation)
        .where(*conditions)
        .order_by(Organisation.name, Organisation.id)
        .options(selectinload(Organisation.participations).joinedload(Participation.programme))
    )
    return paginate(session, statement, page=page)


def get_organisation(session: Session, *, organisation_id: int) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(
            selectinload(Organisation.participations).options(
                joinedload(Participation.programme), selectinload(Participation.commitments)
            )
        )
    )


def programmes_of_organisation(session: Session, *, organisation_id: int) -> set[int]:
    """The programmes an organisation takes part in now (live participations)."""
    return set(
        session.scalars(
            select(Participation.programme_id).where(
                Participation.organisation_id == organisation_id, Participation.withdrawn_at.is_(None)
            )
        ).all()
    )


def duplicate_organisation(
    session: Session, *, name: str, country: str, exclude_id: int | None = None
) -> Organisation | None:
    """A live organisation of this name (ignoring case and outer spaces) in this country."""
    statement = select(Organisation).where(
        func.lower(Organisation.name) == name.strip().lower(),
        Organisation.country == country,
        Organisation.withdrawn_at.is_(None),
    )
    if exclude_id is not None:
        statement = statement.where(Organisation.id != exclude_id)
    return session.scalars(statement.limit(1)).first()


def find_participation(
    session: Session, *, programme_id: int, organisation_id: int, role: Role
) -> Participation | None:
    return session.scalar(
        select(Participation).where(
            Participation.programme_id == programme_id,
            Participation.organisation_id == organisation_id,
            Participation.role == role,
        )
    )


def get_participation(session: Session, *, participation_id: int) -> Participation | None:
    return session.scalar(
        select(Participation)
        .where(Participation.id == participation_id)
        .options(joinedload(Participation.organisation), joinedload(Participation.programme))
    )


def get_commitment(session: Session, *, commitment_id: int) -> Commitment | None:
    return session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(joinedload(Commitment.participation).joinedload(Participation.organisation))
    )


def list_actions(
    session: Session, *, programme_ids: Collection[int] | None, q: str = "", page: int = 1
) -> Page[SupportingAction]:
    conditions: list[ColumnElement[bool]] = [SupportingAction.withdrawn_at.is_(None)]
    if programme_ids is not None:
        conditions.append(SupportingAction.programme_id.in_(list(programme_ids)))
    if q:
        pattern = escape_like(q)
        conditions.append(
            func.lower(SupportingAction.title_nl).like(pattern, escape="\\")
            | func.lower(SupportingAction.title_en).like(pattern, escape="\\")
        )
    statement = (
        select(SupportingAction)
        .where(*conditions)
        .order_by(SupportingAction.starts_on.desc().nulls_last(), SupportingAction.id.desc())
        .options(joinedload(SupportingAction.programme), joinedload(SupportingAction.organisation))
    )
    return paginate(session, statement, page=page)


def get_action(session: Session, *, action_id: int) -> SupportingAction | None:
    return session.scalar(
        select(SupportingAction)
        .where(SupportingAction.id == action_id)
        .options(joinedload(SupportingAction.programme), joinedload(SupportingAction.organisation))
    )


def participants_of(
    session: Session, *, programme_ids: Collection[int] | None
) -> Sequence[tuple[int, str, int]]:
    """(organisation id, name, programme id) of live participants: the facilitators a supporting
    action may name."""
    statement = (
        select(Organisation.id, Organisation.name, Participation.programme_id)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Organisation.withdrawn_at.is_(None), Participation.withdrawn_at.is_(None))
        .distinct()
        .order_by(Organisation.name, Organisation.id, Participation.programme_id)
    )
    if programme_ids is not None:
        statement = statement.where(Participation.programme_id.in_(list(programme_ids)))
    return [(row[0], row[1], row[2]) for row in session.execute(statement)]
