"""Peer clients in the workspace: administrators register (secret shown once), list and revoke them."""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.federation import services
from hub.federation.models import ApiClient
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post

PAGE = "/en/coordinator/clients"


def code(html: str, element_id: str) -> str:
    match = re.search(rf'<code id="{element_id}">([^<]+)</code>', html)
    assert match, f"no {element_id} on the page"
    return match.group(1)


def clients(session: Session) -> list[ApiClient]:
    session.expire_all()
    return list(session.scalars(select(ApiClient).order_by(ApiClient.id)))


def audit_entries(session: Session, action: str) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "api_clients", AuditEntry.action == action)
        )
    )


def test_an_administrator_registers_a_client_and_sees_its_secret_once(
    client: TestClient, session: Session, network: Network
) -> None:
    log_in(client, network.admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No client has been registered yet." in page.text
    assert f'<a href="{PAGE}" aria-current="page">Peer clients</a>' in page.text
    response = post(client, PAGE, {"name": "  ProCirc hub  "}, form_page=PAGE)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "it is shown only this once" in response.text
    client_id, secret = code(response.text, "client-id"), code(response.text, "client-secret")
    assert code(response.text, "token-url") == "http://testserver/api/v1/token"
    assert len(secret) >= 40
    # Only the secret's SHA-256 digest is stored, nowhere the secret itself.
    [stored] = clients(session)
    assert (stored.client_id, stored.name, stored.revoked_at) == (client_id, "ProCirc hub", None)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.name, stored.client_id, stored.secret_hash, stored.scope}
    [entry] = audit_entries(session, "create")
    assert entry.entity_id == stored.id and entry.summary == f"ProCirc hub ({client_id})"
    assert entry.user is not None and entry.user.email == network.admin
    assert secret not in json.dumps([entry.summary, entry.before, entry.after])
    # The secret works, and is not shown again: not on the list, not in a notice.
    assert services.authenticate_client(session, client_id=client_id, secret=secret) is not None
    session.commit()
    listing = client.get(PAGE)
    assert client_id in listing.text and "ProCirc hub" in listing.text
    assert secret not in listing.text
    assert "never used" not in listing.text  # authenticated just now
    assert secret not in client.get("/en/coordinator/audit").text


def test_the_list_shows_every_client_with_its_state(
    client: TestClient, session: Session, network: Network
) -> None:
    active, _secret = services.register_client(session, name="ProCirc hub")
    revoked, _secret = services.register_client(session, name="GDCI hub")
    services.revoke_client(session, client_id=revoked.client_id)
    session.commit()
    log_in(client, network.admin)
    page = client.get(PAGE).text
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", page, re.S)
    assert [name for name, _cells in rows] == ["ProCirc hub", "GDCI hub"]  # active ones first
    (_, active_row), (_, revoked_row) = rows
    assert active.client_id in active_row and "Active" in active_row and "never used" in active_row
    assert f"/clients/{active.client_id}/revoke" in active_row
    assert revoked.client_id in revoked_row and "Revoked" in revoked_row
    assert "/revoke" not in revoked_row


def test_an_administrator_revokes_a_client(client: TestClient, session: Session, network: Network) -> None:
    registered, secret = services.register_client(session, name="ProCirc hub")
    other, _other_secret = services.register_client(session, name="GDCI hub")
    session.commit()
    log_in(client, network.admin)
    page = client.get(PAGE).text
    assert "Revoking ProCirc hub refuses its access tokens at once" in page
    response = post(
        client, f"{PAGE}/{registered.client_id}/revoke", {}, form_page=PAGE, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == PAGE
    assert "ProCirc hub is revoked: its access tokens are refused from now on." in client.get(PAGE).text
    revoked, untouched = clients(session)
    assert (revoked.client_id, untouched.client_id) == (registered.client_id, other.client_id)
    assert revoked.revoked_at is not None and untouched.revoked_at is None
    assert services.authenticate_client(session, client_id=registered.client_id, secret=secret) is None
    assert [e.entity_id for e in audit_entries(session, "revoke")] == [registered.id]
    # Revoking it again changes nothing and logs nothing; an unknown client is a 404.
    again = post(client, f"{PAGE}/{registered.client_id}/revoke", {}, form_page=PAGE, follow_redirects=False)
    assert again.status_code == 303
    assert len(audit_entries(session, "revoke")) == 1
    assert post(client, f"{PAGE}/hub-nosuchclient/revoke", {}, form_page=PAGE).status_code == 404


def test_a_form_error_keeps_what_was_typed(client: TestClient, session: Session, network: Network) -> None:
    log_in(client, network.admin)
    too_long = "Hub " + "x" * 200
    response = post(client, PAGE, {"name": too_long}, form_page=PAGE)
    assert response.status_code == 400
    assert "Use at most 200 characters; this has 204." in response.text
    assert f'value="{too_long}"' in response.text
    response = post(client, "/nl/coordinator/clients", {"name": "   "}, form_page=PAGE)
    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.text
    assert 'value="   "' in response.text
    assert "client-secret" not in response.text
    assert clients(session) == [] and audit_entries(session, "create") == []


def test_a_coordinator_who_is_not_an_administrator_is_refused(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    registered, _secret = services.register_client(session, name="ProCirc hub")
    session.commit()
    assert coordinator.get(PAGE).status_code == 403
    assert "Alleen een beheerder van de hub mag dit doen." in coordinator.get("/nl/coordinator/clients").text
    assert post(coordinator, PAGE, {"name": "Sneaky hub"}).status_code == 403
    assert post(coordinator, f"{PAGE}/{registered.client_id}/revoke", {}).status_code == 403
    assert [(c.name, c.revoked_at) for c in clients(session)] == [("ProCirc hub", None)]
    assert "/coordinator/clients" not in coordinator.get("/en/coordinator/").text


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, network: Network
) -> None:
    registered, _secret = services.register_client(session, name="ProCirc hub")
    session.commit()
    log_in(client, network.admin)
    client.get(PAGE)  # the session has a token, the posts below do not send it
    assert client.post(PAGE, data={"name": "Forged hub"}).status_code == 403
    assert client.post(f"{PAGE}/{registered.client_id}/revoke").status_code == 403
    assert client.post(PAGE, data={"name": "Forged hub", "csrf_token": "wrong"}).status_code == 403
    assert [(c.name, c.revoked_at) for c in clients(session)] == [("ProCirc hub", None)]


def test_the_pages_need_a_login(client: TestClient, network: Network) -> None:
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code in (302, 303, 307) and "/en/login" in response.headers["location"]
