"""Lessons in the hub's search: found by what people type (either language, inflected, inside a
compound, by their product group's name), following every write (the form's path, the sync), and
searched so by the public list, its API list and the list's order."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.base import Item
from hub.db import utcnow
from hub.lessons import services
from hub.lessons.models import Lesson, LessonKind
from hub.lessons.writes import LessonInput, create_lesson, update_lesson
from hub.programmes.models import Programme
from hub.search import index
from hub.sync.models import Source, SyncRun
from hub.taxonomy.models import ProductGroup
from tests import factories
from tests.lessons.test_pages import text_of
from tests.sync.test_ingest import ingest as ingested

DAY = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclasses.dataclass
class World:
    gdca: Programme
    lessons: dict[str, Lesson]


def group(session: Session, code: str, name_nl: str, name_en: str) -> ProductGroup:
    found = factories.product_group(session, code)
    found.name_nl, found.name_en = name_nl, name_en
    return found


def world(session: Session) -> World:
    furniture = group(session, "furniture", "Meubilair", "Furniture")
    food = group(session, "food", "Voeding", "Food")
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    lessons = {
        "chairs": factories.lesson(
            session,
            gdca,
            title_nl="Hergebruik van bureaustoelen",
            title_en="Reuse of office chairs",
            body_en="Refurbish before you buy new.",
            product_group=furniture,
            kind=LessonKind.SUCCESS_FACTOR,
            created_at=DAY,
        ),
        "market": factories.lesson(
            session,
            gdca,
            title_nl="Raadpleeg eerst de markt",
            title_en="",
            source_language="nl",
            body_nl="Leveranciers weten meer dan je denkt.",
            product_group=furniture,
            created_at=DAY + dt.timedelta(days=1),
        ),
        "canteen": factories.lesson(
            session,
            gdca,
            title_nl="Weeg het voedselverlies",
            title_en="Weigh the food waste",
            body_en="Old chairs in the canteen were no part of it.",  # a word of another's title
            product_group=food,
            created_at=DAY + dt.timedelta(days=2),
        ),
        "gone": factories.lesson(
            session,
            gdca,
            title_nl="Hergebruik van stoelen, ingetrokken",
            title_en="Withdrawn reuse of chairs",
            withdrawn_at=utcnow(),
            created_at=DAY,
        ),
    }
    return World(gdca, lessons)


def ingest(session: Session, source: Source, items: list[Item]) -> SyncRun:
    """A sync run of ``items``, and the search index brought up to it (as every run's caller does:
    ``hub.sync.runner.index_runs``)."""
    run = ingested(session, source, items)  # type: ignore[arg-type]
    index.catch_up_all(session)
    return run


def titles(session: Session, q: str, **params: str) -> list[str]:
    """The titles the public list shows for ``q`` (English, else Dutch), in its order."""
    filters = services.parse_filters(session, {"q": q, **params})
    page = services.list_lessons(session, filters=filters, language="en")
    return [lesson.title_en or lesson.title_nl for lesson in page.items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bureaustoelen", ["Reuse of office chairs"]),  # a word of the Dutch title
        ("office", ["Reuse of office chairs"]),  # of the English one
        ("hergebruikte", ["Reuse of office chairs"]),  # inflected
        # Inside a compound ("bureaustoelen"); and the glossary's "chairs" in another's text.
        ("stoel", ["Reuse of office chairs", "Weigh the food waste"]),
        ("leverancier", ["Raadpleeg eerst de markt"]),  # the Dutch text, another form
        ("success factor", ["Reuse of office chairs"]),  # its kind, by its name
        ("GDCA weigh", ["Weigh the food waste"]),  # its programme, and a word of it
    ],
)
def test_a_lesson_is_found_by_what_people_type(session: Session, q: str, expected: list[str]) -> None:
    world(session)
    assert sorted(titles(session, q)) == sorted(expected)


def test_a_lesson_is_found_by_its_product_group_in_either_language(session: Session) -> None:
    world(session)
    furniture = ["Reuse of office chairs", "Raadpleeg eerst de markt"]
    assert sorted(titles(session, "furniture")) == sorted(furniture)  # Meubilair, in English
    assert sorted(titles(session, "meubilair")) == sorted(furniture)  # and in Dutch
    assert titles(session, "voeding") == ["Weigh the food waste"]


def test_a_withdrawn_lesson_is_not_found(session: Session) -> None:
    built = world(session)
    assert "Withdrawn reuse of chairs" not in titles(session, "chairs")
    built.lessons["chairs"].withdrawn_at = utcnow()
    session.flush()
    assert titles(session, "bureaustoelen") == []


def lesson_input(programme_id: int, **changes: Any) -> LessonInput:
    data = LessonInput(
        programme_id=programme_id,
        source_language="en",
        kind=LessonKind.TIP,
        title_en="Consult the market early",
        body_en="Talk to suppliers first.",
    )
    return dataclasses.replace(data, **changes)


def test_an_edit_through_the_write_path_is_found_at_once(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    lesson = create_lesson(session, data=lesson_input(programme.id), user_id=user.id)
    assert titles(session, "suppliers") == ["Consult the market early"]

    changed = lesson_input(programme.id, title_en="Ask for take-back", body_en="Vendors take it back.")
    assert update_lesson(session, lesson=lesson, data=changed, user_id=user.id)
    assert titles(session, "take-back") == ["Ask for take-back"]
    assert titles(session, "vendors") == ["Ask for take-back"]
    assert titles(session, "suppliers") == [] and titles(session, "consult") == []


def test_a_synced_lesson_is_found_after_the_run(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    group(session, "ict", "ICT", "ICT")
    source = factories.source(
        session, programme, "gdca-lessons", kind="tabular", options={"target": "lesson"}
    )
    session.commit()

    def item(title: str) -> Item:
        fields = {"title_nl": title, "kind": "tip", "source_language": "nl", "product_group": "ict"}
        return Item("L1", fields, url="https://example.org/lessons/1")

    ingest(session, source, [item("Laptops langer gebruiken")])
    assert titles(session, "laptop") == ["Laptops langer gebruiken"]
    ingest(session, source, [item("Telefoons herstellen")])  # changed at the source
    assert titles(session, "telefoon") == ["Telefoons herstellen"] and titles(session, "laptops") == []
    ingest(session, source, [Item("L2", {"title_nl": "Iets anders", "kind": "tip"})])  # L1 is gone
    assert titles(session, "telefoons") == []


def test_the_list_page_shows_the_best_match_first(client: TestClient, session: Session) -> None:
    world(session)
    # "chairs" is in one lesson's title and in a newer one's text: the title comes first.
    page = text_of(client.get("/en/lessons?q=chairs"))
    assert "2 lessons" in page
    assert page.index("Reuse of office chairs") < page.index("Weigh the food waste")
    assert '<option value="relevance" selected>Best match</option>' in client.get("/en/lessons?q=chairs").text
    # The other orders stay available.
    newest = text_of(client.get("/en/lessons?q=chairs&sort=newest"))
    assert newest.index("Weigh the food waste") < newest.index("Reuse of office chairs")
    by_title = text_of(client.get("/en/lessons?q=furniture&sort=title"))
    assert by_title.index("Raadpleeg eerst de markt") < by_title.index("Reuse of office chairs")
    # Without words to look for, the list is the newest first, unsearched.
    plain = text_of(client.get("/en/lessons?q=%22%2A%28"))
    assert "3 lessons" in plain and plain.index("Weigh the food waste") < plain.index(
        "Reuse of office chairs"
    )


@pytest.mark.parametrize(
    "q", ['"', "AND OR NOT", "NEAR(a b)", "*", "a:b ^c -d", "50%_", "\\", "\x00x", "🪑 stoel", "x" * 200]
)
def test_any_input_is_searched_as_text(client: TestClient, session: Session, q: str) -> None:
    world(session)
    assert client.get("/en/lessons", params={"q": q}).status_code == 200


def test_the_api_list_takes_the_search(client: TestClient, session: Session) -> None:
    world(session)
    session.commit()
    answer = client.get("/api/v1/lessons", params={"q": "bureaustoelen", "limit": "1"})
    assert answer.status_code == 200
    found = answer.json()
    assert [lesson["title"]["en"] for lesson in found["data"]] == ["Reuse of office chairs"]
    assert found["has_more"] is False and "q=bureaustoelen" in found["links"]["self"]
    everything = client.get("/api/v1/lessons").json()["data"]
    assert len(everything) == 4  # the withdrawn lesson as a tombstone
    assert client.get("/api/v1/lessons", params={"q": "x" * 201}).status_code == 400  # documented limit
    unsearched = client.get("/api/v1/programmes", params={"q": "gdca"})  # a kind search does not find
    assert unsearched.status_code == 400 and unsearched.json()["error"]["parameter"] == "q"
    documented = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/lessons"]["get"]
    assert "q" in [parameter["name"] for parameter in documented["parameters"]]
