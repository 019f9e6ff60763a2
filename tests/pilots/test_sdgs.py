"""The Sustainable Development Goals of a pilot: on its page in both languages (one query), and as a
filter of the public list (an unknown goal is a 400)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.pilots.models import Pilot, PilotSdg
from tests import factories


@pytest.fixture
def statements(connection: Connection) -> Iterator[Callable[[str], list[str]]]:
    """The SELECT statements run on the test's connection that read ``table``."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    yield lambda table: [s for s in seen if s.startswith("SELECT") and f"FROM {table}" in s]
    event.remove(connection, "before_cursor_execute", record)


def test_a_pilots_goals_show_on_its_page_in_both_languages(
    client: TestClient, session: Session, statements: Callable[[str], list[str]]
) -> None:
    gdca = factories.programme(session, "gdca")
    pilot = factories.pilot(session, gdca, sdgs=[13, 12])
    bare = factories.pilot(session, gdca)
    session.commit()

    english = client.get(f"/en/pilots/{pilot.id}").text
    assert "Sustainable Development Goals" in english
    assert '<a href="/en/pilots?sdg=12">12. Responsible consumption and production</a>' in english
    assert english.index("12. Responsible") < english.index("13. Climate action")
    assert len(statements("pilot_sdgs")) == 1  # loaded with the pilot, in one query

    dutch = client.get(f"/nl/pilots/{pilot.id}").text
    assert "Duurzame ontwikkelingsdoelen" in dutch
    assert '<a href="/nl/pilots?sdg=12">12. Verantwoorde consumptie en productie</a>' in dutch
    assert "13. Klimaatactie" in dutch

    assert "Sustainable Development Goals" not in client.get(f"/en/pilots/{bare.id}").text


def test_the_pilot_list_filters_by_goal(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    factories.pilot(session, gdca, title_en="Circular furniture", sdgs=[12])
    factories.pilot(session, gdca, title_en="Low-carbon asphalt", sdgs=[12, 13])
    factories.pilot(session, gdca, title_en="Clean water tender")
    session.commit()

    climate = client.get("/en/pilots?sdg=13")
    assert climate.status_code == 200
    assert "Low-carbon asphalt" in climate.text and "Circular furniture" not in climate.text
    assert '<option value="13" selected>13. Climate action</option>' in climate.text
    consumption = client.get("/en/pilots?sdg=12").text
    assert "Low-carbon asphalt" in consumption and "Circular furniture" in consumption
    assert "Clean water tender" not in consumption
    assert "Clean water tender" in client.get("/en/pilots?sdg=").text  # empty: no filter


@pytest.mark.parametrize("value", ["0", "18", "twelve", "12.0", "-1"])
def test_a_goal_that_does_not_exist_is_a_bad_request(client: TestClient, value: str) -> None:
    response = client.get("/en/pilots", params={"sdg": value})
    assert response.status_code == 400
    assert f"“{value}” is not a valid value for the filter “Sustainable Development Goal”." in response.text


def test_the_database_keeps_goal_numbers_only(session: Session) -> None:
    pilot = factories.pilot(session, factories.programme(session, "gdca"))
    with pytest.raises(ValueError):
        pilot.sdgs = [18]
    session.add(PilotSdg(pilot_id=pilot.id, sdg=18))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_changing_a_pilots_goals_keeps_the_rows_of_those_it_keeps(session: Session) -> None:
    pilot = factories.pilot(session, factories.programme(session, "gdca"), sdgs=[9, 12])
    kept = pilot.sdg_links[1]
    pilot.sdgs = [12, 13]
    session.flush()
    session.expire_all()
    reloaded = session.scalars(select(Pilot).where(Pilot.id == pilot.id)).one()
    assert reloaded.sdgs == [12, 13] and kept in reloaded.sdg_links
