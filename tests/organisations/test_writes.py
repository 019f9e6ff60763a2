"""One write path per record of the network: the typed inputs, their rules wherever a record is
written, and the audit trail."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.db import utcnow
from hub.i18n import gettext as _
from hub.organisations.models import CommitmentKind, Organisation, Role, Sector
from hub.organisations.writes import (
    CommitmentInput,
    OrganisationInput,
    ParticipationInput,
    SupportingActionInput,
    add_participation,
    create_action,
    create_commitment,
    create_organisation,
    update_action,
    update_commitment,
    update_organisation,
)
from hub.refusals import Refused
from tests import factories


def organisation_input(**changes: object) -> OrganisationInput:
    data = OrganisationInput(name="Stad Gent", sector=Sector.PUBLIC, country="BE", source_language="nl")
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def audit_of(session: Session, entity: str) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    return list(session.scalars(statement))


def test_an_organisation_is_created_with_its_participation_and_audited(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    joins = ParticipationInput(programme.id, Role.PROCURER, dt.date(2017, 6, 1))
    organisation = create_organisation(session, data=organisation_input(), user_id=user.id, joins=joins)
    assert OrganisationInput.of(organisation) == organisation_input()
    [participation] = organisation.participations
    assert (participation.programme_id, participation.role) == (programme.id, Role.PROCURER)
    [created] = audit_of(session, "organisations")
    assert (created.action, created.programme_id, created.summary) == ("create", programme.id, "Stad Gent")
    [joined] = audit_of(session, "participations")
    assert joined.after == {
        "programme_id": programme.id,
        "organisation_id": organisation.id,
        "role": "procurer",
        "joined_on": "2017-06-01",
    }

    assert not update_organisation(
        session, organisation=organisation, data=organisation_input(), user_id=user.id, programme_id=None
    )
    changed = organisation_input(city="Gent")
    assert update_organisation(
        session, organisation=organisation, data=changed, user_id=user.id, programme_id=programme.id
    )
    assert audit_of(session, "organisations")[-1].after == {"city": "Gent"}


def test_a_duplicate_organisation_is_refused_wherever_it_is_written(session: Session) -> None:
    user = factories.user(session)
    existing = factories.organisation(session, "Stad Gent", country="BE")
    with pytest.raises(Refused) as refused:
        create_organisation(session, data=organisation_input(name=" stad GENT "), user_id=user.id)
    assert (refused.value.field, refused.value.status) == ("name", 400)
    assert "“Stad Gent”" in str(refused.value) and f"{existing.id})" in str(refused.value)
    assert session.scalar(select(Organisation).where(Organisation.country == "NL")) is None

    other = create_organisation(session, data=organisation_input(country="NL"), user_id=user.id)
    with pytest.raises(Refused):
        update_organisation(
            session, organisation=other, data=organisation_input(), user_id=user.id, programme_id=None
        )
    assert other.country == "NL"
    # Its own name is no duplicate, nor an archived organisation's.
    assert update_organisation(
        session,
        organisation=existing,
        data=organisation_input(city="Gent"),
        user_id=user.id,
        programme_id=None,
    )
    existing.withdrawn_at = utcnow()
    assert update_organisation(
        session, organisation=other, data=organisation_input(), user_id=user.id, programme_id=None
    )


def test_a_participation_is_added_once_and_taken_up_again(session: Session) -> None:
    user = factories.user(session)
    programme = factories.programme(session, "gdca")
    organisation = factories.organisation(session, "OVAM")
    data = ParticipationInput(programme.id, Role.FACILITATOR)
    participation = add_participation(session, organisation=organisation, data=data, user_id=user.id)
    with pytest.raises(Refused) as refused:
        add_participation(session, organisation=organisation, data=data, user_id=user.id)
    assert (refused.value.field, refused.value.status) == ("role", 400)

    participation.withdrawn_at = utcnow()
    assert add_participation(session, organisation=organisation, data=data, user_id=user.id) is participation
    assert participation.withdrawn_at is None
    assert audit_of(session, "participations")[-1].action == "restore"

    participation.withdrawn_at, participation.home_hub = utcnow(), "https://hub.example.org"
    with pytest.raises(Refused) as refused:
        add_participation(session, organisation=organisation, data=data, user_id=user.id)
    assert (refused.value.field, refused.value.status) == (None, 409)


def test_a_commitment_is_written_under_its_participations_programme(session: Session) -> None:
    user = factories.user(session)
    programme = factories.programme(session, "gdca")
    participation = factories.participation(session, programme, factories.organisation(session, "OVAM"))
    data = CommitmentInput(kind=CommitmentKind.PILOTS, target_count=2, description_nl="Twee pilots")
    commitment = create_commitment(session, participation=participation, data=data, user_id=user.id)
    assert commitment.participation is participation and commitment.target_count == 2
    [created] = audit_of(session, "commitments")
    assert (created.programme_id, created.summary) == (programme.id, "OVAM")
    assert created.after is not None and created.after["participation_id"] == participation.id

    changed = dataclasses.replace(data, target_count=3)
    assert update_commitment(session, commitment=commitment, data=changed, user_id=user.id, summary="OVAM: 3")
    updated = audit_of(session, "commitments")[-1]
    assert (updated.before, updated.after, updated.summary) == (
        {"target_count": 2},
        {"target_count": 3},
        "OVAM: 3",
    )
    assert not update_commitment(session, commitment=commitment, data=changed, user_id=user.id)


def test_a_supporting_action_holds_its_rules(session: Session) -> None:
    user = factories.user(session)
    gdca = factories.programme(session, "gdca")
    procirc = factories.programme(session, "procirc")
    facilitator = factories.organisation(session, "The Shift")
    participation = factories.participation(session, gdca, facilitator, Role.FACILITATOR)
    data = SupportingActionInput(
        programme_id=gdca.id,
        organisation_id=facilitator.id,
        source_language="en",
        title_en="Legal helpdesk",
        starts_on=dt.date(2018, 1, 1),
    )
    action = create_action(session, data=data, user_id=user.id)
    assert SupportingActionInput.of(action) == data
    [created] = audit_of(session, "supporting_actions")
    assert (created.programme_id, created.summary) == (gdca.id, "Legal helpdesk")

    with pytest.raises(Refused) as refused:
        update_action(
            session, action=action, data=dataclasses.replace(data, programme_id=procirc.id), user_id=user.id
        )
    assert (refused.value.field, refused.value.status) == ("organisation_id", 400)
    assert str(refused.value) == _("This organisation does not take part in the chosen programme.")
    backwards = dataclasses.replace(data, ends_on=dt.date(2017, 12, 31))
    with pytest.raises(Refused) as refused:
        update_action(session, action=action, data=backwards, user_id=user.id)
    assert refused.value.field == "ends_on"
    assert action.programme_id == gdca.id and action.ends_on is None

    assert update_action(
        session, action=action, data=dataclasses.replace(data, title_en="Helpdesk"), user_id=user.id
    )
    participation.withdrawn_at = utcnow()  # a facilitator that left takes no actions
    with pytest.raises(Refused):
        create_action(session, data=data, user_id=user.id)
