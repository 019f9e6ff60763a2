"""Login and logout pages (local accounts; OpenID Connect providers add their buttons here)."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import mail, urls
from hub.accounts import links, services
from hub.accounts.oidc import PROVIDER_KEY
from hub.accounts.web import LINK_HEADERS, current_principal, end_session, home_of, safe_next, start_session
from hub.i18n import gettext as _
from hub.participants import notices
from hub.ratelimit import allowed, client_of, forget, under_limit
from hub.refusals import Refused
from hub.security import checked_form, form_view
from hub.web import db, language, render

# Only failed logins count, per (address, client) and per client: wrong passwords sent from
# elsewhere never lock a person out, and a client that never failed is never refused.
FAILURES_PER_ADDRESS = RateLimitItemPerMinute(10)  # one client guessing one person's password
FAILURES_PER_CLIENT = RateLimitItemPerMinute(30)  # one client trying passwords on many addresses
LINK_REQUESTS_PER_CLIENT = RateLimitItemPerMinute(10)
LINK_REQUESTS = RateLimitItemPerMinute(3)  # per address: a link every 20 s is plenty


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


def _too_many_attempts(request: Request, email: str) -> Response:
    return _login_page(
        request,
        status_code=429,
        email=email,
        error=_("Too many login attempts. Wait a minute and try again."),
    )


def _failure_keys(request: Request, email: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keys of a client's failures for this address and for every address (``client_of`` is
    the address uvicorn reports: a trusted proxy's X-Forwarded-For, else the peer)."""
    client = client_of(request)
    return ("login-failures", client, email.lower()), ("login-failures-any-address", client)


def login_page(request: Request) -> Response:
    principal = current_principal(request)
    if principal:
        return RedirectResponse(home_of(principal, language(request)), status_code=303)
    return _login_page(request)


@form_view
def login(request: Request, form: FormData) -> Response:
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    for_address, for_client = _failure_keys(request, email)
    if not (
        under_limit(request, FAILURES_PER_ADDRESS, *for_address)
        and under_limit(request, FAILURES_PER_CLIENT, *for_client)
    ):
        return _too_many_attempts(request, email)
    with db(request) as session:
        user = services.authenticate(session, email=email, password=password)
        if user is None:
            allowed(request, FAILURES_PER_ADDRESS, *for_address)
            allowed(request, FAILURES_PER_CLIENT, *for_client)
            return _login_page(
                request, status_code=400, email=email, error=_("Wrong e-mail address or password.")
            )
        services.record_login(session, user=user)
        principal = services.principal_of(user)
        session.commit()
    # Not the count over every address: else a client could wipe it by logging in to its own account.
    forget(request, FAILURES_PER_ADDRESS, *for_address)
    start_session(request, principal)
    default = home_of(principal, language(request))
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
    return RedirectResponse(urls.url("home"), status_code=303)


@form_view
def sign_in_link_request(request: Request, form: FormData) -> Response:
    """``POST /{lang}/login/link``: mails a single-use sign-in link to an account's address.

    The answer is the same whether or not the address has an account, so that the form does not
    tell strangers who has one.
    """
    email = str(form.get("email", "")).strip()[:254]
    try:
        email = services.normalise_email(email)
    except Refused:
        return _login_page(
            request,
            status_code=400,
            email=email,
            error=_("Enter an e-mail address such as name@example.org."),
        )
    if not (
        allowed(request, LINK_REQUESTS_PER_CLIENT, "login-link-client", client_of(request))
        and allowed(request, LINK_REQUESTS, "login-link", email)
    ):
        return _too_many_attempts(request, email)
    settings = request.app.state.settings
    with db(request) as session:
        user = services.find_user(session, email=email)
        message = None
        if user is not None and user.is_active:
            token = links.create_sign_in_link(session, user=user)
            minutes = int(links.SIGN_IN_LIFETIME.total_seconds() // 60)
            message = notices.sign_in_link(
                settings, user=user, token=token, language=language(request), minutes=minutes
            )
        session.commit()
    response = render(request, "accounts/link_sent.html", email=email)
    if message is not None:  # after the answer, so that its timing does not tell who has an account
        response.background = BackgroundTask(mail.send_now, settings, message)
    return response


def _link_problem(request: Request, problem: links.LinkProblem) -> Response:
    messages = {
        links.LinkProblem.USED: _(
            "This sign-in link has been used already; each works once. Ask for a new one."
        ),
        links.LinkProblem.EXPIRED: _("This sign-in link has expired. Ask for a new one."),
        links.LinkProblem.WITHDRAWN: _("This account has been deactivated. Ask an administrator."),
    }
    text = messages.get(problem, _("There is no such sign-in link. Check that you copied the whole link."))
    response = render(
        request,
        "accounts/link_problem.html",
        status_code=404 if problem == links.LinkProblem.UNKNOWN else 410,
        message=text,
    )
    response.headers.update(LINK_HEADERS)
    return response


def sign_in_link_page(request: Request) -> Response:
    """``GET /{lang}/login/link/{token}``: a button to sign in (mail scanners open links; a GET
    must not use the link up)."""
    token = request.path_params["token"]
    with db(request) as session:
        link = links.peek_sign_in_link(session, token=token)
        if isinstance(link, links.LinkProblem):
            return _link_problem(request, link)
        response = render(request, "accounts/link_sign_in.html", token=token, email=link.user.email)
    response.headers.update(LINK_HEADERS)
    return response


@form_view
def sign_in_link_use(request: Request, _form: FormData) -> Response:
    token = request.path_params["token"]
    with db(request) as session:
        outcome = links.redeem_sign_in_link(session, token=token)
        if isinstance(outcome, links.LinkProblem):
            session.rollback()
            return _link_problem(request, outcome)
        services.record_login(session, user=outcome)
        principal = services.principal_of(outcome)
        session.commit()
    start_session(request, principal)
    return RedirectResponse(home_of(principal, language(request)), status_code=303)
