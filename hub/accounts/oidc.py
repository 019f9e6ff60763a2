"""Login with OpenID Connect: authlib's Starlette client, one registered client per provider.

Authorisation code with PKCE (S256) and a nonce; authlib keeps state, nonce and code verifier in
the signed session cookie between the redirect and the callback, checks the state and validates
the ID token (signature, issuer, audience, expiry, nonce). The session then holds the person's
identity and roles only, never the provider's tokens.

These endpoints are ``async`` because the client is; their database work runs in the thread pool.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import errors, i18n
from hub.accounts import services
from hub.accounts.services import Principal
from hub.accounts.web import home_of, safe_next, start_session
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.refusals import Refused
from hub.settings import OidcProvider, Settings
from hub.urls import absolute_url

log = logging.getLogger(__name__)

PENDING_KEY = "oidc_login"  # between redirect and callback: provider, language, next page
PROVIDER_KEY = "login_provider"  # after login: the provider's name, for logging out there too
MAX_CLAIM_LENGTH = 300  # the users table's oidc_issuer / oidc_subject columns
LOGIN_FAILED = N_("The login could not be completed. Go back to the login page and try again.")
UNREACHABLE = N_("The login service cannot be reached. Try again later.")


class OidcLogin:
    """The configured providers (``app.state.oidc``); the login page lists ``providers()``."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.base_url.rstrip("/")
        self.oauth = OAuth()
        self._providers = {p.name: p for p in settings.oidc_providers}
        for provider in settings.oidc_providers:
            self.oauth.register(
                name=provider.name,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.server_metadata_url,
                client_kwargs={"scope": provider.scope, "code_challenge_method": "S256"},
            )

    def providers(self) -> list[OidcProvider]:
        return list(self._providers.values())

    def client(self, name: str) -> Any:
        """The provider's authlib client; 404 for a name that is not configured."""
        if name not in self._providers:
            raise HTTPException(404)
        return self.oauth.create_client(name)

    def callback_url(self, name: str) -> str:
        """The redirect URI to register at the provider (one per provider, without language)."""
        return absolute_url(self.base_url, "auth_callback", provider=name)

    async def logout_url(self, name: str, language: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), or None if it has none.

        Only ``client_id`` identifies the hub: the ID token (``id_token_hint``) is not kept.
        """
        if name not in self._providers:
            return None
        client = self.oauth.create_client(name)
        try:
            metadata = await client.load_server_metadata()
            if not metadata.get("end_session_endpoint"):
                return None
            result = await client.create_logout_url(
                post_logout_redirect_uri=absolute_url(self.base_url, "root"),
                client_id=self._providers[name].client_id,
                ui_locales=language,
            )
        except (httpx.HTTPError, AuthlibBaseError, ValueError, RuntimeError) as exc:
            log.warning("cannot end the session at OpenID Connect provider %s: %s", name, exc)
            return None
        url: str = result["url"]
        return url


def origins(settings: Settings) -> tuple[str, ...]:
    """The providers' origins (logging out redirects there from a form)."""
    found = []
    for provider in settings.oidc_providers:
        url = urlsplit(provider.server_metadata_url)
        found.append(f"{url.scheme}://{url.netloc}")
    return tuple(dict.fromkeys(found))


async def login_redirect(request: Request) -> Response:
    """``/{lang}/login/oidc/{provider}``: off to the provider, remembering language and next page."""
    oidc: OidcLogin = request.app.state.oidc
    name = request.path_params["provider"]
    client = oidc.client(name)
    language = request.path_params["lang"]
    request.session[PENDING_KEY] = {
        "provider": name,
        "lang": language,
        "next": safe_next(request.query_params.get("next"), ""),
    }
    try:
        response: Response = await client.authorize_redirect(
            request, oidc.callback_url(name), ui_locales=language
        )
    except (httpx.HTTPError, AuthlibBaseError, ValueError, RuntimeError) as exc:
        # RuntimeError: authlib's word for discovery metadata without the endpoints it needs
        log.warning("OpenID Connect provider %s cannot be used: %s", name, exc)
        return await _failed(request, 502, _(UNREACHABLE))
    return response


async def callback(request: Request) -> Response:
    """``/auth/callback/{provider}``: the provider sends the person back with a code (or an error)."""
    oidc: OidcLogin = request.app.state.oidc
    name = request.path_params["provider"]
    client = oidc.client(name)
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict) or pending.get("provider") != name:
        pending = {}
    # The callback URL has no language: answer in the one the login started in.
    language = pending.get("lang")
    token = i18n.current_language.set(language if language in i18n.LANGUAGES else i18n.current_language.get())
    try:
        return await _complete_login(request, client, name, pending)
    finally:
        i18n.current_language.reset(token)


async def _complete_login(request: Request, client: Any, name: str, pending: dict[str, Any]) -> Response:
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise Refused("the provider sent no ID token", status=400)
        if not claims.get("email"):
            # Many providers put profile claims only in the userinfo response, not the ID token.
            extra = await client.userinfo(token=token)
            if extra.get("sub") != claims.get("sub"):
                raise Refused("the userinfo response is about someone else", status=400)
            claims = {**dict(extra), **claims}
    except (AuthlibBaseError, JoseError, Refused) as exc:
        log.info("OpenID Connect login through %s failed: %s", name, exc)
        return await _failed(request, 400, _(LOGIN_FAILED))
    except (httpx.HTTPError, ValueError, RuntimeError) as exc:
        log.warning("OpenID Connect provider %s cannot be used: %s", name, exc)
        return await _failed(request, 502, _(UNREACHABLE))
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    email, person = str(claims.get("email") or ""), str(claims.get("name") or "")
    if not issuer or not subject or len(issuer) > MAX_CLAIM_LENGTH or len(subject) > MAX_CLAIM_LENGTH:
        return await _failed(request, 400, _(LOGIN_FAILED))
    outcome = await run_in_threadpool(_sign_in, request, issuer, subject, email, person)
    if isinstance(outcome, str):
        return await _failed(request, 403, outcome)
    start_session(request, outcome)
    request.session[PROVIDER_KEY] = name
    default = home_of(outcome, i18n.current_language.get())
    return RedirectResponse(safe_next(pending.get("next"), default), status_code=303)


def _sign_in(request: Request, issuer: str, subject: str, email: str, name: str) -> Principal | str:
    """The principal of the person the provider vouches for (created without roles on first login),
    or why they cannot log in."""
    with request.app.state.sessions() as session:
        user = services.find_oidc_user(session, issuer=issuer, subject=subject)
        if user is None:
            if not email:
                return _("The login service did not tell us your e-mail address, which this hub needs.")
            try:
                user = services.create_oidc_user(
                    session, issuer=issuer, subject=subject, email=email, name=name
                )
                session.flush()
            except Refused:
                return _(
                    "Another account of this hub already uses the e-mail address %(email)s. "
                    "Ask an administrator to link it to this login.",
                    email=email,
                )
            except IntegrityError:  # the same person's first login, twice at once
                session.rollback()
                user = services.find_oidc_user(session, issuer=issuer, subject=subject)
                if user is None:
                    raise
        if not user.is_active:
            return _("This account has been deactivated. Ask an administrator.")
        services.record_login(session, user=user)
        principal = services.principal_of(user)
        session.commit()
    return principal


async def _failed(request: Request, status_code: int, message: str) -> Response:
    """A localised error page (not an exception: the callback's language must still be set)."""
    return await errors.http_error(request, HTTPException(status_code, detail=message))
