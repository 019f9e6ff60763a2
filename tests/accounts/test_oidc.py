"""Login with OpenID Connect against a real provider: panva's oidc-provider (npm) on 127.0.0.1.

The hub runs as a real ``hub serve`` process; an httpx2 client plays the browser, filling in the
provider's development login form (any login and password) and its consent form. The provider is
installed by ``make test`` (``npm ci --prefix tests/oidc_provider``). Without Node or the package
these tests skip, unless ``HUB_TEST_REQUIRE_OIDC`` is set (CI), when they fail instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.accounts import services
from hub.accounts.models import AuditEntry, RoleGrant, User
from hub.app import create_app
from hub.db import make_engine, make_sessionmaker
from hub.settings import OidcProvider, Settings
from tests.servers import free_port, hub_environment, serving_hub

PROVIDER_DIR = Path(__file__).parent.parent / "oidc_provider"
CLIENT_ID = "hub-web"
CLIENT_SECRET = "hub-web-test-secret"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("HUB_TEST_REQUIRE_OIDC"):
            pytest.fail(f"{reason} (HUB_TEST_REQUIRE_OIDC is set)")
        pytest.skip(reason)


@dataclass(frozen=True)
class Servers:
    hub: str
    issuer: str
    database: Engine


def start_provider(directory: Path, port: int, hub_port: int) -> subprocess.Popen[bytes]:
    """``node server.mjs`` on ``port``, once its discovery document answers."""
    node = shutil.which("node")
    _require(node is not None, "Node.js is not installed: the OpenID Connect provider cannot run")
    _require(
        (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(),
        "oidc-provider is not installed: run `npm ci --prefix tests/oidc_provider` (make test does)",
    )
    assert node
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PORT": str(port),
        "HUB_URL": f"http://127.0.0.1:{hub_port}",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "PROVIDER_NAME": "test",
    }
    log_path = directory / "provider.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [node, "server.mjs"], cwd=PROVIDER_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID Connect provider exited early:\n{log_path.read_text()}")
        try:
            discovery = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
            if httpx.get(discovery, timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the OpenID Connect provider did not start:\n{log_path.read_text()}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The provider and a hub that knows it, both on free ports, for the whole module."""
    directory = tmp_path_factory.mktemp("oidc")
    hub_port, provider_port = free_port(), free_port()
    provider = start_provider(directory, provider_port, hub_port)
    issuer = f"http://127.0.0.1:{provider_port}"
    try:
        env = hub_environment(
            directory,
            HUB_SECRET_KEY="oidc-test-secret-of-at-least-32-characters",
            HUB_BASE_URL=f"http://127.0.0.1:{hub_port}",
            HUB_OIDC_PROVIDERS=json.dumps(
                [
                    {
                        "name": "test",
                        "title": "Test provider",
                        "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
                        "client_id": CLIENT_ID,
                    }
                ]
            ),
            HUB_OIDC_TEST_CLIENT_SECRET=CLIENT_SECRET,
            # Warnings are errors here too: e.g. authlib warns when it falls back to plain httpx.
            PYTHONWARNINGS="error",
        )
        with serving_hub(directory, "--no-scheduler", env=env, port=hub_port) as base:
            engine = make_engine(env["HUB_DATABASE_URL"])
            yield Servers(hub=base, issuer=issuer, database=engine)
            engine.dispose()
    finally:
        provider.send_signal(signal.SIGTERM)
        try:
            provider.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.kill()
            provider.wait()


class FormParser(HTMLParser):
    """The first form of a page: its action and the names and values of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = attributes.get("action", "")
        elif tag == "input" and self.action is not None and not self.done and "name" in attributes:
            self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.done = True


def submit(client: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    """Submits the page's first form with ``fields`` filled in, following redirects."""
    parser = FormParser()
    parser.feed(page.text)
    assert parser.action is not None, f"no form on {page.url}:\n{page.text[:2000]}"
    return client.post(urljoin(str(page.url), parser.action), data={**parser.fields, **fields})


def log_in_at_provider(servers: Servers, client: httpx.Client, login: str) -> httpx.Response:
    """From the hub's login page through the provider's login and consent forms, back to the hub."""
    page = client.get(f"{servers.hub}/en/login")
    assert 'href="/en/login/oidc/test"' in page.text
    assert "Log in with Test provider" in page.text
    page = client.get(f"{servers.hub}/en/login/oidc/test", params={"next": "/en/coordinator/"})
    assert page.url.host == "127.0.0.1" and str(page.url).startswith(servers.issuer), page.url
    page = submit(client, page, login=login, password="any password")
    if str(page.url).startswith(servers.issuer):  # the consent form (first time only)
        page = submit(client, page)
    return page


