"""The scheduler's metrics (ticks, and the work it did by kind and outcome) and the small HTTP
server that serves a scheduler process's registry on ``HUB_METRICS_PORT``.

The server is prometheus_client's WSGI app on the standard library's threading WSGI server,
as ``prometheus_client.start_http_server`` builds it, with one addition: the access rule of
``hub.metrics`` (the bearer token of ``HUB_METRICS_TOKEN`` when one is set, else clients on this
machine only; prometheus_client's own server has no way to ask for either).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app

from hub.metrics import FORBIDDEN_TEXT, FORWARDING_HEADERS, Access, access

log = logging.getLogger(__name__)

# kind -> outcomes: every pair is exported from the start (at 0), so rates work from the first scrape.
WORK = {
    "job": ("succeeded", "failed", "released"),
    "sync": ("succeeded", "partial", "failed", "error"),
    "newsletter": ("finished", "unfinished", "failed"),
}


class SchedulerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.ticks = Counter(
            "hub_scheduler_ticks", "Scheduler ticks started (each looks for due work).", registry=registry
        )
        self.work = Counter(
            "hub_scheduler_work",
            "Units of work this scheduler did, by kind (job, sync, newsletter) and outcome: a job "
            "succeeded, failed or was released (claimed as the process stopped, left for another); a "
            "sync run succeeded, partly failed or failed (error: looking for due sources failed); a "
            "newsletter send finished the issue, stopped before (unfinished) or failed.",
            ["kind", "outcome"],
            registry=registry,
        )
        for kind, outcomes in WORK.items():
            for outcome in outcomes:
                self.work.labels(kind, outcome)

    def done(self, kind: str, outcome: str) -> None:
        self.work.labels(kind, outcome).inc()


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _guarded(app: WSGIApp, token: str) -> WSGIApp:
    """``app`` for a bearer of ``token`` when one is set, else for clients on this machine."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        allowed = access(
            authorization=environ.get("HTTP_AUTHORIZATION"),
            token=token,
            client=environ.get("REMOTE_ADDR"),
            forwarded=any(_environ_key(name) in environ for name in FORWARDING_HEADERS),
        )
        text = [("Content-Type", "text/plain; charset=utf-8")]
        if allowed is Access.UNAUTHORIZED:
            start_response("401 Unauthorized", [*text, ("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b"Unauthorized\n"]
        if allowed is Access.FORBIDDEN:
            start_response("403 Forbidden", text)
            return [FORBIDDEN_TEXT.encode()]
        return app(environ, start_response)

    return guarded


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged (every 15 s)."""


class MetricsServer:
    """Serves ``registry`` at http://ADDRESS:PORT/metrics from a daemon thread until ``stop``."""

    def __init__(self, registry: CollectorRegistry, *, address: str, port: int, token: str = "") -> None:
        family = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]

        class Server(ThreadingWSGIServer):
            address_family = family

        app = _guarded(make_wsgi_app(registry), token)
        self._server: WSGIServer = make_server(address, port, app, Server, handler_class=_QuietHandler)
        self.port: int = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()
        log.info("metrics served on port %d", self.port, extra={"port": self.port})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
