"""The Atom feeds: valid RFC 4287 (feedparser and ElementTree), newest first, ETags, both languages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.federation.identity import record_uri
from hub.opendata.atom import ATOM
from tests import factories
from tests.opendata.conftest import at, lesson

A = f"{{{ATOM}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(body: bytes) -> tuple[Any, ET.Element]:
    """The feed as feedparser reads it (from bytes, never a URL) and as a well-formed XML tree."""
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"
    return parsed, root


def test_pilots_feed_lists_live_pilots_newest_first_with_mirrored_ones(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca", name_en="Green Deal Circular Procurement")
    ict = factories.product_group(session, "ict")
    old = factories.pilot(
        session,
        gdca,
        title_en="Refurbished laptops",
        summary_en="Laptops that live longer.",
        product_group=ict,
        updated_at=at(1),
        created_at=at(0),
    )
    mirrored = factories.pilot(
        session,
        gdca,
        title_en="Reused office chairs",
        mirrored=True,
        home_hub="https://peer.example",
        updated_at=at(3),
    )
    factories.pilot(session, gdca, title_en="Withdrawn pilot", withdrawn_at=at(5), updated_at=at(5))
    session.commit()

    response = client.get("/feeds/en/pilots.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed, root = parse(response.content)

    assert root.get(XML_LANG) == "en"
    assert parsed.feed.id == "http://testserver/feeds/en/pilots.atom"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "http://testserver/feeds/en/pilots.atom"
    assert links["alternate"] == "http://testserver/en/pilots"
    assert parsed.feed.title == "New and updated pilots · Circular procurement hub"
    assert parsed.feed.updated == "2024-03-01T12:03:00Z"  # the newest entry's

    assert [e.title for e in parsed.entries] == ["Reused office chairs", "Refurbished laptops"]
    first, second = parsed.entries
    # A mirrored pilot is named by its URI at its home hub; a local one by this hub's.
    assert first.id == record_uri("https://peer.example", "pilots", mirrored.uid)
    assert second.id == f"http://testserver/api/v1/pilots/{old.uid}"
    assert second.link == f"http://testserver/en/pilots/{old.id}"
    assert second.summary == "Laptops that live longer."
    assert second.updated == "2024-03-01T12:01:00Z"
    assert second.published == "2024-03-01T12:00:00Z"
    assert second.author == "Green Deal Circular Procurement"
    assert [(t.term, t.label) for t in second.tags] == [("ict", "Group ict")]
    assert "Withdrawn pilot" not in response.text


def test_the_dutch_feed_falls_back_to_the_source_language_and_says_so(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca", name_nl="Green Deal Circulair Aankopen")
    factories.pilot(session, gdca, title_nl="", title_en="Only in English", summary_en="Text.")
    factories.pilot(session, gdca, title_nl="Hergebruik van stoelen", title_en="Reuse of chairs")
    session.commit()

    response = client.get("/feeds/nl/pilots.atom")
    parsed, root = parse(response.content)
    assert root.get(XML_LANG) == "nl"
    assert parsed.feed.id == "http://testserver/feeds/nl/pilots.atom"
    assert parsed.feed.title.endswith("· Hub circulair aankopen")  # translated from the catalog
    entries = {entry.findtext(f"{A}title"): entry for entry in root.findall(f"{A}entry")}
    assert set(entries) == {"Only in English", "Hergebruik van stoelen"}
    fallback = entries["Only in English"]
    assert fallback.find(f"{A}title").get(XML_LANG) == "en"  # type: ignore[union-attr]
    assert fallback.find(f"{A}summary").get(XML_LANG) == "en"  # type: ignore[union-attr]
    assert entries["Hergebruik van stoelen"].find(f"{A}title").get(XML_LANG) is None  # type: ignore[union-attr]
    assert fallback.find(f"{A}author/{A}name").text == "Green Deal Circulair Aankopen"  # type: ignore[union-attr]
    assert "/nl/pilots/" in fallback.find(f"{A}link").get("href")  # type: ignore[union-attr,operator]


def test_the_feed_holds_the_fifty_most_recently_updated(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    for n in range(55):
        factories.pilot(session, gdca, title_en=f"Pilot {n:02d}", updated_at=at(n))
    session.commit()
    parsed, _root = parse(client.get("/feeds/en/pilots.atom").content)
    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "Pilot 54"
    assert parsed.entries[-1].title == "Pilot 05"


def test_text_is_escaped_and_characters_xml_cannot_carry_are_dropped(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    factories.pilot(session, gdca, title_en="<script>alert(1)</script> & co\x0b\x1b", summary_en="a < b")
    session.commit()
    response = client.get("/feeds/en/pilots.atom")
    parsed, _root = parse(response.content)
    assert parsed.entries[0].title == "<script>alert(1)</script> & co"
    assert parsed.entries[0].summary == "a < b"
    assert b"<script>" not in response.content


def test_etag_and_if_none_match(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    pilot = factories.pilot(session, gdca, title_en="First title")
    session.commit()
    response = client.get("/feeds/en/pilots.atom")
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")

    not_modified = client.get("/feeds/en/pilots.atom", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert client.get("/feeds/en/pilots.atom", headers={"if-none-match": f'"x", W/{etag}'}).status_code == 304
    assert client.get("/feeds/en/pilots.atom", headers={"if-none-match": '"other"'}).status_code == 200
    # Each language is its own representation.
    assert client.get("/feeds/nl/pilots.atom").headers["etag"] != etag

    pilot.title_en = "Second title"
    session.commit()
    changed = client.get("/feeds/en/pilots.atom", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert b"Second title" in changed.content


def test_lessons_feed_links_to_each_lesson_page(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca", name_en="Green Deal Circular Procurement")
    textiles = factories.product_group(session, "textiles")
    pilot = factories.pilot(session, gdca)
    with_pilot = lesson(
        session,
        gdca,
        pilots=[pilot],
        title_en="Ask for take-back",
        body_en="Suppliers take back used workwear.",
        product_group=textiles,
        updated_at=at(2),
    )
    lesson(session, gdca, title_en="Start small", updated_at=at(1))
    lesson(session, gdca, title_en="Withdrawn lesson", withdrawn_at=at(3), updated_at=at(3))
    lesson(
        session,
        gdca,
        title_en="From a peer",
        mirrored=True,
        home_hub="https://peer.example",
        updated_at=at(0),
    )
    session.commit()

    response = client.get("/feeds/en/lessons.atom")
    assert response.status_code == 200
    parsed, _root = parse(response.content)
    assert parsed.feed.id == "http://testserver/feeds/en/lessons.atom"
    assert [e.title for e in parsed.entries] == ["Ask for take-back", "Start small", "From a peer"]
    first, second, third = parsed.entries
    assert first.id == f"http://testserver/api/v1/lessons/{with_pilot.uid}"
    assert first.link == f"http://testserver/en/lessons/{with_pilot.id}"
    assert first.summary == "Suppliers take back used workwear."
    assert first.author == "Green Deal Circular Procurement"
    assert [(t.term, t.label) for t in first.tags] == [("textiles", "Group textiles")]
    assert second.link.startswith("http://testserver/en/lessons/")
    assert third.id.startswith("https://peer.example/api/v1/lessons/")
    assert "summary" not in second  # no body: no empty summary


def test_an_empty_feed_is_still_valid(client: TestClient) -> None:
    parsed, root = parse(client.get("/feeds/en/lessons.atom").content)
    assert parsed.entries == []
    assert root.find(f"{A}author/{A}name") is not None  # the feed's own author, as RFC 4287 asks
    assert root.findtext(f"{A}updated")


def test_feeds_exist_in_the_hubs_languages_only(client: TestClient) -> None:
    assert client.get("/feeds/fr/pilots.atom").status_code == 404
    assert client.get("/feeds/en/other.atom").status_code == 404


def test_the_pilot_list_links_its_feeds(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    factories.pilot(session, gdca, updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    session.commit()
    page = client.get("/en/pilots").text
    head = page.split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/en/pilots.atom"' in head
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/en/lessons.atom"' in head
    body = page.split("</head>")[1]
    assert '<a href="/feeds/en/pilots.atom" type="application/atom+xml">' in body
    assert 'href="/feeds/nl/pilots.atom"' in client.get("/nl/pilots").text
