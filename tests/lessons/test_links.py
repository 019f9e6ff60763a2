"""Linking lessons and pilots: suggestions confirmed or turned down with one click, never a
duplicate, never a link to a withdrawn record, and nothing published before a person confirms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts import services as accounts
from hub.accounts.models import AuditEntry, User
from hub.accounts.services import Principal
from hub.db import utcnow
from hub.lessons import links
from hub.lessons.models import LessonKind, LessonPilotLink, LinkKind, SuggestionDismissal
from hub.lessons.suggest import IndexCache, suggest_lessons, suggest_pilots
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post


@pytest.fixture
def furniture(session: Session, network: Network) -> dict[str, Any]:
    """A ProCirc pilot in English about office furniture, a Dutch-only GDCA lesson on reuse of
    office furniture, and an unrelated GDCA lesson on food."""
    group = factories.product_group(session, "office_furnishing")
    food = factories.product_group(session, "food")
    pilot = factories.pilot(
        session,
        network.procirc,
        title_nl="",
        title_en="Reused office furniture for the ministry",
        summary_en="The ministry buys reused office furniture and chairs from a refurbishment partner.",
        source_language="en",
        product_group_id=group.id,
        phase=Phase.TENDER,
    )
    lesson = factories.lesson(
        session,
        network.gdca,
        title_nl="Vraag naar hergebruikt kantoormeubilair",
        title_en="",
        body_nl="Hergebruik van kantoormeubilair en stoelen spaart grondstoffen; laat leveranciers "
        "gereviseerde meubels aanbieden.",
        source_language="nl",
        product_group_id=group.id,
        phase=Phase.TENDER,
        kind=LessonKind.TIP,
    )
    other = factories.lesson(
        session,
        network.gdca,
        title_nl="Seizoensgebonden menu's",
        title_en="Seasonal menus",
        body_en="Seasonal menus cut food waste in catering.",
        product_group_id=food.id,
    )
    session.commit()
    return {"pilot": pilot, "lesson": lesson, "other": other}


def principal_of(session: Session, email: str) -> Principal:
    user = session.scalars(select(User).where(User.email == email)).one()
    return accounts.principal_of(user)


def links_of(session: Session) -> list[LessonPilotLink]:
    return list(session.scalars(select(LessonPilotLink).order_by(LessonPilotLink.id)))


def test_a_dutch_lesson_is_suggested_for_an_english_pilot_and_explained(
    coordinator: TestClient, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    page = coordinator.get(f"/nl/coordinator/pilots/{pilot.id}/lessons")
    assert page.status_code == 200
    suggested = page.text.split('id="suggested-title"')[1]
    assert "Vraag naar hergebruikt kantoormeubilair" in suggested
    assert "Seizoensgebonden" not in suggested  # nothing in common: not suggested at all
    # The explanation names the product group, the phase and the shared subjects in the reader's words.
    why = re.search(r"<strong>Waarom:</strong>([^<]*)</p>", suggested)
    assert why, suggested
    assert "Office furnishing" in why.group(1) or "office_furnishing" in why.group(1)
    assert "hergebruik" in why.group(1) and "kantoormeubilair" in why.group(1)
    # A coordinator reaches this page from the public pilot page.
    public = coordinator.get(f"/en/pilots/{pilot.id}").text
    assert f'href="/en/coordinator/pilots/{pilot.id}/lessons"' in public
    # Only a suggestion: nothing linked, nothing published.
    assert coordinator.get("/api/v1/lesson_pilot_links").json()["data"] == []
    assert lesson.title_nl not in coordinator.get(f"/en/pilots/{pilot.id}").text


def test_one_click_confirms_a_link_that_shows_and_travels(
    coordinator: TestClient, session: Session, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"
    response = post(
        coordinator,
        path,
        {"lesson_id": lesson.id, "kind": "reused_by", "note": "We <b>used</b> its wording."},
        form_page=path,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith(path)
    (link,) = links_of(session)
    assert (link.lesson_id, link.pilot_id, link.kind, link.home_hub) == (
        lesson.id,
        pilot.id,
        LinkKind.REUSED_BY,
        None,
    )
    assert link.made_by and link.made_at is not None and link.made_by_user_id is not None
    assert session.scalar(select(func.count()).where(AuditEntry.entity == "lesson_pilot_links")) == 1
    # The confirmed lesson is no longer suggested; the link is on the page, its note escaped.
    page = coordinator.get(path).text
    assert "We &lt;b&gt;used&lt;/b&gt; its wording." in page
    assert page.split('id="suggested-title"')[1].count("Vraag naar hergebruikt kantoormeubilair") == 0
    # It travels: the publishing API serves it with its author and moment.
    (item,) = coordinator.get("/api/v1/lesson_pilot_links").json()["data"]
    assert (item["lesson"], item["pilot"], item["kind"], item["made_by"]) == (
        lesson.uid,
        pilot.uid,
        "reused_by",
        link.made_by,
    )

    # A second click (or a second tab) finds the first link: no duplicate.
    again = post(coordinator, path, {"lesson_id": lesson.id, "kind": "reused_by"}, form_page=path)
    assert "was made already" in again.text
    assert len(links_of(session)) == 1


def test_two_confirmations_at_once_make_one_link(
    session: Session, network: Network, furniture: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second process does not see the first one's link when it looks, only when it writes:
    the unique index refuses the duplicate and the second finds the first's link."""
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    first, made = links.confirm(
        session,
        principal_of(session, network.coordinator),
        lesson=lesson,
        pilot=pilot,
        kind=LinkKind.APPLIES_TO,
    )
    assert made
    looks = iter([None])  # the second process looked before the first one wrote
    real = links._local_link
    monkeypatch.setattr(links, "_local_link", lambda *a: next(looks, None) or real(*a))
    second, made = links.confirm(
        session, principal_of(session, network.admin), lesson=lesson, pilot=pilot, kind=LinkKind.APPLIES_TO
    )
    assert not made and second.id == first.id
    assert len(links_of(session)) == 1


