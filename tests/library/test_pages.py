"""The public library pages, and the library entries on a pilot's and a lesson's page."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.library import services
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase
from tests import factories
from tests.lessons.test_pages import section, text_of

PEER = "https://procirc.example"


@dataclass
class World:
    gdca: Programme
    procirc: Programme
    pilots: dict[str, Pilot]
    lessons: dict[str, Any]
    items: dict[str, LibraryItem]


def world(session: Session) -> World:
    food, ict = factories.product_group(session, "food"), factories.product_group(session, "ict")
    food.name_nl, food.name_en, ict.name_nl, ict.name_en = "Voeding", "Food", "ICT", "ICT"
    reuse = factories.strategy(session, "reuse", name_nl="Hergebruik", name_en="Reuse")
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc", starts_on=dt.date(2019, 1, 1))
    pilots = {
        "canteen": factories.pilot(
            session, gdca, title_nl="Gezonde kantine", title_en="Healthy canteen", country="BE"
        ),
        "laptops": factories.pilot(session, procirc, title_en="Refurbished laptops", country="NL"),
    }
    lessons = {
        "weigh": factories.lesson(session, gdca, title_nl="Begin met wegen", title_en="Start by weighing"),
    }
    day = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    items = {
        "webinar": factories.library_item(
            session,
            gdca,
            kind=LibraryKind.WEBINAR,
            title_nl="Webinar: minder voedselverlies",
            title_en="Webinar: less food waste",
            body_nl="Grootkeukens meten hun verlies.",
            body_en="Large kitchens measure their waste.",
            url="https://example.org/recording",
            held_on=dt.date(2019, 3, 19),
            speakers="Nele Hermans, Wim Aerts",
            product_group=food,
            phase=Phase.CONTRACT_MANAGEMENT,
            created_at=day,
        ),
        "legal": factories.library_item(
            session,
            gdca,
            kind=LibraryKind.LEGAL_QA,
            title_nl="Mag ik vragen naar 50% hergebruik?",
            title_en="",
            body_nl="Ja, als het verband houdt met de opdracht.",
            body_en="",
            strategy=reuse,
            phase=Phase.TENDER,
            created_at=day + dt.timedelta(days=1),
        ),
        "calculator": factories.library_item(
            session,
            procirc,
            kind=LibraryKind.TOOLBOX,
            tool_kind=ToolKind.CALCULATOR,
            title_nl="Rekentool levensduurkost",
            title_en="Lifetime cost calculator",
            body_en="Compare A_B bids over their lifetime.",
            url="http://example.org/calculator.xlsx",
            product_group=ict,
            created_at=day + dt.timedelta(days=2),
            source_language="en",
        ),
        "withdrawn": factories.library_item(
            session, gdca, title_en="Gone document", withdrawn_at=utcnow(), created_at=day
        ),
    }
    return World(gdca, procirc, pilots, lessons, items)


# --- the list ---


def test_the_list_shows_live_entries_newest_first(client: TestClient, session: Session) -> None:
    world(session)
    response = client.get("/en/library")
    assert response.status_code == 200
    page = text_of(response)
    assert "3 entries" in page
    assert (
        page.index("Lifetime cost calculator")
        < page.index("Mag ik vragen naar 50% hergebruik?")
        < page.index("Webinar: less food waste")
    )
    assert "Gone document" not in page
    assert "Toolbox: Calculator · ProCirc" in page and "Webinar · GDCA · 19 Mar 2019 · Food" in page
    assert '<a href="/en/library" aria-current="page">Library</a>' in response.text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("kind=webinar", ["Webinar: less food waste"], ["Lifetime cost calculator"]),
        ("kind=legal_qa", ["hergebruik?"], ["Webinar: less food waste"]),
        ("programme=procirc", ["Lifetime cost calculator"], ["Webinar: less food waste"]),
        ("product_group=food", ["Webinar: less food waste"], ["Lifetime cost calculator"]),
        ("phase=tender", ["hergebruik?"], ["Webinar: less food waste"]),
        ("strategy=reuse", ["hergebruik?"], ["Lifetime cost calculator"]),
        ("q=KITCHENS", ["Webinar: less food waste"], ["Lifetime cost calculator"]),  # the English body
        ("q=grootkeukens", ["Webinar: less food waste"], ["hergebruik?"]),  # the Dutch body
        ("q=rekentool", ["Lifetime cost calculator"], ["Webinar: less food waste"]),  # the Dutch title
        ("q=50%25", ["hergebruik?"], ["Webinar: less food waste"]),  # % is a character, not a wildcard
        ("q=a_b", ["Lifetime cost calculator"], ["Webinar: less food waste"]),  # so is _
        ("programme=gdca&kind=webinar", ["Webinar: less food waste"], ["hergebruik?"]),
    ],
)
def test_each_filter(
    client: TestClient, session: Session, query: str, shown: list[str], hidden: list[str]
) -> None:
    world(session)
    page = text_of(client.get(f"/en/library?{query}"))
    for title in shown:
        assert title in page
    for title in hidden:
        assert title not in page


def test_no_match_says_so(client: TestClient, session: Session) -> None:
    world(session)
    page = text_of(client.get("/en/library?q=nothing-like-this"))
    assert "No library entry matches these filters." in page and "Clear all filters" in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/en/library?programme=xyz", "“xyz” is not a valid value for the filter “Programme”."),
        ("/en/library?product_group=cars", "“cars” is not a valid value for the filter “Product group”."),
        ("/en/library?strategy=burn", "“burn” is not a valid value for the filter “Circular strategy”."),
        ("/en/library?kind=rumour", "“rumour” is not a valid value for the filter “Kind”."),
        ("/en/library?phase=dreaming", "“dreaming” is not a valid value for the filter “Procurement phase”."),
        ("/en/library?page=two", "“two” is not a valid value for the filter “Page”."),
        ("/nl/library?programme=xyz", "“xyz” is geen geldige waarde voor de filter “Programma”."),
    ],
)
def test_a_bad_filter_value_is_a_400(client: TestClient, session: Session, url: str, message: str) -> None:
    world(session)
    response = client.get(url)
    assert response.status_code == 400
    assert message in html.unescape(response.text)


def test_pages_of_entries_and_a_page_beyond_the_last(client: TestClient, session: Session) -> None:
    programme = factories.programme(session)
    for n in range(services.PAGE_SIZE + 1):
        factories.library_item(session, programme, title_en=f"Numbered {n:02}")
    first, second = client.get("/en/library"), client.get("/en/library?page=2")
    assert second.status_code == 200
    assert 'rel="next"' in first.text and "page 2 of 2" in text_of(second)
    assert text_of(second).count("Numbered") == 1
    beyond = client.get("/en/library?page=3")
    assert beyond.status_code == 404
    assert "There is no page 3: the list has 2." in beyond.text


def test_the_list_speaks_dutch(client: TestClient, session: Session) -> None:
    world(session)
    response = client.get("/nl/library")
    assert response.status_code == 200 and '<html lang="nl">' in response.text
    assert "Programma" in response.text  # a label from the existing catalog
    # In Dutch the Dutch title shows, unmarked; in English the untranslated one is marked.
    assert "Mag ik vragen naar 50% hergebruik?" in text_of(response)
    assert '<span lang="nl">Mag ik vragen naar 50% hergebruik?</span>' in client.get("/en/library").text


# --- one entry ---


def test_a_webinar_shows_its_date_speakers_recording_and_links(client: TestClient, session: Session) -> None:
    w = world(session)
    webinar = w.items["webinar"]
    gone = factories.pilot(session, w.gdca, title_en="Withdrawn pilot", withdrawn_at=utcnow())
    webinar.pilots = [w.pilots["canteen"], w.pilots["laptops"], gone]
    webinar.lessons = [w.lessons["weigh"]]
    session.flush()

    response = client.get(f"/en/library/{webinar.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Webinar: less food waste" in page and "Large kitchens measure their waste." in page
    for fact in (
        "Kind Webinar",
        "Held on 19 Mar 2019",
        "Speakers Nele Hermans, Wim Aerts",
        "Programme GDCA",
        "Product group Food",
        "Procurement phase Contract management",
        "Original language Dutch",
    ):
        assert fact in page
    assert "Tool " not in page  # only a toolbox entry says what tool it is
    assert (
        '<a class="button" href="https://example.org/recording" rel="noopener">Watch the recording</a>'
        in (response.text)
    )
    assert 'href="/en/library?product_group=food"' in response.text
    assert 'href="/en/library?phase=contract_management"' in response.text
    pilots = section(response, "Linked from pilots")
    assert (
        "Healthy canteen GDCA · Belgium" in pilots and "Refurbished laptops ProCirc · Netherlands" in pilots
    )
    assert "Withdrawn pilot withdrawn at its home hub" in pilots
    assert section(response, "Linked from lessons") == "Linked from lessons Start by weighing GDCA · Tip"


def test_a_legal_question_and_its_answer(client: TestClient, session: Session) -> None:
    legal = world(session).items["legal"]
    response = client.get(f"/en/library/{legal.id}")
    page = text_of(response)
    assert "Question Mag ik vragen naar 50% hergebruik? not yet translated" in page
    assert section(response, "Answer") == (
        "Answer not yet translated Ja, als het verband houdt met de opdracht."
    )
    assert 'href="/en/library?strategy=reuse"' in response.text
    assert "Watch the recording" not in page and "Held on" not in page
    # An entry without pilots or lessons says so.
    assert "No pilot links to this entry yet." in page and "No lesson links to this entry yet." in page


def test_a_toolbox_entry_says_what_tool_it_is(client: TestClient, session: Session) -> None:
    calculator = world(session).items["calculator"]
    response = client.get(f"/en/library/{calculator.id}")
    page = text_of(response)
    assert "Kind Toolbox Tool Calculator" in page and "Original language English" in page
    assert '<a class="button" href="http://example.org/calculator.xlsx" rel="noopener">Open the tool</a>' in (
        response.text
    )


def test_only_web_addresses_become_links(client: TestClient, session: Session) -> None:
    item = factories.library_item(session, factories.programme(session), url="javascript:alert(1)")
    response = client.get(f"/en/library/{item.id}")
    assert response.status_code == 200
    assert "javascript:" not in response.text and "Open the document" not in response.text


def test_an_unknown_entry_is_a_404(client: TestClient, session: Session) -> None:
    response = client.get("/en/library/999999")
    assert response.status_code == 404
    assert "There is no library entry with number 999999." in response.text


def test_a_mirrored_entry_says_where_it_is_kept(client: TestClient, session: Session) -> None:
    item = factories.library_item(
        session,
        factories.programme(session),
        home_hub=PEER,
        mirrored=True,
        origin_url=f"{PEER}/en/library/7",
    )
    response = client.get(f"/en/library/{item.id}")
    assert (
        f'This library entry comes from the hub <a href="{PEER}" rel="noopener">{PEER}</a>' in response.text
    )
    assert f'<a href="{PEER}/en/library/7" rel="noopener">View it on its home hub</a>' in response.text


def test_a_withdrawn_entry_says_so(client: TestClient, session: Session) -> None:
    item = world(session).items["withdrawn"]
    page = client.get(f"/en/library/{item.id}").text
    assert "This library entry was withdrawn at its source on" in page


# --- on the pilot and lesson pages ---


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL statements run from here on."""
    run: list[str] = []

    def record(*args: Any) -> None:
        run.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    yield run
    event.remove(connection, "before_cursor_execute", record)


