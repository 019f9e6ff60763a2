"""Workspace pilots: bilingual editing, validation, programme scope, synced records, archive, queue."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub import i18n
from hub.accounts.models import AuditEntry
from hub.pilots.models import Pilot
from tests import factories
from tests.coordinators import Network, post


def pilot_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "programme_id": str(network.gdca.id),
        "source_language": "nl",
        "title_nl": "Circulaire bureaustoelen",
        "title_en": "Circular office chairs",
        "summary_nl": "Hergebruik van stoelen.",
        "summary_en": "Reusing chairs.",
        "product_group_id": "",
        "country": "BE",
        "phase": "tender",
        "status": "running",
        "starts_on": "2018-03-01",
        "ends_on": "2019-06-30",
        "contract_value": "125000,50",
        "raw_materials_baseline_t": "10",
        "raw_materials_result_t": "7.5",
        "waste_baseline_t": "",
        "waste_result_t": "",
        "co2_baseline_t": "",
        "co2_result_t": "",
    }
    return {**values, **changes}


def test_create_and_edit_a_pilot_in_both_languages(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    goal = factories.strategy(session, "reduce_materials")
    session.commit()
    data = pilot_form(network, strategy_ids=[str(goal.id)])
    response = post(coordinator, "/en/coordinator/pilots/new", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    pilot_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = coordinator.get(f"/en/coordinator/pilots/{pilot_id}")
    assert page.status_code == 200
    assert "The pilot was created." in page.text
    assert 'value="Circulaire bureaustoelen"' in page.text
    assert 'value="Circular office chairs"' in page.text
    assert 'value="125000.50"' in page.text

    response = post(
        coordinator,
        f"/en/coordinator/pilots/{pilot_id}",
        {**data, "title_en": "Circular chairs for offices", "status": "completed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    pilot = session.get(Pilot, pilot_id)
    assert pilot is not None
    assert (pilot.title_nl, pilot.title_en) == ("Circulaire bureaustoelen", "Circular chairs for offices")
    assert [s.code for s in pilot.strategies] == ["reduce_materials"]
    assert str(pilot.contract_value) == "125000.50"

    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "pilots", AuditEntry.entity_id == pilot_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].after is not None and entries[0].after["contract_value"] == "125000.5"
    assert entries[1].before == {"title_en": "Circular office chairs", "status": "running"}
    assert entries[1].after == {"title_en": "Circular chairs for offices", "status": "completed"}
    assert entries[1].programme_id == network.gdca.id

    audit = coordinator.get("/en/coordinator/audit")
    assert audit.status_code == 200
    assert "Circular office chairs" in audit.text and "Circular chairs for offices" in audit.text
    # In the coordinator's words: labels as the forms say them, names for ids, a link to the record.
    text = " ".join(re.sub(r"<[^>]+>", " ", audit.text).split())
    assert "Title (English)" in text and "title_en" not in text
    assert "changed · Pilot" in text and "created · Pilot" in text
    assert f'href="/en/coordinator/pilots/{entries[0].entity_id}"' in audit.text
    assert "Programme — GDCA" in text  # programme_id shown by name (none before: it was created)
    dutch = " ".join(re.sub(r"<[^>]+>", " ", coordinator.get("/nl/coordinator/audit").text).split())
    assert "Titel (Engels)" in dutch and "gewijzigd · Pilot" in dutch and "aangemaakt · Pilot" in dutch
    # Filtered: by kind and record; and downloaded with the same filters.
    only = coordinator.get("/en/coordinator/audit", params={"kind": "sources"})
    assert "No change matches these filters." in only.text
    rows = list(
        csv.reader(
            io.StringIO(
                coordinator.get(
                    "/en/coordinator/audit.csv",
                    params={"kind": "pilots", "record": str(entries[0].entity_id)},
                ).text.lstrip("\ufeff")
            )
        )
    )
    assert rows[0] == ["When", "Who", "What", "Kind", "Record", "Field", "Before", "After"]
    assert ["Title (English)", "Circular office chairs", "Circular chairs for offices"] in [
        r[5:] for r in rows
    ]
    bad = coordinator.get("/en/coordinator/audit", params={"record": "abc"})
    assert bad.status_code == 400


def test_invalid_input_keeps_what_was_typed_and_says_what_is_wrong(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = session.scalar(select(func.count()).select_from(Pilot))
    data = pilot_form(
        network,
        title_nl="",
        title_en="Only English <b>here</b>",
        ends_on="2017-01-01",
        contract_value="-5",
        waste_result_t="3",
        co2_baseline_t="lots",
        summary_en="x" * 20_001,
    )
    response = post(coordinator, "/en/coordinator/pilots/new", data)
    assert response.status_code == 400
    text = response.text
    assert "The form was not saved: 6 fields need your attention." in text
    assert "Enter the title in the source language." in text
    assert "The end date cannot be before the start date." in text
    assert "Enter a number of zero or more." in text
    assert "A result needs a baseline to compare with: enter the baseline too." in text
    assert "Enter a number, e.g. 1250.50." in text
    assert "Use at most 20000 characters; this has 20001." in text
    # What was typed is still there (escaped), and each error is tied to its field.
    assert 'value="Only English &lt;b&gt;here&lt;/b&gt;"' in text
    assert 'value="lots"' in text
    assert 'aria-describedby="f-title_nl-error" aria-invalid="true"' in text
    assert 'href="#f-ends_on"' in text
    assert session.scalar(select(func.count()).select_from(Pilot)) == before


def test_validation_messages_are_in_dutch_on_dutch_pages(coordinator: TestClient, network: Network) -> None:
    response = post(coordinator, "/nl/coordinator/pilots/new", pilot_form(network, ends_on="2017-01-01"))
    assert response.status_code == 400
    assert '<html lang="nl">' in response.text
    assert "Titel" in response.text  # a label from the existing catalog
    message = "The end date cannot be before the start date."
    dutch = i18n.translations("nl").ugettext(message)
    if dutch == message:  # the catalog has not got the workspace's strings yet
        assert message in response.text
    else:
        assert "De einddatum kan niet voor de begindatum liggen." in response.text


def test_a_coordinator_may_not_touch_another_programmes_pilot(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.procirc, title_en="ProCirc pilot")
    session.commit()
    assert coordinator.get(f"/en/coordinator/pilots/{pilot.id}").status_code == 403
    response = post(
        coordinator,
        f"/en/coordinator/pilots/{pilot.id}",
        pilot_form(network, programme_id=str(network.procirc.id)),
    )
    assert response.status_code == 403
    assert post(coordinator, f"/en/coordinator/pilots/{pilot.id}/archive", {}).status_code == 403
    # Nor move one of its own pilots into the other programme.
    own = factories.pilot(session, network.gdca)
    session.commit()
    response = post(
        coordinator,
        f"/en/coordinator/pilots/{own.id}",
        pilot_form(network, programme_id=str(network.procirc.id)),
    )
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Pilot, pilot.id).title_en == "ProCirc pilot"  # type: ignore[union-attr]
    assert session.get(Pilot, own.id).programme_id == network.gdca.id  # type: ignore[union-attr]
    assert "ProCirc pilot" not in coordinator.get("/en/coordinator/pilots").text
    assert coordinator.get("/en/coordinator/pilots/999999").status_code == 404


def test_a_synced_pilot_is_read_only(coordinator: TestClient, network: Network, session: Session) -> None:
    pilot = factories.pilot(session, network.gdca, title_en="Synced", home_hub="hub.vlaanderen-circulair.be")
    session.commit()
    page = coordinator.get(f"/en/coordinator/pilots/{pilot.id}")
    assert page.status_code == 200
    assert "This record is kept by hub.vlaanderen-circulair.be and edited there." in page.text
    assert '<fieldset class="plain" disabled>' in page.text
    response = post(
        coordinator, f"/en/coordinator/pilots/{pilot.id}", pilot_form(network, title_en="Changed")
    )
    assert response.status_code == 409
    assert "This record is kept by hub.vlaanderen-circulair.be and edited there." in response.text
    assert post(coordinator, f"/en/coordinator/pilots/{pilot.id}/archive", {}).status_code == 409
    session.expire_all()
    assert session.get(Pilot, pilot.id).title_en == "Synced"  # type: ignore[union-attr]


def test_archiving_hides_a_pilot_from_the_public_list(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.gdca, title_en="Soon archived pilot")
    session.commit()
    assert "Soon archived pilot" in coordinator.get("/en/pilots").text
    response = post(coordinator, f"/en/coordinator/pilots/{pilot.id}/archive", {}, follow_redirects=False)
    assert response.status_code == 303
    assert "Soon archived pilot" not in coordinator.get("/en/pilots").text
    assert "Soon archived pilot" not in coordinator.get("/en/coordinator/pilots").text
    assert "Soon archived pilot" in coordinator.get("/en/coordinator/pilots?archived=1").text
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "archive"))
    assert entry is not None and entry.entity_id == pilot.id and entry.before == {"withdrawn_at": None}


def test_the_translation_queue_lists_pilots_missing_a_language(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    factories.pilot(session, network.gdca, title_nl="Alleen Nederlands", title_en="", source_language="nl")
    factories.pilot(session, network.gdca, title_nl="Volledig", title_en="Complete")
    factories.pilot(session, network.procirc, title_nl="Ander programma", title_en="")
    session.commit()
    page = coordinator.get("/en/coordinator/translations")
    assert page.status_code == 200
    assert "Alleen Nederlands" in page.text
    assert "Volledig" not in page.text
    assert "Ander programma" not in page.text


def test_search_finds_pilots_of_the_own_programme(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    factories.pilot(session, network.gdca, title_en="Textile reuse", title_nl="Textiel")
    factories.pilot(session, network.gdca, title_en="Road asphalt", title_nl="Asfalt")
    session.commit()
    page = coordinator.get("/en/coordinator/pilots?q=asphalt")
    assert "Road asphalt" in page.text and "Textile reuse" not in page.text
    assert coordinator.get("/en/coordinator/pilots?status=nonsense").status_code == 400


def test_a_form_without_csrf_token_is_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    before = session.scalar(select(func.count()).select_from(Pilot))
    response = coordinator.post("/en/coordinator/pilots/new", data=pilot_form(network))
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(Pilot)) == before


def test_a_pilot_gets_its_organisations_with_their_roles(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    city = factories.organisation(session, "Stad Voorbeeldegem")
    maker = factories.organisation(session, "Meubelmakerij Hergebruik")
    session.commit()
    page = coordinator.get("/en/coordinator/pilots/new").text
    assert '<datalist id="organisation-names">' in page and '<option value="Stad Voorbeeldegem">' in page
    data = pilot_form(
        network,
        party_organisation=["stad voorbeeldegem", "Meubelmakerij  Hergebruik", ""],  # case and spaces aside
        party_role=["procurer", "supplier", "procurer"],
    )
    response = post(coordinator, "/en/coordinator/pilots/new", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    pilot = session.scalar(select(Pilot).where(Pilot.title_en == "Circular office chairs"))
    assert pilot is not None
    assert [(p.organisation_id, p.role.value) for p in pilot.parties] == [
        (city.id, "procurer"),
        (maker.id, "supplier"),
    ]
    public = coordinator.get(f"/en/pilots/{pilot.id}").text
    assert "Stad Voorbeeldegem" in public and "no organisations recorded" not in public.lower()
    edit = coordinator.get(f"/en/coordinator/pilots/{pilot.id}").text
    assert 'value="Stad Voorbeeldegem"' in edit and 'value="Meubelmakerij Hergebruik"' in edit

    # A name the hub does not know is refused, and what was typed stays.
    unknown = pilot_form(network, party_organisation=["Nergensland BV"], party_role=["supplier"])
    refused = post(coordinator, f"/en/coordinator/pilots/{pilot.id}", unknown)
    assert refused.status_code == 400
    assert "There is no organisation “Nergensland BV” in the hub" in refused.text
    assert 'value="Nergensland BV"' in refused.text
    # Emptied, the row takes the organisation off (the other stays).
    kept = pilot_form(
        network, party_organisation=["", "Meubelmakerij Hergebruik"], party_role=["procurer", "supplier"]
    )
    assert (
        post(coordinator, f"/en/coordinator/pilots/{pilot.id}", kept, follow_redirects=False).status_code
        == 303
    )
    session.expire_all()
    assert [(p.organisation_id, p.role.value) for p in pilot.parties] == [(maker.id, "supplier")]


def test_belgium_and_the_netherlands_come_first_among_countries(
    coordinator: TestClient, network: Network
) -> None:
    page = coordinator.get("/en/coordinator/pilots/new").text
    options = re.findall(r'<option value="([A-Z]{2})"', page[page.index('id="f-country"') :])
    assert options[:3] == ["BE", "NL", "DK"]
