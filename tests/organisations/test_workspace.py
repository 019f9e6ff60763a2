"""Workspace organisations, participations, commitments, supporting actions and the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.organisations.models import Commitment, Organisation, Participation, Role, SupportingAction
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post


def organisation_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "name": "Stad Gent",
        "sector": "public",
        "country": "BE",
        "city": "Gent",
        "website": "https://stad.gent",
        "source_language": "nl",
        "description_nl": "",
        "description_en": "",
        "programme_id": str(network.gdca.id),
        "role": "procurer",
        "joined_on": "2017-06-01",
    }
    return {**values, **changes}


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_an_organisation_with_its_participation(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    response = post(
        coordinator, "/en/coordinator/organisations/new", organisation_form(network), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    organisation_id = int(response.headers["location"].rsplit("/", 1)[1])
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None and organisation.name == "Stad Gent"
    participation = session.scalar(
        select(Participation).where(Participation.organisation_id == organisation_id)
    )
    assert participation is not None and participation.programme_id == network.gdca.id
    assert participation.role == Role.PROCURER
    page = coordinator.get(f"/en/coordinator/organisations/{organisation_id}")
    assert page.status_code == 200 and 'value="Stad Gent"' in page.text
    assert "Stad Gent" in coordinator.get("/en/coordinator/organisations?q=gent").text


def test_a_duplicate_organisation_is_refused_with_a_clear_message(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    existing = factories.organisation(session, "Stad Gent", country="BE")
    session.commit()
    before = count(session, Organisation), count(session, Participation)
    response = post(
        coordinator, "/en/coordinator/organisations/new", organisation_form(network, name=" stad gent ")
    )
    assert response.status_code == 400
    assert (
        f"An organisation named “Stad Gent” already exists in this country (number {existing.id})."
        in response.text
    )
    assert 'value=" stad gent "' in response.text
    assert (count(session, Organisation), count(session, Participation)) == before
    # The same name in another country is another organisation.
    response = post(
        coordinator,
        "/en/coordinator/organisations/new",
        organisation_form(network, country="NL"),
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_bad_organisation_input(coordinator: TestClient, network: Network) -> None:
    response = post(
        coordinator,
        "/en/coordinator/organisations/new",
        organisation_form(network, name="x" * 201, website="stad.gent", country="QQ", role=""),
    )
    assert response.status_code == 400
    assert "Use at most 200 characters; this has 201." in response.text
    assert "Enter a web address starting with http:// or https://." in response.text
    assert "Choose one of the options offered." in response.text
    assert "Choose one of the options." in response.text


def test_organisation_editing_follows_its_programmes(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    theirs = factories.organisation(session, "Rijkswaterstaat", country="NL")
    factories.participation(session, network.procirc, theirs, Role.LEAD_PARTNER)
    session.commit()
    # Readable (to add it to one's own programme), not editable.
    page = coordinator.get(f"/en/coordinator/organisations/{theirs.id}")
    assert page.status_code == 200
    assert "Its details are edited by the coordinators" in page.text
    form = organisation_form(network, name="Renamed", country="NL")
    assert post(coordinator, f"/en/coordinator/organisations/{theirs.id}", form).status_code == 403
    assert post(coordinator, f"/en/coordinator/organisations/{theirs.id}/archive", {}).status_code == 403
    # Adding it to GDCA makes it editable by GDCA's coordinator.
    response = post(
        coordinator,
        f"/en/coordinator/organisations/{theirs.id}/participations",
        {"programme_id": str(network.gdca.id), "role": "facilitator", "joined_on": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    response = post(coordinator, f"/en/coordinator/organisations/{theirs.id}", form, follow_redirects=False)
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Organisation, theirs.id).name == "Renamed"  # type: ignore[union-attr]
    # But never ProCirc's participation of it.
    procirc_participation = session.scalar(
        select(Participation).where(Participation.programme_id == network.procirc.id)
    )
    assert procirc_participation is not None
    path = f"/en/coordinator/participations/{procirc_participation.id}/remove"
    assert post(coordinator, path, {}).status_code == 403
    response = post(
        coordinator,
        f"/en/coordinator/organisations/{theirs.id}/participations",
        {"programme_id": str(network.procirc.id), "role": "procurer"},
    )
    assert response.status_code == 403


def test_participations_and_commitments(coordinator: TestClient, network: Network, session: Session) -> None:
    organisation = factories.organisation(session, "OVAM")
    participation = factories.participation(session, network.gdca, organisation, Role.FACILITATOR)
    session.commit()
    add = f"/en/coordinator/organisations/{organisation.id}/participations"
    response = post(coordinator, add, {"programme_id": str(network.gdca.id), "role": "facilitator"})
    assert response.status_code == 400
    assert "This organisation already has this role in this programme." in response.text
    assert count(session, Participation) == 1

    path = f"/en/coordinator/participations/{participation.id}/commitments"
    assert coordinator.get(path).status_code == 200
    response = post(coordinator, path, {"kind": "supporting_actions", "target_count": "0"})
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 1000." in response.text
    response = post(
        coordinator,
        path,
        {
            "kind": "supporting_actions",
            "target_count": "2",
            "signed_on": "2017-06-01",
            "description_nl": "Twee acties",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    commitment = session.scalar(select(Commitment))
    assert commitment is not None and commitment.target_count == 2
    assert 'value="2"' in coordinator.get(f"/en/coordinator/commitments/{commitment.id}").text
    response = post(
        coordinator,
        f"/en/coordinator/commitments/{commitment.id}",
        {
            "kind": "supporting_actions",
            "target_count": "3",
            "signed_on": "2017-06-01",
            "description_nl": "Drie acties",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "commitments", AuditEntry.action == "update")
    )
    assert entry is not None
    assert entry.before == {"target_count": 2, "description_nl": "Twee acties"}
    assert entry.after == {"target_count": 3, "description_nl": "Drie acties"}

    # Removing archives the participation; adding it again restores it.
    remove = f"/en/coordinator/participations/{participation.id}/remove"
    assert post(coordinator, remove, {}, follow_redirects=False).status_code == 303
    session.expire_all()
    assert session.get(Participation, participation.id).withdrawn_at is not None  # type: ignore[union-attr]
    response = post(
        coordinator,
        add,
        {"programme_id": str(network.gdca.id), "role": "facilitator"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Participation, participation.id).withdrawn_at is None  # type: ignore[union-attr]


def test_supporting_actions(coordinator: TestClient, network: Network, session: Session) -> None:
    facilitator = factories.organisation(session, "The Shift")
    factories.participation(session, network.gdca, facilitator, Role.FACILITATOR)
    outsider = factories.organisation(session, "Elsewhere")
    session.commit()
    form = {
        "programme_id": str(network.gdca.id),
        "organisation_id": str(facilitator.id),
        "source_language": "en",
        "title_nl": "",
        "title_en": "Legal helpdesk",
        "summary_nl": "",
        "summary_en": "Answers on procurement law.",
        "starts_on": "2018-01-01",
        "ends_on": "2019-01-01",
    }
    response = post(coordinator, "/en/coordinator/actions/new", {**form, "organisation_id": str(outsider.id)})
    assert response.status_code == 400
    assert "Choose one of the options offered." in response.text
    response = post(coordinator, "/en/coordinator/actions/new", form, follow_redirects=False)
    assert response.status_code == 303
    action = session.scalar(select(SupportingAction))
    assert action is not None and action.title_en == "Legal helpdesk"
    assert "Legal helpdesk" in coordinator.get("/en/coordinator/actions").text
    assert 'value="Legal helpdesk"' in coordinator.get(f"/en/coordinator/actions/{action.id}").text

    other = SupportingAction(
        programme_id=network.procirc.id, organisation_id=outsider.id, title_en="Not yours"
    )
    session.add(other)
    session.commit()
    assert coordinator.get(f"/en/coordinator/actions/{other.id}").status_code == 403
    assert post(coordinator, f"/en/coordinator/actions/{other.id}", form).status_code == 403
    assert "Not yours" not in coordinator.get("/en/coordinator/actions").text
    assert (
        post(
            coordinator, f"/en/coordinator/actions/{action.id}/archive", {}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "Legal helpdesk" not in coordinator.get("/en/coordinator/actions").text


def test_the_audit_log_shows_only_the_own_programmes(
    client: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.procirc, title_nl="ProCirc only")
    session.commit()
    log_in(client, network.admin)
    response = post(client, f"/en/coordinator/pilots/{pilot.id}/archive", {}, follow_redirects=False)
    assert response.status_code == 303
    assert "ProCirc only" in client.get("/en/coordinator/audit").text
    client.cookies.clear()
    log_in(client, network.coordinator)
    page = client.get("/en/coordinator/audit")
    assert page.status_code == 200
    assert "ProCirc only" not in page.text


def test_edit_pages_offer_archiving_and_lists_search_an_overlong_text_by_its_beginning(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    organisation = factories.organisation(session, "Stad Leuven")
    factories.participation(session, network.gdca, organisation)
    session.commit()
    page = coordinator.get(f"/en/coordinator/organisations/{organisation.id}")
    assert f'action="/en/coordinator/organisations/{organisation.id}/archive"' in page.text
    assert "Archive this organisation" in page.text
    for path in ("organisations", "actions"):  # a pasted page of text is no error
        response = coordinator.get(f"/en/coordinator/{path}?q=" + "Leuven " * 100)
        assert response.status_code == 200, path
