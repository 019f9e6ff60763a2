"""A database too busy to answer in time gives 503 with ``Retry-After``, never 500.

The middleware tells ``hub.db`` what the request does (an unsafe method may write: on SQLite its
transactions take the write lock when they begin and wait a few seconds for it). When the
database still refuses, the answer is a localised page (JSON under /api/) saying to try again.
Nothing the visitor typed is lost: the body of an ordinary form is kept, and the page sends the
same values again with one button (a password is never echoed; then the browser's Back does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import db, i18n
from hub.api import api_error
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.middleware import language_of

RETRY_AFTER_SECONDS = 5
MAX_KEPT_BODY = 2**20  # a larger form (or a file upload) is not kept for sending again
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM = b"application/x-www-form-urlencoded"
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
# PostgreSQL's "try again" states: serialization failure, deadlock, lock not available.
POSTGRES_BUSY = frozenset({"40001", "40P01", "55P03"})

TITLE = N_("The hub is busy")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is busy now (not broken): worth trying again shortly."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return orig.sqlite_errorcode & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return getattr(orig, "sqlstate", None) in POSTGRES_BUSY


class BusyMiddleware:
    """Marks each request for ``hub.db`` and answers a busy database with 503."""

    def __init__(self, app: ASGIApp, *, default_language: str = "nl") -> None:
        self.app = app
        self.default_language = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        writes = scope["method"] not in SAFE_METHODS
        kept: list[bytes] | None = None
        if writes and _content_type(scope) == FORM:
            kept, receive = await _keep_body(receive)
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        token = db.web_request.set("write" if writes else "read")
        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started or not is_busy(exc):
                raise
            response = self._busy(Request(scope), b"".join(kept) if kept is not None else None)
            await response(scope, receive, send)
        finally:
            db.web_request.reset(token)

    def _busy(self, request: Request, body: bytes | None) -> Response:
        language, _from_url = language_of(request.scope, self.default_language)
        token = i18n.current_language.set(language)
        try:
            response = _busy_response(request, body)
        finally:
            i18n.current_language.reset(token)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"  # it may hold what the visitor typed
        return response


def _busy_response(request: Request, body: bytes | None) -> Response:
    message = _("The database is busy with other work and could not answer in time. Try again in a moment.")
    if request.url.path.startswith("/api/"):
        return api_error(503, "busy", message)
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if body is not None else None
    # A password is not written into a page: the visitor sends that form again from the form.
    resend = fields is not None and not any("password" in name for name, _value in fields)
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "busy.html",
        {
            "title": _(TITLE),
            "message": message,
            "writes": request.method not in SAFE_METHODS,
            "fields": fields if resend else None,
            "action": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        },
        status_code=503,
    )
    return response


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value.split(b";")[0].strip().lower())
    return b""


async def _keep_body(receive: Receive) -> tuple[list[bytes] | None, Receive]:
    """Read a form's body up front (up to ``MAX_KEPT_BODY``): the chunks (None when it was too
    large) and a ``receive`` that hands the app the same messages, then the rest of the stream."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > MAX_KEPT_BODY:
            break
    complete = size <= MAX_KEPT_BODY and messages[-1]["type"] == "http.request"
    complete = complete and not messages[-1].get("more_body", False)
    chunks = [m.get("body", b"") for m in messages if m["type"] == "http.request"] if complete else None

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    replaying: Callable[[], Awaitable[Message]] = replay
    return chunks, replaying