def new_client() -> httpx.Client:
    return httpx.Client(follow_redirects=True, timeout=10)


def session_data(client: httpx.Client) -> dict[str, Any]:
    """The hub's session cookie, decoded (it is signed, not encrypted)."""
    cookie = client.cookies.get("hub_session", domain="127.0.0.1")
    assert cookie
    payload = cookie.split(".")[0]
    data: dict[str, Any] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def users_called(servers: Servers, email: str) -> list[User]:
    with make_sessionmaker(servers.database)() as session:
        return list(session.scalars(select(User).where(User.email == email)).all())


def test_first_login_creates_a_person_without_rights(servers: Servers) -> None:
    with new_client() as client:
        page = log_in_at_provider(servers, client, "anna")
        assert page.status_code == 200
        assert page.url == httpx.URL(f"{servers.hub}/en/coordinator/")
        assert "anna@example.org" in page.text
        assert "You have no role in a programme yet" in page.text
        session = session_data(client)
    # A login session's random token only: no tokens of the provider, no address, no roles.
    assert set(session) == {"login", "csrf", "login_provider"}
    assert "eyJ" not in json.dumps(session) and "@" not in json.dumps(session)
    (user,) = users_called(servers, "anna@example.org")
    assert (user.oidc_issuer, user.oidc_subject, user.password_hash) == (servers.issuer, "anna", None)
    with make_sessionmaker(servers.database)() as db:
        assert db.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.user_id == user.id)) == 0
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.user_id == user.id)).all()
    assert sorted(actions) == ["create", "login"]


def test_a_second_login_finds_the_same_person(servers: Servers) -> None:
    for _ in range(2):
        with new_client() as client:
            page = log_in_at_provider(servers, client, "bert")
            assert page.url == httpx.URL(f"{servers.hub}/en/coordinator/")
    (user,) = users_called(servers, "bert@example.org")
    with make_sessionmaker(servers.database)() as db:
        logins = db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == user.id, AuditEntry.action == "login")
        )
    assert logins == 2


def test_an_existing_email_address_is_not_linked(servers: Servers) -> None:
    with make_sessionmaker(servers.database)() as db:
        services.create_user(db, email="carla@example.org", name="Carla (local)")
        db.commit()
    with new_client() as client:
        page = log_in_at_provider(servers, client, "carla")
        assert page.status_code == 403
        assert "Another account of this hub already uses the e-mail address carla@example.org" in page.text
        assert client.get(f"{servers.hub}/en/coordinator/").url.path == "/en/login"
    (user,) = users_called(servers, "carla@example.org")
    assert user.oidc_subject is None


