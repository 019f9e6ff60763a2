"""Whatever is typed into a search box is searched as text, never as query syntax, on both
databases: FTS5's MATCH and PostgreSQL's ``to_tsquery`` throw on raw operators, quotes and
brackets, so every public list, download, API list and the search page gets each of these."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.filters import MAX_SEARCH
from hub.pilots import services
from hub.pilots.services import PilotFilters
from hub.search import services as search
from hub.search.query import parse
from tests import factories

TYPED = [
    '"bureaustoelen',
    '"bureaustoelen"',
    "stoelen AND OR NOT",
    "NEAR(stoelen meubilair, 2)",
    "stoel*",
    "*",
    "(stoelen",
    "title:stoelen",
    "^stoelen",
    "-stoelen",
    "100% stoelen",
    "bureau_stoelen",
    "C:\\stoelen\\",
    "stoelen\x00meubilair",
    "stoelen 🪑 ♻️",
    "'; DROP TABLE pilots; --",
    "!!! ---",
    "meubilair " * 300,  # 3,000 characters
    "a" * 3000,
]
PAGES = [
    "/en/pilots",
    "/nl/pilots",
    "/en/search",
    "/nl/search",
    "/en/pilots.csv",
    "/en/pilots.json",
    "/api/v1/pilots",
    "/en/lessons",
    "/en/library",
    "/en/organisations",
    "/en/events",
    "/en/news",
    "/en/communities",
    "/api/v1/lessons",
]


@pytest.fixture
def chairs(session: Session) -> str:
    programme = factories.programme(session, "gdca")
    pilot = factories.pilot(
        session,
        programme,
        title_nl="Hergebruik van bureaustoelen",
        title_en="Reuse of office chairs",
        starts_on=dt.date(2019, 1, 1),
    )
    session.commit()
    return pilot.title_en


@pytest.mark.parametrize("typed", TYPED, ids=range(len(TYPED)))
def test_the_lists_and_the_search_page_search_anything_as_text(
    client: TestClient, chairs: str, typed: str
) -> None:
    for page in PAGES:
        response = client.get(page, params={"q": typed})
        if page.startswith("/api/") and len(typed) > MAX_SEARCH:  # the API's documented limit
            assert response.status_code == 400 and response.json()["error"]["parameter"] == "q"
        else:
            assert response.status_code == 200, (page, response.text[:300])


@pytest.mark.parametrize("typed", TYPED, ids=range(len(TYPED)))
def test_the_services_take_anything(session: Session, chairs: str, typed: str) -> None:
    found = services.list_pilots(session, filters=PilotFilters(q=typed), language="en")
    assert found.total in (0, 1)
    results = search.search(session, parse(typed), language="en")
    assert results.total in (0, 1)


@pytest.mark.parametrize(
    "typed",
    ['"bureaustoelen"', "(stoelen", "stoelen AND OR NOT", "-stoelen", "stoelen\x00", "^stoel*", "stoelen 🪑"],
)
def test_the_words_among_the_syntax_are_still_found(session: Session, chairs: str, typed: str) -> None:
    """Operators are words like any other ("and", "or", "not" are stop words in English)."""
    found = services.list_pilots(session, filters=PilotFilters(q=typed), language="en")
    assert [row.title_en for row in found.rows] == [chairs]


def test_a_page_searches_a_long_query_by_its_beginning(session: Session, chairs: str) -> None:
    filters = services.parse_filters(session, {"q": "stoelen " * 400})
    assert len(filters.q) == MAX_SEARCH
    assert [row.title_en for row in services.list_pilots(session, filters=filters, language="en").rows] == [
        chairs
    ]


def test_a_long_query_reads_its_first_words() -> None:
    query = parse("meubilair " * 300 + "stoelen")
    assert len(query.text) == 500
    assert [word.text for word in query.words] == ["meubilair"]
    assert len(parse(" ".join(f"woord{n}" for n in range(50))).words) == 8
