"""Server-side login sessions: a cookie names a session row; logout, role changes, deactivation,
time and administrators end or change what that cookie opens on the very next request."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.accounts import services
from hub.accounts import sessions as login_sessions
from hub.accounts.models import LoginSession, RoleName, User
from hub.app import create_app
from hub.db import utcnow
from hub.pilots.models import Pilot
from hub.scheduler import JOBS, Scheduler
from hub.settings import Settings
from tests import factories
from tests.accounts.conftest import csrf_of, log_in
from tests.coordinators import Network, post

COOKIE = "hub_session"


@pytest.fixture
def pilot(session: Session, network: Network) -> Pilot:
    record = factories.pilot(session, network.gdca)
    session.commit()
    return record


@pytest.fixture
def other_client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A second browser, talking to a second app (another process's worth of state: none shared
    but the database)."""
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


def user_named(session: Session, email: str) -> User:
    user = services.find_user(session, email=email)
    assert user is not None
    return user


def opens(client: TestClient, path: str) -> int:
    return client.get(path, follow_redirects=False).status_code


def cookie_data(value: str) -> dict[str, Any]:
    """The session cookie's content (signed, not encrypted)."""
    payload = value.split(".")[0]
    data: dict[str, Any] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def login_rows(session: Session, email: str) -> list[LoginSession]:
    session.expire_all()
    user = user_named(session, email)
    return list(session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all())


def move_clock(session: Session, email: str, **moments: dt.datetime) -> None:
    """Time passes: the person's session rows get older by hand."""
    user = user_named(session, email)
    session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(**moments))
    session.commit()


def test_a_cookie_copied_before_logout_opens_nothing_after(
    coordinator: TestClient, network: Network, pilot: Pilot, session: Session
) -> None:
    page = f"/en/coordinator/pilots/{pilot.id}"
    assert opens(coordinator, page) == 200
    copied = coordinator.cookies[COOKIE]
    response = post(coordinator, "/en/logout", {}, follow_redirects=False)
    assert response.status_code == 303
    assert login_rows(session, network.coordinator) == []
    coordinator.cookies.clear()
    coordinator.cookies.set(COOKIE, copied)
    assert opens(coordinator, page) == 303  # off to the login page


def test_the_cookie_holds_a_token_only(coordinator: TestClient, network: Network, session: Session) -> None:
    data = cookie_data(coordinator.cookies[COOKIE])
    assert set(data) == {"login", "csrf"}
    assert "@" not in json.dumps(data) and "coordinator" not in json.dumps(data)
    (row,) = login_rows(session, network.coordinator)
    assert row.digest == login_sessions.digest_of(data["login"]) != data["login"]  # only the digest is kept


def test_a_revoked_coordinator_cannot_edit_on_the_next_request(
    coordinator: TestClient, network: Network, pilot: Pilot, session: Session
) -> None:
    page = f"/en/coordinator/pilots/{pilot.id}"
    assert opens(coordinator, page) == 200
    user = user_named(session, network.coordinator)
    admin = user_named(session, network.admin)
    (grant,) = [g for g in user.grants if g.role == RoleName.COORDINATOR]
    services.revoke(session, grant_id=grant.id, revoked_by=admin)
    session.commit()
    title = pilot.title_en
    response = post(coordinator, page, {"title_en": "Taken over"}, follow_redirects=False)
    assert response.status_code == 403
    assert opens(coordinator, page) == 403
    session.expire_all()
    assert session.get(Pilot, pilot.id).title_en == title  # type: ignore[union-attr]


def test_a_granted_role_shows_without_logging_in_again(
    client: TestClient, network: Network, pilot: Pilot, session: Session
) -> None:
    factories.user(session, "newcomer@example.org")
    session.commit()
    log_in(client, "newcomer@example.org")
    page = f"/en/coordinator/pilots/{pilot.id}"
    assert opens(client, page) == 403
    services.grant(
        session,
        user=user_named(session, "newcomer@example.org"),
        role=RoleName.COORDINATOR,
        programme_code="gdca",
    )
    session.commit()
    assert opens(client, page) == 200


def test_deactivation_and_a_password_reset_end_the_sessions(
    client: TestClient, other_client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.coordinator)
    log_in(other_client, network.admin)
    services.deactivate(session, user=user_named(session, network.coordinator), by=None)
    services.reset_password(
        session, user=user_named(session, network.admin), password="a Different passphrase 93", by=None
    )
    session.commit()
    assert login_rows(session, network.coordinator) == login_rows(session, network.admin) == []
    assert opens(client, "/en/coordinator/") == 303
    assert opens(other_client, "/en/coordinator/") == 303


