"""Choosing Sustainable Development Goals in the workspace: a pilot's in its form, a programme's in a
small form of its own; both audited, for the coordinators of that programme only, with a CSRF token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post
from tests.pilots.test_workspace import pilot_form


def audit_of(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


def test_a_pilots_goals_are_chosen_in_its_form_and_audited(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    form_page = coordinator.get("/en/coordinator/pilots/new").text
    assert "<legend>Sustainable Development Goals</legend>" in form_page
    assert 'name="sdgs" value="12" > 12. Responsible consumption and production' in form_page
    assert form_page.count('name="sdgs"') == 17

    created = post(
        coordinator,
        "/en/coordinator/pilots/new",
        pilot_form(network, sdgs=["13", "12"]),
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    pilot_id = int(created.headers["location"].rsplit("/", 1)[1])
    edit_page = coordinator.get(f"/en/coordinator/pilots/{pilot_id}").text
    assert 'name="sdgs" value="12" checked> 12. Responsible' in edit_page
    assert 'name="sdgs" value="9" > 9.' in edit_page

    updated = post(
        coordinator,
        f"/en/coordinator/pilots/{pilot_id}",
        pilot_form(network, sdgs=["9", "12"]),
        follow_redirects=False,
    )
    assert updated.status_code == 303
    session.expire_all()
    pilot = session.get(Pilot, pilot_id)
    assert pilot is not None and pilot.sdgs == [9, 12]
    created_entry, updated_entry = audit_of(session, "pilots", pilot_id)
    assert created_entry.after is not None and created_entry.after["sdgs"] == [12, 13]
    assert (updated_entry.before, updated_entry.after) == ({"sdgs": [12, 13]}, {"sdgs": [9, 12]})

    unchanged = post(coordinator, f"/en/coordinator/pilots/{pilot_id}", pilot_form(network, sdgs=["12", "9"]))
    assert unchanged.status_code == 200
    assert len(audit_of(session, "pilots", pilot_id)) == 2  # nothing changed, nothing logged

    cleared = post(
        coordinator, f"/en/coordinator/pilots/{pilot_id}", pilot_form(network), follow_redirects=False
    )
    assert cleared.status_code == 303
    session.expire_all()
    assert session.get(Pilot, pilot_id).sdgs == []  # type: ignore[union-attr]


def test_a_goal_that_is_not_offered_is_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    response = post(coordinator, "/en/coordinator/pilots/new", pilot_form(network, sdgs=["12", "18"]))
    assert response.status_code == 400 and "Choose one of the options offered." in response.text
    assert session.scalars(select(Pilot)).all() == []


def test_a_coordinator_chooses_the_goals_of_their_programme(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    dashboard = coordinator.get("/en/coordinator/").text
    assert 'href="/en/coordinator/programmes/gdca/sdgs"' in dashboard
    path = "/en/coordinator/programmes/gdca/sdgs"
    page = coordinator.get(path)
    assert page.status_code == 200 and page.text.count('name="sdgs"') == 17

    saved = post(
        coordinator, path, {"sdgs": ["17", "9", "11", "12", "13"]}, form_page=path, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == path
    assert "The Sustainable Development Goals of GDCA were saved." in coordinator.get(path).text
    session.expire_all()
    programme = session.get(Programme, network.gdca.id)
    assert programme is not None and programme.sdgs == [9, 11, 12, 13, 17]
    assert "<li>13. Climate action</li>" in coordinator.get("/en/programmes/gdca").text

    post(coordinator, path, {"sdgs": ["12"]}, form_page=path)
    entries = audit_of(session, "programmes", network.gdca.id)
    assert [e.action for e in entries] == ["update", "update"]
    assert (entries[-1].before, entries[-1].after) == ({"sdgs": [9, 11, 12, 13, 17]}, {"sdgs": [12]})
    assert all(e.programme_id == network.gdca.id for e in entries)

    bad = post(coordinator, path, {"sdgs": ["0"]}, form_page=path)
    assert bad.status_code == 400 and "Choose one of the options offered." in bad.text


def test_another_programmes_goals_are_not_theirs_to_change(
    client: TestClient, network: Network, session: Session
) -> None:
    path = "/en/coordinator/programmes/procirc/sdgs"
    assert client.get(path, follow_redirects=False).status_code == 303  # to the login page
    log_in(client, network.coordinator)
    assert 'href="/en/coordinator/programmes/procirc/sdgs"' not in client.get("/en/coordinator/").text
    assert client.get(path).status_code == 403
    assert post(client, path, {"sdgs": ["12"]}).status_code == 403
    assert client.get("/en/coordinator/programmes/nope/sdgs").status_code == 404
    session.expire_all()
    assert session.get(Programme, network.procirc.id).sdgs == []  # type: ignore[union-attr]
    assert audit_of(session, "programmes", network.procirc.id) == []

    log_in(client, network.admin)
    assert post(client, path, {"sdgs": ["12"]}, follow_redirects=False).status_code == 303


def test_a_programme_kept_by_another_hub_refuses_changes(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    network.gdca.home_hub = "https://hub.example.org"
    network.gdca.mirrored = True
    session.commit()
    path = "/en/coordinator/programmes/gdca/sdgs"
    assert post(coordinator, path, {"sdgs": ["12"]}, form_page=path).status_code == 409


def test_the_forms_without_their_token_are_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    pilot = factories.pilot(session, network.gdca, sdgs=[12])
    session.commit()
    assert coordinator.post("/en/coordinator/programmes/gdca/sdgs", data={"sdgs": ["12"]}).status_code == 403
    data = {**pilot_form(network), "sdgs": ["13"]}
    assert coordinator.post(f"/en/coordinator/pilots/{pilot.id}", data=data).status_code == 403
    session.expire_all()
    assert session.get(Programme, network.gdca.id).sdgs == []  # type: ignore[union-attr]
    assert session.get(Pilot, pilot.id).sdgs == [12]  # type: ignore[union-attr]