def test_the_pilot_page_lists_the_live_entries_linked_from_it(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    w = world(session)
    canteen = w.pilots["canteen"]
    statements.clear()
    empty = client.get(f"/en/pilots/{canteen.id}")
    alone = len(statements)
    assert section(empty, "From the library") == (
        "From the library No library entry is linked from this pilot yet."
    )

    for name in ("webinar", "legal", "calculator", "withdrawn"):
        w.items[name].pilots = [canteen]
    session.flush()
    statements.clear()
    response = client.get(f"/en/pilots/{canteen.id}")
    assert len(statements) == alone  # one query for the entries, however many there are
    listed = section(response, "From the library")
    assert listed.index("Lifetime cost calculator Toolbox") < listed.index("Webinar: less food waste Webinar")
    assert "hergebruik? not yet translated Legal question and answer" in listed
    assert "Gone document" not in listed
    assert f'href="/en/library/{w.items["webinar"].id}"' in response.text


def test_the_lesson_page_lists_the_live_entries_linked_from_it(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    w = world(session)
    weigh = w.lessons["weigh"]
    other = factories.lesson(session, w.gdca)
    statements.clear()
    empty = client.get(f"/en/lessons/{weigh.id}")
    alone = len(statements)
    assert "No library entry is linked from this lesson yet." in section(empty, "From the library")

    w.items["webinar"].lessons = [weigh]
    w.items["withdrawn"].lessons = [weigh]
    w.items["calculator"].lessons = [weigh, other]
    session.flush()
    statements.clear()
    response = client.get(f"/en/lessons/{weigh.id}")
    assert len(statements) == alone
    assert section(response, "From the library") == (
        "From the library Lifetime cost calculator Toolbox Webinar: less food waste Webinar"
    )
