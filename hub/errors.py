"""Localised error pages (HTML) and error documents (JSON under /api/) instead of stack traces."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from hub import i18n
from hub.api import api_error
from hub.i18n import gettext as _
from hub.middleware import language_of
from hub.refusals import Refused
from hub.urls import url

log = logging.getLogger(__name__)

TITLES = {
    400: i18n.N_("This request cannot be answered"),
    403: i18n.N_("You may not do this"),
    404: i18n.N_("Page not found"),
    405: i18n.N_("This method is not allowed here"),
    409: i18n.N_("This cannot be changed here"),
    413: i18n.N_("What you sent is too large"),
    500: i18n.N_("Something went wrong on our side"),
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = _error_response(request, exc.status_code, exc.detail if exc.detail else None)
    response.headers.update(exc.headers or {})  # e.g. Allow on a 405 (RFC 9110)
    return response


async def refused(request: Request, exc: Exception) -> Response:
    """A ``Refused`` no page caught: its status and message, as an ``HTTPException`` would be."""
    assert isinstance(exc, Refused)
    return _error_response(request, exc.status, str(exc) or None)


async def client_disconnected(request: Request, exc: Exception) -> Response:
    """A client that closed the connection while its body was being read (Starlette raises
    ``ClientDisconnect`` from ``request.form()`` and ``body()``): nothing went wrong here, and
    nobody is left to answer, so one line at info level, no traceback. The response is never
    sent (uvicorn drops it); it only gives the request a status (400) in the metrics."""
    assert isinstance(exc, ClientDisconnect)
    log.info(
        "client went away before its request was read: %s %s",
        request.method,
        request.url.path,
        extra={"method": request.method, "path": request.url.path},
    )
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    # The 500 handler runs outside the language middleware, so find the language again.
    language, _from_url = language_of(request.scope, request.app.state.settings.default_language)
    token = i18n.current_language.set(language)
    try:
        return _error_response(request, 500, None)
    finally:
        i18n.current_language.reset(token)


def _error_response(request: Request, status_code: int, detail: str | None) -> Response:
    # Starlette fills an empty detail with the English reason phrase; ours are translated.
    if detail is not None and detail == _default_phrase(status_code):
        detail = None
    title = _(TITLES.get(status_code, TITLES[400] if status_code < 500 else TITLES[500]))
    if request.url.path.startswith("/api/"):
        return api_error(status_code, _code(status_code), detail or title)
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "title": title, "detail": detail, "home_url": url("home")},
        status_code=status_code,
    )
    return response


def _default_phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def _code(status_code: int) -> str:
    return {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        status_code, "server_error" if status_code >= 500 else "error"
    )
