"""CSRF protection for forms: a per-session token in every form, and an Origin check on unsafe methods.

Views that take a form are ``async`` only to read it and check the token; their work (database
included) runs in the thread pool, like every other view (see ``form_view``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import overload
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.i18n import gettext as _

CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FIELD_LENGTH = 20_000

FormHandler = Callable[[Request, FormData], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def checked_form(request: Request, *, max_files: int = 0, max_bytes: int | None = None) -> FormData:
    """The submitted form, after checking its CSRF token against the session's (403 if wrong).

    Forms take no files unless ``max_files`` says how many; ``max_bytes`` caps the whole body
    (413 beyond it), counted as it streams in: Starlette spools uploaded files to disk but sets
    no limit of its own.
    """
    if max_bytes is not None:
        request = _capped(request, max_bytes)
    form = await request.form(max_files=max_files, max_fields=200)
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, str(expected)):
        await form.close()
        raise HTTPException(
            403, _("This form has expired or was not sent from this site. Reload the page and try again.")
        )
    return form


def _too_large(max_bytes: int) -> HTTPException:
    return HTTPException(
        413, _("What you sent is too large: at most %(size)s MB.", size=f"{max_bytes / 2**20:.0f}")
    )


def _capped(request: Request, max_bytes: int) -> Request:
    """The request, reading its body through a counter that stops it past ``max_bytes``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise _too_large(max_bytes)
        return message

    return Request(request.scope, receive)


@overload
def form_view(handler: FormHandler, /) -> Endpoint: ...


@overload
def form_view(*, max_files: int = 0, max_bytes: int | None = None) -> Callable[[FormHandler], Endpoint]: ...


def form_view(
    handler: FormHandler | None = None, /, *, max_files: int = 0, max_bytes: int | None = None
) -> Endpoint | Callable[[FormHandler], Endpoint]:
    """An endpoint that checks the CSRF token, then runs ``handler(request, form)`` in the thread pool.

    ``@form_view`` takes forms without files; ``@form_view(max_files=1, max_bytes=...)`` lets a
    form upload files (closed, and their temporary copies removed, once the handler is done).
    """

    def decorate(handler: FormHandler) -> Endpoint:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            form = await checked_form(request, max_files=max_files, max_bytes=max_bytes)
            try:
                return await run_in_threadpool(handler, request, form)
            finally:
                await form.close()

        return endpoint

    return decorate if handler is None else decorate(handler)


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
