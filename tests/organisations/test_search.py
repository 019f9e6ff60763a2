"""Organisations in the hub's search: what finds a live organisation, that the index follows its
writes (forms, the sync's bulk writes), and that the public list, its downloads and the API list
search through the index."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.base import Item
from hub.db import utcnow
from hub.organisations import services
from hub.organisations.models import Organisation, Role, Sector
from hub.organisations.services import OrganisationFilters, Sort
from hub.organisations.writes import OrganisationInput, update_organisation
from hub.pilots import services as pilots
from hub.pilots.services import PilotFilters
from hub.search import index
from hub.settings import Settings
from hub.sync.ingest import Ingest
from hub.sync.models import RunTrigger, Source
from hub.sync.services import start_run
from tests import factories


def names(session: Session, q: str, **filters: Any) -> list[str]:
    """The public list's names for ``q`` (the best match first)."""
    filters.setdefault("sort", Sort.RELEVANCE)
    page = services.list_organisations(session, filters=OrganisationFilters(q=q, **filters))
    return [organisation.name for organisation in page.organisations]


@pytest.fixture
def network(session: Session) -> dict[str, Any]:
    gdca = factories.programme(
        session, "gdca", short_name="GDCA", name_nl="Green Deal Circulair Aankopen", name_en="Green Deal"
    )
    procirc = factories.programme(
        session, "procirc", short_name="ProCirc", name_nl="ProCirc", name_en="ProCirc"
    )
    gent = factories.organisation(
        session,
        "Stad Gent",
        city="Gent",
        description_nl="De stad kocht tweedehands bureaustoelen.",
        description_en="The city reused office furniture.",
    )
    factories.participation(session, gdca, gent)
    water = factories.organisation(session, "Rijkswaterstaat", country="NL", sector=Sector.PUBLIC)
    factories.participation(session, procirc, water, Role.LEAD_PARTNER)
    factories.organisation(
        session, "Aquafin", sector=Sector.PRIVATE, description_nl="Werkt samen met Stad Gent aan afvalwater."
    )
    factories.organisation(session, "Gentse Afvalintercommunale", withdrawn_at=utcnow())
    return {"gent": gent, "water": water, "gdca": gdca}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Gent", ["Stad Gent", "Aquafin"]),  # a word of the name; then of a description
        ("Rijkswat", ["Rijkswaterstaat"]),  # the start of a name, as typed
        ("rijkswaterstaat", ["Rijkswaterstaat"]),  # any case
        ("tweedehands", ["Stad Gent"]),  # the Dutch description
        ("reusing", ["Stad Gent"]),  # an inflected form of the English one ("reused")
        ("hergebruikt", ["Stad Gent"]),  # ... and across the languages (the glossary)
        ("stoelen", ["Stad Gent"]),  # a word inside a compound ("bureaustoelen")
        ("Belgium", ["Aquafin", "Stad Gent"]),  # the country, in the other language
        ("Nederland", ["Rijkswaterstaat"]),
        ("lead partner", ["Rijkswaterstaat"]),  # its role, in English ...
        ("aankoper", ["Stad Gent"]),  # ... and in Dutch
        ("Green Deal", ["Stad Gent"]),  # its programme
        ("Afvalintercommunale", []),  # withdrawn: never found
        ('"; DROP TABLE organisations; --', []),
    ],
)
def test_found_by_what_it_says_in_either_language(
    session: Session, network: dict[str, Any], q: str, expected: list[str]
) -> None:
    assert names(session, q) == expected


def test_the_best_match_first_and_the_other_order_still_there(
    session: Session, network: dict[str, Any]
) -> None:
    assert services.parse_filters({"q": "gent"}, ["gdca"]).sort is Sort.RELEVANCE
    assert services.parse_filters({"q": "!!"}, ["gdca"]).sort is Sort.NAME  # no words: no search
    assert names(session, "gent", sort=Sort.NAME) == ["Aquafin", "Stad Gent"]
    assert names(session, "gent", programme="gdca") == ["Stad Gent"]
    assert names(session, "!!") == ["Aquafin", "Rijkswaterstaat", "Stad Gent"]  # filters nothing


def test_an_edit_is_found_at_once_and_its_old_words_are_not(
    session: Session, network: dict[str, Any]
) -> None:
    user = factories.user(session)
    gent = network["gent"]
    data = dataclasses.replace(OrganisationInput.of(gent), name="Stad Kortrijk", city="Kortrijk")
    update_organisation(session, organisation=gent, data=data, user_id=user.id, programme_id=None)
    session.flush()
    assert names(session, "Kortrijk") == ["Stad Kortrijk"]
    assert names(session, "Stad Gent") == ["Aquafin"]  # only its description still says so


