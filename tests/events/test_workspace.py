"""Events in the workspace: a coordinator plans the events of their own programmes, writes the
outcome once they took place, archives them, sees the registrations per side and cancels one; each
change is in the audit log. Others' programmes are out of reach (403), events kept elsewhere
read-only (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.db import utcnow
from hub.events.models import Event, EventKind, EventRegistration, Side
from tests import factories
from tests.coordinators import Network, post

NEW = "/en/coordinator/events/new"


def event_form(network: Network, **fields: str) -> dict[str, Any]:
    return {
        "programme_id": str(network.gdca.id),
        "kind": "buyer_meets_supplier",
        "source_language": "nl",
        "title_nl": "Buyer meets Supplier textiel",
        "title_en": "",
        "summary_nl": "Aankopers ontmoeten leveranciers.",
        "summary_en": "",
        "outcome_nl": "",
        "outcome_en": "",
        "day": "2099-03-26",
        "starts": "09:30",
        "ends": "16:30",
        "timezone": "Europe/Brussels",
        "location": "De Krook, Gent",
        "capacity_buyers": "80",
        "capacity_suppliers": "20",
        "registration_closes_on": "2099-03-20",
        **fields,
    }


def audit_actions(session: Session, entity: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).all()
    )


def test_a_coordinator_plans_an_event_writes_its_outcome_and_archives_it(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    textiles = factories.product_group(session, "textiles")
    session.commit()
    assert 'href="/en/coordinator/events"' in coordinator.get("/en/coordinator/").text  # in the nav
    listing = coordinator.get("/en/coordinator/events")
    assert listing.status_code == 200 and "Your programmes have no events yet." in listing.text
    assert coordinator.get(NEW).status_code == 200

    created = post(
        coordinator,
        NEW,
        {**event_form(network), "product_group_ids": [str(textiles.id)]},
        follow_redirects=False,
    )
    assert created.status_code == 303
    event = session.scalars(select(Event)).one()
    assert created.headers["location"] == f"/en/coordinator/events/{event.id}"
    # 09:30 in Brussels on 26 March 2099 (still winter time there) is 08:30 UTC.
    assert event.starts_at == dt.datetime(2099, 3, 26, 8, 30, tzinfo=dt.UTC)
    assert event.ends_at == dt.datetime(2099, 3, 26, 15, 30, tzinfo=dt.UTC)
    assert (event.kind, event.capacity_buyers, event.capacity_suppliers) == (
        EventKind.BUYER_MEETS_SUPPLIER,
        80,
        20,
    )
    assert event.registration_closes_at == dt.datetime(2099, 3, 20, 23, 0, tzinfo=dt.UTC)  # end of that day
    assert event.last_registration_day() == dt.date(2099, 3, 20)
    assert [g.code for g in event.product_groups] == ["textiles"]
    assert "The event was created." in coordinator.get(created.headers["location"]).text
    public = coordinator.get(f"/en/events/{event.id}").text
    assert "Buyer meets Supplier textiel" in public and "at the end of 20 Mar 2099" in public

    edit = coordinator.get(f"/en/coordinator/events/{event.id}")
    assert 'value="2099-03-20"' in edit.text and 'value="09:30"' in edit.text and "checked" in edit.text
    too_early = post(
        coordinator,
        f"/en/coordinator/events/{event.id}",
        event_form(network, outcome_nl="Veertig gesprekken."),
        follow_redirects=False,
    )
    assert too_early.status_code == 400
    assert "The outcome is written once the event has taken place." in too_early.text
    assert "Veertig gesprekken." in too_early.text  # what was typed stays

    event.starts_at = dt.datetime(2019, 4, 25, 7, 30, tzinfo=dt.UTC)  # it took place
    session.commit()
    saved = post(
        coordinator,
        f"/en/coordinator/events/{event.id}",
        event_form(network, day="2019-04-25", registration_closes_on="", outcome_nl="Veertig gesprekken."),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.refresh(event)
    assert event.outcome_nl == "Veertig gesprekken." and event.registration_closes_at is None
    assert event.product_groups == []
    assert "Veertig gesprekken." in coordinator.get(f"/en/events/{event.id}").text
    assert "Events held" in coordinator.get("/en/programmes/gdca").text

    archived = post(coordinator, f"/en/coordinator/events/{event.id}/archive", {}, follow_redirects=False)
    session.refresh(event)
    assert archived.status_code == 303 and event.withdrawn_at is not None
    assert coordinator.get(f"/en/events/{event.id}").status_code == 404
    assert "Events held" not in coordinator.get("/en/programmes/gdca").text
    assert "Buyer meets Supplier textiel" in coordinator.get("/en/coordinator/events?archived=1").text
    assert audit_actions(session, "events") == ["create", "update", "archive"]
    update = session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert update.after is not None and update.after["product_groups"] == []
    assert update.before is not None and update.before["product_groups"] == ["textiles"]


def test_a_refused_event_form_keeps_what_was_typed(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    refused = post(
        coordinator,
        NEW,
        event_form(network, title_nl="", day="26-03-2099", capacity_buyers="many", location="Kortrijk Xpo"),
    )
    assert refused.status_code == 400
    assert "Enter the title in the source language." in refused.text
    assert "Enter a date as YYYY-MM-DD" in refused.text and "Enter a whole number" in refused.text
    assert 'value="Kortrijk Xpo"' in refused.text and 'value="many"' in refused.text
    ends_first = post(coordinator, NEW, event_form(network, ends="08:00"))
    assert ends_first.status_code == 400 and "The event must end after it starts." in ends_first.text
    late_close = post(coordinator, NEW, event_form(network, registration_closes_on="2099-04-01"))
    assert late_close.status_code == 400 and "on or before the day of the event" in late_close.text
    assert session.scalars(select(Event)).all() == []


def test_the_registrations_per_side_and_cancelling_one(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    event = factories.event(session, network.gdca, title_en="Matchmaking", capacity_suppliers=1)
    for side, email in ((Side.SUPPLIER, "sara@vezelkring.example"), (Side.BUYER, "an@gent.example")):
        session.add(
            EventRegistration(
                event=event,
                side=side,
                organisation_name=email.split("@")[1],
                contact_name=email.split("@")[0],
                email=email,
                circular_offer="Recycled workwear." if side is Side.SUPPLIER else "",
            )
        )
    session.commit()
    listing = coordinator.get("/en/coordinator/events").text
    assert "Matchmaking" in listing and "1 / 1" in listing
    path = f"/en/coordinator/events/{event.id}/registrations"
    page = coordinator.get(path)
    assert page.status_code == 200
    buyers, suppliers = page.text.split('id="side-buyer"', 1)[1].split('id="side-supplier"', 1)
    assert "an@gent.example" in buyers and "sara@vezelkring.example" in suppliers
    assert "Recycled workwear." in suppliers and "0 places left" in suppliers
    supplier = session.scalars(select(EventRegistration).where(EventRegistration.side == Side.SUPPLIER)).one()

    cancelled = post(coordinator, f"{path}/{supplier.id}/cancel", {}, follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"] == path
    session.refresh(supplier)
    assert supplier.cancelled_at is not None
    page = coordinator.get(path).text
    assert "The registration of sara@vezelkring.example was cancelled." in page and "1 place left" in page
    assert "1 of 1 left" in coordinator.get(f"/en/events/{event.id}").text  # the place is free again
    assert post(coordinator, f"{path}/{supplier.id}/cancel", {}, follow_redirects=False).status_code == 303
    assert audit_actions(session, "event_registrations") == ["cancel"]
    assert post(coordinator, f"{path}/999999/cancel", {}).status_code == 404


def test_a_coordinator_cannot_touch_another_programme_s_events(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    theirs = factories.event(session, network.procirc, title_en="ProCirc day")
    registration = EventRegistration(
        event=theirs, side=Side.BUYER, organisation_name="X", contact_name="X", email="x@example.org"
    )
    session.add(registration)
    session.commit()
    path = f"/en/coordinator/events/{theirs.id}"
    assert coordinator.get(path).status_code == 403
    assert post(coordinator, path, event_form(network)).status_code == 403
    assert post(coordinator, f"{path}/archive", {}).status_code == 403
    assert coordinator.get(f"{path}/registrations").status_code == 403
    assert post(coordinator, f"{path}/registrations/{registration.id}/cancel", {}).status_code == 403
    into_theirs = post(coordinator, NEW, event_form(network, programme_id=str(network.procirc.id)))
    assert into_theirs.status_code == 400 and "Choose one of the options offered." in into_theirs.text
    assert "ProCirc day" not in coordinator.get("/en/coordinator/events").text
    assert theirs.withdrawn_at is None and registration.cancelled_at is None
    assert coordinator.post(NEW, data=event_form(network)).status_code == 403  # no CSRF token


def test_an_event_kept_by_another_hub_is_read_only(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    event = factories.event(
        session, network.gdca, title_en="Mirrored", home_hub="https://hub.example", mirrored=True
    )
    session.commit()
    path = f"/en/coordinator/events/{event.id}"
    page = coordinator.get(path).text
    assert "This record is kept by https://hub.example and edited there." in page and "disabled" in page
    response = post(coordinator, path, event_form(network))
    assert response.status_code == 409 and "This record is kept by https://hub.example" in response.text
    assert post(coordinator, f"{path}/archive", {}).status_code == 409
    assert event.withdrawn_at is None and event.title_en == "Mirrored"
    assert utcnow() > event.created_at
