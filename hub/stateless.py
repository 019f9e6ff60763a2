"""Requests that carry no browser state skip the layers that read it.

Health checks, the API (its callers send bearer tokens, not cookies) and static files use neither
the cookie session nor the login it holds, nor are they forms from a page or private pages; yet
those layers cost every request, and a logged-in browser's every stylesheet and script cost a
database lookup of its login. Such paths go past them; everything else goes through all of them,
in the order given, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATELESS_PATHS = ("/healthz", "/readyz", "/api/", "/static/")


class BrowserStateOnly:
    """Wraps ``app`` in ``layers`` (outermost first, as in a middleware list) for every request
    but those under ``stateless``, which reach ``app`` directly."""

    def __init__(
        self, app: ASGIApp, *, layers: Sequence[Middleware], stateless: tuple[str, ...] = STATELESS_PATHS
    ) -> None:
        self.app = app
        self.stateless = stateless
        wrapped = app
        for cls, args, kwargs in reversed(layers):
            wrapped = cls(wrapped, *args, **kwargs)
        self.with_state = wrapped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.stateless):
            await self.app(scope, receive, send)
        else:
            await self.with_state(scope, receive, send)
