"""``Cache-Control: no-store`` on every private response, decided in one place.

A response is private when the request is logged in (its pages show the person, their programmes'
people and registrations), when its route is behind a login (the coordinators' and participants'
mounts: their login redirects too), or when its route holds a personal token in its path
(newsletter preferences and confirmation, sign-in links, invitations, unsubscribing): whoever
shares the browser, or a cache on the way, must not get such a page back. Static files do not
depend on the session and stay cacheable for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.accounts.web import RequireLogin, current_principal

NO_STORE = "no-store"
TOKEN_PARAMETER = "token"  # a route with "{token}" in its path is reached by a personal link


class PrivateRoutes:
    """The routes (and mounts) of a route table whose every response is private, and those that
    never are (static files)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.private: set[int] = set()
        self.shared: set[int] = set()
        self._walk(routes, behind_login=False)

    def _walk(self, routes: Sequence[BaseRoute], *, behind_login: bool) -> None:
        for route in routes:
            if isinstance(route, Mount):
                guarded = behind_login or _wrapped(route.app, RequireLogin)
                if guarded:
                    self.private.add(id(route))  # its login redirect, its 404s
                elif _wrapped(route.app, StaticFiles):
                    self.shared.add(id(route))
                self._walk(route.routes, behind_login=guarded)
            elif isinstance(route, Route) and (behind_login or TOKEN_PARAMETER in route.param_convertors):
                self.private.add(id(route))

    def holds(self, route: BaseRoute) -> bool:
        """Whether every response of ``route`` is private."""
        return id(route) in self.private

    def is_private(self, scope: Scope) -> bool:
        """Whether the response to ``scope`` (routed: Starlette leaves the innermost route in it) is."""
        route = id(scope.get("route"))
        if route in self.private:
            return True
        return route not in self.shared and current_principal(HTTPConnection(scope)) is not None


def _wrapped(app: object, kind: type) -> bool:
    """Whether ``app`` or an app it wraps (a mount's middleware chain) is a ``kind``."""
    for _depth in range(20):
        if isinstance(app, kind):
            return True
        app = getattr(app, "app", None)
    return False


class NoStoreMiddleware:
    """Sets ``Cache-Control: no-store`` (replacing any other) on private responses; decided as the
    response starts, when the route is known and a login or logout of this request is done."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = PrivateRoutes(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and self.routes.is_private(scope):
                MutableHeaders(scope=message)["cache-control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_marked)
