"""Login state in the web app: the session holds the principal; coordinator pages require one."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub import i18n
from hub.accounts.services import Principal
from hub.i18n import gettext as _
from hub.urls import url

SESSION_KEY = "user"
# Pages whose URL holds a sign-in token: never sent to another site as a referrer, never cached.
# (Not "no-referrer": browsers then send "Origin: null" with the form, which the CSRF check refuses.)
LINK_HEADERS = {"referrer-policy": "same-origin", "cache-control": "no-store"}


def current_principal(request: HTTPConnection) -> Principal | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    try:
        return Principal.from_session(data)
    except (KeyError, TypeError, ValueError):
        return None  # an old or malformed session: treat as logged out


def require_principal(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        raise HTTPException(401)
    return principal


def start_session(request: Request, principal: Principal) -> None:
    """Log in: a fresh session (nothing carried over from before login) with a new CSRF token."""
    request.session.clear()
    request.session[SESSION_KEY] = principal.to_session()
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    request.session.clear()


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
