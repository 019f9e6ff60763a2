from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.factories import PASSWORD


def csrf_of(client: TestClient, path: str = "/en/login") -> str:
    """The CSRF token from a form on ``path`` (which also starts the session)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "") -> None:
    response = client.post(
        "/en/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(client), "next": next},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
