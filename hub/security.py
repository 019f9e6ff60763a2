"""CSRF protection for forms: a per-session token in every form, and an Origin check on unsafe methods.

Views that take a form are ``async`` only to read it and check the token; their work (database
included) runs in the thread pool, like every other view (see ``form_view``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.i18n import gettext as _

CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FIELD_LENGTH = 20_000

FormHandler = Callable[[Request, FormData], Response]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token against the session's (403 if wrong)."""
    form = await request.form(max_files=0, max_fields=200)
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, str(expected)):
        raise HTTPException(
            403, _("This form has expired or was not sent from this site. Reload the page and try again.")
        )
    return form


def form_view(handler: FormHandler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that checks the CSRF token, then runs ``handler(request, form)`` in the thread pool."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        form = await checked_form(request)
        return await run_in_threadpool(handler, request, form)

    return endpoint


class OriginCheckMiddleware:
    """Refuses unsafe requests whose Origin (or Referer) names another site.

    Browsers send Origin on cross-site form posts; comparing it with our own host stops CSRF even
    where a token check is forgotten. Requests without either header (curl, server-to-server) pass
    to the token check. ``exempt`` paths (bearer-token APIs, one-click unsubscribe) skip this.
    """

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...] = ("/api/",)) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in UNSAFE_METHODS
            and not scope["path"].startswith(self.exempt)
        ):
            headers = Headers(scope=scope)
            source = headers.get("origin") or headers.get("referer")
            if source and (source == "null" or urlsplit(source).netloc != headers.get("host")):
                response = Response("Cross-site request refused", status_code=403, media_type="text/plain")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
