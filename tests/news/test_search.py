"""News items in the hub's search: found by what people type (either language, inflected, inside a
compound, by their programme's name), never by their markup, following the sync (their one
writer), and searched so by the news page and its downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.base import Item
from hub.db import utcnow
from hub.news import services
from hub.news.models import NewsItem
from hub.programmes.models import Programme
from tests import factories
from tests.lessons.test_pages import text_of
from tests.lessons.test_search import ingest

DAY = dt.datetime(2024, 5, 2, 9, 0, tzinfo=dt.UTC)


def news(session: Session, programme: Programme, published: dt.datetime, **fields: Any) -> NewsItem:
    item = NewsItem(programme_id=programme.id, published_at=published, **fields)
    session.add(item)
    session.flush()
    return item


def world(session: Session) -> dict[str, NewsItem]:
    gdca = factories.programme(
        session,
        "gdca",
        short_name="GDCA",
        name_nl="Green Deal Circulair Aankopen",
        name_en="Green Deal Circular Procurement",
    )
    return {
        "chairs": news(
            session,
            gdca,
            DAY,
            title_nl="Gemeenten kopen hergebruikte bureaustoelen",
            title_en="Cities buy reused office chairs",
            summary_en='<p>Three cities <strong>refurbish</strong> <a href="https://example.org">desks</a>.</p>',
        ),
        "dutch": news(
            session,
            gdca,
            DAY + dt.timedelta(days=1),
            title_nl="Nieuwe deelnemers aan de green deal",
            source_language="nl",
            summary_nl="<p>Vijf organisaties tekenden.</p>",
        ),
        "canteen": news(
            session,
            gdca,
            DAY + dt.timedelta(days=2),
            title_en="Canteens weigh their food waste",
            summary_en="<p>Even the office chairs were counted.</p>",  # words of another's title
        ),
        "gone": news(session, gdca, DAY, title_en="Withdrawn office chairs", withdrawn_at=utcnow()),
    }


def titles(session: Session, q: str, **params: str) -> list[str]:
    """The titles the news page shows for ``q`` (English, else Dutch), in its order."""
    filters = services.parse_filters({"q": q, **params})
    page = services.list_news(session, filters=filters, language="en")
    return [item.title_en or item.title_nl for item in page.items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bureaustoelen", ["Cities buy reused office chairs"]),  # a word of the Dutch title
        ("desks", ["Cities buy reused office chairs"]),  # of the English summary's text
        ("hergebruik", ["Cities buy reused office chairs"]),  # inflected ("hergebruikte")
        ("stoel", ["Cities buy reused office chairs", "Canteens weigh their food waste"]),  # in a compound
        ("organisatie", ["Nieuwe deelnemers aan de green deal"]),  # the Dutch summary, another form
        (
            "procurement",
            [
                "Nieuwe deelnemers aan de green deal",
                "Cities buy reused office chairs",
                "Canteens weigh their food waste",
            ],
        ),  # the programme's name, in English
        ("strong", []),  # markup is no word of it
        ("example", []),  # nor is a link's address
    ],
)
def test_a_news_item_is_found_by_what_people_type(session: Session, q: str, expected: list[str]) -> None:
    world(session)
    assert sorted(titles(session, q)) == sorted(expected)


def test_a_withdrawn_news_item_is_not_found(session: Session) -> None:
    items = world(session)
    assert "Withdrawn office chairs" not in titles(session, "chairs")
    items["chairs"].withdrawn_at = utcnow()
    session.flush()
    assert titles(session, "bureaustoelen") == []


def test_a_synced_news_item_is_found_after_the_run_and_follows_its_source(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    source = factories.source(session, programme, "gdca-news")
    session.commit()

    def item(title: str) -> Item:
        return Item("n1", {"title_nl": title, "published_at": DAY}, "https://example.org/n1")

    ingest(session, source, [item("Werkkleding wordt circulair")])
    assert titles(session, "kleding") == ["Werkkleding wordt circulair"]  # inside the compound
    ingest(session, source, [item("Textiel krijgt een tweede leven")])  # changed at the source
    assert titles(session, "textiel") == ["Textiel krijgt een tweede leven"]
    assert titles(session, "werkkleding") == []
    ingest(session, source, [Item("n2", {"title_nl": "Iets anders", "published_at": DAY}, None)])
    assert titles(session, "textiel") == []  # gone from the feed: withdrawn


def test_the_news_page_shows_the_best_match_first(client: TestClient, session: Session) -> None:
    world(session)
    response = client.get("/en/news?q=office+chairs")
    page = text_of(response)
    assert "2 news items" in page
    assert page.index("Cities buy reused office chairs") < page.index("Canteens weigh their food waste")
    assert '<option value="relevance" selected>Best match</option>' in response.text
    assert 'href="/en/news.csv?q=office+chairs"' in response.text  # the download of this search
    newest = text_of(client.get("/en/news?q=office+chairs&sort=newest"))
    assert newest.index("Canteens weigh their food waste") < newest.index("Cities buy reused office chairs")
    nothing = text_of(client.get("/en/news?q=nothing+like+this"))
    assert "No news item matches this search." in nothing and "Clear all filters" in nothing
    assert client.get("/en/news?sort=sideways").status_code == 400


def test_the_downloads_take_the_search(client: TestClient, session: Session) -> None:
    world(session)
    rows = list(csv.DictReader(io.StringIO(client.get("/en/news.csv?q=office+chairs").text)))
    assert [row["title_en"] for row in rows] == [
        "Cities buy reused office chairs",
        "Canteens weigh their food waste",
    ]
    found = client.get("/en/news.json", params={"q": "bureaustoelen"}).json()
    assert [item["title"]["en"] for item in found] == ["Cities buy reused office chairs"]
    assert len(client.get("/en/news.json").json()) == 3
    refused = client.get("/en/news.json", params={"sort": "sideways"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "sort"
