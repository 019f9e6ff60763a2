"""One write path for a community's members and for proposals of new communities: the typed inputs,
the fields declared once, the audit, and the rules on every path (a moderator adding a member, an
accepted request to join, an accepted proposal, the public proposal form)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub import i18n
from hub.accounts.models import AuditEntry
from hub.communities import members, proposals
from hub.communities.joining import decide_request
from hub.communities.members import MemberInput, add_member
from hub.communities.models import CommunityProposal, JoinRequest, MemberRole, Membership
from hub.communities.proposals import ProposalInput, create_proposal, decide_proposal
from hub.refusals import Invalid, Refused
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post
from tests.fields import input_fields, own_columns


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    token = i18n.current_language.set("en")
    yield
    i18n.current_language.reset(token)


# A proposal's decision and the community it started are the programme's, not the proposal's values.
DECISION = {"community_id", "status", "decided_at", "decided_by_id", "decision_note", "notified_at"}


def test_the_fields_are_declared_once() -> None:
    assert own_columns(Membership) == input_fields(MemberInput) == set(members.FIELDS)
    assert own_columns(CommunityProposal) - DECISION == input_fields(ProposalInput) == set(proposals.FIELDS)


def test_a_member_is_added_audited_and_an_address_is_a_member_once(session: Session) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    user = factories.user(session)
    data = MemberInput(community_id=community.id, name="An", email="an@example.be", role=MemberRole.EXPERT)
    member = add_member(session, data=data, user_id=user.id)
    assert member.id is not None and MemberInput.of(member) == data
    organisation = factories.organisation(session, "Stad Gent")
    add_member(
        session, data=MemberInput(community_id=community.id, organisation_id=organisation.id), user_id=None
    )
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "memberships")).all()
    assert [(e.action, e.summary) for e in entries] == [("create", "An · expert")]  # None: not audited

    with pytest.raises(Refused) as refused:
        add_member(session, data=dataclasses.replace(data, email="AN@example.be"), user_id=user.id)
    assert (refused.value.status, refused.value.field) == (409, "email")


# (the change to a valid person, the field refused, part of its message)
PERSON_RULES = [
    ({"name": "", "organisation_name": ""}, "name", "Give a person's name, an organisation, or both."),
    ({"name": "An\nBcc: everyone@example.org"}, "name", "on one line"),
    ({"organisation_name": "x" * 201}, "organisation_name", "at most 200 characters"),
    ({"email": "an at example"}, "email", "Enter an e-mail address"),
]


@pytest.mark.parametrize(("change", "field", "message"), PERSON_RULES)
def test_a_members_rules_hold_on_every_path(
    session: Session, change: dict[str, Any], field: str, message: str
) -> None:
    programme = factories.programme(session, "gdca")
    community = factories.community(session, programme)
    user = factories.user(session)
    person: dict[str, Any] = {
        "name": "An",
        "email": "an@example.be",
        "organisation_name": "Stad Gent",
        **change,
    }

    with pytest.raises(Invalid) as refused:  # a moderator adds a member
        add_member(session, data=MemberInput(community_id=community.id, **person), user_id=user.id)
    assert list(refused.value.errors) == [field] and message in refused.value.errors[field]

    if len(person["organisation_name"]) > 200:
        return  # longer than its column: PostgreSQL stores no request or proposal with it
    # A request or a proposal stored without the public form's checks (written before a rule).
    asked = JoinRequest(community_id=community.id, language="en", **person)
    proposed = CommunityProposal(
        programme_id=programme.id, title="Workwear", description="Uniforms.", **person
    )
    session.add_all([asked, proposed])
    session.flush()
    with pytest.raises(Invalid) as refused:  # a moderator accepts a request to join
        decide_request(session, join_request=asked, accept=True, note="", user_id=user.id)
    assert list(refused.value.errors) == [field]
    with pytest.raises(Invalid) as refused:  # a coordinator accepts a proposal: its contact person
        decide_proposal(session, proposal=proposed, accept=True, note="", user_id=user.id)
    assert list(refused.value.errors) == [field]
    assert session.scalars(select(Membership)).all() == []


def test_an_accepted_request_and_proposal_write_their_member_audited_as_the_decision(
    session: Session,
) -> None:
    programme = factories.programme(session, "gdca")
    community = factories.community(session, programme)
    user = factories.user(session)
    asked = JoinRequest(community_id=community.id, name="An", email="an@example.be", language="nl")
    proposed = CommunityProposal(
        programme_id=programme.id,
        title="Workwear",
        description="Uniforms.",
        name="Sam",
        email="sam@example.be",
    )
    session.add_all([asked, proposed])
    session.flush()
    member = decide_request(session, join_request=asked, accept=True, note="", user_id=user.id)
    started = decide_proposal(session, proposal=proposed, accept=True, note="", user_id=user.id)
    assert member is not None and started is not None
    assert (member.email, member.role) == ("an@example.be", MemberRole.MEMBER)
    contact = session.scalars(select(Membership).where(Membership.community_id == started.id)).one()
    assert (contact.name, contact.role) == ("Sam", MemberRole.CONTACT)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == user.id)).all()
    assert sorted(actions) == ["accept", "accept"]


def test_the_moderators_form_shows_the_rules_at_its_fields(
    client: TestClient, session: Session, network: Network
) -> None:
    community = factories.community(session, network.gdca)
    session.commit()
    log_in(client, network.coordinator)
    path = f"/en/coordinator/communities/{community.id}/members"
    nobody = post(client, path, {"name": "", "organisation": "", "role": "member"})
    assert nobody.status_code == 400 and "Give a person&#39;s name, an organisation, or both." in nobody.text
    added = post(
        client, path, {"name": "An", "email": "an@example.be", "role": "contact"}, follow_redirects=False
    )
    assert added.status_code == 303
    again = post(client, path, {"name": "An", "email": "an@example.be", "role": "member"})
    assert again.status_code == 400 and "is already a member of this community" in again.text
    stored = session.scalars(select(Membership).where(Membership.community_id == community.id)).one()
    assert (stored.name, stored.role) == ("An", MemberRole.CONTACT)


def proposal_input(programme_id: int, **changes: Any) -> ProposalInput:
    data = ProposalInput(
        programme_id=programme_id,
        title="Circular workwear",
        description="Buyers of uniforms and workwear.",
        name="Sam",
        email="sam@example.be",
        language="en",
    )
    return dataclasses.replace(data, **changes)


PROPOSAL_RULES = [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "Workwear\r\nBcc: everyone@example.org"}, "title"),
    ({"description": ""}, "description"),
    ({"name": ""}, "name"),
    ({"email": ""}, "email"),
    ({"email": "sam at example"}, "email"),
    ({"organisation_name": "Stad\nGent"}, "organisation_name"),
    ({"language": "fr"}, "language"),
]


@pytest.mark.parametrize(("change", "field"), PROPOSAL_RULES)
def test_a_proposals_rules(session: Session, change: dict[str, Any], field: str) -> None:
    programme = factories.programme(session, "gdca")
    with pytest.raises(Invalid) as refused:
        create_proposal(session, data=proposal_input(programme.id, **change))
    assert list(refused.value.errors) == [field]
    assert session.scalars(select(CommunityProposal)).all() == []


def test_a_proposal_is_written_once_and_not_for_a_group_with_a_community(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    food, textiles = factories.product_group(session, "food"), factories.product_group(session, "textiles")
    factories.community(session, programme, product_group=food, name_en="Food network")
    data = proposal_input(programme.id, product_group_id=textiles.id, organisation_name="Stad Gent")
    proposal = create_proposal(session, data=data)
    assert ProposalInput.of(proposal) == data
    with pytest.raises(Refused) as refused:
        create_proposal(session, data=dataclasses.replace(data, email="SAM@example.be"))
    assert (refused.value.status, refused.value.field) == (409, "email")
    with pytest.raises(Refused) as refused:
        create_proposal(session, data=dataclasses.replace(data, product_group_id=food.id))
    assert (refused.value.status, refused.value.field) == (409, "product_group_id")
    assert "Food network" in str(refused.value)


def test_the_public_form_shows_the_rules_at_its_fields(client: TestClient, session: Session) -> None:
    factories.programme(session, "gdca")
    session.commit()
    path = "/en/communities/propose"
    fields = {"programme": "gdca", "title": "Circular workwear", "description": "Uniforms.", "name": "Sam"}
    refused = post(
        client, path, {**fields, "email": "sam at example", "organisation": "x" * 201}, form_page=path
    )
    assert refused.status_code == 400 and refused.text.count("field-error") >= 2
    assert "Enter an e-mail address such as name@example.org." in refused.text
    sent = post(client, path, {**fields, "email": "sam@example.be"}, form_page=path, follow_redirects=False)
    assert sent.status_code == 303
    assert session.scalars(select(CommunityProposal.title)).all() == ["Circular workwear"]
