"""Events in the hub's search: what finds a live event, that the index follows its writes, and that
the public list and the API list search through the index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.db import utcnow
from hub.events import services
from hub.events.models import EventKind
from hub.events.services import EventFilters, Sort
from hub.events.writes import EventInput, update_event
from hub.filters import InvalidFilter
from hub.settings import Settings
from hub.taxonomy.models import ProductGroup
from tests import factories

NOW = dt.datetime(2099, 1, 1, 12, 0, tzinfo=dt.UTC)


def titles(session: Session, q: str, **filters: Any) -> list[str]:
    """The public list's event titles (English, else Dutch) for ``q``, the best match first."""
    filters.setdefault("sort", Sort.RELEVANCE)
    page = services.list_events(session, filters=EventFilters(q=q, **filters), now=NOW)
    return [event.title_en or event.title_nl for event in page.items]


def group(session: Session, code: str, name_nl: str, name_en: str) -> ProductGroup:
    found = factories.product_group(session, code)
    found.name_nl, found.name_en = name_nl, name_en
    session.flush()
    return found


@pytest.fixture
def network(session: Session) -> dict[str, Any]:
    gdca = factories.programme(session, "gdca", short_name="GDCA", name_nl="Green Deal Circulair Aankopen")
    food = group(session, "food", "Voeding", "Food")
    textiles = group(session, "textiles", "Textiel", "Textiles")
    market = factories.event(
        session,
        gdca,
        title_nl="Marktdag circulaire werkkleding",
        title_en="",
        source_language="nl",
        summary_nl="Leveranciers tonen hergebruikte uniformen.",
        summary_en="Suppliers show uniforms made from waste.",
        location="De Krook, Gent",
        product_groups=[textiles],
        starts_at=dt.datetime(2099, 4, 25, 7, 0, tzinfo=dt.UTC),
    )
    canteen = factories.event(
        session,
        gdca,
        kind=EventKind.INSPIRATION_DAY,
        title_en="Canteens without waste",
        summary_en="Buyers of catering met their suppliers; textile napkins came up too.",
        product_groups=[food],
        starts_at=dt.datetime(2018, 11, 8, 8, 0, tzinfo=dt.UTC),
        outcome_en="Twelve buyers agreed on reusable crockery.",
    )
    factories.event(session, gdca, title_en="Cancelled textile fair", withdrawn_at=utcnow())
    return {"gdca": gdca, "market": market, "canteen": canteen}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("marktdag", ["Marktdag circulaire werkkleding"]),  # a word of the Dutch title
        ("canteens", ["Canteens without waste"]),  # ... of the English one
        ("canteen", ["Canteens without waste"]),  # another form of it
        ("uniform", ["Marktdag circulaire werkkleding"]),  # of "uniformen" in the summary
        ("kleding", ["Marktdag circulaire werkkleding"]),  # a word inside a compound
        ("food", ["Canteens without waste"]),  # its product group, in English ...
        ("voeding", ["Canteens without waste"]),  # ... and in Dutch
        ("inspiratiedag", ["Canteens without waste"]),  # its kind, in Dutch
        ("crockery", ["Canteens without waste"]),  # its outcome
        ("Krook", ["Marktdag circulaire werkkleding"]),  # where it takes place
        ("cancelled", []),  # withdrawn: never found
        ("100%_\\", []),
    ],
)
def test_found_by_what_it_says_in_either_language(
    session: Session, network: dict[str, Any], q: str, expected: list[str]
) -> None:
    assert titles(session, q) == expected


def test_the_best_match_first_and_the_other_order_still_there(
    session: Session, network: dict[str, Any]
) -> None:
    # "Waste" is in the title of the canteen day (past), in the summary of the market (to come).
    assert titles(session, "waste") == ["Canteens without waste", "Marktdag circulaire werkkleding"]
    assert titles(session, "waste", sort=Sort.DATE) == [
        "Marktdag circulaire werkkleding",
        "Canteens without waste",
    ]
    assert titles(session, "waste", kind=EventKind.INSPIRATION_DAY) == ["Canteens without waste"]
    read = services.parse_filters(session, {"q": "waste"})
    assert (read.sort, read.active) == (Sort.RELEVANCE, True)
    assert services.parse_filters(session, {"q": "- -"}).sort is Sort.DATE
    with pytest.raises(InvalidFilter):
        services.parse_filters(session, {"sort": "popular"})


def test_an_edit_is_found_at_once_and_its_old_words_are_not(
    session: Session, network: dict[str, Any]
) -> None:
    canteen = network["canteen"]
    data = dataclasses.replace(EventInput.of(canteen), title_en="Schools serving seasonal lunches")
    update_event(session, event=canteen, data=data, user_id=factories.user(session).id, now=NOW)
    session.flush()
    assert titles(session, "seasonal") == ["Schools serving seasonal lunches"]
    assert titles(session, "canteens") == []


def test_a_withdrawn_event_leaves_the_index(session: Session, network: dict[str, Any]) -> None:
    network["market"].withdrawn_at = utcnow()
    session.flush()
    assert titles(session, "marktdag") == []


def _listed(html: str) -> list[str]:
    """The titles the list links to, in order (an untranslated one in its own language)."""
    links = re.findall(r'<h3><a href="/en/events/\d+">(.*?)</a>', html)
    return [re.sub(r"<span[^>]*>([^<]*)</span>.*", r"\1", link) for link in links]


def test_the_list_page_shows_the_best_match_first(
    client: TestClient, session: Session, network: dict[str, Any]
) -> None:
    session.commit()
    page = client.get("/en/events", params={"q": "waste"})
    assert page.status_code == 200
    assert _listed(page.text) == ["Canteens without waste", "Marktdag circulaire werkkleding"]
    assert 'value="relevance" selected' in page.text
    assert _listed(client.get("/en/events", params={"q": "crockery"}).text) == ["Canteens without waste"]
    assert client.get("/en/events", params={"sort": "popular"}).status_code == 400


@pytest.fixture
def api(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    served = dataclasses.replace(settings, api_settle_seconds=0)
    with TestClient(create_app(served, sessions=sessions), raise_server_exceptions=False) as client:
        yield client


def test_the_api_list_takes_q(api: TestClient, session: Session, network: dict[str, Any]) -> None:
    session.commit()
    body = api.get("/api/v1/events", params={"q": "voeding"}).json()
    assert [document["title"]["en"] for document in body["data"]] == ["Canteens without waste"]
