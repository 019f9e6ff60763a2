"""Fixtures and helpers for the coordinators' screens of every domain: a network of two programmes with a
coordinator and an administrator, a logged-in client, and a form post with its CSRF token."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.programmes.models import Programme
from tests import factories
from tests.accounts.conftest import csrf_of, log_in


@dataclasses.dataclass
class Network:
    gdca: Programme
    procirc: Programme
    coordinator: str  # of GDCA
    admin: str


@pytest.fixture
def network(session: Session) -> Network:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    coordinator = factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    admin = factories.user(session, "ada@example.org", admin=True)
    session.commit()
    return Network(gdca, procirc, coordinator.email, admin.email)


@pytest.fixture
def coordinator(client: TestClient, network: Network) -> TestClient:
    """The client, logged in as the coordinator of GDCA."""
    log_in(client, network.coordinator)
    return client


def post(client: TestClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """A form post with the CSRF token of the form page (or the dashboard)."""
    form_page = kwargs.pop("form_page", "/en/coordinator/")
    return client.post(path, data={**data, "csrf_token": csrf_of(client, form_page)}, **kwargs)
