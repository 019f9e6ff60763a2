"""The public side of the newsletter: subscribe, confirm, preferences, unsubscribe, your data.

No account: every page after the first is reached through a signed link from an e-mail. A GET
never changes anything (mail scanners open links): confirming and unsubscribing are buttons, and
the one-click unsubscribe of RFC 8058 is a POST that mail programs send themselves.
"""

from __future__ import annotations

import json
import secrets
from email.message import EmailMessage

from limits import RateLimitItemPerHour
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import mail
from hub.forms import Form
from hub.i18n import LANGUAGES, N_, current_language
from hub.i18n import gettext as _
from hub.newsletters import rendering, subscriptions, tokens
from hub.newsletters.models import Subscription, SubscriptionStatus
from hub.public import caught_bot
from hub.ratelimit import PUBLIC_FORM_POSTS, allowed, client_of
from hub.refusals import Refused
from hub.security import form_view
from hub.settings import Settings
from hub.urls import absolute_url, url
from hub.web import db, flash, language, render_page

CONSENT = N_(
    "I want to receive the newsletter of the circular procurement network at this address, in the "
    "language and on the topics I chose. I can change that or unsubscribe at any time with the link "
    "in every newsletter."
)
PER_ADDRESS = RateLimitItemPerHour(5)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _subscribe_page(request: Request, session: Session, form: Form, status_code: int = 200) -> Response:
    return render_page(
        request,
        "newsletters/subscribe.html",
        status_code=status_code,
        form=form,
        lists=subscriptions.lists(session),
        consent_text=_(CONSENT),
    )


def subscribe_page(request: Request) -> Response:
    with db(request) as session:
        return _subscribe_page(request, session, Form({"language": language(request)}))


@form_view
def subscribe(request: Request, data: FormData) -> Response:
    form = Form.submitted(data, multi=("follow",))
    done = RedirectResponse(url("newsletter"), status_code=303)
    thanks = _("Thank you. Check your inbox: we sent you an e-mail to confirm your subscription.")
    if caught_bot(request, form, thanks):
        return done
    email = form.email("email", required=True)
    chosen_language = form.key("language", LANGUAGES)
    if not form.value("consent"):
        form.error("consent", _("Tick the box to agree to receive the newsletter."))
    with db(request) as session:
        all_lists = subscriptions.lists(session)
        interests = subscriptions.parse_interests(form.values("follow"), all_lists.ids())
        if interests is None:
            form.error("follow", _("Choose one of the options offered."))
        if not form.ok or chosen_language is None or interests is None:
            return _subscribe_page(request, session, form, 400)
        if not (
            allowed(request, PUBLIC_FORM_POSTS, "public-form", client_of(request))
            and allowed(request, PER_ADDRESS, "newsletter-address", email.lower())
        ):
            raise HTTPException(429, _("Too many forms were sent from your address. Try again in an hour."))
        consent_text = _(CONSENT)
        subscription, reply = subscriptions.request(
            session,
            email=email,
            language=chosen_language,
            consent_text=consent_text,
            consent_language=language(request),
        )
        session.commit()
        message = _reply_message(_settings(request), subscription, reply, chosen_language, interests)
    if message is not None:
        mail.send_now(_settings(request), message)
    flash(request, thanks)
    return done


def _reply_message(
    settings: Settings,
    subscription: Subscription,
    reply: subscriptions.Reply,
    chosen_language: str,
    interests: tokens.Interests,
) -> EmailMessage | None:
    if reply is subscriptions.Reply.CONFIRM:
        token = tokens.confirm_token(settings, subscription, language=chosen_language, interests=interests)
        return mail.compose(
            settings,
            to=subscription.email,
            language=chosen_language,
            template="newsletter_confirm",
            subject=N_("Confirm your subscription to the newsletter"),
            url=absolute_url(settings.base_url, "newsletter_confirm", token=token, lang=chosen_language),
            hours=settings.newsletter_confirm_hours,
        )
    if reply is subscriptions.Reply.MANAGE:
        own = rendering.links(settings, subscription, subscription.language)
        return mail.compose(
            settings,
            to=subscription.email,
            language=subscription.language,
            template="newsletter_manage",
            subject=N_("You are subscribed to the newsletter already"),
            url=own["preferences"],
        )
    return None


