"""Writing the network's records: one typed input and one audited write path per kind, that holds
the domain's rules (a refused write raises ``Refused`` at the field it concerns, before it writes).

The coordinators' screens and a participant's published entry write through here; a source's sync
and a peer's mirror write organisations, participations and actions in bulk. Who may write is the
caller's to check, and that the record (or its participation) is kept here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from hub import changes
from hub.i18n import gettext as _
from hub.inputs import RecordInput, TitledInput
from hub.organisations import services
from hub.organisations.fields import ACTION_FIELDS, COMMITMENT_FIELDS, ORGANISATION_FIELDS
from hub.organisations.models import (
    Commitment,
    CommitmentKind,
    Organisation,
    Participation,
    Role,
    Sector,
    SupportingAction,
)
from hub.refusals import Refused


@dataclasses.dataclass(frozen=True)
class OrganisationInput(RecordInput[Organisation]):
    """An organisation's values (``fields.ORGANISATION_FIELDS``), typed."""

    FIELDS = ORGANISATION_FIELDS

    name: str
    sector: Sector
    country: str
    source_language: str
    city: str = ""
    website: str | None = None
    description_nl: str = ""
    description_en: str = ""


@dataclasses.dataclass(frozen=True)
class ParticipationInput:
    """An organisation's part in a programme, as it is added (its organisation is the caller's)."""

    programme_id: int
    role: Role
    joined_on: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class CommitmentInput(RecordInput[Commitment]):
    """A commitment's values (``fields.COMMITMENT_FIELDS``), typed."""

    FIELDS = COMMITMENT_FIELDS

    kind: CommitmentKind
    target_count: int
    signed_on: dt.date | None = None
    description_nl: str = ""
    description_en: str = ""


@dataclasses.dataclass(frozen=True)
class SupportingActionInput(TitledInput[SupportingAction]):
    """A supporting action's values (``fields.ACTION_FIELDS``), typed."""

    FIELDS = ACTION_FIELDS

    programme_id: int
    organisation_id: int
    source_language: str
    title_nl: str = ""
    title_en: str = ""
    summary_nl: str = ""
    summary_en: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


# --- organisations ---


def check_organisation(session: Session, data: OrganisationInput, *, exclude_id: int | None = None) -> None:
    """Refused if another live organisation of this name is in this country (names compared
    without case and outer spaces)."""
    duplicate = services.duplicate_organisation(
        session, name=data.name, country=data.country, exclude_id=exclude_id
    )
    if duplicate is not None:
        message = _(
            "An organisation named “%(name)s” already exists in this country (number %(id)d).",
            name=duplicate.name,
            id=duplicate.id,
        )
        raise Refused(message, status=400, field="name")


def create_organisation(
    session: Session, *, data: OrganisationInput, user_id: int, joins: ParticipationInput | None = None
) -> Organisation:
    """A new organisation of this hub and, with ``joins``, its participation in that programme
    (both audited under it). Refused for a duplicate."""
    organisation = Organisation()
    _save_organisation(
        session, organisation, data, user_id, joins.programme_id if joins is not None else None
    )
    if joins is not None:
        _participate(session, organisation, joins, user_id)
    return organisation


def update_organisation(
    session: Session,
    *,
    organisation: Organisation,
    data: OrganisationInput,
    user_id: int,
    programme_id: int | None,
) -> bool:
    """Sets the organisation's values, audited under ``programme_id``; False if nothing changed.
    Refused for a duplicate."""
    return _save_organisation(session, organisation, data, user_id, programme_id)


def _save_organisation(
    session: Session,
    organisation: Organisation,
    data: OrganisationInput,
    user_id: int,
    programme_id: int | None,
) -> bool:
    check_organisation(session, data, exclude_id=organisation.id)
    return changes.save(
        session,
        record=organisation,
        values=data.values(),
        user_id=user_id,
        programme_id=programme_id,
        summary=data.name,
    )


# --- participations ---


