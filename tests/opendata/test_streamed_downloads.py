"""Every streamed download holds more rows than two chunks: the whole body parses and has every row.

The news download once stopped after its first chunk (the session was emptied while the query
still loaded objects into it); these tests read past two chunk boundaries for every kind, in CSV
and JSON, and the OCDS export, on both databases.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.news.models import NewsItem
from hub.opendata.services import CHUNK
from hub.organisations.models import Organisation, Participation, Role, Sector
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase
from tests import factories
from tests.opendata.conftest import T0

ROWS = 2 * CHUNK + 7  # past the second chunk boundary, with a short last chunk


def add_programmes(session: Session, programme: Programme) -> set[str]:
    codes = {f"p{i:04}" for i in range(ROWS - 1)}
    session.add_all(
        Programme(
            code=code,
            short_name=code,
            name_nl=code,
            name_en=code,
            countries=["NL"],
            starts_on=dt.date(2019, 1, 1),
        )
        for code in codes
    )
    return codes | {programme.code}


def add_pilots(session: Session, programme: Programme) -> set[str]:
    buyer = factories.organisation(session, "Buyer")
    reuse = factories.strategy(session, "reuse")
    for i in range(ROWS):
        pilot = Pilot(
            programme=programme,
            title_en=f"Pilot {i:04}",
            country="BE",
            phase=Phase.TENDER,
            status=PilotStatus.RUNNING,
            starts_on=dt.date(2018, 1, 1),
        )
        pilot.strategies = [reuse]
        pilot.parties = [PilotParty(organisation=buyer, role=PilotRole.PROCURER, position=0)]
        session.add(pilot)
    return {f"Pilot {i:04}" for i in range(ROWS)}


def add_organisations(session: Session, programme: Programme) -> set[str]:
    names = {f"Organisation {i:04}" for i in range(ROWS)}
    for name in names:
        organisation = Organisation(name=name, sector=Sector.PUBLIC, country="BE")
        session.add(Participation(programme=programme, organisation=organisation, role=Role.PROCURER))
    return names


def add_news(session: Session, programme: Programme) -> set[str]:
    session.add_all(
        NewsItem(
            programme_id=programme.id, title_en=f"News {i:04}", published_at=T0 + dt.timedelta(minutes=i)
        )
        for i in range(ROWS)
    )
    return {f"News {i:04}" for i in range(ROWS)}


@dataclasses.dataclass(frozen=True)
class Kind:
    add: Callable[[Session, Programme], set[str]]
    column: str  # the CSV column that tells the rows apart
    key: Callable[[dict[str, object]], object]  # the same value in a JSON document


def title(document: dict[str, object]) -> object:
    return document["title"]["en"]  # type: ignore[index]


KINDS = {
    "programmes": Kind(add_programmes, "code", lambda document: document["code"]),
    "pilots": Kind(add_pilots, "title_en", title),
    "organisations": Kind(add_organisations, "name", lambda document: document["name"]),
    "news": Kind(add_news, "title_en", title),
}


def fill(session: Session, kind: str) -> set[str]:
    """ROWS records of ``kind`` (the programme the others belong to counts for "programmes")."""
    programme = factories.programme(session, "gdca")
    expected = KINDS[kind].add(session, programme)
    session.commit()
    return expected


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_of_a_json_download_past_two_chunks(
    client: TestClient, session: Session, kind: str
) -> None:
    expected = fill(session, kind)
    response = client.get(f"/en/{kind}.json")
    assert response.status_code == 200
    documents = json.loads(response.content)  # the whole body, to its closing bracket
    keys = [KINDS[kind].key(document) for document in documents]
    assert len(keys) == ROWS
    assert set(keys) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_of_a_csv_download_past_two_chunks(client: TestClient, session: Session, kind: str) -> None:
    expected = fill(session, kind)
    response = client.get(f"/en/{kind}.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    values = [row[KINDS[kind].column] for row in rows]
    assert len(values) == ROWS
    assert set(values) == expected
    assert all(None not in row and None not in row.values() for row in rows)  # no short or long rows


def test_every_pilot_of_the_ocds_export_past_two_chunks(client: TestClient, session: Session) -> None:
    expected = fill(session, "pilots")
    response = client.get("/api/v1/ocds/pilots.json")
    assert response.status_code == 200
    releases = json.loads(response.content)["releases"]
    assert len(releases) == ROWS
    assert {release["tender"]["title"] for release in releases} == expected
    assert all(release["parties"] for release in releases)  # the parties of every chunk were loaded
