"""Private responses are never stored (issue 19, item 8): every response to a logged-in request,
every page behind a login, every page reached by a personal token carries ``Cache-Control:
no-store``; public pages asked anonymously and static files stay cacheable."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.app import routes
from hub.newsletters import tokens
from hub.newsletters.models import Subscription, SubscriptionStatus
from tests.accounts.conftest import csrf_of
from tests.coordinators import Network
from tests.factories import PASSWORD
from tests.route_table import Entry, entries

PRIVATE_MOUNTS = ("/coordinator", "/participant")


def behind_login() -> list[Entry]:
    found = [entry for entry in entries(routes()) if set(entry.mounts) & set(PRIVATE_MOUNTS)]
    assert len(found) > 100  # the walk found the workspace
    return found


def stored(response: httpx.Response) -> bool:
    """Whether a cache may keep the response."""
    return "no-store" not in response.headers.get("cache-control", "")


def not_private(client: TestClient, every: list[Entry], **values: str) -> list[tuple[str, str, int]]:
    """The requests, one per route, whose response a cache may keep."""
    answers = [
        (entry, client.request(entry.method, entry.fill(**values), follow_redirects=False)) for entry in every
    ]
    assert all(response.status_code < 500 for _entry, response in answers)
    return [(entry.method, entry.fill(**values), r.status_code) for entry, r in answers if stored(r)]


def test_every_page_behind_a_login_is_no_store_logged_in_or_not(client: TestClient, network: Network) -> None:
    every = behind_login()
    assert not_private(client, every) == []  # the login redirects
    response = client.post(
        "/en/login",
        data={"email": network.admin, "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and not stored(response)  # the login itself
    assert not_private(client, every) == []  # the pages, their 404s, their refused posts
    assert not stored(client.get("/en/coordinator/dashboard/pilots.csv"))


def test_every_page_reached_by_a_token_is_no_store(
    client: TestClient, session: Session, settings: Any
) -> None:
    subscription = Subscription(email="an@example.be", language="en", status=SubscriptionStatus.PENDING)
    session.add(subscription)
    session.commit()
    manage = tokens.manage_token(settings, subscription)
    confirm = tokens.confirm_token(settings, subscription, language="en", interests=frozenset())
    for path in (f"/en/newsletter/confirm/{confirm}", f"/en/newsletter/preferences/{manage}"):
        page = client.get(path)
        assert page.status_code == 200 and not stored(page), path
    by_token = [entry for entry in entries(routes()) if "token" in entry.convertors]
    names = {entry.route.name for entry in by_token}
    assert {"newsletter_confirm", "newsletter_preferences", "login_link_page", "invitation"} <= names
    gets = [entry for entry in by_token if entry.method == "GET"]
    assert not_private(client, gets, token=manage) == []
    assert not_private(client, gets, token="not-a-token") == []
    assert not_private(client, [entry for entry in by_token if entry.method != "GET"], token="x") == []


def test_a_logged_in_request_is_no_store_and_static_files_are_not(
    client: TestClient, network: Network
) -> None:
    public = ["/en/", "/en/pilots", "/en/newsletter", "/en/pilots/99"]
    # A page with a form makes its visitor a session (a CSRF token): theirs alone (hub.freshness).
    assert [path for path in public if not stored(client.get(path))] == ["/en/newsletter"]
    anonymous_api = client.get("/api/v1/pilots")
    client.post(
        "/en/login", data={"email": network.coordinator, "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert [path for path in public if stored(client.get(path))] == []
    # The API reads no cookie (hub.stateless): a logged-in browser gets what everyone gets.
    api = client.get("/api/v1/pilots")
    assert (api.content, api.headers["cache-control"]) == (
        anonymous_api.content,
        anonymous_api.headers["cache-control"],
    )
    assert "set-cookie" not in api.headers
    assert stored(client.get("/static/hub.css"))
    logout = client.post("/en/logout", data={"csrf_token": csrf_of(client, "/en/")}, follow_redirects=False)
    assert logout.status_code == 303
    assert stored(client.get("/en/pilots"))
