"""Pure ASGI middleware: the request's language, and security headers on every page and API answer."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import i18n

LANGUAGE_COOKIE = "hub_lang"
ONE_YEAR = 365 * 24 * 3600


def language_of(scope: Scope, default: str = "nl") -> tuple[str, bool]:
    """The language for a request, and whether the URL chose it (``/nl/...``, ``/en/...``)."""
    language, from_url, _cookie = _chosen(scope, default)
    return language, from_url


def _chosen(scope: Scope, default: str) -> tuple[str, bool, str | None]:
    """The request's language, whether its URL chose it, and the language cookie's value."""
    accept_language = cookie = None
    for name, value in scope["headers"]:  # one pass, no Headers object: this runs on every request
        if name == b"accept-language" and accept_language is None:
            accept_language = value.decode("latin-1")
        elif name == b"cookie" and cookie is None:
            cookie = _cookie(value.decode("latin-1"))
    segment = scope.get("path", "/").split("/", 2)[1]
    if segment in i18n.LANGUAGES:
        return segment, True, cookie
    return i18n.negotiate(accept_language, cookie, default), False, cookie


def _cookie(raw: str) -> str | None:
    if LANGUAGE_COOKIE not in raw:
        return None
    morsel = SimpleCookie(raw).get(LANGUAGE_COOKIE)
    return morsel.value if morsel else None


class LanguageMiddleware:
    """Sets the current language for the request and remembers an explicit choice in a cookie."""

    def __init__(self, app: ASGIApp, default: str = "nl", secure: bool = False) -> None:
        self.app = app
        self.default = default
        self.secure = "; Secure" if secure else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language, from_url, cookie = _chosen(scope, self.default)
        token = i18n.current_language.set(language)
        remember = from_url and cookie != language

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax{self.secure}",
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie if remember else send)
        finally:
            i18n.current_language.reset(token)


def content_security_policy(form_action: tuple[str, ...] = (), *, inline_styles: bool = False) -> str:
    """The hub's policy: its own scripts and styles only. ``form_action``: other origins a form may
    lead to; ``inline_styles`` allows style attributes, for a page showing an e-mail."""
    targets = " ".join(("'self'", *form_action))
    style = "style-src 'self'" + ("; style-src-attr 'unsafe-inline'" if inline_styles else "")
    return (
        f"default-src 'self'; img-src 'self' data:; {style}; script-src 'self'; "
        f"frame-ancestors 'none'; form-action {targets}; base-uri 'none'; object-src 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy and friends; HSTS only when served over https."""

    def __init__(self, app: ASGIApp, https: bool = False, form_action: tuple[str, ...] = ()) -> None:
        """``form_action``: other origins a form may lead to, e.g. an OpenID Connect provider that
        logging out redirects to (browsers apply ``form-action`` to a form's redirects too)."""
        self.app = app
        headers = {
            "content-security-policy": content_security_policy(form_action),
            "x-content-type-options": "nosniff",
            "referrer-policy": "strict-origin-when-cross-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
            "cross-origin-opener-policy": "same-origin",
            "x-frame-options": "DENY",
        }
        if https:
            headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
        # Encoded once: this runs on every response, /healthz included.
        self.raw = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.raw if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
