"""The public network page: the peer hubs this hub follows, what came from each, pilots per country."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import Select, event, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.federation import network
from hub.federation.kinds import KINDS
from hub.federation.views import KIND_LABELS
from hub.programmes.models import Programme
from hub.sync.models import RunStatus, RunTrigger, SyncRun
from tests import factories

PEER = "http://peer.example"
OTHER = "http://other.example"
NEXT_RUN = dt.datetime(2030, 1, 2, 8, 0, tzinfo=dt.UTC)


class Tables(HTMLParser):
    """The text of every cell of every table with an id: {id: [[cell, ...], ...]}."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._skip = 0  # inside a caption
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif self._table and tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def tables(response: Any) -> dict[str, list[list[str]]]:
    assert response.status_code == 200, response.text
    return Tables(response.text).tables


def run(session: Session, source: Any, status: RunStatus, started: dt.datetime, **counts: int) -> SyncRun:
    record = SyncRun(
        source_id=source.id,
        status=status,
        trigger=RunTrigger.SCHEDULE,
        started_at=started,
        heartbeat_at=started,
        finished_at=started + dt.timedelta(minutes=1),
        **counts,
    )
    session.add(record)
    session.flush()
    return record


def mirrored(home: str = PEER) -> dict[str, Any]:
    return {"mirrored": True, "home_hub": home}


@pytest.fixture
def gdca(session: Session) -> Programme:
    return factories.programme(session, "gdca", short_name="GDCA")


@pytest.fixture
def peer_network(session: Session, gdca: Programme) -> None:
    """This hub follows one peer, has records from it and from a peer it no longer follows."""
    peer = factories.source(
        session,
        gdca,
        "procirc-hub",
        kind="hub",
        name="ProCirc hub",
        options={"url": PEER + "/", "client_id": "hub-1", "client_secret": "s3cret-value"},
        schedule="every 120",
        next_run_at=NEXT_RUN,
    )
    run(session, peer, RunStatus.FAILED, utcnow() - dt.timedelta(days=2))
    run(session, peer, RunStatus.SUCCEEDED, utcnow() - dt.timedelta(hours=1), added=7, unchanged=2)
    factories.source(session, gdca, "news", name="Vlaanderen Circulair news")  # a feed, not a hub
    for _ in range(2):
        factories.pilot(session, gdca, country="NL", **mirrored())
    factories.pilot(session, gdca, country="NL", withdrawn_at=utcnow(), **mirrored())  # a tombstone
    factories.pilot(session, gdca, country="DK", **mirrored(OTHER))
    factories.pilot(session, gdca, country="NL")
    factories.pilot(session, gdca, country="BE")
    factories.pilot(session, gdca, country="BE", home_hub="GDCA export")  # from a source: this hub's
    factories.pilot(session, gdca, country="BE", withdrawn_at=utcnow())
    for _ in range(3):
        factories.organisation(session, **mirrored())
    factories.organisation(session, withdrawn_at=utcnow(), **mirrored())
    session.commit()


def test_the_page_shows_the_peers_and_what_came_from_each(client: TestClient, peer_network: None) -> None:
    response = client.get("/en/network")
    found = tables(response)
    assert found["peers"][0] == [
        "Name",
        "Address",
        "Enabled",
        "Schedule",
        "Health",
        "Last run",
        "Next run",
    ]
    assert len(found["peers"]) == 2  # the feed is not a peer hub
    name, address, enabled, schedule, health, last, _next = found["peers"][1]
    assert (name, address, enabled, schedule, health) == ("ProCirc hub", PEER, "yes", "every 2 hours", "OK")
    assert "Succeeded" in last and "7 added" in last and "Failed" not in last
    assert f'<a href="{PEER}" rel="external">{PEER}</a>' in response.text
    assert 'datetime="2030-01-02T08:00:00+00:00"' in response.text
    assert "s3cret-value" not in response.text and "hub-1" not in response.text
    assert "Vlaanderen Circulair news" not in response.text
    # Live mirrored records per peer and kind; the peer no longer followed still counts.
    records = found["peer-records"]
    assert records[0] == ["Kind", PEER, OTHER]
    assert records[1:] == [
        ["Programmes", "0", "0"],
        ["Organisations", "3", "0"],
        ["Participations in programmes", "0", "0"],
        ["Supporting actions", "0", "0"],
        ["Pilots", "2", "1"],
        ["Communities of practice", "0", "0"],
        ["Meetings", "0", "0"],
        ["Lessons learned", "0", "0"],
        ["Links between lessons and pilots", "0", "0"],
        ["Meeting close-outs", "0", "0"],
        ["Library entries", "0", "0"],
        ["Events", "0", "0"],
        ["Total", "5", "1"],
    ]


