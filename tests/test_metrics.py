"""Prometheus metrics of a web process: requests by route template, GET /metrics (with and without
a token), and the gauges read from the database (both backends)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app, routes
from hub.db import make_sessionmaker, utcnow
from hub.metrics.http import RouteTemplates
from hub.newsletters.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.settings import Settings
from hub.sync.models import RunStatus, RunTrigger, SyncRun
from tests import factories

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """The app asked from this machine: without a token, only such a client may scrape."""
    app = create_app(settings, sessions=sessions)
    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


def scrape(client: TestClient, **headers: str) -> dict[str, list[Sample]]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def value(samples: list[Sample], name: str, **labels: str) -> float | None:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(found) <= 1
    return found[0] if found else None


def test_a_request_is_counted_and_timed_by_its_route_template(client: TestClient, session: Session) -> None:
    programme = factories.programme(session, "gdca")
    pilot = factories.pilot(session, programme)
    session.commit()
    assert client.get(f"/en/pilots/{pilot.id}").status_code == 200
    assert client.get(f"/nl/pilots/{pilot.id}").status_code == 200
    assert client.get("/en/no-such-page").status_code == 404
    assert client.get("/nowhere").status_code == 404
    metrics = scrape(client)
    requests = metrics["hub_http_requests"]
    template = "/{lang}/pilots/{pilot_id}"
    assert value(requests, "hub_http_requests_total", method="GET", route=template, status="200") == 2
    assert value(requests, "hub_http_requests_total", method="GET", route="unmatched", status="404") == 2
    assert not [s for s in requests if "/en/" in s.labels.get("route", "")]  # never the raw path
    duration = metrics["hub_http_request_duration_seconds"]
    assert value(duration, "hub_http_request_duration_seconds_count", method="GET", route=template) == 2
    assert value(metrics["hub_http_requests_in_progress"], "hub_http_requests_in_progress", method="GET") == 0
    # The scrape itself is not counted, and the process collectors are there.
    assert not [s for s in requests if s.labels.get("route") == "/metrics"]
    assert scrape(client)["hub_http_requests"] == requests
    assert value(metrics["process_resident_memory_bytes"], "process_resident_memory_bytes")
    assert "python_info" in metrics


def test_odd_methods_and_mounts_keep_the_labels_few(client: TestClient) -> None:
    assert client.request("BREW", "/en/pilots").status_code == 405
    assert client.get("/en/coordinator/pilots/12", follow_redirects=False).status_code == 303  # to login
    assert client.get("/static/hub.css").status_code == 200
    requests = scrape(client)["hub_http_requests"]
    assert (
        value(requests, "hub_http_requests_total", method="other", route="/{lang}/pilots", status="405") == 1
    )
    assert (
        value(
            requests,
            "hub_http_requests_total",
            method="GET",
            route="/{lang}/coordinator/{path}",
            status="303",
        )
        == 1
    )
    assert value(requests, "hub_http_requests_total", method="GET", route="/static/{path}", status="200") == 1


def test_every_route_has_a_template() -> None:
    templates = RouteTemplates(routes())
    assert "/{lang}/pilots/{pilot_id}" in templates._templates.values()
    assert "/feeds/{lang}/pilots.atom" in templates._templates.values()
    assert not [t for t in templates._templates.values() if ":" in t]


@pytest.fixture
def guarded(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=settings.data_dir,
        metrics_token="s3cret-token",
    )
    with TestClient(create_app(settings, sessions=sessions)) as client:
        yield client


def test_the_token_is_required_when_set(guarded: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0LXRva2Vu"}):
        refused = guarded.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "hub_" not in refused.text
    assert "hub_http_requests" in scrape(guarded, Authorization="Bearer s3cret-token")


def test_metrics_pass_the_host_check_and_take_no_session(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """Prometheus scrapes a process by its own address, not by the hub's public host name."""
    settings = Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=settings.data_dir,
        allowed_hosts="hub.example",
    )
    app = create_app(settings, sessions=sessions)
    with TestClient(app, base_url="http://10.1.2.3:8000", client=LOOPBACK) as client:
        assert client.get("/en/").status_code == 400
        response = client.get("/metrics")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers


