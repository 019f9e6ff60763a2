"""Login state in the web app: the cookie names a login session (a row, see ``sessions``); each
request rebuilds the principal from that person's current roles; coordinator pages require one.

Only identity is server-side: the signed cookie still holds anonymous state (the CSRF token,
flash notices, the OpenID Connect login in progress) next to the session's random token.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from urllib.parse import quote

import anyio.to_thread
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import i18n
from hub.accounts import sessions
from hub.accounts.services import Principal, principal_of
from hub.i18n import gettext as _
from hub.urls import url

log = logging.getLogger(__name__)

SESSION_KEY = "login"  # the login session's random token, in the signed cookie
PRINCIPAL_KEY = "principal"  # request.state: the principal of this request (None: anonymous)
CHANGES_KEY = "login_changes"  # request.state: logins and logouts to write as the response starts
# Pages whose URL holds a sign-in token: never sent to another site as a referrer, never cached.
# (Not "no-referrer": browsers then send "Origin: null" with the form, which the CSRF check refuses.)
LINK_HEADERS = {"referrer-policy": "same-origin", "cache-control": "no-store"}


def cookie_name(https: bool) -> str:
    """With https the ``__Host-`` prefix: browsers then take the cookie only with Secure, Path=/
    and no Domain, so no other host or plain-http page can plant one."""
    return "__Host-hub_session" if https else "hub_session"


@dataclasses.dataclass
class LoginChanges:
    """What ``start_session``/``end_session`` decided; written before the response leaves."""

    opened: tuple[str, int, str] | None = None  # token, user id, user agent
    ended: list[str] = dataclasses.field(default_factory=list)  # tokens


def current_principal(request: HTTPConnection) -> Principal | None:
    principal = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def require_principal(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        raise HTTPException(401)
    return principal


def _changes(request: HTTPConnection) -> LoginChanges:
    state = request.scope.setdefault("state", {})
    changes = state.get(CHANGES_KEY)
    if not isinstance(changes, LoginChanges):
        changes = state[CHANGES_KEY] = LoginChanges()
    return changes


def start_session(request: Request, principal: Principal) -> None:
    """Log in: a fresh session (nothing carried over from before login) with a new CSRF token.

    The row is written as the response starts (``LoginSessions``), so that this works from
    ``async`` views too; a session the cookie named before is ended.
    """
    changes = _changes(request)
    old = request.session.get(SESSION_KEY)
    if isinstance(old, str):
        changes.ended.append(old)
    token = sessions.new_token()
    changes.opened = (token, principal.user_id, request.headers.get("user-agent", ""))
    request.session.clear()
    request.session[SESSION_KEY] = token
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.scope["state"][PRINCIPAL_KEY] = principal


def end_session(request: Request) -> None:
    """Log out: the session's row goes (as the response starts) and the cookie is emptied."""
    token = request.session.get(SESSION_KEY)
    changes = _changes(request)
    if isinstance(token, str):
        changes.ended.append(token)
    if changes.opened is not None:
        changes.ended.append(changes.opened[0])
        changes.opened = None
    request.session.clear()
    request.scope["state"][PRINCIPAL_KEY] = None


def _principal_of_token(factory: sessionmaker[Session], token: str) -> Principal | None:
    with factory() as session:
        row = sessions.live_session(session, token=token)
        principal = principal_of(row.user) if row is not None else None
        try:
            session.commit()  # the seen mark, or the deletion of an expired session
        except OperationalError:  # the database is busy: the mark can wait for the next request
            session.rollback()
            log.info("login session not marked as seen: the database is busy")
    return principal


def _write_changes(factory: sessionmaker[Session], changes: LoginChanges) -> None:
    with factory() as session:
        for token in changes.ended:
            sessions.end_session(session, token=token)
        if changes.opened is not None:
            token, user_id, user_agent = changes.opened
            sessions.open_session(session, user_id=user_id, token=token, user_agent=user_agent)
        session.commit()


class LoginSessions:
    """Inside ``SessionMiddleware``: finds the principal of the cookie's login session (in a
    worker thread, since it reads the database) and writes logins and logouts before the
    response, with its cookie, is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        factory: sessionmaker[Session] = scope["app"].state.sessions
        connection = HTTPConnection(scope)
        token = connection.session.get(SESSION_KEY)
        principal = None
        if isinstance(token, str):
            principal = await anyio.to_thread.run_sync(_principal_of_token, factory, token)
            if principal is None:  # ended or expired: forget it, keep the anonymous state
                del connection.session[SESSION_KEY]
        scope.setdefault("state", {})[PRINCIPAL_KEY] = principal

        async def send_after_writing(message: Message) -> None:
            changes = scope["state"].get(CHANGES_KEY)
            if message["type"] == "http.response.start" and isinstance(changes, LoginChanges):
                await anyio.to_thread.run_sync(_write_changes, factory, changes)
                scope["state"][CHANGES_KEY] = None
            await send(message)

        await self.app(scope, receive, send_after_writing)


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise HTTPException(403, _("You may not change records of this programme."))


def home_of(principal: Principal, language: str) -> str:
    """Where a person lands after login: participants on their own pages, the others in the workspace."""
    return url("participant_home" if principal.is_participant_only else "dashboard", lang=language)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site may follow login (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


class RequireLogin:
    """Guards a mount: without a logged-in principal, browsers are sent to the login page.

    With ``staff_only``, a participant without another role is sent to their own pages instead
    (the coordinator workspace is not theirs).
    """

    def __init__(self, app: ASGIApp, *, staff_only: bool = False) -> None:
        self.app = app
        self.staff_only = staff_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = current_principal(HTTPConnection(scope)) if scope["type"] == "http" else None
        if self.staff_only and principal is not None and principal.is_participant_only:
            if scope["method"] not in ("GET", "HEAD"):
                raise HTTPException(403, _("The workspace is for coordinators."))
            home = home_of(principal, i18n.current_language.get())
            await RedirectResponse(home, status_code=303)(scope, receive, send)
            return
        if scope["type"] == "http" and principal is None:
            language = i18n.current_language.get()
            # Inside a Mount, Starlette keeps the full path in "path" (and the mount's in root_path).
            root, path = scope.get("root_path", ""), scope["path"]
            target = path if path.startswith(root) else root + path
            query = scope.get("query_string", b"").decode("latin-1")
            if query:
                target += "?" + query
            login = url("login", lang=language) + "?next=" + quote(target, safe="/")
            await RedirectResponse(login, status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)
