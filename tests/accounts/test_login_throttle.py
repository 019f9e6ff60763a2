"""Login throttling counts failures per (address, client) and per client, so that nobody can lock a
person out (issue 19, item 2). The client is the address the app sees: TestClient's ``client``
here, a trusted proxy's X-Forwarded-For through a real ``hub serve`` below."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts import passwords
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.servers import hub_environment, run_hub, serving_hub

TOO_MANY = "Too many login attempts. Wait a minute and try again."


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with small parameters: these tests verify hundreds of passwords."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("not a real password, only for timing"))


@pytest.fixture
def anna(session: Session) -> str:
    account = factories.user(session, "anna@example.org")
    session.commit()
    return account.email


def log_in_from(client: TestClient, address: str, email: str, password: str) -> int:
    """The status of one login from ``address``, with its own cookies (a new browser)."""
    browser = TestClient(client.app, client=(address, 50000), raise_server_exceptions=False)
    response = browser.post(
        "/en/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(browser)},
        follow_redirects=False,
    )
    if response.status_code == 429:
        assert TOO_MANY in response.text
    return response.status_code


def test_wrong_passwords_from_other_clients_do_not_lock_the_person_out(client: TestClient, anna: str) -> None:
    for n in range(10):
        statuses = [log_in_from(client, f"198.51.100.{n}", anna, "wrong guess") for _ in range(11)]
        assert statuses == [400] * 10 + [429]  # each client is held back at its own limit
    assert log_in_from(client, "203.0.113.7", anna, factories.PASSWORD) == 303


def test_a_client_over_its_limit_is_refused_even_with_the_right_password(
    client: TestClient, anna: str
) -> None:
    assert [log_in_from(client, "198.51.100.1", anna, "wrong guess") for _ in range(10)] == [400] * 10
    assert log_in_from(client, "198.51.100.1", anna, factories.PASSWORD) == 429
    assert log_in_from(client, "198.51.100.2", anna, factories.PASSWORD) == 303


def test_a_client_trying_many_addresses_is_throttled(client: TestClient, anna: str) -> None:
    statuses = [log_in_from(client, "198.51.100.1", f"p{n}@example.org", "wrong guess") for n in range(30)]
    assert statuses == [400] * 30
    assert log_in_from(client, "198.51.100.1", anna, factories.PASSWORD) == 429
    assert log_in_from(client, "198.51.100.2", anna, factories.PASSWORD) == 303


def test_a_success_clears_the_clients_failures_for_that_address(client: TestClient, anna: str) -> None:
    assert [log_in_from(client, "198.51.100.1", anna, "wrong guess") for _ in range(9)] == [400] * 9
    assert log_in_from(client, "198.51.100.1", anna, factories.PASSWORD) == 303
    statuses = [log_in_from(client, "198.51.100.1", anna, "wrong guess") for _ in range(11)]
    assert statuses == [400] * 10 + [429]


def test_successful_logins_are_never_counted(client: TestClient, anna: str) -> None:
    assert [log_in_from(client, "198.51.100.1", anna, factories.PASSWORD) for _ in range(40)] == [303] * 40


def _post_login(http: httpx.Client, forwarded_for: str, email: str, password: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    page = http.get("/en/login", headers=headers)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    data = {"email": email, "password": password, "csrf_token": match.group(1)}
    return http.post(
        "/en/login", data=data, headers={**headers, "Origin": str(http.base_url).rstrip("/")}
    ).status_code


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled(tmp_path: Path) -> None:
    """A real ``hub serve``: the proxy on 127.0.0.1 (uvicorn's default trusted address) forwards
    for two clients; one guesses, the other logs in."""
    env = hub_environment(tmp_path, HUB_SECRET_KEY="a-test-only-key-of-forty-characters-long")
    created = run_hub(
        "users", "create", "anna@example.org", "--password-stdin", env=env, stdin=factories.PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    with serving_hub(tmp_path, env=env) as base:
        with httpx.Client(base_url=base, timeout=30) as guesser:
            statuses = [
                _post_login(guesser, "198.51.100.9", "anna@example.org", "wrong guess") for _ in range(11)
            ]
        assert statuses == [400] * 10 + [429]
        with httpx.Client(base_url=base, timeout=30) as anna:
            assert _post_login(anna, "203.0.113.7", "anna@example.org", factories.PASSWORD) == 303
