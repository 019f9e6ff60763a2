"""Communities of practice in the hub's search: what finds a live community, that the index
follows its writes (a proposal accepted, its meetings, its members), and that the public list and
the API list search through the index."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.communities import services
from hub.communities.models import Membership
from hub.communities.proposals import ProposalInput, create_proposal, decide_proposal
from hub.communities.writes import MeetingInput, create_meeting, update_meeting
from hub.db import utcnow
from hub.settings import Settings
from hub.taxonomy.models import ProductGroup
from tests import factories

NOW = dt.datetime(2099, 1, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2099, 5, 12, 8, 0, tzinfo=dt.UTC)


def names(session: Session, q: str) -> list[str]:
    """The list's communities for ``q``, in its order (groups of the best match first)."""
    groups = services.communities_by_product_group(session, q=q)
    return [community.name_nl or community.name_en for _group, members in groups for community in members]


def group(session: Session, code: str, name_nl: str, name_en: str) -> ProductGroup:
    found = factories.product_group(session, code)
    found.name_nl, found.name_en = name_nl, name_en
    session.flush()
    return found


@pytest.fixture
def network(session: Session) -> dict[str, Any]:
    gdca = factories.programme(session, "gdca", short_name="GDCA", name_nl="Green Deal Circulair Aankopen")
    textiles = group(session, "textiles", "Textiel", "Textiles")
    furniture = group(session, "furniture", "Meubilair", "Furniture")
    clothing = factories.community(
        session,
        gdca,
        product_group=textiles,
        name_nl="Werkgroep bedrijfskleding",
        name_en="",
        description_nl="Aankopers van werkkleding delen hun bestekken.",
    )
    office = factories.community(
        session,
        gdca,
        product_group=furniture,
        name_nl="Kantoorinrichting",
        name_en="Office fit-out",
        description_en="Buyers reusing desks and chairs.",
    )
    factories.community(session, gdca, name_nl="Opgeheven werkgroep", withdrawn_at=utcnow())
    return {"gdca": gdca, "clothing": clothing, "office": office, "furniture": furniture}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bedrijfskleding", ["Werkgroep bedrijfskleding"]),  # a word of its Dutch name
        ("office", ["Kantoorinrichting"]),  # ... of its English one
        ("reused", ["Kantoorinrichting"]),  # an inflected form ("reusing")
        ("kleding", ["Werkgroep bedrijfskleding"]),  # a word inside a compound
        ("textiles", ["Werkgroep bedrijfskleding"]),  # its product group, in the other language
        ("meubilair", ["Kantoorinrichting"]),
        ("Green Deal", ["Werkgroep bedrijfskleding", "Kantoorinrichting"]),  # its programme
        ("opgeheven", []),  # withdrawn: never found
        ("(kleding* ^", ["Werkgroep bedrijfskleding"]),  # query syntax is searched as text
    ],
)
def test_found_by_what_it_says_in_either_language(
    session: Session, network: dict[str, Any], q: str, expected: list[str]
) -> None:
    assert sorted(names(session, q)) == sorted(expected)


def test_without_words_the_list_is_whole(session: Session, network: dict[str, Any]) -> None:
    assert (
        sorted(names(session, ""))
        == sorted(names(session, "*** "))
        == ["Kantoorinrichting", "Werkgroep bedrijfskleding"]
    )


def test_a_meeting_written_is_found_at_once_and_its_old_title_is_not(
    session: Session, network: dict[str, Any]
) -> None:
    user = factories.user(session)
    office = network["office"]
    data = MeetingInput(
        community_id=office.id,
        source_language="nl",
        title_nl="Rondetafel hergebruik",
        starts_at=START,
        location="Gent",
    )
    meeting = create_meeting(session, data=data, user_id=user.id, now=NOW)
    session.flush()
    assert names(session, "rondetafel") == ["Kantoorinrichting"]
    renamed = dataclasses.replace(data, title_nl="Inspiratiedag bureaus")
    update_meeting(session, meeting=meeting, data=renamed, user_id=user.id, now=NOW)
    session.flush()
    assert names(session, "inspiratiedag") == ["Kantoorinrichting"]
    assert names(session, "rondetafel") == []


def test_a_proposal_is_found_once_accepted(session: Session, network: dict[str, Any]) -> None:
    proposal = create_proposal(
        session,
        data=ProposalInput(
            programme_id=network["gdca"].id,
            title="Circulaire catering",
            description="Voedselverspilling in kantines",
            name="An Peeters",
            email="an@example.org",
            language="nl",
        ),
    )
    assert names(session, "catering") == []  # waiting for a decision: not a community yet
    decide_proposal(session, proposal=proposal, accept=True, note="", user_id=factories.user(session).id)
    session.flush()
    assert names(session, "catering") == ["Circulaire catering"]
    assert names(session, "voedselverspilling") == ["Circulaire catering"]


def test_its_members_organisations_are_followed(session: Session, network: dict[str, Any]) -> None:
    organisation = factories.organisation(session, "Stad Mechelen")
    session.add(Membership(community_id=network["clothing"].id, organisation_id=organisation.id))
    session.flush()
    assert names(session, "Mechelen") == ["Werkgroep bedrijfskleding"]
    organisation.name = "Stad Lier"
    session.flush()
    assert names(session, "Lier") == ["Werkgroep bedrijfskleding"]
    assert names(session, "Mechelen") == []


def test_a_renamed_product_group_is_followed(session: Session, network: dict[str, Any]) -> None:
    network["furniture"].name_en = "Interior"
    session.flush()
    assert names(session, "interior") == ["Kantoorinrichting"]


def test_a_withdrawn_community_leaves_the_index(session: Session, network: dict[str, Any]) -> None:
    network["office"].withdrawn_at = utcnow()
    session.flush()
    assert names(session, "office") == []


def test_the_best_match_first(session: Session, network: dict[str, Any]) -> None:
    # "kleding" is in the clothing community's name; the office one only mentions it in a meeting.
    factories.meeting(session, network["office"], title_nl="Kleding voor de conciërges", title_en="")
    assert names(session, "kleding") == ["Werkgroep bedrijfskleding", "Kantoorinrichting"]


def test_the_list_page_searches(client: TestClient, session: Session, network: dict[str, Any]) -> None:
    session.commit()
    page = client.get("/en/communities", params={"q": "textiles"})
    assert page.status_code == 200
    assert "Werkgroep bedrijfskleding" in page.text and "Office fit-out" not in page.text


@pytest.fixture
def api(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    served = dataclasses.replace(settings, api_settle_seconds=0)
    with TestClient(create_app(served, sessions=sessions), raise_server_exceptions=False) as client:
        yield client


def test_the_api_list_takes_q(api: TestClient, session: Session, network: dict[str, Any]) -> None:
    session.commit()
    body = api.get("/api/v1/communities", params={"q": "furniture"}).json()
    assert [document["name"]["en"] for document in body["data"]] == ["Office fit-out"]