# --- confirming ---


def _link_problem(request: Request, refused: Refused | None = None) -> Response:
    """Why a confirmation link cannot be used: its token was ``refused``, or (None) it was used already."""
    if refused is None:
        refused = Refused(_("This link was used already or has been replaced by a newer one."), status=410)
    return render_page(
        request, "newsletters/link_problem.html", status_code=refused.status, message=str(refused)
    )


def confirm_page(request: Request) -> Response:
    try:
        asked = tokens.read_confirm_token(_settings(request), request.path_params["token"])
    except Refused as refused:
        return _link_problem(request, refused)
    with db(request) as session:
        subscription = subscriptions.get(session, subscription_id=asked.subscription_id, key=asked.key)
        if subscription is None:
            return _link_problem(request)
        return render_page(
            request, "newsletters/confirm.html", email=subscription.email, token=request.path_params["token"]
        )


@form_view
def confirm(request: Request, data: FormData) -> Response:
    settings = _settings(request)
    try:
        asked = tokens.read_confirm_token(settings, request.path_params["token"])
    except Refused as refused:
        return _link_problem(request, refused)
    with db(request) as session:
        subscription = subscriptions.confirm(session, asked=asked, consent_text=_(CONSENT))
        if subscription is None:
            return _link_problem(request)
        session.commit()
        own = rendering.links(settings, subscription, subscription.language)
        welcome = mail.compose(
            settings,
            to=subscription.email,
            language=subscription.language,
            template="newsletter_welcome",
            subject=N_("Welcome to the newsletter"),
            preferences_url=own["preferences"],
            unsubscribe_url=own["unsubscribe"],
            archive_url=absolute_url(settings.base_url, "newsletter_archive", lang=subscription.language),
        )
    mail.send_now(settings, welcome)
    flash(request, _("Your subscription is confirmed. Welcome!"))
    return RedirectResponse(own["preferences"].removeprefix(settings.base_url.rstrip("/")), status_code=303)


# --- the preference centre ---


def _subscriber(request: Request, session: Session) -> Subscription:
    """The subscription of a preference or unsubscribe link (404 for a link not valid, or revoked)."""
    try:
        subscription_id, key = tokens.read_manage_token(_settings(request), request.path_params["token"])
    except Refused:
        subscription = None
    else:
        subscription = subscriptions.get(session, subscription_id=subscription_id, key=key)
    if subscription is None:
        raise HTTPException(
            404, _("This link is not valid: it may be incomplete. Copy the whole link from the e-mail.")
        )
    return subscription


def _preferences_page(
    request: Request, session: Session, subscription: Subscription, form: Form, status_code: int = 200
) -> Response:
    return render_page(
        request,
        "newsletters/preferences.html",
        status_code=status_code,
        subscription=subscription,
        form=form,
        lists=subscriptions.lists(session),
        token=request.path_params["token"],
        confirmed=subscription.status is SubscriptionStatus.CONFIRMED,
    )


def preferences_page(request: Request) -> Response:
    with db(request) as session:
        subscription = _subscriber(request, session)
        initial = Form(
            {
                "language": subscription.language,
                "follow": [f"{i.kind.value}:{i.ref_id}" for i in subscription.interests],
            }
        )
        return _preferences_page(request, session, subscription, initial)


@form_view
def preferences_save(request: Request, data: FormData) -> Response:
    form = Form.submitted(data, multi=("follow",))
    chosen_language = form.key("language", LANGUAGES)
    with db(request) as session:
        subscription = _subscriber(request, session)
        if subscription.status is not SubscriptionStatus.CONFIRMED:
            raise HTTPException(
                409, _("This subscription is not active. Subscribe again to receive the newsletter.")
            )
        interests = subscriptions.parse_interests(form.values("follow"), subscriptions.lists(session).ids())
        if interests is None:
            form.error("follow", _("Choose one of the options offered."))
        if not form.ok or chosen_language is None or interests is None:
            return _preferences_page(request, session, subscription, form, 400)
        subscriptions.change(
            session, subscription, language=chosen_language, interests=interests, consent_text=_(CONSENT)
        )
        session.commit()
    # The page goes on in the language chosen (the path's language is the one it was read in).
    token = current_language.set(chosen_language)
    try:
        flash(request, _("Your choices are saved."))
    finally:
        current_language.reset(token)
    path = request.url.path.removeprefix(f"/{language(request)}")
    return RedirectResponse(f"/{chosen_language}{path}", status_code=303)


