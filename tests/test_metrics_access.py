"""Who may read the metrics (issue 19, item 11): with ``HUB_METRICS_TOKEN`` a bearer of it; without,
only a client on this machine: a loopback address and no proxy's forwarding header. For the web
app (in process and a real ``hub serve``) and the scheduler's metrics port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.metrics.scheduler import MetricsServer
from hub.settings import Settings
from tests.servers import free_port, hub_environment, run_hub, serving_hub

LOCAL = ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]
REMOTE = ["203.0.113.5", "10.0.0.1", "192.168.1.20", "::ffff:10.0.0.1", "2001:db8::1", "testclient"]
FORWARDED = [
    {"X-Forwarded-For": "203.0.113.5"},
    {"Forwarded": "for=203.0.113.5"},
    {"X-Real-IP": "203.0.113.5"},
]


def outward_address() -> str:
    """This machine's address on its way out (no packet is sent), or skip when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))
        except OSError:
            pytest.skip("no network interface besides loopback")
        address: str = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no network interface besides loopback")
    return address


def app_from(settings: Settings, sessions: sessionmaker[Session], address: str) -> TestClient:
    return TestClient(create_app(settings, sessions=sessions), client=(address, 40000))


def test_without_a_token_only_this_machine_may_scrape(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    for address in REMOTE:
        with app_from(settings, sessions, address) as client:
            refused = client.get("/metrics")
            assert refused.status_code == 403, address
            assert "hub_" not in refused.text and "HUB_METRICS_TOKEN" in refused.text
    for address in LOCAL:
        with app_from(settings, sessions, address) as client:
            assert client.get("/metrics").status_code == 200, address
            # A proxy on this machine passing a request on: not a scrape from here.
            assert [client.get("/metrics", headers=headers).status_code for headers in FORWARDED] == [403] * 3


def test_with_a_token_the_address_does_not_matter(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    guarded = Settings.load(
        environ={},
        secret_key=settings.secret_key,
        data_dir=settings.data_dir,
        metrics_token="s3cret-token",
    )
    with app_from(guarded, sessions, "203.0.113.5") as client:
        assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert client.get("/metrics").status_code == 401
    with app_from(guarded, sessions, "127.0.0.1") as client:
        assert client.get("/metrics").status_code == 401  # the token, when set, is always wanted


def test_a_served_hub_without_a_token_answers_only_loopback(tmp_path: Path) -> None:
    env = hub_environment(tmp_path)
    assert run_hub("migrate", env=env).returncode == 0
    port = free_port()
    with serving_hub(tmp_path, "--host", "0.0.0.0", "--no-scheduler", env=env, port=port) as base:
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 200
        # uvicorn takes the client's address from a proxy on 127.0.0.1 (--proxy-headers).
        proxied = httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.5"}, timeout=5)
        assert proxied.status_code == 403
        outside = httpx.get(f"http://{outward_address()}:{port}/metrics", timeout=5)
        assert outside.status_code == 403 and "hub_" not in outside.text


@pytest.fixture
def scheduler_port() -> Iterator[int]:
    registry = CollectorRegistry()
    Counter("hub_scheduler_ticks", "Ticks.", registry=registry).inc()
    server = MetricsServer(registry, address="0.0.0.0", port=0)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


def test_the_scheduler_port_without_a_token_answers_only_loopback(scheduler_port: int) -> None:
    local = f"http://127.0.0.1:{scheduler_port}/metrics"
    assert "hub_scheduler_ticks_total" in httpx.get(local, timeout=5).text
    assert httpx.get(local, headers=FORWARDED[0], timeout=5).status_code == 403
    outside = httpx.get(f"http://{outward_address()}:{scheduler_port}/metrics", timeout=5)
    assert outside.status_code == 403 and "hub_" not in outside.text