def test_a_wrong_state_gives_400_and_no_session(servers: Servers) -> None:
    with httpx.Client(timeout=10) as client:
        redirect = client.get(f"{servers.hub}/en/login/oidc/test")
        assert redirect.status_code == 302
        query = parse_qs(urlsplit(redirect.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        assert query["nonce"] and query["state"]
        assert query["redirect_uri"] == [f"{servers.hub}/auth/callback/test"]
        response = client.get(
            f"{servers.hub}/auth/callback/test", params={"code": "made-up", "state": "wrong"}
        )
        assert response.status_code == 400
        assert "The login could not be completed" in response.text
        assert client.get(f"{servers.hub}/en/coordinator/").status_code == 303


def test_an_error_from_the_provider_gives_400(servers: Servers) -> None:
    with httpx.Client(timeout=10) as client:
        redirect = client.get(f"{servers.hub}/en/login/oidc/test")
        state = parse_qs(urlsplit(redirect.headers["location"]).query)["state"][0]
        response = client.get(
            f"{servers.hub}/auth/callback/test", params={"error": "access_denied", "state": state}
        )
        assert response.status_code == 400
        assert "The login could not be completed" in response.text


@pytest.fixture
def unreachable(tmp_path: Path, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A hub whose provider does not answer (nothing listens on its port)."""
    settings = Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
        oidc_providers=(
            OidcProvider(
                name="down",
                title="Nowhere",
                server_metadata_url=f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration",
                client_id="hub",
                client_secret="s",
            ),
        ),
    )
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as client:
        yield client


def test_the_login_page_offers_the_providers(unreachable: TestClient) -> None:
    page = unreachable.get("/en/login?next=/en/coordinator/pilots")
    assert 'href="/en/login/oidc/down?next=/en/coordinator/pilots"' in page.text
    assert "Log in with Nowhere" in page.text


def test_an_unreachable_provider_gives_a_clear_error(unreachable: TestClient) -> None:
    response = unreachable.get("/en/login/oidc/down")
    assert response.status_code == 502
    assert "The login service cannot be reached" in response.text
    assert unreachable.get("/en/login/oidc/elsewhere").status_code == 404


def test_authlib_uses_httpx2() -> None:
    from authlib.integrations.httpx_client import _compat

    assert _compat.httpx2.__name__ == "httpx2"


def test_unknown_providers_are_404(servers: Servers) -> None:
    assert httpx.get(f"{servers.hub}/en/login/oidc/nope").status_code == 404
    assert httpx.get(f"{servers.hub}/auth/callback/nope?code=x&state=y").status_code == 404


def test_logout_ends_the_session_at_the_provider_too(servers: Servers) -> None:
    with new_client() as client:
        page = log_in_at_provider(servers, client, "dirk")
        assert servers.issuer in page.headers["content-security-policy"]  # form-action
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        response = client.post(
            f"{servers.hub}/en/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False
        )
        assert response.status_code == 303
        end_session = httpx.URL(response.headers["location"])
        assert str(end_session).startswith(f"{servers.issuer}/session/end")
        assert end_session.params["client_id"] == CLIENT_ID
        assert end_session.params["post_logout_redirect_uri"] == f"{servers.hub}/"
        assert "id_token_hint" not in end_session.params
        assert client.get(f"{servers.hub}/en/coordinator/", follow_redirects=False).status_code == 303
        confirm = client.get(end_session)
        back = submit(client, confirm, logout="yes")
        assert back.status_code == 200
        assert back.url == httpx.URL(f"{servers.hub}/en/")
        # Logged out at the provider too: logging in asks for the login form again.
        page = client.get(f"{servers.hub}/en/login/oidc/test")
        assert 'name="password"' in page.text


def test_an_invitation_is_accepted_after_logging_in_through_the_provider(servers: Servers) -> None:
    """A participant who prefers their organisation's login: sign in at the provider from the
    invitation page, come back to it, accept; the role goes to that account."""
    from hub.organisations.models import Role
    from hub.participants import invitations
    from tests import factories

    with make_sessionmaker(servers.database)() as session:
        programme = factories.programme(session, "gdca-oidc", short_name="GDCA")
        organisation = factories.organisation(session, "Stad Leuven")
        factories.participation(session, programme, organisation, Role.PROCURER)
        _invitation, token = invitations.invite(
            session,
            programme_id=programme.id,
            organisation_id=organisation.id,
            email="dirk@leuven.example",
            name="Dirk",
            language="en",
            invited_by_id=None,
        )
        session.commit()
    invitation_page = f"/en/invitations/{token}"
    with new_client() as client:
        page = client.get(f"{servers.hub}{invitation_page}")
        assert page.status_code == 200 and "Log in with Test provider" in page.text
        page = client.get(f"{servers.hub}/en/login/oidc/test", params={"next": invitation_page})
        page = submit(client, page, login="dirk", password="any password")
        if str(page.url).startswith(servers.issuer):
            page = submit(client, page)
        assert page.url == httpx.URL(f"{servers.hub}{invitation_page}")
        assert "You are signed in as dirk@example.org" in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        accepted = client.post(f"{servers.hub}{invitation_page}", data={"csrf_token": csrf.group(1)})
        assert accepted.url == httpx.URL(f"{servers.hub}/en/participant/")
        assert "Stad Leuven" in accepted.text
        assert session_data(client)["login_provider"] == "test"  # logging out still ends it there
    [dirk] = users_called(servers, "dirk@example.org")
    with make_sessionmaker(servers.database)() as session:
        grants = session.scalars(select(RoleGrant).where(RoleGrant.user_id == dirk.id)).all()
        assert [(g.role.value, g.organisation_id) for g in grants] == [("participant", organisation.id)]
    assert users_called(servers, "dirk@leuven.example") == []
