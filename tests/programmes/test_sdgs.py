"""The Sustainable Development Goals of a programme on its public page, in both languages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests import factories


def test_a_programmes_goals_show_near_its_key_figures(
    client: TestClient, session: Session, connection: Connection
) -> None:
    factories.programme(session, "gdca", sdgs=[17, 9, 11, 12, 13])
    factories.programme(session, "procirc")
    session.commit()
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    english = client.get("/en/programmes/gdca").text
    event.remove(connection, "before_cursor_execute", record)
    assert len([statement for statement in seen if "programme_sdgs" in statement]) == 1
    section = english[english.index("Key figures") : english.index("Participants</h2>")]
    assert "Sustainable Development Goals" in section
    numbers = [section.index(f"<li>{n}. ") for n in (9, 11, 12, 13, 17)]
    assert numbers == sorted(numbers)
    assert "<li>9. Industry, innovation and infrastructure</li>" in section
    assert "<li>17. Partnerships for the goals</li>" in section

    dutch = client.get("/nl/programmes/gdca").text
    assert "Duurzame ontwikkelingsdoelen" in dutch
    assert "<li>12. Verantwoorde consumptie en productie</li>" in dutch
    assert "<li>11. Duurzame steden en gemeenschappen</li>" in dutch

    assert "Sustainable Development Goals" not in client.get("/en/programmes/procirc").text