def test_database_gauges_reflect_the_rows(client: TestClient, session: Session) -> None:
    programme = factories.programme(session, "gdci")
    news = factories.source(session, programme, "gdci-news")
    factories.source(session, programme, "gdci-export", next_run_at=utcnow() + dt.timedelta(hours=1))
    factories.source(session, programme, "gdci-off", enabled=False)
    finished = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    for status, at in (
        (RunStatus.FAILED, finished + dt.timedelta(hours=2)),
        (RunStatus.SUCCEEDED, finished),
        (RunStatus.SUCCEEDED, finished - dt.timedelta(days=1)),
    ):
        session.add(
            SyncRun(
                source_id=news.id,
                status=status,
                trigger=RunTrigger.SCHEDULE,
                started_at=at - dt.timedelta(minutes=1),
                heartbeat_at=at,
                finished_at=at,
            )
        )
    readers = [Subscription(email=f"r{n}@example.org", status=SubscriptionStatus.CONFIRMED) for n in range(6)]
    session.add_all(readers)
    sending = NewsletterIssue(since=utcnow(), status=IssueStatus.SENDING)
    cancelled = NewsletterIssue(since=utcnow(), status=IssueStatus.CANCELLED)
    session.add_all([sending, cancelled])
    session.flush()
    for reader, (issue, status) in zip(
        readers,
        [
            (sending, DeliveryStatus.SENT),
            (sending, DeliveryStatus.SENT),
            (sending, DeliveryStatus.FAILED),
            (sending, DeliveryStatus.PENDING),
            (sending, DeliveryStatus.PENDING),
            (cancelled, DeliveryStatus.PENDING),
        ],
        strict=True,
    ):
        session.add(Delivery(issue_id=issue.id, subscription_id=reader.id, status=status))
    session.commit()

    metrics = scrape(client)
    runs = metrics["hub_sync_runs"]
    assert value(runs, "hub_sync_runs", source="gdci-news", status="failed") == 1
    assert value(runs, "hub_sync_runs", source="gdci-news", status="succeeded") == 2
    assert value(runs, "hub_sync_runs", source="gdci-news", status="running") == 0
    assert value(runs, "hub_sync_runs", source="gdci-export", status="succeeded") == 0  # never run
    last = metrics["hub_sync_last_success_timestamp_seconds"]
    assert value(last, "hub_sync_last_success_timestamp_seconds", source="gdci-news") == finished.timestamp()
    assert value(last, "hub_sync_last_success_timestamp_seconds", source="gdci-export") is None
    deliveries = metrics["hub_newsletter_deliveries"]
    assert value(deliveries, "hub_newsletter_deliveries", status="sent") == 2
    assert value(deliveries, "hub_newsletter_deliveries", status="failed") == 1
    assert value(deliveries, "hub_newsletter_deliveries", status="pending") == 3
    assert (
        value(metrics["hub_newsletter_queue_depth"], "hub_newsletter_queue_depth") == 2
    )  # not the cancelled
    assert value(metrics["hub_sync_sources_due"], "hub_sync_sources_due") == 1  # not later, not disabled
    assert value(metrics["hub_jobs_due"], "hub_jobs_due") == 0


def test_a_database_error_leaves_its_gauges_out_and_is_logged_once(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database file that cannot exist (its directory is a file): every query fails.
    (tmp_path / "not-a-directory").write_text("")
    engine = create_engine(f"sqlite:///{tmp_path / 'not-a-directory' / 'hub.sqlite3'}")
    try:
        app = create_app(settings, sessions=make_sessionmaker(engine))
        watched = caplog.at_level(logging.WARNING, logger="hub.metrics.database")
        with TestClient(app, client=LOOPBACK) as client, watched:
            first = scrape(client)
            second = scrape(client)
        assert "hub_http_requests" in first and "process_resident_memory_bytes" in second
        assert not [name for name in first if name.startswith(("hub_sync", "hub_newsletter", "hub_jobs"))]
        assert caplog.text.count("metrics: cannot read the database") == 1
    finally:
        engine.dispose()