def test_withdrawn_records_cannot_be_linked(
    coordinator: TestClient, session: Session, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    lesson.withdrawn_at = utcnow()
    session.commit()
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"
    response = post(coordinator, path, {"lesson_id": lesson.id, "kind": "applies_to"}, form_page=path)
    assert response.status_code == 409
    assert "was withdrawn at its home hub" in response.text
    assert links_of(session) == []

    lesson.withdrawn_at = None
    pilot.withdrawn_at = utcnow()
    session.commit()
    response = post(coordinator, path, {"lesson_id": lesson.id, "kind": "applies_to"}, form_page=path)
    assert response.status_code == 409 and "pilot" in response.text
    assert "No suggestions for a withdrawn record." in coordinator.get(path).text


def test_who_may_link(
    client: TestClient, session: Session, network: Network, furniture: dict[str, Any]
) -> None:
    """A GDCA coordinator links GDCA lessons to any pilot; a coordinator of a third programme
    sees only its own lessons suggested and may not link GDCA's to ProCirc's pilot."""
    factories.programme(session, "gdci", short_name="GDCI")
    factories.user(session, "nina@example.org", coordinator_of=["gdci"])
    factories.user(session, "visitor@example.org")
    session.commit()
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"

    log_in(client, "nina@example.org")
    page = client.get(path)
    assert page.status_code == 200 and "No suggestions left" in page.text  # GDCI has no lessons
    response = post(client, path, {"lesson_id": lesson.id, "kind": "applies_to"}, form_page=path)
    assert response.status_code == 403
    assert links_of(session) == []

    client.cookies.clear()
    log_in(client, "visitor@example.org")
    assert client.get(path).status_code == 403


def test_bad_form_values_get_400_and_unknown_records_404(
    coordinator: TestClient, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"
    assert (
        post(coordinator, path, {"lesson_id": "x", "kind": "applies_to"}, form_page=path).status_code == 400
    )
    assert (
        post(coordinator, path, {"lesson_id": lesson.id, "kind": "loves"}, form_page=path).status_code == 400
    )
    assert (
        post(coordinator, path, {"lesson_id": 99999, "kind": "applies_to"}, form_page=path).status_code == 404
    )
    assert coordinator.get("/en/coordinator/pilots/99999/lessons").status_code == 404
    no_token = coordinator.post(path, data={"lesson_id": lesson.id, "kind": "applies_to"})
    assert no_token.status_code == 403


def test_turning_a_suggestion_down_keeps_it_away(
    coordinator: TestClient, session: Session, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"
    for _ in range(2):  # a second click changes nothing
        response = post(coordinator, f"{path}/dismiss", {"lesson_id": lesson.id}, form_page=path)
        assert response.status_code == 200 and "not suggested here again" in response.text
    assert session.scalar(select(func.count()).select_from(SuggestionDismissal)) == 1
    assert lesson.id not in [s.id for s in suggest_lessons(session, pilot_id=pilot.id)]
    assert pilot.id not in [s.id for s in suggest_pilots(session, lesson_id=lesson.id)]
    assert links_of(session) == []


def test_removing_a_link_withdraws_it_and_another_hubs_link_stays(
    coordinator: TestClient, session: Session, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    ours = factories.lesson_link(session, lesson, pilot, kind=LinkKind.APPLIES_TO)
    theirs = factories.lesson_link(
        session, lesson, pilot, kind=LinkKind.APPLIES_TO, home_hub="https://procirc.example", mirrored=True
    )
    session.commit()
    path = f"/en/coordinator/pilots/{pilot.id}/lessons"
    response = post(coordinator, f"/en/coordinator/links/{theirs.id}/remove", {}, form_page=path)
    assert response.status_code == 409 and "https://procirc.example" in response.text
    response = post(coordinator, f"/en/coordinator/links/{ours.id}/remove", {"back": "pilot"}, form_page=path)
    assert response.status_code == 200
    session.refresh(ours)
    session.refresh(theirs)
    assert ours.withdrawn_at is not None and theirs.withdrawn_at is None
    # The API now sends a tombstone for it.
    items = {
        i["id"].rsplit("/", 1)[1]: i for i in coordinator.get("/api/v1/lesson_pilot_links").json()["data"]
    }
    assert items[ours.uid].get("deleted") is True


def test_pilots_are_suggested_for_a_lesson(
    coordinator: TestClient, session: Session, network: Network, furniture: dict[str, Any]
) -> None:
    pilot, lesson = furniture["pilot"], furniture["lesson"]
    factories.pilot(
        session,
        network.procirc,
        title_en="Canteen food waste",
        summary_en="Less food waste.",
        phase=Phase.NEEDS_ASSESSMENT,
    )
    session.commit()
    path = f"/en/coordinator/lessons/{lesson.id}/pilots"
    page = coordinator.get(path)
    assert page.status_code == 200
    suggested = page.text.split('id="suggested-title"')[1]
    assert "Reused office furniture for the ministry" in suggested
    assert "Canteen food waste" not in suggested  # nothing in common
    response = post(coordinator, path, {"pilot_id": pilot.id, "kind": "inspired"}, form_page=path)
    assert response.status_code == 200
    assert [(link.lesson_id, link.pilot_id, link.kind) for link in links_of(session)] == [
        (lesson.id, pilot.id, LinkKind.INSPIRED)
    ]


def test_the_index_cache_rebuilds_only_after_a_change(session: Session, network: Network) -> None:
    programme: Programme = network.gdca
    factories.lesson(session, programme, title_en="Ask for take-back of workwear")
    cache = IndexCache()
    first = cache.lessons(session)
    assert cache.lessons(session) is first
    added = factories.lesson(session, programme, title_en="Repairable chairs")
    second = cache.lessons(session)
    assert second is not first and added.id in second.ids
    added.withdrawn_at = utcnow()
    session.flush()
    assert added.id not in cache.lessons(session).ids
