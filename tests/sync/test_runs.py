"""Whole runs against real HTTP servers on 127.0.0.1: what a broken or hostile source does to the hub.

Each bad source is given to a source that already holds records: the run ends (failed or
partial, with the reason), and what the hub held before is still there, unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.news.models import NewsItem
from hub.pilots.models import Pilot
from hub.sync.models import RunStatus, RunTrigger, Source, SyncError, SyncRun
from hub.sync.runner import RunSettings, run_by_id
from tests import factories
from tests.connectors.fixture_server import Endless, File, FixtureServer, Hang, Redirect, Route, Slow, Status

SETTINGS = RunSettings(
    timeout_seconds=0.5, max_seconds=3, max_bytes=2 * 2**20, allowed_networks=("127.0.0.1/32",)
)
ATOM = "application/atom+xml"


def atom(*entries: tuple[str, str]) -> bytes:
    body = "".join(
        f"<entry><id>urn:news:{eid}</id><title>{title}</title><link href='https://example.org/{eid}'/>"
        f"<updated>2026-11-0{n + 1}T10:00:00Z</updated><summary>Over {title}</summary></entry>"
        for n, (eid, title) in enumerate(entries)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Nieuws</title><id>urn:feed</id><updated>2026-11-05T10:00:00Z</updated>{body}</feed>"
    ).encode()


GOOD_FEED = atom(("1", "Circulaire catering"), ("2", "ICT-hardware hergebruik"), ("3", "Textiel"))


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


def run(sessions: sessionmaker[Session], source: Source, run_settings: RunSettings = SETTINGS) -> SyncRun:
    result = run_by_id(
        sessions,
        source_id=source.id,
        owner="test",
        trigger=RunTrigger.MANUAL,
        run_settings=run_settings,
        lease=dt.timedelta(minutes=5),
    )
    assert result is not None
    return result


def news(session: Session, source: Source) -> dict[str, tuple[str, bool]]:
    session.expire_all()
    items = session.scalars(select(NewsItem).where(NewsItem.source_id == source.id))
    return {i.external_id or "": (i.title_nl, i.withdrawn_at is None) for i in items}


@pytest.fixture
def feed_source(session: Session, server: FixtureServer) -> Source:
    programme = factories.programme(session, "gdca")
    source: Source = factories.source(
        session,
        programme,
        "gdca-news",
        options={"url": server.url("/feed.atom"), "language": "nl", "target": "news", "complete": True},
    )
    session.commit()
    return source


def test_a_feed_fills_the_news_then_answers_not_modified(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, feed_source: Source
) -> None:
    server.routes["/feed.atom"] = File(GOOD_FEED, ATOM)
    first = run(sessions, feed_source)
    assert (first.status, first.added, first.failed) == (RunStatus.SUCCEEDED, 3, 0)
    assert news(session, feed_source)["urn:news:2"] == ("ICT-hardware hergebruik", True)
    session.refresh(feed_source)
    assert feed_source.cursor.get("etag")

    second = run(sessions, feed_source)
    assert second.status is RunStatus.SUCCEEDED and second.seen == 0 and second.deleted == 0
    assert "not changed" in second.message
    assert server.requests[-1].headers.get("if-none-match") == feed_source.cursor["etag"]

    server.routes["/feed.atom"] = File(atom(("1", "Circulaire catering"), ("3", "Textiel in de zorg")), ATOM)
    third = run(sessions, feed_source)
    assert (third.added, third.updated, third.unchanged, third.deleted) == (0, 1, 1, 1)
    assert news(session, feed_source) == {
        "urn:news:1": ("Circulaire catering", True),
        "urn:news:2": ("ICT-hardware hergebruik", False),  # withdrawn at the source
        "urn:news:3": ("Textiel in de zorg", True),
    }


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol4;</title></feed>"""

