"""A coordinator adds a translation and a product group to a synced pilot; the next sync keeps them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.base import Item
from hub.pilots.models import Pilot
from hub.sync.ingest import Ingest
from hub.sync.models import RunTrigger, Source
from hub.sync.services import start_run
from tests import factories
from tests.coordinators import Network, post


def sync(session: Session, source: Source, title_nl: str, title_en: str = "") -> None:
    fields = {"title_nl": title_nl, "country": "be", "status": "running", "phase": "tender"}
    if title_en:
        fields["title_en"] = title_en
    run = start_run(session, source=source, trigger=RunTrigger.COMMAND, owner="test")
    Ingest(session, source=source, run=run, target="pilot").consume(
        [Item("p1", fields, "https://example.org/p1")]
    )
    session.commit()


def test_additions_to_a_synced_pilot_survive_the_next_sync(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    group = factories.product_group(session, "textiles")
    source: Source = factories.source(session, network.gdca, "gdca-export", kind="tabular")
    session.commit()
    sync(session, source, "Circulaire werkkledij")
    pilot = session.scalars(select(Pilot).where(Pilot.source_id == source.id)).one()

    page = coordinator.get(f"/en/coordinator/pilots/{pilot.id}")
    assert "Add here" in page.text and page.text.count('id="f-title_en"') == 1

    # The main form refuses changes to a synced pilot ...
    refused = post(coordinator, f"/en/coordinator/pilots/{pilot.id}", {"title_nl": "X"})
    assert refused.status_code == 409
    # ... the additions form takes a translation and a product group.
    response = post(
        coordinator,
        f"/en/coordinator/pilots/{pilot.id}/local",
        {
            "title_nl": "Circulaire werkkledij",
            "title_en": "Circular workwear",
            "summary_nl": "",
            "summary_en": "",
            "product_group_id": str(group.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    session.expire_all()
    pilot = session.get_one(Pilot, pilot.id)
    assert pilot.title_en == "Circular workwear" and pilot.product_group_id == group.id
    assert pilot.local_fields == ["product_group_id", "title_en"]

    sync(session, source, "Circulaire werkkleding", title_en="Workwear (machine translation)")
    session.expire_all()
    pilot = session.get_one(Pilot, pilot.id)
    assert pilot.title_nl == "Circulaire werkkleding"  # the source's own language follows the source
    assert pilot.title_en == "Circular workwear"
    assert pilot.product_group_id == group.id


def test_a_coordinator_of_another_programme_cannot_add_to_a_synced_pilot(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    source: Source = factories.source(session, network.procirc, "procirc-export", kind="tabular")
    session.commit()
    sync(session, source, "Andermans pilot")
    pilot = session.scalars(select(Pilot).where(Pilot.source_id == source.id)).one()
    response = post(coordinator, f"/en/coordinator/pilots/{pilot.id}/local", {"title_en": "Mine now"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get_one(Pilot, pilot.id).title_en == ""