def data_download(request: Request) -> Response:
    with db(request) as session:
        subscription = _subscriber(request, session)
        base_url = request.app.state.settings.base_url
        body = json.dumps(subscriptions.export(session, subscription, base_url), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-newsletter-data.json"',
            "Cache-Control": "no-store",
        },
    )


@form_view
def data_delete(request: Request, data: FormData) -> Response:
    with db(request) as session:
        subscriptions.erase(session, _subscriber(request, session))
        session.commit()
    flash(request, _("Your address and everything the hub kept about your subscription are deleted."))
    return RedirectResponse(url("newsletter"), status_code=303)


# --- leaving ---


def unsubscribe_page(request: Request) -> Response:
    with db(request) as session:
        subscription = _subscriber(request, session)
        return render_page(
            request,
            "newsletters/unsubscribe.html",
            subscription=subscription,
            token=request.path_params["token"],
            left=subscription.status is SubscriptionStatus.UNSUBSCRIBED,
        )


@form_view
def unsubscribe(request: Request, data: FormData) -> Response:
    with db(request) as session:
        subscription = _subscriber(request, session)
        subscriptions.unsubscribe(session, subscription, how="page")
        session.commit()
    flash(request, _("You are unsubscribed. You will get no more newsletters."))
    return RedirectResponse(str(request.url.path), status_code=303)


async def one_click(request: Request) -> Response:
    """RFC 8058: a mail program POSTs ``List-Unsubscribe=One-Click`` here, without cookies or a CSRF
    token (the signed link is the proof). A GET only shows the unsubscribe page."""
    token = request.path_params["token"]
    if request.method != "POST":
        return RedirectResponse(
            url("newsletter_unsubscribe", token=token, lang=LANGUAGES[0]), status_code=303
        )
    form = await request.form(max_files=0, max_fields=5)
    try:
        if form.get("List-Unsubscribe") != "One-Click":
            return Response("Expected List-Unsubscribe=One-Click", status_code=400, media_type="text/plain")
    finally:
        await form.close()

    def leave() -> Response:
        with db(request) as session:
            subscription = _subscriber(request, session)
            subscriptions.unsubscribe(session, subscription, how="one-click")
            session.commit()
        return Response("Unsubscribed", media_type="text/plain")

    return await run_in_threadpool(leave)


async def bounce_notification(request: Request) -> Response:
    """``POST /api/v1/bounces`` from the mail provider: ``{"email": ..., "type": "hard" | "soft"}``
    with ``Authorization: Bearer <HUB_BOUNCE_TOKEN>``. Off (404) while no token is set."""
    settings = _settings(request)
    if not settings.bounce_token:
        return _api_error(404, "not_found", "Bounce notifications are not enabled on this hub.")
    sent = request.headers.get("authorization", "")
    if not secrets.compare_digest(sent.encode(), f"Bearer {settings.bounce_token}".encode()):
        return _api_error(401, "unauthorized", "A valid bearer token is required.")
    try:
        body = json.loads(await request.body())
        email, kind = body["email"], body.get("type", "soft")
        if not isinstance(email, str) or kind not in ("hard", "soft"):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return _api_error(400, "bad_request", 'Send {"email": "...", "type": "hard" or "soft"}.')

    def record() -> Response:
        with db(request) as session:
            subscription = subscriptions.record_bounce(
                session, email=email.strip(), hard=kind == "hard", threshold=settings.bounce_threshold
            )
            session.commit()
            if subscription is None:
                return _api_error(404, "not_found", "No subscription has this address.")
            return JSONResponse(
                {
                    "email": subscription.email,
                    "status": subscription.status.value,
                    "bounces": subscription.bounces,
                }
            )

    return await run_in_threadpool(record)


def _api_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