def test_a_withdrawn_organisation_leaves_the_index(session: Session, network: dict[str, Any]) -> None:
    network["water"].withdrawn_at = utcnow()
    session.flush()
    assert names(session, "Rijkswaterstaat") == []


def _ingest(session: Session, source: Source, items: list[Item]) -> None:
    run = start_run(session, source=source, trigger=RunTrigger.COMMAND, owner="test")
    work = Ingest(session, source=source, run=run, target="organisation")
    work.consume(items)
    work.withdraw_absent()
    session.commit()
    index.catch_up_all(session)  # as a run ends (hub.sync.runner.index_runs)
    session.expire_all()  # the sync writes rows, not the objects this session holds


def test_a_rename_by_the_sync_is_found_and_so_are_its_pilots(session: Session) -> None:
    programme = factories.programme(session, "gdca3")
    source: Source = factories.source(session, programme, "members", options={"target": "organisation"})
    session.commit()
    row = {"name": "Stad Brugge", "sector": "public", "country": "be", "role": "procurer"}
    _ingest(session, source, [Item("brugge", row)])
    organisation = session.scalars(select(Organisation).where(Organisation.source_id == source.id)).one()
    factories.pilot(session, programme, title_nl="Circulair meubilair", procurers=[organisation])
    session.commit()
    assert names(session, "Brugge") == ["Stad Brugge"]

    _ingest(session, source, [Item("brugge", {**row, "name": "Stad Oostende"})])  # bulk Core writes
    assert names(session, "Oostende") == ["Stad Oostende"]
    assert names(session, "Brugge") == []
    found = pilots.list_pilots(session, filters=PilotFilters(q="Oostende"), language="nl")
    assert [row.title_nl for row in found.rows] == ["Circulair meubilair"]
    assert pilots.list_pilots(session, filters=PilotFilters(q="Brugge"), language="nl").rows == []


def _first_link(html: str) -> str:
    """The name of the first organisation the list links to."""
    start = html.index('<table class="list-table">')
    link = html.index('href="/en/organisations/', start)
    return html[html.index(">", link) + 1 : html.index("</a>", link)]


def test_the_list_page_shows_the_best_match_first(
    client: TestClient, session: Session, network: dict[str, Any]
) -> None:
    session.commit()
    page = client.get("/en/organisations", params={"q": "gent"})
    assert page.status_code == 200
    assert _first_link(page.text) == "Stad Gent"  # by name, Aquafin would come first
    assert 'value="relevance" selected' in page.text
    by_name = client.get("/en/organisations", params={"q": "gent", "sort": "name"})
    assert _first_link(by_name.text) == "Aquafin"
    assert client.get("/en/organisations", params={"sort": "nonsense"}).status_code == 400


def test_the_downloads_take_q(client: TestClient, session: Session, network: dict[str, Any]) -> None:
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/en/organisations.csv", params={"q": "gent"}).text)))
    assert [row["name"] for row in rows] == ["Stad Gent", "Aquafin"]
    documents = client.get("/en/organisations.json", params={"q": "Rijkswat"}).json()
    assert [document["name"] for document in documents] == ["Rijkswaterstaat"]


@pytest.fixture
def api(settings: Settings, sessions: Any) -> Any:
    from hub.app import create_app

    served = dataclasses.replace(settings, api_settle_seconds=0)
    with TestClient(create_app(served, sessions=sessions), raise_server_exceptions=False) as client:
        yield client


def test_the_api_list_takes_q(api: TestClient, session: Session, network: dict[str, Any]) -> None:
    session.commit()
    body = api.get("/api/v1/organisations", params={"q": "gent"}).json()
    assert sorted(document["name"] for document in body["data"]) == ["Aquafin", "Stad Gent"]
    assert "q=gent" in body["links"]["self"]
    everything = api.get("/api/v1/organisations").json()["data"]
    assert len(everything) == 4  # the withdrawn one as a tombstone


def test_an_organisation_the_sync_adds_is_found_by_its_programme(session: Session) -> None:
    """Its participation is added after its row: the index follows both."""
    programme = factories.programme(session, "gdca4", short_name="Kwakkel")
    source: Source = factories.source(session, programme, "members", options={"target": "organisation"})
    session.commit()
    _ingest(
        session,
        source,
        [Item("brugge", {"name": "Stad Brugge", "sector": "public", "country": "be", "role": "procurer"})],
    )
    assert names(session, "Kwakkel") == ["Stad Brugge"]
