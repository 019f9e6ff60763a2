"""Login and logout pages (local accounts; OpenID Connect providers add their buttons here)."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.accounts import services
from hub.accounts.oidc import PROVIDER_KEY
from hub.accounts.web import current_principal, end_session, safe_next, start_session
from hub.i18n import gettext as _
from hub.ratelimit import allowed, client_of
from hub.security import checked_form, form_view
from hub.web import db, language, render

LOGIN_ATTEMPTS = RateLimitItemPerMinute(10)


def _login_page(request: Request, *, status_code: int = 200, error: str = "", email: str = "") -> Response:
    return render(
        request,
        "accounts/login.html",
        status_code=status_code,
        error=error,
        email=email,
        next=safe_next(request.query_params.get("next"), ""),
        providers=request.app.state.oidc.providers(),
    )


def login_page(request: Request) -> Response:
    if current_principal(request):
        return RedirectResponse(f"/{language(request)}/coordinator/", status_code=303)
    return _login_page(request)


@form_view
def login(request: Request, form: FormData) -> Response:
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    if not (
        allowed(request, LOGIN_ATTEMPTS, "login-client", client_of(request))
        and allowed(request, LOGIN_ATTEMPTS, "login-email", email.lower())
    ):
        return _login_page(
            request,
            status_code=429,
            email=email,
            error=_("Too many login attempts. Wait a minute and try again."),
        )
    with db(request) as session:
        user = services.authenticate(session, email=email, password=password)
        if user is None:
            return _login_page(
                request, status_code=400, email=email, error=_("Wrong e-mail address or password.")
            )
        services.record_login(session, user=user)
        principal = services.principal_of(user)
        session.commit()
    start_session(request, principal)
    default = f"/{language(request)}/coordinator/"
    return RedirectResponse(safe_next(str(form.get("next", "")), default), status_code=303)


async def logout(request: Request) -> Response:
    """Ends the session here and, after an OpenID Connect login, at the provider too if it can."""
    await checked_form(request)
    provider = request.session.get(PROVIDER_KEY)
    end_session(request)
    oidc = getattr(request.app.state, "oidc", None)
    if isinstance(provider, str) and oidc is not None:
        url = await oidc.logout_url(provider, language(request))
        if url:
            return RedirectResponse(url, status_code=303)
    return RedirectResponse(f"/{language(request)}/", status_code=303)