BAD_FEEDS: dict[str, tuple[Route, RunStatus, str]] = {
    # What can be read of it is (one entry cut in half is an error), but a broken document
    # cannot say what was withdrawn, so nothing is.
    "malformed XML (truncated)": (File(GOOD_FEED[: len(GOOD_FEED) // 2], ATOM), RunStatus.PARTIAL, ""),
    "billion laughs": (File(BILLION_LAUGHS, ATOM), RunStatus.FAILED, "“lol2”, which could make it grow"),
    "an HTML page": (
        File(b"<html><body><h1>Welkom</h1></body></html>", "text/html"),
        RunStatus.FAILED,
        "not an RSS",
    ),
    "a 50 MB body": (Endless(50 * 2**20), RunStatus.FAILED, "larger"),
    "a 50 MB body with Content-Length": (
        Endless(50 * 2**20, content_length=True),
        RunStatus.FAILED,
        "larger",
    ),
    "a very slow answer": (Slow(5), RunStatus.FAILED, "did not answer within"),
    "no answer at all": (Hang(), RunStatus.FAILED, "did not answer within"),
    "HTTP 404": (Status(404), RunStatus.FAILED, "404"),
    "HTTP 500": (Status(500), RunStatus.FAILED, "500"),
    "a redirect loop": (Redirect("/feed.atom"), RunStatus.FAILED, "redirect"),
    "a redirect to a private address": (Redirect("http://10.1.2.3/feed.atom"), RunStatus.FAILED, "10.1.2.3"),
    "a redirect to the cloud metadata address": (
        Redirect("http://169.254.169.254/latest/meta-data"),
        RunStatus.FAILED,
        "169.254.169.254",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FEEDS))
def test_a_bad_feed_never_damages_what_the_hub_holds(
    case: str, session: Session, sessions: sessionmaker[Session], server: FixtureServer, feed_source: Source
) -> None:
    server.routes["/feed.atom"] = File(GOOD_FEED, ATOM)
    run(sessions, feed_source)
    before = news(session, feed_source)
    session.refresh(feed_source)
    cursor = dict(feed_source.cursor)
    route, status, reason = BAD_FEEDS[case]
    server.routes["/feed.atom"] = route
    feed_source.cursor = {}  # no validators: the bad document is fetched, not answered with 304
    session.commit()

    result = run(sessions, feed_source)
    assert result.status is status, (result.status, result.message, result.message_values)
    assert result.finished_at is not None
    assert reason in result.message % result.message_values
    assert news(session, feed_source) == before  # nothing lost, nothing changed, nothing withdrawn
    session.refresh(feed_source)
    if status is RunStatus.FAILED:
        assert feed_source.cursor == {}  # the next run asks for everything again
    assert feed_source.lease_owner is None
    _ = cursor


def test_loopback_is_refused_unless_the_hub_allows_it(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, feed_source: Source
) -> None:
    server.routes["/feed.atom"] = File(GOOD_FEED, ATOM)
    result = run(sessions, feed_source, RunSettings(timeout_seconds=0.5))
    assert result.status is RunStatus.FAILED
    assert "127.0.0.1" in result.message % result.message_values
    assert server.requests == []  # refused before connecting
    feed_source.allow_private = True  # an administrator's explicit choice for this source
    session.commit()
    assert run(sessions, feed_source, RunSettings(timeout_seconds=0.5)).status is RunStatus.SUCCEEDED


# -- exports ----------------------------------------------------------------------------------

HEADER = "id,titel,land,status,fase,groep,waarde\n"
CSV = "text/csv"


@pytest.fixture
def csv_source(session: Session, server: FixtureServer) -> Source:
    programme = factories.programme(session, "gdci")
    factories.product_group(session, "ict")
    source: Source = factories.source(
        session,
        programme,
        "gdci-pilots",
        kind="tabular",
        options={
            "url": server.url("/pilots.csv"),
            "format": "csv",
            "target": "pilot",
            "id_column": "id",
            "columns": {
                "title_nl": "titel",
                "country": "land",
                "status": "status",
                "phase": "fase",
                "product_group": "groep",
                "contract_value": "waarde",
            },
        },
    )
    session.commit()
    return source


def pilots(session: Session, source: Source) -> dict[str, tuple[Any, ...]]:
    session.expire_all()
    rows = session.scalars(select(Pilot).where(Pilot.source_id == source.id))
    return {p.external_id or "": (p.title_nl, p.contract_value, p.withdrawn_at is None) for p in rows}


def errors(session: Session, run: SyncRun) -> list[str]:
    return [
        e.message % e.message_values
        for e in session.scalars(select(SyncError).where(SyncError.run_id == run.id))
    ]


GOOD_CSV = (
    HEADER
    + "p1,Laptops als dienst,NL,running,tender,ict,125000\np2,Circulaire bureaus,NL,completed,award,,\n"
)


def test_one_bad_row_among_a_thousand(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, csv_source: Source
) -> None:
    rows = [f"p{n},Pilot {n},NL,running,tender,ict,{n}\n" for n in range(1000)]
    rows[700] = "p700,Pilot 700,NL,running,tender,ict,zeven\n"
    server.routes["/pilots.csv"] = File((HEADER + "".join(rows)).encode(), CSV)
    result = run(sessions, csv_source)
    assert (result.status, result.added, result.failed) == (RunStatus.PARTIAL, 999, 1)
    assert len(pilots(session, csv_source)) == 999
    error = session.scalars(select(SyncError).where(SyncError.run_id == result.id)).one()
    assert error.external_id == "p700" and error.position == 702  # the line in the file
    assert "zeven" in error.message % error.message_values


BAD_EXPORTS: dict[str, tuple[str, RunStatus, str]] = {
    "missing columns": ("id,titel\np1,Laptops\n", RunStatus.FAILED, "groep"),
    "only a header (an empty export)": (HEADER, RunStatus.FAILED, "listed no records"),
    "invalid UTF-8": (
        HEADER + "p1,Laptops als dienst,NL,running,tender,ict,125000\n"
        "p2,Circulaire b\xff\xfeeaus,NL,completed,award,,\n",
        RunStatus.FAILED,
        "UTF-8",
    ),
    "wrong types": (
        HEADER
        + "p1,Laptops als dienst,NL,running,tender,ict,veel\np2,Circulaire bureaus,NL,completed,award,,\n",
        RunStatus.PARTIAL,
        "veel",
    ),
    "duplicated ids": (
        GOOD_CSV + "p2,Circulaire bureaus (kopie),NL,completed,award,,\n",
        RunStatus.PARTIAL,
        "more than once",
    ),
}


@pytest.mark.parametrize("case", list(BAD_EXPORTS))
def test_a_bad_export_never_damages_what_the_hub_holds(
    case: str, session: Session, sessions: sessionmaker[Session], server: FixtureServer, csv_source: Source
) -> None:
    server.routes["/pilots.csv"] = File(GOOD_CSV.encode(), CSV)
    assert run(sessions, csv_source).status is RunStatus.SUCCEEDED
    before = pilots(session, csv_source)
    body, status, reason = BAD_EXPORTS[case]
    server.routes["/pilots.csv"] = File(body.encode("latin-1") if "\xff" in body else body.encode(), CSV)
    csv_source.cursor = {}
    session.commit()
    result = run(sessions, csv_source)
    assert result.status is status, (result.message, result.message_values)
    texts = [result.message % result.message_values, *errors(session, result)]
    assert any(reason.lower() in text.lower() for text in texts), texts
    assert pilots(session, csv_source) == before


def test_a_formula_cell_is_stored_as_inert_text(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, csv_source: Source
) -> None:
    body = HEADER + "p1,=cmd|' /C calc'!A0,NL,running,tender,ict,\n"
    server.routes["/pilots.csv"] = File(body.encode(), CSV)
    assert run(sessions, csv_source).status is RunStatus.SUCCEEDED
    assert pilots(session, csv_source)["p1"][0] == "'=cmd|' /C calc'!A0"
