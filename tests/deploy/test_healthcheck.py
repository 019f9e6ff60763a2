"""``deploy/healthcheck.py``, the container's health check, against servers on 127.0.0.1.

It must send an allowed Host (the hub answers 400 to others once ``HUB_ALLOWED_HOSTS`` is set),
fail on anything but 2xx, ignore proxy variables, and check the scheduler's port with TCP alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.settings import Settings

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "healthcheck.py"


class Server(ThreadingHTTPServer):
    """Answers like the hub: 400 to a Host it does not know, else the status set for the path."""

    expected_host = "hub.example"
    statuses: dict[str, int]
    hosts: list[str]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        self.server.hosts.append(host)
        status = self.server.statuses.get(self.path, 404) if host == self.server.expected_host else 400
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.hosts = []
    httpd.statuses = {"/healthz": 200, "/readyz": 200}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def check(
    *args: str, allowed_hosts: str | None = "hub.example", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    environ.pop("HUB_ALLOWED_HOSTS", None)
    if allowed_hosts is not None:
        environ["HUB_ALLOWED_HOSTS"] = allowed_hosts
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-B", str(SCRIPT), *args], env=environ, capture_output=True, text=True, timeout=30
    )


def port_of(server: Server) -> str:
    return str(server.server_address[1])


def test_healthy(server: Server) -> None:
    result = check("--port", port_of(server), allowed_hosts="hub.example,www.hub.example")
    assert result.returncode == 0, result.stderr
    assert server.hosts == ["hub.example"]  # the first allowed host, and /healthz by default


def test_readyz_503_is_unhealthy(server: Server) -> None:
    server.statuses["/readyz"] = 503
    result = check("/readyz", "--port", port_of(server))
    assert result.returncode == 1
    assert "/readyz answered 503" in result.stderr


def test_a_host_the_hub_does_not_know_is_unhealthy(server: Server) -> None:
    result = check("--port", port_of(server), allowed_hosts="other.example")
    assert result.returncode == 1
    assert "answered 400" in result.stderr


def test_wildcards_and_no_allowed_hosts(server: Server) -> None:
    server.expected_host = "healthcheck.hub.example"
    assert check("--port", port_of(server), allowed_hosts="*.hub.example").returncode == 0
    server.expected_host = "localhost"
    assert check("--port", port_of(server), allowed_hosts=None).returncode == 0
    assert server.hosts == ["healthcheck.hub.example", "localhost"]


def test_proxy_variables_are_ignored(server: Server) -> None:
    result = check(
        "--port", port_of(server), http_proxy="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9"
    )
    assert result.returncode == 0, result.stderr


def test_nothing_listening_is_unhealthy() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = str(s.getsockname()[1])
    assert check("--port", free).returncode == 1
    assert check("--tcp", free).returncode == 1


def test_tcp_check(server: Server) -> None:
    assert check("--tcp", port_of(server)).returncode == 0
    assert server.hosts == []  # a connection only: the scheduler's port may want a token


def test_the_hub_refuses_other_hosts_on_healthz(tmp_path: Path) -> None:
    """Why the script sends an allowed host: the hub's own answer to a bare address."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        secret_key="test",
        allowed_hosts=("hub.example",),
        data_dir=tmp_path,
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/healthz").status_code == 400
        assert client.get("/healthz", headers={"Host": "hub.example"}).status_code == 200
