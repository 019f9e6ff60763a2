"""The public news page: live items newest first, paginated, sanitised markup, served by an index."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.news import services
from hub.news.models import NewsItem
from tests.coordinators import Network
from tests.pilots.test_query_plans import explained


def news(session: Session, network: Network, title: str, published: dt.datetime, **fields: Any) -> NewsItem:
    item = NewsItem(programme_id=network.gdca.id, title_en=title, published_at=published, **fields)
    session.add(item)
    session.flush()
    return item


def test_news_lists_live_items_newest_first(client: TestClient, network: Network, session: Session) -> None:
    day = dt.datetime(2024, 5, 2, 9, 0, tzinfo=dt.UTC)
    news(
        session,
        network,
        "Circular furniture tender",
        day,
        summary_en="<p>Three cities buy <strong>refurbished</strong> desks.</p>",
        origin_url="https://example.org/news/1",
    )
    news(session, network, "Older lessons", day - dt.timedelta(days=30))
    news(session, network, "Withdrawn at the source", day + dt.timedelta(days=1), withdrawn_at=utcnow())
    news(session, network, "", day - dt.timedelta(days=60), title_nl="Alleen in het Nederlands")
    session.commit()

    page = client.get("/en/news")
    assert page.status_code == 200
    assert "Withdrawn at the source" not in page.text
    assert page.text.index("Circular furniture tender") < page.text.index("Older lessons")
    assert page.text.index("Older lessons") < page.text.index("Alleen in het Nederlands")
    # The summary was sanitised on ingest and is shown as markup; the original is linked.
    assert "<p>Three cities buy <strong>refurbished</strong> desks.</p>" in page.text
    assert re.search(r'<a href="https://example.org/news/1" rel="noopener">Read the original', page.text)
    assert "2 May 2024" in page.text and "GDCA" in page.text
    # A title only in Dutch is shown as such, marked.
    assert re.search(
        r'<span lang="nl">Alleen in het Nederlands</span> <span class="badge[^"]*">not yet', page.text
    )
    assert "3 news items" in page.text
    assert 'href="/en/news" aria-current="page"' in page.text


def test_news_is_paginated(client: TestClient, network: Network, session: Session) -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for n in range(21):
        news(session, network, f"Item number {n:02d}", start + dt.timedelta(days=n))
    session.commit()
    first = client.get("/en/news")
    assert "Item number 20" in first.text and "Item number 01" in first.text
    assert "Item number 00" not in first.text
    second = client.get("/en/news?page=2")
    assert "Item number 00" in second.text and "Item number 01" not in second.text
    assert client.get("/en/news?page=3").status_code == 404
    assert client.get("/en/news?page=x").status_code == 400


def test_the_news_list_is_served_by_an_index(session: Session, network: Network) -> None:
    for n in range(50):
        news(
            session,
            network,
            f"Item {n}",
            utcnow() - dt.timedelta(days=n),
            withdrawn_at=utcnow() if n % 5 else None,
        )
    dialect = session.get_bind().dialect.name
    with explained(session) as plans:
        for statement in services.news_statements(session, page=2):
            session.connection().execute(statement)  # Core: the rows are plans, not news items
    assert len(plans) == 2
    for plan in plans:
        if dialect == "sqlite":
            assert "USING INDEX ix_news_items_live_published_at" in plan, plan
        else:
            assert "Seq Scan on news_items" not in plan and "ix_news_items_live_published_at" in plan, plan


def test_news_when_there_is_none(client: TestClient, network: Network, session: Session) -> None:
    news(session, network, "Gone", utcnow(), withdrawn_at=utcnow())
    session.commit()
    page = client.get("/en/news")
    assert page.status_code == 200
    assert "No news yet" in page.text
    assert "Gone" not in page.text
    assert "Nog geen nieuws" in client.get("/nl/news").text
