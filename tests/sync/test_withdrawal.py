"""A complete source withdraws the records it no longer lists only after a run that read it well.

A run that read the whole document without a fatal error withdraws what is absent, unless too
many of its entries failed (``MAX_FAILED_SHARE``): an unreadable entry says nothing about what
the source still holds. Then nothing is withdrawn and the run page says why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.news.models import NewsItem
from hub.sync.ingest import MAX_FAILED_SHARE
from hub.sync.models import RunStatus, Source
from tests import factories
from tests.connectors.fixture_server import File, FixtureServer
from tests.coordinators import Network
from tests.sync.test_runs import ATOM, run

RECORDS = 1000


def feed(ids: range, *, broken: frozenset[int] = frozenset(), entity: bool = False) -> bytes:
    """An Atom feed with an entry per id; the ``broken`` ones have no title (an entry error).
    ``entity``: the document declares an external entity (feedparser never loads it: empty text)."""
    entries = "".join(
        f"<entry><id>urn:news:{n}</id><title>{'' if n in broken else f'Bericht {n}'}</title>"
        f"<link href='https://example.org/{n}'/><updated>2026-11-01T10:00:00Z</updated></entry>"
        for n in ids
    )
    doctype = '<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' if entity else ""
    return (
        f"<?xml version='1.0' encoding='utf-8'?>{doctype}<feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Nieuws</title><id>urn:feed</id><updated>2026-11-05T10:00:00Z</updated>{entries}</feed>"
    ).encode()


XXE_ENTRY = (
    b"<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
    b"<feed xmlns='http://www.w3.org/2005/Atom'><title>Nieuws</title><id>urn:feed</id>"
    b"<updated>2026-11-05T10:00:00Z</updated><entry><id>urn:news:xxe</id><title>&xxe;</title>"
    b"<updated>2026-11-05T10:00:00Z</updated></entry></feed>"
)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def complete_source(session: Session, server: FixtureServer, network: Network) -> Source:
    """A complete news feed of GDCA already holding ``RECORDS`` records."""
    source: Source = factories.source(
        session,
        network.gdca,
        "gdca-news",
        options={"url": server.url("/feed.atom"), "language": "nl", "target": "news", "complete": True},
        allow_private=True,
    )
    session.commit()
    return source


def fill(sessions: sessionmaker[Session], server: FixtureServer, source: Source) -> None:
    server.routes["/feed.atom"] = File(feed(range(RECORDS)), ATOM)
    first = run(sessions, source)
    assert (first.status, first.added) == (RunStatus.SUCCEEDED, RECORDS)


def live(session: Session, source: Source) -> int:
    session.expire_all()
    statement = select(func.count()).where(NewsItem.source_id == source.id, NewsItem.withdrawn_at.is_(None))
    return session.scalar(statement) or 0


def test_an_unreadable_entry_withdraws_nothing_and_the_run_page_says_why(
    session: Session,
    sessions: sessionmaker[Session],
    server: FixtureServer,
    complete_source: Source,
    coordinator: TestClient,
) -> None:
    fill(sessions, server, complete_source)
    server.routes["/feed.atom"] = File(XXE_ENTRY, ATOM)
    result = run(sessions, complete_source)
    assert (result.status, result.failed, result.deleted) == (RunStatus.PARTIAL, 1, 0)
    assert live(session, complete_source) == RECORDS
    assert "nothing was withdrawn" in result.message % result.message_values
    page = coordinator.get(f"/en/coordinator/runs/{result.id}")
    assert page.status_code == 200
    assert "1 of 1 entries could not be read" in page.text
    assert "nothing was withdrawn" in page.text


def test_a_few_failed_entries_still_withdraw_what_the_source_no_longer_lists(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, complete_source: Source
) -> None:
    fill(sessions, server, complete_source)
    broken = frozenset(range(0, int(RECORDS * MAX_FAILED_SHARE) - 10))  # under the share
    server.routes["/feed.atom"] = File(feed(range(RECORDS - 50), broken=broken), ATOM)
    result = run(sessions, complete_source)
    assert (result.status, result.failed, result.deleted) == (RunStatus.PARTIAL, len(broken), 50)
    assert live(session, complete_source) == RECORDS - 50


def test_too_many_failed_entries_withdraw_nothing(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, complete_source: Source
) -> None:
    fill(sessions, server, complete_source)
    broken = frozenset(range(0, int(RECORDS * MAX_FAILED_SHARE) + 10))  # over the share
    server.routes["/feed.atom"] = File(feed(range(RECORDS - 50), broken=broken, entity=True), ATOM)
    result = run(sessions, complete_source)
    assert (result.status, result.failed, result.deleted) == (RunStatus.PARTIAL, len(broken), 0)
    assert live(session, complete_source) == RECORDS
    values = result.message_values
    assert (values["failed"], values["seen"]) == (len(broken), RECORDS - 50)
