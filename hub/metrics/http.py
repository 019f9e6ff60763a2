"""The web process's metrics: requests counted and timed by route template, and ``GET /metrics``.

A pure ASGI middleware, outermost in the app's stack, so it times everything the app does and
answers ``/metrics`` itself: before the host check (Prometheus scrapes a process by its own
address, not the public host name), the sessions and the language negotiation, and without
counting the scrape among the requests.

The ``route`` label is the template of the route that answered (``/{lang}/pilots/{pilot_id}``),
never the path asked for, so the number of series stays that of the routes; a request no route
took (a 404) is ``unmatched``, and a method outside the usual ones is ``other``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import anyio.to_thread
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.metrics import FORBIDDEN_TEXT, FORWARDING_HEADERS, Access, access, exposition

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CONVERTOR = re.compile(r"\{(\w+):[^}]*\}")  # "{pilot_id:int}" -> "{pilot_id}"


class RouteTemplates:
    """The full path template of every route of an app, mounts included, by route object."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._templates: dict[int, str] = {}
        self._routers: set[int] = set()  # mounts of routes: matching one alone means no route matched
        self._walk(routes, "")

    def _walk(self, routes: Sequence[BaseRoute], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                path = prefix + _CONVERTOR.sub(r"{\1}", route.path)
                self._templates[id(route)] = path + "/{path}"
                if route.routes:
                    self._routers.add(id(route))
                    self._walk(route.routes, path)
            elif isinstance(route, Route | WebSocketRoute):
                self._templates[id(route)] = prefix + _CONVERTOR.sub(r"{\1}", route.path)

    def label(self, scope: Scope, status: int) -> str:
        """The template of the route that answered (Starlette leaves the innermost in the scope)."""
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        template = self._templates.get(id(route))
        if template is None or (id(route) in self._routers and status == 404):
            return UNMATCHED
        return template


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "hub_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "hub_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, by method and route template.",
            ["method", "route"],
            registry=registry,
        )
        self.in_progress = Gauge(
            "hub_http_requests_in_progress",
            "HTTP requests being answered now, by method.",
            ["method"],
            registry=registry,
        )
        # The labelled children, looked up once each: ``labels()`` costs more than what it finds
        # (its lock and checks were a third of what the whole middleware stack adds to a request).
        self._answered: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._busy: dict[str, Gauge] = {}

    def busy(self, method: str) -> Gauge:
        """The in-progress gauge of ``method``."""
        found = self._busy.get(method)
        if found is None:
            found = self._busy[method] = self.in_progress.labels(method)
        return found

    def answered(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        """The request counter and the duration histogram of one method, route and status."""
        key = (method, route, status)
        found = self._answered.get(key)
        if found is None:
            found = self._answered[key] = (
                self.requests.labels(method, route, str(status)),
                self.duration.labels(method, route),
            )
        return found


class MetricsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        registry: CollectorRegistry,
        routes: Sequence[BaseRoute],
        token: str = "",
    ) -> None:
        self.app = app
        self.registry = registry
        self.metrics = HttpMetrics(registry)
        self.templates = RouteTemplates(routes)
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH:
            await self.serve(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else "other"
        status = 500  # what the server answers if the app fails before it starts a response
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_progress = self.metrics.busy(method)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            in_progress.dec()
            requests, duration = self.metrics.answered(method, self.templates.label(scope, status), status)
            requests.inc()
            duration.observe(time.perf_counter() - started)

    def access(self, scope: Scope, headers: Headers) -> Access:
        client = scope.get("client")
        return access(
            authorization=headers.get("authorization"),
            token=self.token,
            client=client[0] if client else None,
            forwarded=any(name in headers for name in FORWARDING_HEADERS),
        )

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``GET /metrics``: the registry, to a bearer of ``HUB_METRICS_TOKEN`` when one is set, else
        to a client on this machine (see ``hub.metrics``)."""
        headers = Headers(scope=scope)
        response: Response
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse(
                "Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        elif (allowed := self.access(scope, headers)) is Access.UNAUTHORIZED:
            response = PlainTextResponse(
                "Unauthorized", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
            )
        elif allowed is Access.FORBIDDEN:
            response = PlainTextResponse(FORBIDDEN_TEXT, status_code=403)
        else:
            # Collecting reads the database: in the thread pool, like every view that does.
            body, content_type = await anyio.to_thread.run_sync(
                exposition, self.registry, headers.get("accept")
            )
            response = Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})
        await response(scope, receive, send)
