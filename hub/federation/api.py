"""The publishing API (``/api/v1/``): every federated kind, read incrementally by cursor.

Public fields need no token; protected fields (contact details) are sent to peers presenting an
access token from ``POST /api/v1/token`` (OAuth2 client credentials). A token that is sent must
be valid: a bad one is refused (401), never quietly treated as none. Every answer carries a
strong ETag over its exact bytes, and ``If-None-Match`` gets a 304.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any
from urllib.parse import unquote_plus, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub import freshness
from hub.api import api_error
from hub.db import utcnow, writer_sessions
from hub.federation import cursor, services, tokens
from hub.federation.identity import API_PATH, hub_address, record_uri
from hub.federation.kinds import API_VERSION, KINDS, Kind
from hub.federation.openapi import openapi_document
from hub.filters import MAX_SEARCH, InvalidFilter
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.settings import Settings
from hub.web import db

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _body(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def json_document(request: Request, document: Any, status_code: int = 200, **headers: str) -> Response:
    body = _body(document)
    etag = freshness.body_tag(body)
    common = {"ETag": etag, "Vary": "Authorization, Accept-Language", "Cache-Control": "no-cache", **headers}
    if status_code == 200 and freshness.matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=common)
    return Response(body, status_code=status_code, media_type="application/json", headers=common)


def _authorised(request: Request) -> bool:
    """True for a valid access token of an active client, False for none; InvalidToken for a bad one."""
    header = request.headers.get("authorization")
    if header is None:
        return False
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise tokens.InvalidToken(N_("Send the access token as “Authorization: Bearer <token>”."))
    claims = tokens.verify(_settings(request), token.strip())
    with db(request) as session:
        if not services.client_active(session, client_id=str(claims["client_id"])):
            raise tokens.InvalidToken(N_("The client this token was issued to has been revoked."))
    return services.SCOPE in str(claims.get("scope", "")).split()


def _unauthorized(message: str) -> Response:
    """401 with the reason for people (translated) and, in the header, for programs (RFC 6750)."""
    response = api_error(401, "invalid_token", _(message))
    description = message.encode("ascii", "replace").decode().replace('"', "'")  # a header is ASCII
    response.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{description}"'
    return response


def _limit(request: Request) -> int:
    text = request.query_params.get("limit", str(DEFAULT_LIMIT))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ValueError(text)
    return int(text)


def list_view(kind: Kind) -> Any:
    def view(request: Request) -> Response:
        after_text = request.query_params.get("after")
        try:
            after = cursor.decode(after_text) if after_text is not None else None
        except cursor.InvalidCursor:
            return api_error(
                400,
                "invalid_cursor",
                _(
                    "“%(value)s” is not a cursor of this hub: start without one, or use “next_cursor”.",
                    value=after_text[:60] if after_text else "",
                ),
                parameter="after",
            )
        try:
            limit = _limit(request)
        except ValueError as error:
            return api_error(
                400,
                "invalid_parameter",
                _(
                    "limit must be a whole number from 1 to %(max)s, not “%(value)s”.",
                    max=MAX_LIMIT,
                    value=str(error)[:20],
                ),
                parameter="limit",
            )
        q = request.query_params.get("q", "")
        if q and not services.searched_as(kind):
            return api_error(
                400,
                "invalid_parameter",
                _("Records of this kind cannot be searched: leave out “q”."),
                parameter="q",
            )
        if len(q) > MAX_SEARCH:  # the documented limit: a program is told, not cut short
            return api_error(400, "invalid_parameter", str(InvalidFilter("q", q[:20] + "…")), parameter="q")
        try:
            protected = _authorised(request)
        except tokens.InvalidToken as error:
            return _unauthorized(str(error))
        settings = _settings(request)
        until = utcnow() - dt.timedelta(seconds=settings.api_settle_seconds)
        with db(request) as session:
            found = services.changes(session, kind=kind, after=after, until=until, limit=limit + 1, q=q)
        more = len(found) > limit
        found = found[:limit]
        data = [
            kind.document(f.row, f.children, base_url=settings.base_url, protected=protected) for f in found
        ]
        last = found[-1].row if found else None
        next_cursor = cursor.encode(last.updated_at, last.id) if last else after_text
        links = {"self": _url(request, after_text, limit, q)}
        if more:
            links["next"] = _url(request, next_cursor, limit, q)
        return json_document(
            request,
            {
                "api_version": API_VERSION,
                "kind": kind.name,
                "data": data,
                "next_cursor": next_cursor,
                "has_more": more,
                "links": links,
            },
        )

    view.__name__ = f"list_{kind.name}"
    return view


def _url(request: Request, after: str | None, limit: int, q: str) -> str:
    params = {"limit": str(limit), **({"after": after} if after else {}), **({"q": q} if q else {})}
    return f"{request.url.path}?{urlencode(params)}"


def record_view(kind: Kind) -> Any:
    def view(request: Request) -> Response:
        try:
            protected = _authorised(request)
        except tokens.InvalidToken as error:
            return _unauthorized(str(error))
        settings = _settings(request)
        uid = request.path_params["uid"]
        with db(request) as session:
            found = services.record(session, kind=kind, uid=uid)
        if found is None:
            return api_error(404, "not_found", _("There is no such record on this hub."))
        if found.row.mirrored and found.row.home_hub:
            # Not ours to publish: its URI at its home hub is where it lives.
            return RedirectResponse(record_uri(found.row.home_hub, kind.name, uid), status_code=308)
        document = kind.document(found.row, found.children, base_url=settings.base_url, protected=protected)
        return json_document(request, document, status_code=410 if document["deleted"] else 200)

    view.__name__ = f"get_{kind.name}"
    return view


def index(request: Request) -> Response:
    base = hub_address(_settings(request).base_url)
    return json_document(
        request,
        {
            "api_version": API_VERSION,
            "hub": base,
            "kinds": {name: f"{base}{API_PATH}/{name}" for name in KINDS},
            "openapi": f"{base}{API_PATH}/openapi.json",
            "token_endpoint": f"{base}{API_PATH}/token",
        },
    )


def openapi(request: Request) -> Response:
    return json_document(request, openapi_document(_settings(request).base_url))


async def token(request: Request) -> Response:
    """OAuth2 token endpoint, client credentials grant only (RFC 6749 section 4.4)."""
    try:
        form = await request.form()
    except Exception:  # a body that is not a form (multipart or urlencoded)
        return _oauth_error(400, "invalid_request", "Send the request as application/x-www-form-urlencoded.")
    client_id, secret = _client_credentials(request, form)
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    scope = str(form.get("scope") or services.SCOPE)
    if set(scope.split()) - {services.SCOPE}:
        return _oauth_error(400, "invalid_scope", f"The only scope is {services.SCOPE}.")
    if not client_id or not secret:
        return _oauth_error(
            401, "invalid_client", "Authenticate the client (HTTP Basic or client_secret_post)."
        )
    if not await run_in_threadpool(_authenticate, request, client_id, secret):
        return _oauth_error(401, "invalid_client", "Unknown client, wrong secret or revoked client.")
    issued = tokens.issue(_settings(request), client_id=client_id, scope=services.SCOPE)
    body = {
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    }
    return Response(
        _body(body),
        media_type="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _authenticate(request: Request, client_id: str, secret: str) -> bool:
    with writer_sessions(request.app.state.sessions)() as session:
        client = services.authenticate_client(session, client_id=client_id, secret=secret)
        session.commit()
        return client is not None


def _client_credentials(request: Request, form: Any) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return str(form.get("client_id") or ""), str(form.get("client_secret") or "")


def _oauth_error(status: int, code: str, description: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="hub api"'
    return Response(
        _body({"error": code, "error_description": description}), status, headers, "application/json"
    )


def api_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route(f"{API_PATH}/", index, name="api_index"),
        Route(f"{API_PATH}/openapi.json", openapi, name="api_openapi"),
        Route(f"{API_PATH}/token", token, methods=["POST"], name="api_token"),
    ]
    for kind in KINDS.values():
        routes.append(Route(f"{API_PATH}/{kind.name}", list_view(kind), name=f"api_{kind.name}"))
        routes.append(
            Route(f"{API_PATH}/{kind.name}/{{uid:str}}", record_view(kind), name=f"api_{kind.name}_record")
        )
    return routes
