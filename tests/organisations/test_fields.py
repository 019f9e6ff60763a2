"""The network's fields are declared once (hub.organisations.fields): every way an organisation,
a participation, a commitment or a supporting action comes in or goes out carries them all, or a
subset declared here with its reason, so that a field added in one place and not in the others
fails here."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.targets import TARGETS
from hub.federation.fields import Bilingual
from hub.federation.kinds import KINDS as FEDERATED
from hub.opendata.downloads import COLUMNS
from hub.organisations.fields import (
    ACTION_FIELDS,
    COMMITMENT_FIELDS,
    ORGANISATION_FIELDS,
    PARTICIPATION_FIELDS,
)
from hub.organisations.models import Commitment, Organisation, Participation, Role, SupportingAction
from hub.organisations.writes import (
    CommitmentInput,
    OrganisationInput,
    ParticipationInput,
    SupportingActionInput,
)
from hub.participants import forms as participant_forms
from hub.participants.models import EntryKind
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import MANAGED
from tests import factories
from tests.coordinators import Network

# The record's identity and bookkeeping, not its values.
NOT_FIELDS = {"id", "mirrored", *MANAGED}

SOURCE_LEAVES_OUT = {"source_language"}  # told by which texts a source gives
SOURCE_ADDS = {"role", "joined_on"}  # the organisation's participation in the source's programme
DOWNLOAD_LEAVES_OUT = {"source_language"}  # the downloads keep the shape of the former API
PARTICIPANT_LEAVES_OUT = {"programme_id", "organisation_id"}  # the entry's
NEW_ORGANISATION_ADDS = {"programme_id", "role", "joined_on"}  # the programme it joins


def columns(model: Any) -> set[str]:
    return set(model.__table__.c.keys()) - NOT_FIELDS


def inputs(kind: type[Any]) -> set[str]:
    return {field.name for field in dataclasses.fields(kind)}


def federated(name: str) -> set[str]:
    kind = FEDERATED[name]
    names = {"source_language"} if kind.bilingual else set()
    for field in kind.fields:
        if isinstance(field, Bilingual):
            names |= {f"{field.name}_nl", f"{field.name}_en"}
        else:
            names.add(field.attribute)
    return names


def form_names(page: str) -> set[str]:
    form = re.search(r'<form method="post"[^>]*class="workspace-form".*?</form>', page, re.S)
    assert form is not None
    return set(re.findall(r'name="([^"]+)"', form.group())) - {"csrf_token"}


def test_the_fields_are_the_records_own_columns() -> None:
    assert columns(Organisation) == set(ORGANISATION_FIELDS)
    assert columns(Participation) == set(PARTICIPATION_FIELDS)
    assert columns(Commitment) - {"participation_id"} == set(COMMITMENT_FIELDS)  # its parent
    assert columns(SupportingAction) == set(ACTION_FIELDS)
    for fields in (ORGANISATION_FIELDS, PARTICIPATION_FIELDS, COMMITMENT_FIELDS, ACTION_FIELDS):
        assert len(fields) == len(set(fields))


def test_the_typed_inputs_have_every_field() -> None:
    assert inputs(OrganisationInput) == set(ORGANISATION_FIELDS)
    assert inputs(CommitmentInput) == set(COMMITMENT_FIELDS)
    assert inputs(SupportingActionInput) == set(ACTION_FIELDS)
    # A participation is added to its organisation, and leaves by being removed.
    assert inputs(ParticipationInput) == set(PARTICIPATION_FIELDS) - {"organisation_id", "left_on"}


def test_a_sync_writes_every_field_and_a_source_feeds_a_declared_subset() -> None:
    assert set(SYNCED["organisation"].blank) - NOT_FIELDS == set(ORGANISATION_FIELDS)
    assert set(TARGETS["organisation"].fields) - SOURCE_ADDS == set(ORGANISATION_FIELDS) - SOURCE_LEAVES_OUT
    assert set(PARTICIPATION_FIELDS) >= SOURCE_ADDS


def test_federation_sends_every_field() -> None:
    assert federated("organisations") == set(ORGANISATION_FIELDS)
    assert federated("participations") == set(PARTICIPATION_FIELDS)
    assert federated("supporting_actions") == set(ACTION_FIELDS)


def test_the_downloads_give_a_declared_subset() -> None:
    names = set(COLUMNS["organisations"]) - {"url", "participations", "demo"} - NOT_FIELDS
    assert names == set(ORGANISATION_FIELDS) - DOWNLOAD_LEAVES_OUT


def test_the_participants_forms_report_a_declared_subset() -> None:
    assert set(participant_forms.FIELDS[EntryKind.COMMITMENT]) == set(COMMITMENT_FIELDS)
    action = set(participant_forms.FIELDS[EntryKind.SUPPORTING_ACTION])
    assert action == set(ACTION_FIELDS) - PARTICIPANT_LEAVES_OUT


def test_the_coordinators_forms_have_every_field(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    organisation = factories.organisation(session, "OVAM")
    participation = factories.participation(session, network.gdca, organisation, Role.FACILITATOR)
    session.commit()
    page = coordinator.get("/en/coordinator/organisations/new").text
    assert form_names(page) == set(ORGANISATION_FIELDS) | NEW_ORGANISATION_ADDS
    page = coordinator.get(f"/en/coordinator/organisations/{organisation.id}").text
    assert form_names(page) == set(ORGANISATION_FIELDS)
    page = coordinator.get(f"/en/coordinator/participations/{participation.id}/commitments").text
    assert form_names(page) == set(COMMITMENT_FIELDS)
    page = coordinator.get("/en/coordinator/actions/new").text
    assert form_names(page) == set(ACTION_FIELDS)