def test_an_inactive_persons_session_opens_nothing(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    """Even when the flag is set by hand (not through ``deactivate``)."""
    session.execute(update(User).where(User.email == network.coordinator).values(is_active=False))
    session.commit()
    assert opens(coordinator, "/en/coordinator/") == 303
    assert login_rows(session, network.coordinator) == []


def test_an_idle_session_ends_after_two_hours(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    move_clock(session, network.coordinator, last_seen_at=utcnow() - dt.timedelta(minutes=119))
    assert opens(coordinator, "/en/coordinator/") == 200  # still within the limit: seen again now
    (row,) = login_rows(session, network.coordinator)
    assert utcnow() - row.last_seen_at < dt.timedelta(minutes=1)
    move_clock(session, network.coordinator, last_seen_at=utcnow() - dt.timedelta(hours=2, seconds=1))
    assert opens(coordinator, "/en/coordinator/") == 303
    assert login_rows(session, network.coordinator) == []


def test_a_session_ends_eight_hours_after_login_whatever_happens(
    client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.admin)
    started = utcnow() - dt.timedelta(hours=7, minutes=59)
    move_clock(session, network.admin, created_at=started)
    # A form that leaves a flash notice: a new cookie, but the session's start stays where it was.
    coordinator = user_named(session, network.coordinator)
    response = post(
        client,
        f"/en/coordinator/people/{coordinator.id}/roles",
        {"role": "coordinator", "programme": "procirc"},
        form_page="/en/coordinator/people",
        follow_redirects=False,
    )
    assert response.status_code == 303 and "set-cookie" in response.headers
    assert "Role granted" in client.get("/en/coordinator/people").text
    (row,) = login_rows(session, network.admin)
    assert row.created_at == started
    move_clock(session, network.admin, created_at=utcnow() - dt.timedelta(hours=8))
    assert opens(client, "/en/coordinator/") == 303


def test_log_out_everywhere(
    client: TestClient, other_client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.coordinator)
    log_in(other_client, network.coordinator)
    assert len(login_rows(session, network.coordinator)) == 2
    response = post(client, "/en/logout/everywhere", {}, follow_redirects=False)
    assert response.status_code == 303
    assert login_rows(session, network.coordinator) == []
    assert opens(client, "/en/coordinator/") == 303
    assert opens(other_client, "/en/coordinator/") == 303


def test_an_administrator_ends_another_persons_session(
    client: TestClient, other_client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.admin)
    log_in(other_client, network.coordinator, next="")
    other_client.get("/en/coordinator/", headers={"user-agent": "Firefox on the office PC"})
    (row,) = login_rows(session, network.coordinator)
    people = client.get("/en/coordinator/people").text
    assert "not logged in" not in people.split(network.coordinator)[1].split("</tr>")[0]
    user = user_named(session, network.coordinator)
    end = f"/en/coordinator/people/{user.id}/sessions/{row.id}/end"
    assert end in people
    assert post(other_client, end, {}, follow_redirects=False).status_code == 403  # not an administrator
    response = post(client, end, {}, form_page="/en/coordinator/people", follow_redirects=False)
    assert response.status_code == 303
    assert "Session ended." in client.get("/en/coordinator/people").text
    assert opens(other_client, "/en/coordinator/") == 303
    assert opens(client, "/en/coordinator/") == 200  # the administrator's own session goes on


def test_with_an_https_base_url_the_cookie_is_host_prefixed(
    sessions: sessionmaker[Session], network: Network, tmp_path: Path
) -> None:
    settings = Settings.load(
        environ={}, secret_key="x" * 48, data_dir=tmp_path, base_url="https://testserver"
    )
    app = create_app(settings, sessions=sessions)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        token = csrf_of(client)
        response = client.post(
            "/en/login",
            data={"email": network.coordinator, "password": factories.PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith("__Host-hub_session=")
        attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}
        assert {"secure", "path", "httponly"} <= attributes and "domain" not in attributes
        assert "path=/;" in set_cookie.lower() + ";"
        assert client.get("/en/coordinator/", follow_redirects=False).status_code == 200


def test_the_scheduler_purges_expired_sessions(session: Session, sessions: sessionmaker[Session]) -> None:
    user = factories.user(session)
    now = utcnow()
    for created, seen, token in [
        (now - dt.timedelta(hours=3), now - dt.timedelta(hours=2, minutes=1), "idle"),
        (now - dt.timedelta(hours=8, minutes=1), now - dt.timedelta(minutes=5), "too old"),
        (now - dt.timedelta(hours=7), now - dt.timedelta(minutes=5), "live"),
    ]:
        login_sessions.open_session(session, user_id=user.id, token=token, now=created)
        session.execute(
            update(LoginSession)
            .where(LoginSession.digest == login_sessions.digest_of(token))
            .values(last_seen_at=seen)
        )
    session.commit()
    job = JOBS["accounts.sessions.purge"]
    assert job[1] <= 3600
    assert Scheduler(sessions, jobs={"accounts.sessions.purge": job}).tick() == ["accounts.sessions.purge"]
    session.expire_all()
    remaining = session.scalars(select(LoginSession.digest).where(LoginSession.user_id == user.id)).all()
    assert remaining == [login_sessions.digest_of("live")]