def test_the_chart_counts_live_pilots_per_country_and_hub(client: TestClient, peer_network: None) -> None:
    response = client.get("/en/network")
    # Most pilots first; this hub's own include those it reads from its sources (not mirrored).
    assert tables(response)["network-pilots-table"] == [
        ["Country", "This hub", PEER, OTHER, "Total"],
        ["Netherlands", "1", "2", "0", "3"],
        ["Belgium", "2", "0", "0", "2"],
        ["Denmark", "0", "0", "1", "1"],
    ]
    # The chart draws the same numbers, as text, with a legend in the order of the table.
    chart = response.text.split('class="chart-canvas"', 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in chart
    assert f"<title>Netherlands – {PEER}: 2</title>" in chart
    assert "<title>Belgium – This hub: 2</title>" in chart
    assert f"<title>Denmark – {OTHER}: 1</title>" in chart
    legend = response.text.split('class="chart-legend"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"</svg>([^<]+)</li>", legend) == ["This hub", PEER, OTHER]


def test_the_page_in_dutch(client: TestClient, peer_network: None) -> None:
    response = client.get("/nl/network")
    found = tables(response)
    assert found["network-pilots-table"][0][0] == "Land"
    assert [row[0] for row in found["network-pilots-table"][1:]] == ["Nederland", "België", "Denemarken"]
    assert found["network-pilots-table"][1][-1] == "3"
    assert found["peer-records"][2] == ["Organisaties", "3", "0"]
    assert found["peers"][0][-1] == "Volgende uitvoering"
    assert found["peers"][1][2] == "ja" and found["peers"][1][3] == "elke 2 uur"
    assert "Geslaagd" in found["peers"][1][5]


def test_without_peers_the_page_says_how_to_follow_one(
    client: TestClient, session: Session, gdca: Programme
) -> None:
    factories.source(session, gdca)  # a feed: not another hub
    session.commit()
    response = client.get("/en/network")
    assert response.status_code == 200
    assert "This hub follows no other hubs yet." in response.text
    # What to do about it is for administrators (the workspace, the README), not the public.
    assert "sources.example.toml" not in response.text and "client id" not in response.text
    assert "No records have come from other hubs yet." in response.text
    assert "There are no pilots in the network yet." in response.text
    assert {"peers", "peer-records", "network-pilots-table"}.isdisjoint(tables(response))


def test_a_hub_of_its_own_pilots_only_charts_them(
    client: TestClient, session: Session, gdca: Programme
) -> None:
    for _ in range(3):
        factories.pilot(session, gdca, country="SE")
    session.commit()
    response = client.get("/en/network")
    assert "This hub follows no other hubs yet." in response.text
    assert tables(response)["network-pilots-table"] == [
        ["Country", "This hub", "Total"],
        ["Sweden", "3", "3"],
    ]


def test_every_page_links_to_the_network(client: TestClient) -> None:
    for language in ("en", "nl"):
        page = client.get(f"/{language}/programmes")
        assert f'<a href="/{language}/network"' in page.text
    assert 'href="/en/network" aria-current="page"' in client.get("/en/network").text


def test_every_kind_has_a_label() -> None:
    assert set(KIND_LABELS) == set(KINDS)


# -- query plans ----------------------------------------------------------------------------------


@contextmanager
def explained(session: Session) -> Iterator[list[str]]:
    """The query plan of every statement the session runs, instead of running it."""
    connection = session.connection()
    dialect = connection.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    plans: list[str] = []

    def rewrite(conn: Any, cursor: Any, statement: str, *args: Any) -> tuple[str, Any]:
        return prefix + statement, args[0]

    def capture(conn: Any, cursor: Any, *args: Any) -> None:
        plans.append("\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall()))

    if dialect == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a missing index shows as Seq Scan
    event.listen(connection, "before_cursor_execute", rewrite, retval=True)
    event.listen(connection, "after_cursor_execute", capture)
    try:
        yield plans
    finally:
        event.remove(connection, "before_cursor_execute", rewrite)
        event.remove(connection, "after_cursor_execute", capture)


QUERIES: dict[str, Select[*tuple[Any, ...]]] = {
    **{f"mirrored {name}": network.mirrored_count_query(kind.model) for name, kind in KINDS.items()},
    "pilots by country": network.pilots_by_country_query(),
}


@pytest.mark.parametrize("query", QUERIES)
def test_the_counts_read_an_index(session: Session, gdca: Programme, query: str) -> None:
    # No ANALYZE: with the few rows of a test SQLite would rightly scan a tiny table; unanalysed, it
    # plans as for a large one, which is the case that matters.
    for i in range(60):
        factories.pilot(session, gdca, country=("BE", "NL", "DK")[i % 3], **(mirrored() if i % 4 else {}))
    statement = QUERIES[query]
    table = statement.get_final_froms()[0].name  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    with explained(session) as plans:
        session.connection().execute(statement)
    assert len(plans) == 1
    plan = plans[0]
    if dialect == "sqlite":
        assert re.search(rf"\b(SEARCH|SCAN) {table} USING (COVERING )?INDEX ix_{table}_", plan), plan
    else:
        assert f"Seq Scan on {table}" not in plan and "Index" in plan, plan
