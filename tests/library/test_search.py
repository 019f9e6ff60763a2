"""Library entries in the hub's search: found by what people type (either language, inflected,
inside a compound, by their product group's or kind's name), following the form's write path, and
searched so by the public list, its API list and the list's order."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.library import services
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.library.writes import LibraryItemInput, create_item, update_item
from hub.settings import Settings
from tests import factories
from tests.lessons.test_pages import text_of
from tests.lessons.test_search import group

DAY = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that let the publishing API serve a change at once."""
    return Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
        api_settle_seconds=0,
    )


def world(session: Session) -> dict[str, LibraryItem]:
    furniture = group(session, "furniture", "Meubilair", "Furniture")
    food = group(session, "food", "Voeding", "Food")
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    return {
        "chairs": factories.library_item(
            session,
            gdca,
            kind=LibraryKind.WEBINAR,
            title_nl="Webinar: hergebruik van bureaustoelen",
            title_en="Webinar: reuse of office chairs",
            body_en="How three cities refurbished their seating.",
            speakers="Nele Hermans",
            product_group=furniture,
            held_on=dt.date(2019, 3, 19),
            created_at=DAY,
        ),
        "calculator": factories.library_item(
            session,
            gdca,
            kind=LibraryKind.TOOLBOX,
            tool_kind=ToolKind.CALCULATOR,
            title_nl="Rekentool levensduurkost",
            title_en="",
            body_nl="Vergelijk offertes over hun hele levensduur.",
            product_group=furniture,
            created_at=DAY + dt.timedelta(days=1),
        ),
        "canteen": factories.library_item(
            session,
            gdca,
            kind=LibraryKind.DOCUMENT,
            title_nl="Verslag voedselverlies",
            title_en="Food waste report",
            body_en="The canteen's office chairs were kept.",  # words of another's title
            product_group=food,
            created_at=DAY + dt.timedelta(days=2),
        ),
        "gone": factories.library_item(
            session,
            gdca,
            title_nl="Bureaustoelen, ingetrokken",
            title_en="Withdrawn office chairs",
            withdrawn_at=utcnow(),
            created_at=DAY,
        ),
    }


def titles(session: Session, q: str, **params: str) -> list[str]:
    """The titles the public list shows for ``q`` (English, else Dutch), in its order."""
    filters = services.parse_filters(session, {"q": q, **params})
    page = services.list_items(session, filters=filters, language="en")
    return [item.title_en or item.title_nl for item in page.items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bureaustoelen", ["Webinar: reuse of office chairs"]),  # a word of the Dutch title
        ("cities", ["Webinar: reuse of office chairs"]),  # of the English text
        ("hergebruikte", ["Webinar: reuse of office chairs"]),  # inflected
        ("levensduur", ["Rekentool levensduurkost"]),  # inside a compound ("levensduurkost")
        ("offerte", ["Rekentool levensduurkost"]),  # the Dutch text, another form
        ("calculator", ["Rekentool levensduurkost"]),  # the kind of tool, by its name
        ("hermans", ["Webinar: reuse of office chairs"]),  # a speaker
    ],
)
def test_an_entry_is_found_by_what_people_type(session: Session, q: str, expected: list[str]) -> None:
    world(session)
    assert sorted(titles(session, q)) == sorted(expected)


def test_an_entry_is_found_by_its_product_group_in_either_language(session: Session) -> None:
    world(session)
    furniture = ["Webinar: reuse of office chairs", "Rekentool levensduurkost"]
    assert sorted(titles(session, "furniture")) == sorted(furniture)
    assert sorted(titles(session, "meubilair")) == sorted(furniture)
    assert titles(session, "voeding") == ["Food waste report"]


def test_a_withdrawn_entry_is_not_found(session: Session) -> None:
    items = world(session)
    assert "Withdrawn office chairs" not in titles(session, "chairs")
    items["chairs"].withdrawn_at = utcnow()
    session.flush()
    assert titles(session, "bureaustoelen") == []


def item_input(programme_id: int, **changes: Any) -> LibraryItemInput:
    data = LibraryItemInput(
        programme_id=programme_id,
        source_language="en",
        kind=LibraryKind.DOCUMENT,
        title_en="Model tender for furniture",
        body_en="Ask suppliers for refurbished desks.",
    )
    return dataclasses.replace(data, **changes)


def test_an_edit_through_the_write_path_is_found_at_once(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    item = create_item(session, data=item_input(programme.id), user_id=user.id)
    assert titles(session, "desks") == ["Model tender for furniture"]

    changed = item_input(programme.id, title_en="Guide to take-back", body_en="Vendors take it back.")
    assert update_item(session, item=item, data=changed, user_id=user.id)
    assert titles(session, "vendors") == ["Guide to take-back"]
    assert titles(session, "desks") == [] and titles(session, "tender") == []


def test_the_list_page_shows_the_best_match_first(client: TestClient, session: Session) -> None:
    world(session)
    # "office chairs" is one entry's title and a newer one's text: the title comes first.
    response = client.get("/en/library?q=office+chairs")
    page = text_of(response)
    assert "2 entries" in page
    assert page.index("Webinar: reuse of office chairs") < page.index("Food waste report")
    assert '<option value="relevance" selected>Best match</option>' in response.text
    newest = text_of(client.get("/en/library?q=office+chairs&sort=newest"))
    assert newest.index("Food waste report") < newest.index("Webinar: reuse of office chairs")
    # The other filters still apply to a search.
    assert "Food waste report" not in text_of(client.get("/en/library?q=office+chairs&kind=webinar"))


def test_the_api_list_takes_the_search(client: TestClient, session: Session) -> None:
    world(session)
    session.commit()
    answer = client.get("/api/v1/library_items", params={"q": "levensduur"})
    assert answer.status_code == 200
    assert [item["title"]["nl"] for item in answer.json()["data"]] == ["Rekentool levensduurkost"]
    assert len(client.get("/api/v1/library_items").json()["data"]) == 4  # a tombstone too