def add_participation(
    session: Session, *, organisation: Organisation, data: ParticipationInput, user_id: int
) -> Participation:
    """The organisation's part in a programme: a new participation, or the one removed before
    taken up again. Refused if it has this role in the programme already, or (409) if the removed
    one is kept by another hub."""
    existing = services.find_participation(
        session, programme_id=data.programme_id, organisation_id=organisation.id, role=data.role
    )
    if existing is None:
        return _participate(session, organisation, data, user_id)
    if existing.withdrawn_at is None:
        message = _("This organisation already has this role in this programme.")
        raise Refused(message, status=400, field="role")
    if existing.home_hub is not None:
        raise Refused(_("This record is kept by %(home)s and edited there.", home=existing.home_hub))
    changes.restore(
        session,
        record=existing,
        user_id=user_id,
        programme_id=existing.programme_id,
        summary=organisation.name,
    )
    return existing


def _participate(
    session: Session, organisation: Organisation, data: ParticipationInput, user_id: int
) -> Participation:
    participation = Participation()
    changes.save(
        session,
        record=participation,
        values={
            "programme_id": data.programme_id,
            "organisation_id": organisation.id,
            "role": data.role,
            "joined_on": data.joined_on,
        },
        user_id=user_id,
        programme_id=data.programme_id,
        summary=organisation.name,
    )
    return participation


# --- commitments ---


def create_commitment(
    session: Session,
    *,
    participation: Participation,
    data: CommitmentInput,
    user_id: int,
    summary: str | None = None,
) -> Commitment:
    """A new commitment of the participation, audited under its programme (``summary``: the
    audit's line, by default the organisation's name)."""
    commitment = Commitment()
    values = {**data.values(), "participation_id": participation.id}
    _save_commitment(session, commitment, values, participation, user_id, summary)
    return commitment


def update_commitment(
    session: Session,
    *,
    commitment: Commitment,
    data: CommitmentInput,
    user_id: int,
    summary: str | None = None,
) -> bool:
    """Sets the commitment's values, auditing what changed; False if nothing did."""
    return _save_commitment(session, commitment, data.values(), commitment.participation, user_id, summary)


def _save_commitment(
    session: Session,
    commitment: Commitment,
    values: dict[str, Any],
    participation: Participation,
    user_id: int,
    summary: str | None,
) -> bool:
    """Sets ``values`` on the commitment, audited under the participation's programme and named
    by ``summary`` (by default the organisation's name)."""
    return changes.save(
        session,
        record=commitment,
        values=values,
        user_id=user_id,
        programme_id=participation.programme_id,
        summary=participation.organisation.name if summary is None else summary,
    )


# --- supporting actions ---


def check_action(session: Session, data: SupportingActionInput) -> None:
    """Refused unless the facilitator takes part in the action's programme and the action ends
    no earlier than it starts."""
    if not services.takes_part(session, organisation_id=data.organisation_id, programme_id=data.programme_id):
        message = _("This organisation does not take part in the chosen programme.")
        raise Refused(message, status=400, field="organisation_id")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise Refused(_("The end date cannot be before the start date."), status=400, field="ends_on")


def create_action(
    session: Session, *, data: SupportingActionInput, user_id: int, summary: str | None = None
) -> SupportingAction:
    """A new supporting action, audited under its programme (``summary``: the audit's line, by
    default its title). Refused if it breaks the action's rules (``check_action``)."""
    action = SupportingAction()
    _save_action(session, action, data, user_id, summary)
    return action


def update_action(
    session: Session,
    *,
    action: SupportingAction,
    data: SupportingActionInput,
    user_id: int,
    summary: str | None = None,
) -> bool:
    """Sets the action's values, auditing what changed; False if nothing did. Refused if they
    break the action's rules (``check_action``)."""
    return _save_action(session, action, data, user_id, summary)


def _save_action(
    session: Session, action: SupportingAction, data: SupportingActionInput, user_id: int, summary: str | None
) -> bool:
    check_action(session, data)
    return changes.save_input(session, record=action, data=data, user_id=user_id, summary=summary)
