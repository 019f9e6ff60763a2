"""Workspace library: the bilingual form with what an entry is, its link, date and speakers, its
tags and the pilots and lessons it is linked from; programme scope, entries kept elsewhere,
archive, and the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.pagination import PAGE_SIZE
from hub.taxonomy.models import Phase
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post

NEW = "/en/coordinator/library/new"


def entry_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "programme_id": str(network.gdca.id),
        "source_language": "nl",
        "kind": "webinar",
        "tool_kind": "",
        "title_nl": "Webinar: circulair meubilair",
        "title_en": "Webinar: circular furniture",
        "body_nl": "Drie aankopers vertellen.",
        "body_en": "Three procurers tell their story.",
        "url": "https://example.org/recording",
        "held_on": "2018-06-12",
        "speakers": "Lotte Peeters, Bram Jacobs",
        "product_group_id": "",
        "strategy_id": "",
        "phase": "",
        "pilot_numbers": "",
        "lesson_numbers": "",
    }
    return {**values, **changes}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LibraryItem)) or 0


def created_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_the_workspace_library_needs_a_login(client: TestClient, network: Network) -> None:
    response = client.get("/en/coordinator/library", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/en/login?next=/en/coordinator/")


def test_create_an_entry_with_every_field_and_edit_it(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    furniture = factories.product_group(session, "furniture")
    reuse = factories.strategy(session, "reuse")
    own = factories.pilot(session, network.gdca, title_en="Canteen")
    other = factories.pilot(session, network.procirc, title_en="Partner pilot")  # any programme's pilot
    lesson = factories.lesson(session, network.procirc, title_en="Partner lesson")
    session.commit()
    data = entry_form(
        network,
        product_group_id=str(furniture.id),
        strategy_id=str(reuse.id),
        phase="tender",
        url="HTTPS://example.org/Recording",
        pilot_numbers=f"{own.id}, #{other.id} {own.id}",
        lesson_numbers=str(lesson.id),
    )
    item_id = created_id(post(coordinator, NEW, data, follow_redirects=False))

    page = coordinator.get(f"/en/coordinator/library/{item_id}")
    assert page.status_code == 200
    assert "The library entry was created." in page.text
    assert 'value="Webinar: circular furniture"' in page.text
    assert f'value="{own.id}, {other.id}"' in page.text and f'value="{lesson.id}"' in page.text
    assert "Partner pilot" in page.text and "Partner lesson" in page.text
    assert '<a href="/en/coordinator/library" aria-current="page">Library</a>' in page.text

    item = session.get(LibraryItem, item_id)
    assert item is not None
    assert (item.kind, item.tool_kind, item.source_language) == (LibraryKind.WEBINAR, None, "nl")
    assert (item.title_nl, item.body_en) == ("Webinar: circulair meubilair", data["body_en"])
    assert item.url == "https://example.org/Recording"  # the scheme in lower case, the rest as typed
    assert (item.held_on, item.speakers) == (dt.date(2018, 6, 12), "Lotte Peeters, Bram Jacobs")
    assert (item.product_group_id, item.strategy_id, item.phase) == (furniture.id, reuse.id, Phase.TENDER)
    assert [p.id for p in item.pilots] == sorted([own.id, other.id])
    assert [lesson_.id for lesson_ in item.lessons] == [lesson.id]
    assert item.home_hub is None and item.withdrawn_at is None

    response = post(
        coordinator,
        f"/en/coordinator/library/{item_id}",
        {
            **data,
            "title_en": "Webinar: furniture, circular",
            "pilot_numbers": str(other.id),
            "lesson_numbers": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    item = session.get(LibraryItem, item_id)
    assert item is not None and item.title_en == "Webinar: furniture, circular"
    assert [p.id for p in item.pilots] == [other.id] and item.lessons == []

    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "library_items", AuditEntry.entity_id == item_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update", "update"]
    assert entries[0].after is not None and entries[0].after["kind"] == "webinar"
    assert entries[0].programme_id == network.gdca.id
    assert entries[1].after == {"pilots": [own.id, other.id], "lessons": [lesson.id]}
    assert entries[2].before == {"title_en": "Webinar: circular furniture"}
    assert entries[3].before == {"pilots": [own.id, other.id], "lessons": [lesson.id]}
    assert entries[3].after == {"pilots": [other.id], "lessons": []}
    assert "Webinar: furniture, circular" in coordinator.get("/en/coordinator/audit").text


def test_a_toolbox_entry_has_a_tool_kind(coordinator: TestClient, network: Network, session: Session) -> None:
    data = entry_form(network, kind="toolbox", tool_kind="model_tender_text", held_on="", speakers="", url="")
    item = session.get(LibraryItem, created_id(post(coordinator, NEW, data, follow_redirects=False)))
    assert item is not None
    assert (item.kind, item.tool_kind, item.url, item.held_on) == (
        LibraryKind.TOOLBOX,
        ToolKind.MODEL_TENDER_TEXT,
        None,
        None,
    )


def test_saving_without_a_change_writes_no_audit_entry(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.gdca)
    session.commit()
    data = entry_form(network, pilot_numbers=str(pilot.id))
    item_id = created_id(post(coordinator, NEW, data, follow_redirects=False))
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    path = f"/en/coordinator/library/{item_id}"
    assert post(coordinator, path, data, follow_redirects=False).status_code == 303
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_invalid_input_keeps_what_was_typed_and_says_what_is_wrong(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = count(session)
    data = entry_form(
        network,
        kind="legal_qa",
        tool_kind="calculator",
        title_nl="",
        title_en="Only English <b>here</b>",
        url="javascript:alert(document.cookie)",
        held_on="12 June",
        pilot_numbers="12, twelve",
        lesson_numbers="three",
    )
    response = post(coordinator, NEW, data)
    assert response.status_code == 400
    text = response.text
    assert "The form was not saved: 7 fields need your attention." in text
    assert "Only a toolbox entry has a tool kind" in text
    assert "Enter the title in the source language." in text
    assert "Enter a web address starting with http:// or https://." in text
    assert "Enter a date as YYYY-MM-DD, e.g. 2024-03-31." in text
    assert "Only a webinar has speakers: leave this empty." in text
    assert "“twelve” is not a pilot number: write the numbers only, e.g. 12, 48." in text
    assert "“three” is not a lesson number: write the numbers only, e.g. 3, 17." in text
    # What was typed is still there (escaped), each error tied to its field.
    assert 'value="Only English &lt;b&gt;here&lt;/b&gt;"' in text
    assert 'value="javascript:alert(document.cookie)"' in text
    assert 'value="12, twelve"' in text and 'value="three"' in text
    assert "Three procurers tell their story." in text
    assert '<option value="calculator" selected>' in text
    assert 'aria-describedby="f-url-hint f-url-error" aria-invalid="true"' in text
    assert 'href="#f-tool_kind"' in text
    assert count(session) == before


@pytest.mark.parametrize("kind", ["legal_qa", "toolbox", "document"])
def test_only_a_webinar_has_a_date_and_speakers(
    coordinator: TestClient, network: Network, session: Session, kind: str
) -> None:
    response = post(coordinator, NEW, entry_form(network, kind=kind))
    assert response.status_code == 400
    assert "Only a webinar has a date it was held: leave this empty." in response.text
    assert "Only a webinar has speakers: leave this empty." in response.text


def test_a_legal_question_is_labelled_as_question_and_answer(
    coordinator: TestClient, network: Network
) -> None:
    page = coordinator.get(NEW).text
    assert "For a legal question and answer: the question." in page
    assert "For a legal question and answer: the answer." in page


def test_pilots_and_lessons_that_do_not_exist_or_were_archived_cannot_be_linked(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    archived_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    live = factories.pilot(session, network.gdca)
    archived = factories.pilot(session, network.gdca, withdrawn_at=archived_at)
    lesson = factories.lesson(session, network.gdca)
    archived_lesson = factories.lesson(session, network.gdca, withdrawn_at=archived_at)
    session.commit()
    response = post(
        coordinator,
        NEW,
        entry_form(network, pilot_numbers=f"{live.id}, 999998, 999999", lesson_numbers="999997"),
    )
    assert response.status_code == 400
    assert "There are no pilots with numbers 999998, 999999." in response.text
    assert "There is no lesson with number 999997." in response.text
    assert f'value="{live.id}, 999998, 999999"' in response.text
    response = post(
        coordinator,
        NEW,
        entry_form(network, pilot_numbers=str(archived.id), lesson_numbers=str(archived_lesson.id)),
    )
    assert response.status_code == 400
    assert f"Pilot {archived.id} was archived and can no longer be linked." in response.text
    assert f"Lesson {archived_lesson.id} was archived and can no longer be linked." in response.text

    # An entry linked from a pilot or lesson archived later keeps them when edited.
    item = factories.library_item(session, network.gdca, pilots=[archived], lessons=[archived_lesson])
    session.commit()
    response = post(
        coordinator,
        f"/en/coordinator/library/{item.id}",
        entry_form(
            network,
            kind="document",
            held_on="",
            speakers="",
            pilot_numbers=f"{archived.id}, {live.id}",
            lesson_numbers=f"{archived_lesson.id}, {lesson.id}",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_coordinator_may_not_touch_another_programmes_entry(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    item = factories.library_item(session, network.procirc, title_en="ProCirc entry")
    own = factories.library_item(session, network.gdca)
    session.commit()
    path = f"/en/coordinator/library/{item.id}"
    assert coordinator.get(path).status_code == 403
    assert (
        post(coordinator, path, entry_form(network, programme_id=str(network.procirc.id))).status_code == 403
    )
    assert post(coordinator, f"{path}/archive", {}).status_code == 403
    # Nor move one of its own entries into the other programme, or create one there.
    moved = post(
        coordinator,
        f"/en/coordinator/library/{own.id}",
        entry_form(network, programme_id=str(network.procirc.id)),
    )
    assert moved.status_code == 400
    assert (
        post(coordinator, NEW, entry_form(network, programme_id=str(network.procirc.id))).status_code == 400
    )
    session.expire_all()
    assert session.get(LibraryItem, item.id).title_en == "ProCirc entry"  # type: ignore[union-attr]
    assert session.get(LibraryItem, own.id).programme_id == network.gdca.id  # type: ignore[union-attr]
    assert "ProCirc entry" not in coordinator.get("/en/coordinator/library").text
    assert coordinator.get("/en/coordinator/library/999999").status_code == 404


def test_an_entry_kept_elsewhere_is_read_only(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    mirrored = factories.library_item(
        session, network.gdca, title_en="Mirrored", home_hub="https://hub.example", mirrored=True
    )
    session.commit()
    path = f"/en/coordinator/library/{mirrored.id}"
    page = coordinator.get(path)
    assert page.status_code == 200
    notice = "This record is kept by https://hub.example and edited there."
    assert notice in page.text and '<fieldset class="plain" disabled>' in page.text
    assert "Archive this entry" not in page.text
    response = post(coordinator, path, entry_form(network, title_en="Changed"))
    assert response.status_code == 409 and notice in response.text
    assert post(coordinator, f"{path}/archive", {}).status_code == 409
    session.expire_all()
    stored = session.get(LibraryItem, mirrored.id)
    assert stored is not None and stored.title_en == "Mirrored" and stored.withdrawn_at is None


def test_a_form_without_csrf_token_is_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = count(session)
    assert coordinator.post(NEW, data=entry_form(network)).status_code == 403
    assert count(session) == before


def test_archiving_an_entry(coordinator: TestClient, network: Network, session: Session) -> None:
    item = factories.library_item(session, network.gdca, title_en="Soon archived entry")
    session.commit()
    assert "Soon archived entry" in coordinator.get("/en/coordinator/library").text
    path = f"/en/coordinator/library/{item.id}/archive"
    response = post(coordinator, path, {}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/en/coordinator/library"
    page = coordinator.get("/en/coordinator/library")
    assert "The library entry was archived" in page.text and "Soon archived entry" not in page.text
    assert "Soon archived entry" in coordinator.get("/en/coordinator/library?archived=1").text
    assert coordinator.get(f"/en/library/{item.id}").status_code == 200  # links elsewhere still lead here
    assert "Soon archived entry" not in coordinator.get("/en/library").text
    session.refresh(item)
    assert item.withdrawn_at is not None
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "archive", AuditEntry.entity == "library_items")
    )
    assert entry is not None and entry.entity_id == item.id and entry.before == {"withdrawn_at": None}
    assert post(coordinator, path, {}, follow_redirects=False).status_code == 303  # twice: no harm


def test_the_list_filters_searches_and_pages(
    client: TestClient, coordinator: TestClient, network: Network, session: Session
) -> None:
    empty = coordinator.get("/en/coordinator/library")
    assert "The library is empty." in empty.text
    assert 'href="/en/coordinator/library/new"' in empty.text
    factories.library_item(session, network.gdca, title_en="Reuse webinar", kind=LibraryKind.WEBINAR)
    factories.library_item(session, network.gdca, title_en="Asphalt guide", title_nl="Gids asfalt")
    factories.library_item(session, network.procirc, title_en="Partner entry")
    session.commit()
    page = coordinator.get("/en/coordinator/library").text
    assert "Reuse webinar" in page and "Asphalt guide" in page and "Partner entry" not in page
    assert "2 entries" in page
    searched = coordinator.get("/en/coordinator/library?q=ASFALT").text
    assert "Asphalt guide" in searched and "Reuse webinar" not in searched
    webinars = coordinator.get("/en/coordinator/library?kind=webinar").text
    assert "Reuse webinar" in webinars and "Asphalt guide" not in webinars
    nothing = coordinator.get(f"/en/coordinator/library?q=zzz&programme={network.gdca.id}").text
    assert "No library entry matches these filters." in nothing
    assert coordinator.get(f"/en/coordinator/library?programme={network.procirc.id}").status_code == 400
    assert coordinator.get("/en/coordinator/library?kind=nonsense").status_code == 400

    for n in range(PAGE_SIZE):
        factories.library_item(session, network.gdca, title_en=f"Bulk {n}")
    session.commit()
    first = coordinator.get("/en/coordinator/library").text
    assert f"{PAGE_SIZE + 2} entries" in first and "?page=2" in first
    assert coordinator.get("/en/coordinator/library?page=2").status_code == 200
    assert coordinator.get("/en/coordinator/library?page=3").status_code == 404

    client.cookies.clear()
    log_in(client, network.admin)
    assert "Partner entry" in client.get(f"/en/coordinator/library?programme={network.procirc.id}").text


def test_the_form_and_list_speak_dutch(coordinator: TestClient, network: Network) -> None:
    page = coordinator.get("/nl/coordinator/library/new")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "Titel" in page.text  # a label from the existing catalog
    assert coordinator.get("/nl/coordinator/library").status_code == 200
