"""Local accounts: logging in and out, sessions, CSRF, and that the workspace needs a login."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.app import routes
from tests import factories
from tests.accounts.conftest import csrf_of, log_in


@pytest.fixture
def anna(session: Session) -> str:
    factories.programme(session, "gdca")
    account = factories.user(session, "anna@example.org", coordinator_of=["gdca"])
    session.commit()
    return account.email


def workspace_paths() -> list[str]:
    """Every path under /{lang}/coordinator/, read from the route table (with sample ids)."""
    (language_mount,) = [r for r in routes() if isinstance(r, Mount) and r.path == "/{lang:lang}"]
    paths = []
    for route in language_mount.routes:
        if isinstance(route, Mount) and route.path == "/coordinator":
            for inner in route.routes:
                assert isinstance(inner, Route)
                paths.append("/en/coordinator" + re.sub(r"\{[^}]+\}", "1", inner.path))
    return paths


def test_the_route_table_has_workspace_pages() -> None:
    assert "/en/coordinator/" in workspace_paths()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_workspace_url_requires_login(client: TestClient, method: str) -> None:
    for path in workspace_paths():
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/en/login?next={quote(path, safe='/')}", path


def test_login_page_in_both_languages(client: TestClient) -> None:
    assert "Wachtwoord" in client.get("/nl/login").text
    assert "Password" in client.get("/en/login").text


def test_wrong_password_keeps_the_email_and_says_why(client: TestClient, anna: str) -> None:
    response = client.post(
        "/en/login", data={"email": anna, "password": "wrong", "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 400
    assert "Wrong e-mail address or password." in response.text
    assert f'value="{anna}"' in response.text
    assert client.get("/en/coordinator/", follow_redirects=False).status_code == 303


def test_login_opens_the_workspace_and_logout_closes_it(
    client: TestClient, anna: str, session: Session
) -> None:
    anonymous_token = csrf_of(client)
    log_in(client, anna, next="/en/coordinator/")
    cookie = client.cookies.get("hub_session")
    assert cookie
    dashboard = client.get("/en/coordinator/")
    assert dashboard.status_code == 200
    assert "anna@example.org" in dashboard.text
    assert "Green Deal" in dashboard.text or "Programme gdca" in dashboard.text
    # The session was renewed at login: the anonymous CSRF token no longer works.
    assert csrf_of(client, "/en/coordinator/") != anonymous_token
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "login")) == "login"
    response = client.post(
        "/en/logout", data={"csrf_token": csrf_of(client, "/en/coordinator/")}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/en/coordinator/", follow_redirects=False).status_code == 303


def test_session_cookie_flags(client: TestClient, anna: str) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/en/login",
        data={"email": anna, "password": factories.PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie
    assert "samesite=lax" in set_cookie


def test_a_tampered_session_is_logged_out(client: TestClient, anna: str) -> None:
    log_in(client, anna)
    value = client.cookies["hub_session"]
    client.cookies.clear()
    client.cookies.set("hub_session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert client.get("/en/coordinator/", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(client: TestClient, anna: str) -> None:
    client.get("/en/login")
    response = client.post("/en/login", data={"email": anna, "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.text


def test_a_foreign_origin_is_refused(client: TestClient, anna: str) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/en/login",
        data={"email": anna, "password": factories.PASSWORD, "csrf_token": csrf},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_next_cannot_leave_the_site(client: TestClient, anna: str) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/en/login",
        data={"email": anna, "password": factories.PASSWORD, "csrf_token": csrf, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/en/coordinator/"


def test_login_attempts_are_rate_limited(client: TestClient, anna: str) -> None:
    csrf = csrf_of(client)
    statuses = [
        client.post(
            "/en/login", data={"email": "nobody@example.org", "password": "x", "csrf_token": csrf}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_a_user_without_roles_sees_an_explanation(client: TestClient, session: Session) -> None:
    account = factories.user(session, "new@example.org")
    session.commit()
    log_in(client, account.email)
    assert "You have no role in a programme yet" in client.get("/en/coordinator/").text
