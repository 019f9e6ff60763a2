"""Queries and writes of the participants' entries: what an organisation has (published and
logged), saving and sending an entry, the coordinators' review queue and its counts.

Every lookup takes the organisation: a participant reaches nothing of another organisation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.db import utcnow
from hub.organisations.models import Commitment, Organisation, Participation, SupportingAction
from hub.pagination import Page, paginate
from hub.participants.models import OPEN_STATES, Entry, EntryKind, EntryState
from hub.pilots.models import Pilot, PilotParty
from hub.programmes.models import Programme

Target = Pilot | Commitment | SupportingAction


@dataclasses.dataclass(frozen=True)
class Records:
    """One organisation's records in one programme: published ones and the entries in progress."""

    programme: Programme
    organisation: Organisation
    pilots: Sequence[Pilot]
    commitments: Sequence[Commitment]
    actions: Sequence[SupportingAction]
    entries: Sequence[Entry]

    def open_entry(self, kind: EntryKind, target_id: int) -> Entry | None:
        return next(
            (e for e in self.entries if e.kind == kind and e.target_id == target_id and e.editable), None
        )


def records_of(session: Session, *, programme_id: int, organisation_id: int) -> Records | None:
    programme = session.get(Programme, programme_id)
    organisation = session.get(Organisation, organisation_id)
    if programme is None or organisation is None:
        return None
    parties = select(PilotParty.pilot_id).where(PilotParty.organisation_id == organisation_id)
    pilots = session.scalars(
        select(Pilot)
        .where(Pilot.programme_id == programme_id, Pilot.id.in_(parties), Pilot.withdrawn_at.is_(None))
        .order_by(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc())
        .options(selectinload(Pilot.progress))
    ).all()
    commitments = session.scalars(
        select(Commitment)
        .join(Participation, Participation.id == Commitment.participation_id)
        .where(
            Participation.programme_id == programme_id,
            Participation.organisation_id == organisation_id,
            Commitment.withdrawn_at.is_(None),
        )
        .order_by(Commitment.id)
    ).all()
    actions = session.scalars(
        select(SupportingAction)
        .where(
            SupportingAction.programme_id == programme_id,
            SupportingAction.organisation_id == organisation_id,
            SupportingAction.withdrawn_at.is_(None),
        )
        .order_by(SupportingAction.starts_on.desc().nulls_last(), SupportingAction.id.desc())
    ).all()
    entries = session.scalars(
        select(Entry)
        .where(Entry.programme_id == programme_id, Entry.organisation_id == organisation_id)
        .order_by(Entry.updated_at.desc(), Entry.id.desc())
        .limit(200)
    ).all()
    return Records(programme, organisation, pilots, commitments, actions, entries)


def target_of(
    session: Session, *, kind: EntryKind, record_id: int, programme_id: int, organisation_id: int
) -> Target | None:
    """The published record ``record_id`` if it is this organisation's in this programme."""
    if kind == EntryKind.PILOT:
        parties = select(PilotParty.pilot_id).where(PilotParty.organisation_id == organisation_id)
        return session.scalar(
            select(Pilot)
            .where(Pilot.id == record_id, Pilot.programme_id == programme_id, Pilot.id.in_(parties))
            .options(
                selectinload(Pilot.strategies), selectinload(Pilot.milestones), selectinload(Pilot.progress)
            )
            .limit(1)
        )
    if kind == EntryKind.COMMITMENT:
        return session.scalar(
            select(Commitment)
            .join(Participation, Participation.id == Commitment.participation_id)
            .where(
                Commitment.id == record_id,
                Participation.programme_id == programme_id,
                Participation.organisation_id == organisation_id,
            )
        )
    return session.scalar(
        select(SupportingAction).where(
            SupportingAction.id == record_id,
            SupportingAction.programme_id == programme_id,
            SupportingAction.organisation_id == organisation_id,
        )
    )


def get_entry(session: Session, *, entry_id: int) -> Entry | None:
    return session.scalar(
        select(Entry)
        .where(Entry.id == entry_id)
        .options(joinedload(Entry.organisation), joinedload(Entry.programme), joinedload(Entry.created_by))
    )


def open_entry(session: Session, *, kind: EntryKind, target_id: int) -> Entry | None:
    return session.scalar(
        select(Entry).where(Entry.kind == kind, Entry.target_id == target_id, Entry.state.in_(OPEN_STATES))
    )


def save_entry(
    session: Session,
    *,
    entry: Entry,
    raw: dict[str, Any],
    title: str,
    send: bool,
) -> None:
    """Keeps what the participant typed; ``send`` puts it in the coordinators' review queue."""
    entry.values = raw
    entry.title = title
    entry.state = EntryState.SUBMITTED if send else EntryState.DRAFT
    if send:
        entry.submitted_at = utcnow()
    if entry.id is None:
        session.add(entry)
    session.flush()


def discard_entry(session: Session, *, entry: Entry) -> None:
    session.delete(entry)
    session.flush()


def claim_for_review(session: Session, *, entry: Entry, user_id: int, to: EntryState, note: str = "") -> bool:
    """Moves a waiting entry to ``to`` unless someone reviewed it first (one conditional UPDATE)."""
    now = utcnow()
    claimed = session.execute(
        update(Entry)
        .where(Entry.id == entry.id, Entry.state == EntryState.SUBMITTED)
        .values(state=to, review_note=note, reviewed_by_id=user_id, reviewed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(entry)
    return True


def review_queue(
    session: Session, *, programme_ids: Collection[int] | None, state: EntryState, page: int
) -> Page[Entry]:
    statement = (
        select(Entry)
        .where(Entry.state == state)
        .options(joinedload(Entry.organisation), joinedload(Entry.programme))
        .order_by(Entry.submitted_at.desc().nulls_last(), Entry.id.desc())
    )
    if programme_ids is not None:
        statement = statement.where(Entry.programme_id.in_(list(programme_ids)))
    return paginate(session, statement, page=page)


def counts(session: Session, *, programme_ids: Collection[int] | None) -> dict[EntryState, int]:
    """How many entries participants logged, by state (for the dashboard)."""
    statement = select(Entry.state, func.count()).group_by(Entry.state)
    if programme_ids is not None:
        statement = statement.where(Entry.programme_id.in_(list(programme_ids)))
    found = {state: n for state, n in session.execute(statement).all()}
    return {state: found.get(state, 0) for state in EntryState}


def participation_for(session: Session, *, programme_id: int, organisation_id: int) -> Participation | None:
    """The organisation's live participation that a new commitment belongs to."""
    return session.scalar(
        select(Participation)
        .where(
            Participation.programme_id == programme_id,
            Participation.organisation_id == organisation_id,
            Participation.withdrawn_at.is_(None),
        )
        .order_by(Participation.id)
        .limit(1)
    )
