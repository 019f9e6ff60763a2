"""Public pages that cache: an ETag from the content version, 304 without a render, Cache-Control
public for anonymous visitors only, and a validator that changes with a record and only then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub import freshness
from hub.db import utcnow
from hub.newsletters.models import Subscription
from hub.pilots import views as pilot_views
from hub.pilots.models import Pilot
from tests import factories
from tests.accounts.conftest import log_in


@pytest.fixture
def pilot(session: Session) -> Pilot:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    record = factories.pilot(session, gdca, title_en="Reused chairs", title_nl="Hergebruikte stoelen")
    session.commit()
    return record


def tag_of(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == freshness.PUBLIC
    return response.headers["etag"]


def test_a_public_page_answers_304_to_its_own_validator(client: TestClient, pilot: Pilot) -> None:
    path = f"/en/pilots/{pilot.id}"
    tag = tag_of(client, path)
    again = client.get(path, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == freshness.PUBLIC
    assert client.get(path, headers={"if-none-match": '"another"'}).status_code == 200
    # Lists and downloads too; a feed keeps its own validator (of its body), and may be cached.
    for other in ("/en/pilots", "/nl/pilots.csv", "/en/pilots.xlsx", "/en/"):
        assert tag_of(client, other) == tag
    assert tag_of(client, "/feeds/en/pilots.atom") not in (tag, tag_of(client, "/feeds/nl/pilots.atom"))


def test_a_304_renders_nothing(client: TestClient, pilot: Pilot, monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"/en/pilots/{pilot.id}"
    tag = tag_of(client, path)
    renders: list[Any] = []
    real = pilot_views.render

    def counting(*args: Any, **kwargs: Any) -> Any:
        renders.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pilot_views, "render", counting)
    assert client.get(path, headers={"if-none-match": tag}).status_code == 304
    assert renders == []
    assert client.get(path).status_code == 200 and len(renders) == 1


def test_a_changed_record_changes_the_validator_and_nothing_else_does(
    client: TestClient, session: Session, pilot: Pilot
) -> None:
    path = f"/en/pilots/{pilot.id}"
    first = tag_of(client, path)
    assert tag_of(client, path) == first  # nothing changed: the same validator
    # Bookkeeping changes no public page: a subscriber, a sync run's heartbeat.
    session.add(Subscription(email="reader@example.org", language="nl"))
    session.commit()
    assert tag_of(client, path) == first

    pilot.title_en = "Reused office chairs"
    session.commit()
    second = tag_of(client, path)
    assert second != first
    assert client.get(path, headers={"if-none-match": first}).status_code == 200
    assert "Reused office chairs" in client.get(path).text
    # A write past the ORM (the sync's bulk path) says so.
    session.execute(update(Pilot).where(Pilot.id == pilot.id).values(title_en="Chairs"))
    freshness.changed(session)
    session.commit()
    assert tag_of(client, path) != second


def test_the_validator_follows_the_hour(pilot: Pilot, monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime(2026, 12, 7, 10, 59, tzinfo=dt.UTC)
    monkeypatch.setattr(freshness, "utcnow", lambda: now)
    before = freshness.etag(5, "r")
    now = now + dt.timedelta(minutes=2)
    assert freshness.etag(5, "r") != before  # "upcoming" and "past" move with time
    assert freshness.etag(5, "r") != freshness.etag(6, "r") != freshness.etag(6, "s")


def test_a_page_that_makes_a_session_is_never_shared(client: TestClient, session: Session) -> None:
    """A page with a form gives this visitor a CSRF token in a session: no-store, no validator."""
    response = client.get("/en/newsletter")
    assert response.status_code == 200 and "hub_session=" in response.headers["set-cookie"]
    assert response.headers["cache-control"] == "no-store" and "etag" not in response.headers


def test_a_visitor_with_a_session_gets_no_shared_copy(
    client: TestClient, session: Session, pilot: Pilot
) -> None:
    path = f"/en/pilots/{pilot.id}"
    tag = tag_of(client, path)
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "gina@example.org")
    response = client.get(path, headers={"if-none-match": tag})
    assert response.status_code == 200  # a page for this person, rendered for them
    assert response.headers["cache-control"] == "no-store" and "etag" not in response.headers


def test_private_pages_and_the_api_are_left_alone(client: TestClient, pilot: Pilot) -> None:
    assert client.get("/api/v1/pilots").headers.get("cache-control") != freshness.PUBLIC  # its own ETag
    assert "etag" not in client.get("/healthz").headers
    login = client.get("/en/coordinator/", follow_redirects=False)
    assert login.status_code in (302, 303, 307) and login.headers["cache-control"] == "no-store"


def test_a_runs_bookkeeping_is_not_a_change_but_its_outcome_is(session: Session, pilot: Pilot) -> None:
    """A sync run's heartbeat and counters change every batch; only its end shows on a page."""
    from hub.sync.models import RunStatus, RunTrigger, SyncRun

    source = factories.source(session, pilot.programme)
    run = SyncRun(source=source, trigger=RunTrigger.SCHEDULE, started_at=utcnow(), heartbeat_at=utcnow())
    session.add(run)
    session.commit()
    before = freshness.version(session)
    run.heartbeat_at, run.added = utcnow(), 500
    source.lease_until = utcnow()
    session.commit()
    assert freshness.version(session) == before
    run.status, run.finished_at = RunStatus.SUCCEEDED, utcnow()
    session.commit()
    assert freshness.version(session) == before + 1
