"""Layers that some requests have no use for, and go past.

Health checks, the API (its callers send bearer tokens, not cookies) and static files use neither
the cookie session nor the login it holds, nor are they forms from a page or private pages; yet
those layers cost every request, and a logged-in browser's every stylesheet and script cost a
database lookup of its login. Health checks answer machines: in no language, and with none of the
headers that protect a page in a browser (a probe reads "ok" and renders nothing). Such paths go
past the layers they do not use; every other request goes through all of them, in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATELESS_PATHS = ("/healthz", "/readyz", "/api/", "/static/")  # no browser state
MACHINE_PATHS = ("/healthz", "/readyz")  # answers for machines: no language, no page headers


class Bypass:
    """Wraps ``app`` in ``layers`` (outermost first, as in a middleware list) for every request
    but those under ``paths``, which reach ``app`` directly."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], layers: Sequence[Middleware]) -> None:
        self.app = app
        self.paths = paths
        wrapped = app
        for cls, args, kwargs in reversed(layers):
            wrapped = cls(wrapped, *args, **kwargs)
        self.layered = wrapped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
        else:
            await self.layered(scope, receive, send)
