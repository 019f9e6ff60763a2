"""Workspace lessons learned: the bilingual form with pilots and documents, programme scope, records
kept elsewhere, archive, the list, and recording a lesson from a meeting's close-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.communities.models import CloseOut
from hub.lessons.models import Lesson, LessonKind
from hub.pagination import PAGE_SIZE
from hub.taxonomy.models import Phase
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post

NEW = "/en/coordinator/lessons/new"


def lesson_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "programme_id": str(network.gdca.id),
        "source_language": "nl",
        "kind": "success_factor",
        "title_nl": "Vroeg marktoverleg loont",
        "title_en": "Early market consultation pays off",
        "body_nl": "Praat met leveranciers voor je het bestek schrijft.",
        "body_en": "Talk to suppliers before you write the specifications.",
        "resources_nl": "Twee dagen",
        "resources_en": "Two days",
        "evidence_nl": "Vijf offertes",
        "evidence_en": "Five bids",
        "transfer_nl": "Elke aankoop",
        "transfer_en": "Any purchase",
        "product_group_id": "",
        "strategy_id": "",
        "phase": "",
        "pilot_numbers": "",
    }
    return {**values, **changes}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Lesson)) or 0


def test_the_workspace_lessons_need_a_login(client: TestClient, network: Network) -> None:
    response = client.get("/en/coordinator/lessons", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/en/login?next=/en/coordinator/")


def test_create_a_lesson_with_every_field_and_edit_it(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    food = factories.product_group(session, "food")
    goal = factories.strategy(session, "reduce_materials")
    own = factories.pilot(session, network.gdca, title_en="Canteen")
    other = factories.pilot(session, network.procirc, title_en="Partner pilot")  # any programme's pilot
    session.commit()
    data = lesson_form(
        network,
        product_group_id=str(food.id),
        strategy_id=str(goal.id),
        phase="market_dialogue",
        pilot_numbers=f"{own.id}, #{other.id} {own.id}",
        attachment_title_1="Template",
        attachment_url_1="https://example.org/template.docx",
        attachment_title_3="Report",
        attachment_url_3="http://example.org/report.pdf",
    )
    response = post(coordinator, NEW, data, follow_redirects=False)
    assert response.status_code == 303, response.text
    lesson_id = int(response.headers["location"].rsplit("/", 1)[1])

    page = coordinator.get(f"/en/coordinator/lessons/{lesson_id}")
    assert page.status_code == 200
    assert "The lesson was created." in page.text
    assert 'value="Early market consultation pays off"' in page.text
    assert f'value="{own.id}, {other.id}"' in page.text
    assert 'value="https://example.org/template.docx"' in page.text
    assert "Partner pilot" in page.text

    lesson = session.get(Lesson, lesson_id)
    assert lesson is not None
    assert (lesson.title_nl, lesson.body_en) == ("Vroeg marktoverleg loont", data["body_en"])
    assert (lesson.resources_nl, lesson.evidence_en, lesson.transfer_nl) == (
        "Twee dagen",
        "Five bids",
        "Elke aankoop",
    )
    assert (lesson.product_group_id, lesson.strategy_id) == (food.id, goal.id)
    assert (lesson.phase, lesson.kind, lesson.source_language) == (
        Phase.MARKET_DIALOGUE,
        LessonKind.SUCCESS_FACTOR,
        "nl",
    )
    assert [p.id for p in lesson.pilots] == sorted([own.id, other.id])
    assert [(a.title, a.url, a.position) for a in lesson.attachments] == [
        ("Template", "https://example.org/template.docx", 0),
        ("Report", "http://example.org/report.pdf", 1),
    ]
    assert lesson.home_hub is None and lesson.withdrawn_at is None

    response = post(
        coordinator,
        f"/en/coordinator/lessons/{lesson_id}",
        {
            **data,
            "title_en": "Consult the market early",
            "pilot_numbers": str(other.id),
            "attachment_title_3": "",
        }
        | {"attachment_url_3": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    lesson = session.get(Lesson, lesson_id)
    assert lesson is not None and lesson.title_en == "Consult the market early"
    assert [p.id for p in lesson.pilots] == [other.id]
    assert [a.title for a in lesson.attachments] == ["Template"]

    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "lessons", AuditEntry.entity_id == lesson_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update", "update"]
    assert entries[0].after is not None and entries[0].after["kind"] == "success_factor"
    assert entries[0].programme_id == network.gdca.id
    assert entries[1].after == {
        "pilots": [own.id, other.id],
        "attachments": [
            "Template <https://example.org/template.docx>",
            "Report <http://example.org/report.pdf>",
        ],
    }
    assert entries[2].before == {"title_en": "Early market consultation pays off"}
    assert entries[3].after == {
        "pilots": [other.id],
        "attachments": ["Template <https://example.org/template.docx>"],
    }
    assert "Consult the market early" in coordinator.get("/en/coordinator/audit").text


def test_saving_without_a_change_writes_no_audit_entry(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.gdca)
    session.commit()
    data = lesson_form(
        network, pilot_numbers=str(pilot.id), attachment_title_1="A", attachment_url_1="https://a.example"
    )
    lesson_id = int(
        post(coordinator, NEW, data, follow_redirects=False).headers["location"].rsplit("/", 1)[1]
    )
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    assert (
        post(coordinator, f"/en/coordinator/lessons/{lesson_id}", data, follow_redirects=False).status_code
        == 303
    )
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_invalid_input_keeps_what_was_typed_and_says_what_is_wrong(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = count(session)
    data = lesson_form(
        network,
        title_nl="",
        title_en="Only English <b>here</b>",
        kind="",
        pilot_numbers="12, twelve",
        attachment_title_1="A title without its address",
        attachment_url_2="https://example.org/untitled.pdf",
        attachment_title_3="Script",
        attachment_url_3="javascript:alert(document.cookie)",
    )
    response = post(coordinator, NEW, data)
    assert response.status_code == 400
    text = response.text
    assert "The form was not saved: 6 fields need your attention." in text
    assert "Enter the title in the source language." in text
    assert "Choose one of the options." in text
    assert "“twelve” is not a pilot number: write the numbers only, e.g. 12, 48." in text
    assert "Enter the web address of this document." in text
    assert "Give this document a title." in text
    assert "Enter a web address starting with http:// or https://." in text
    # What was typed is still there (escaped), each error tied to its field.
    assert 'value="Only English &lt;b&gt;here&lt;/b&gt;"' in text
    assert 'value="12, twelve"' in text
    assert 'value="javascript:alert(document.cookie)"' in text
    assert 'value="A title without its address"' in text
    assert "Talk to suppliers before you write the specifications." in text
    assert 'aria-describedby="f-attachment_url_3-error" aria-invalid="true"' in text
    assert 'href="#f-attachment_url_1"' in text
    assert count(session) == before


def test_a_javascript_link_is_refused(coordinator: TestClient, network: Network, session: Session) -> None:
    before = count(session)
    data = lesson_form(network, attachment_title_1="Click", attachment_url_1="javascript:alert(1)")
    response = post(coordinator, NEW, data)
    assert response.status_code == 400
    assert "Enter a web address starting with http:// or https://." in response.text
    assert count(session) == before


def test_a_pilot_that_does_not_exist_or_was_archived_cannot_be_linked(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    live = factories.pilot(session, network.gdca)
    archived = factories.pilot(session, network.gdca, withdrawn_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    session.commit()
    response = post(coordinator, NEW, lesson_form(network, pilot_numbers=f"{live.id}, 999998, 999999"))
    assert response.status_code == 400
    assert "There are no pilots with numbers 999998, 999999." in response.text
    assert f'value="{live.id}, 999998, 999999"' in response.text
    response = post(coordinator, NEW, lesson_form(network, pilot_numbers=str(archived.id)))
    assert response.status_code == 400
    assert f"Pilot {archived.id} was archived and can no longer be linked." in response.text

    # A lesson that names a pilot archived later keeps it when edited.
    lesson = factories.lesson(session, network.gdca, pilots=[archived])
    session.commit()
    response = post(
        coordinator,
        f"/en/coordinator/lessons/{lesson.id}",
        lesson_form(network, pilot_numbers=f"{archived.id}, {live.id}"),
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_coordinator_may_not_touch_another_programmes_lesson(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    lesson = factories.lesson(session, network.procirc, title_en="ProCirc lesson")
    own = factories.lesson(session, network.gdca)
    session.commit()
    path = f"/en/coordinator/lessons/{lesson.id}"
    assert coordinator.get(path).status_code == 403
    assert (
        post(coordinator, path, lesson_form(network, programme_id=str(network.procirc.id))).status_code == 403
    )
    assert post(coordinator, f"{path}/archive", {}).status_code == 403
    # Nor move one of its own lessons into the other programme, or create one there.
    moved = post(
        coordinator,
        f"/en/coordinator/lessons/{own.id}",
        lesson_form(network, programme_id=str(network.procirc.id)),
    )
    assert moved.status_code == 400
    assert (
        post(coordinator, NEW, lesson_form(network, programme_id=str(network.procirc.id))).status_code == 400
    )
    session.expire_all()
    assert session.get(Lesson, lesson.id).title_en == "ProCirc lesson"  # type: ignore[union-attr]
    assert session.get(Lesson, own.id).programme_id == network.gdca.id  # type: ignore[union-attr]
    assert "ProCirc lesson" not in coordinator.get("/en/coordinator/lessons").text
    assert coordinator.get("/en/coordinator/lessons/999999").status_code == 404


def test_a_lesson_kept_elsewhere_is_read_only(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    mirrored = factories.lesson(
        session, network.gdca, title_en="Mirrored", home_hub="https://hub.example", mirrored=True
    )
    source = factories.source(session, network.gdca, name="GDCA library")
    synced = factories.lesson(
        session, network.gdca, title_en="Synced", home_hub="GDCA library", source_id=source.id
    )
    session.commit()
    for lesson, home in ((mirrored, "https://hub.example"), (synced, "GDCA library")):
        path = f"/en/coordinator/lessons/{lesson.id}"
        page = coordinator.get(path)
        assert page.status_code == 200
        notice = f"This record is kept by {home} and edited there."
        assert notice in page.text and '<fieldset class="plain" disabled>' in page.text
        assert "Archive this lesson" not in page.text
        response = post(coordinator, path, lesson_form(network, title_en="Changed"))
        assert response.status_code == 409 and notice in response.text
        assert post(coordinator, f"{path}/archive", {}).status_code == 409
    session.expire_all()
    assert session.get(Lesson, mirrored.id).title_en == "Mirrored"  # type: ignore[union-attr]
    assert session.get(Lesson, synced.id).withdrawn_at is None  # type: ignore[union-attr]


def test_a_form_without_csrf_token_is_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = count(session)
    assert coordinator.post(NEW, data=lesson_form(network)).status_code == 403
    assert count(session) == before


def test_archiving_a_lesson(coordinator: TestClient, network: Network, session: Session) -> None:
    lesson = factories.lesson(session, network.gdca, title_en="Soon archived lesson")
    session.commit()
    assert "Soon archived lesson" in coordinator.get("/en/coordinator/lessons").text
    path = f"/en/coordinator/lessons/{lesson.id}/archive"
    response = post(coordinator, path, {}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/en/coordinator/lessons"
    page = coordinator.get("/en/coordinator/lessons")
    assert "The lesson was archived" in page.text and "Soon archived lesson" not in page.text
    assert "Soon archived lesson" in coordinator.get("/en/coordinator/lessons?archived=1").text
    session.refresh(lesson)
    assert lesson.withdrawn_at is not None
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "archive", AuditEntry.entity == "lessons")
    )
    assert entry is not None and entry.entity_id == lesson.id and entry.before == {"withdrawn_at": None}
    assert post(coordinator, path, {}, follow_redirects=False).status_code == 303  # twice: no harm


def test_the_list_filters_searches_and_pages(
    client: TestClient, coordinator: TestClient, network: Network, session: Session
) -> None:
    empty = coordinator.get("/en/coordinator/lessons")
    assert "No lessons learned have been recorded yet." in empty.text
    assert 'href="/en/coordinator/lessons/new"' in empty.text
    food = factories.product_group(session, "food")
    factories.lesson(session, network.gdca, title_en="Plant-based menus", product_group=food)
    factories.lesson(session, network.gdca, title_en="Asphalt reuse", title_nl="Hergebruik asfalt")
    factories.lesson(session, network.procirc, title_en="Partner lesson")
    session.commit()
    page = coordinator.get("/en/coordinator/lessons").text
    assert "Plant-based menus" in page and "Asphalt reuse" in page and "Partner lesson" not in page
    assert "2 lessons" in page
    searched = coordinator.get("/en/coordinator/lessons?q=ASFALT").text
    assert "Asphalt reuse" in searched and "Plant-based menus" not in searched
    grouped = coordinator.get(f"/en/coordinator/lessons?product_group={food.id}").text
    assert "Plant-based menus" in grouped and "Asphalt reuse" not in grouped
    nothing = coordinator.get(f"/en/coordinator/lessons?q=zzz&programme={network.gdca.id}").text
    assert "No lesson matches these filters." in nothing
    assert coordinator.get(f"/en/coordinator/lessons?programme={network.procirc.id}").status_code == 400
    assert coordinator.get("/en/coordinator/lessons?product_group=nonsense").status_code == 400

    for n in range(PAGE_SIZE):
        factories.lesson(session, network.gdca, title_en=f"Bulk {n}")
    session.commit()
    first = coordinator.get("/en/coordinator/lessons").text
    assert f"{PAGE_SIZE + 2} lessons" in first and "?page=2" in first
    assert coordinator.get("/en/coordinator/lessons?page=2").status_code == 200
    assert coordinator.get("/en/coordinator/lessons?page=3").status_code == 404

    client.cookies.clear()
    log_in(client, network.admin)
    assert "Partner lesson" in client.get(f"/en/coordinator/lessons?programme={network.procirc.id}").text


def test_the_form_and_list_speak_dutch(coordinator: TestClient, network: Network) -> None:
    page = coordinator.get("/nl/coordinator/lessons/new")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "Titel" in page.text  # a label from the existing catalog
    assert coordinator.get("/nl/coordinator/lessons").status_code == 200


def closeout_setup(session: Session, network: Network) -> tuple[Any, Any, Any]:
    food = factories.product_group(session, "food")
    community = factories.community(session, network.gdca, product_group=food, name_en="Food community")
    meeting = factories.meeting(
        session, community, title_en="Spring meeting", starts_at=dt.datetime(2022, 5, 3, 8, 0, tzinfo=dt.UTC)
    )
    return community, meeting, factories.closeout(session, meeting)


def test_record_a_lesson_from_a_meeting_close_out(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    community, meeting, closeout = closeout_setup(session, network)
    earlier = factories.lesson(session, network.gdca, product_group=community.product_group)
    closeout.lessons = [earlier]
    session.commit()
    closeout_path = f"/en/coordinator/communities/{community.id}/meetings/{meeting.id}/closeout"
    assert f'href="/en/coordinator/lessons/new?closeout={closeout.id}"' in coordinator.get(closeout_path).text

    form = coordinator.get(f"{NEW}?closeout={closeout.id}")
    assert form.status_code == 200
    assert "This lesson comes from the meeting “Spring meeting” of Food community" in form.text
    assert f'<input type="hidden" name="closeout" value="{closeout.id}">' in form.text
    assert f'<option value="{network.gdca.id}" selected>' in form.text
    assert f'<option value="{community.product_group_id}" selected>' in form.text

    # The lesson may name another product group: it stays linked when the close-out is saved again.
    data = lesson_form(network, closeout=str(closeout.id), title_nl="Samen aanbesteden", product_group_id="")
    refused = post(coordinator, NEW, {**data, "title_nl": ""})
    assert refused.status_code == 400 and f'name="closeout" value="{closeout.id}"' in refused.text
    response = post(coordinator, NEW, data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == closeout_path
    session.expire_all()
    lesson = session.scalars(select(Lesson).where(Lesson.title_nl == "Samen aanbesteden")).one()
    saved = session.get(CloseOut, closeout.id)
    assert saved is not None and [item.id for item in saved.lessons] == [earlier.id, lesson.id]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "meeting_closeouts").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.after == {"lessons": [earlier.id, lesson.id]}

    page = coordinator.get(closeout_path)
    assert "The lesson was created and added to this meeting" in page.text
    assert f'name="lessons" value="{lesson.id}" checked' in page.text  # offered though not of its group
    kept = post(
        coordinator,
        closeout_path,
        {"source_language": "en", "minutes_en": "We met.", "lessons": [str(earlier.id), str(lesson.id)]},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    session.expire_all()
    assert {item.id for item in session.get(CloseOut, closeout.id).lessons} == {earlier.id, lesson.id}  # type: ignore[union-attr]


def test_a_close_out_that_is_missing_foreign_or_kept_elsewhere(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    community = closeout_setup(session, network)[0]
    partner = factories.community(session, network.procirc)
    partner_closeout = factories.closeout(session, factories.meeting(session, partner))
    mirrored = factories.closeout(
        session, factories.meeting(session, community), home_hub="https://hub.example", mirrored=True
    )
    session.commit()
    before = count(session)
    assert coordinator.get(f"{NEW}?closeout=999999").status_code == 404
    assert coordinator.get(f"{NEW}?closeout=abc").status_code == 400
    assert coordinator.get(f"{NEW}?closeout={partner_closeout.id}").status_code == 403
    assert coordinator.get(f"{NEW}?closeout={mirrored.id}").status_code == 409
    assert post(coordinator, NEW, lesson_form(network, closeout="999999")).status_code == 404
    assert post(coordinator, NEW, lesson_form(network, closeout="1 OR 1=1")).status_code == 400
    assert post(coordinator, NEW, lesson_form(network, closeout=str(partner_closeout.id))).status_code == 403
    assert post(coordinator, NEW, lesson_form(network, closeout=str(mirrored.id))).status_code == 409
    assert count(session) == before
    # Without a close-out yet, the meeting page says how to record lessons from it.
    other = factories.meeting(session, community)
    session.commit()
    path = f"/en/coordinator/communities/{community.id}/meetings/{other.id}/closeout"
    assert "Once the close-out is saved" in coordinator.get(path).text
