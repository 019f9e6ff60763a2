"""The newsletter composer: issues written in both languages, previewed per segment, tested, scheduled.

Newsletter editors and hub administrators only (403 for everyone else). An issue is a draft until
it is scheduled, and can be changed until it starts sending; the sender (``hub.newsletters.sending``)
takes it from there. The queries are in ``hub.newsletters.issues``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub import i18n, mail
from hub.accounts import oidc
from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.coordinator import action_view, flash, found, page_number, redirect_to, render_page
from hub.db import utcnow
from hub.forms import TEXT_MAX, Form
from hub.i18n import N_, ngettext
from hub.i18n import gettext as _
from hub.middleware import content_security_policy
from hub.newsletters import issues, subscriptions
from hub.newsletters.issues import IssueInput
from hub.newsletters.models import InterestKind, IssueStatus, NewsletterIssue
from hub.newsletters.rendering import PREFERENCES, UNSUBSCRIBE, Segment, render_issue
from hub.newsletters.tokens import Interests
from hub.security import form_view
from hub.settings import Settings
from hub.urls import url
from hub.web import bad_request, check_page, db, language, post

LANGUAGES = i18n.LANGUAGES
BRUSSELS = ZoneInfo(i18n.TIMEZONE)
STARTED = N_("This issue has started sending: it can no longer be changed.")
TEST_SUBJECT = N_("[Test] %(subject)s")
PARAMS = {  # the preview's query parameters: the lists a segment may follow
    "programme": InterestKind.PROGRAMME,
    "product_group": InterestKind.PRODUCT_GROUP,
    "community": InterestKind.COMMUNITY,
}


def _editor(request: Request) -> Principal:
    principal = require_principal(request)
    if not principal.is_newsletter_editor:
        raise HTTPException(403, _("Only newsletter editors and hub administrators may do this."))
    return principal


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _issue(session: Session, request: Request) -> NewsletterIssue:
    issue_id = request.path_params["issue_id"]
    return found(
        issues.get_issue(session, issue_id=issue_id),
        _("There is no newsletter issue with number %(id)s.", id=issue_id),
    )


def _editable_issue(session: Session, request: Request) -> NewsletterIssue:
    """The issue of the URL (404), if it has not started sending (409)."""
    issue = _issue(session, request)
    if not issues.editable(issue):
        raise HTTPException(409, _(STARTED))
    return issue


def _to_issue(issue: NewsletterIssue) -> RedirectResponse:
    return redirect_to("ws_issue", issue_id=issue.id)


# --- forms ----------------------------------------------------------------------------------------


def parse(session: Session, form: Form, request: Request) -> IssueInput | None:
    """The issue's text in both languages and the day its digest starts (Brussels); a field error
    for each problem, the issue's rules (``issues.errors_of``) included."""
    values: dict[str, Any] = {}
    for code in LANGUAGES:
        values[f"subject_{code}"] = form.line(f"subject_{code}", max_length=200)
        values[f"intro_{code}"] = form.text(f"intro_{code}", max_length=TEXT_MAX)
    for message in issues.subject_errors(values).values():  # shown on the page's language's subject
        form.error(f"subject_{language(request)}", message)
    day = form.date("since")
    if day is None and "since" not in form.errors:
        form.error("since", _("This field is required."))
    if day is not None:
        values["since"] = issues.since_of(session, day=day)
        for field, message in issues.since_errors(values["since"], now=utcnow()).items():
            form.error(field, message)
    return IssueInput(**values) if form.ok else None


def initial(issue: NewsletterIssue) -> Form:
    raw: dict[str, str | list[str]] = {
        name: getattr(issue, name) for name in issues.FIELDS if name != "since"
    }
    raw["since"] = i18n.local_moment(issue.since).date().isoformat()
    return Form(raw)


def schedule_initial(issue: NewsletterIssue) -> Form:
    if issue.scheduled_for is None or issue.status != IssueStatus.SCHEDULED:
        return Form()
    moment = i18n.local_moment(issue.scheduled_for)
    return Form({"send_on": moment.date().isoformat(), "send_at": moment.strftime("%H:%M")})


def parse_schedule(form: Form, issue: NewsletterIssue, now: dt.datetime) -> dt.datetime | None:
    """The moment to send (UTC) from a date and a time in Brussels, which must be in the future."""
    day = form.date("send_on")
    if day is None and "send_on" not in form.errors:
        form.error("send_on", _("This field is required."))
    time = form.time("send_at", required=True)
    missing = _missing_subject(issue)
    if missing:
        form.error(
            "send_on",
            _(
                "Write the subject in both languages before scheduling (missing: %(language)s).",
                language=missing,
            ),
        )
    if day is None or time is None or not form.ok:
        return None
    moment = dt.datetime.combine(day, time, tzinfo=BRUSSELS).astimezone(dt.UTC)
    if moment <= now:
        form.error("send_on", _("Choose a moment in the future."))
        return None
    return moment


# --- pages ----------------------------------------------------------------------------------------


def issue_list(request: Request) -> Response:
    _editor(request)
    number = page_number(request)
    with db(request) as session:
        page = issues.list_issues(session, page=number)
        check_page(number, page.pages)
        started = [issue.id for issue in page.items if issue.started_at is not None]
        counts = issues.delivery_counts(session, issue_ids=started)
        return render_page(request, "newsletters/workspace/list.html", page=page, counts=counts)


def issue_new(request: Request) -> Response:
    _editor(request)
    with db(request) as session:
        since = i18n.local_moment(issues.default_since(session)).date()
        form = Form({"since": since.isoformat()})
        return render_page(request, "newsletters/workspace/form.html", form=form, issue=None)


@form_view
def issue_create(request: Request, data: FormData) -> Response:
    principal = _editor(request)
    form = Form.submitted(data)
    with db(request) as session:
        values = parse(session, form, request)
        if values is None:
            return render_page(
                request, "newsletters/workspace/form.html", status_code=400, form=form, issue=None
            )
        issue = issues.create_issue(session, data=values, user_id=principal.user_id)
        session.commit()
        flash(request, _("The issue was saved as a draft."))
        return _to_issue(issue)


def _issue_page(
    request: Request,
    session: Session,
    issue: NewsletterIssue,
    *,
    form: Form | None = None,
    schedule: Form | None = None,
    send_now: Form | None = None,
    status_code: int = 200,
) -> Response:
    counts = issues.delivery_counts(session, issue_ids=[issue.id]) if issue.started_at else {}
    editable = issues.editable(issue)
    return render_page(
        request,
        "newsletters/workspace/form.html",
        status_code=status_code,
        issue=issue,
        form=form or initial(issue),
        schedule=schedule or schedule_initial(issue),
        send_now=send_now or Form(),
        recipients=subscriptions.confirmed_count(session) if editable else 0,
        editable=editable,
        cancellable=issues.cancellable(issue),
        counts=counts.get(issue.id),
    )


def issue_edit(request: Request) -> Response:
    _editor(request)
    with db(request) as session:
        return _issue_page(request, session, _issue(session, request))


@form_view
def issue_update(request: Request, data: FormData) -> Response:
    principal = _editor(request)
    form = Form.submitted(data)
    with db(request) as session:
        issue = _editable_issue(session, request)
        values = parse(session, form, request)
        if values is None:
            return _issue_page(request, session, issue, form=form, status_code=400)
        if not issues.update_issue(session, issue=issue, data=values, user_id=principal.user_id):
            raise HTTPException(409, _(STARTED))  # the sender took it since the page was read
        session.commit()
        flash(request, _("Your changes were saved."))
        return _to_issue(issue)


def _missing_subject(issue: NewsletterIssue) -> str:
    """The language whose subject the issue still lacks (its name), or "" when it has both."""
    missing = [code for code in LANGUAGES if not getattr(issue, f"subject_{code}")]
    return i18n.language_name(missing[0]) if missing else ""


def _scheduled(session: Session, issue: NewsletterIssue, moment: dt.datetime, principal: Principal) -> None:
    """Schedules the issue at ``moment`` and commits; 409 if the sender has taken it since the page
    was read."""
    if not issues.schedule_issue(session, issue=issue, at=moment, user_id=principal.user_id):
        raise HTTPException(409, _(STARTED))
    session.commit()


@form_view
def issue_schedule(request: Request, data: FormData) -> Response:
    principal = _editor(request)
    form = Form.submitted(data)
    with db(request) as session:
        issue = _editable_issue(session, request)
        moment = parse_schedule(form, issue, utcnow())
        if moment is None:
            return _issue_page(request, session, issue, schedule=form, status_code=400)
        _scheduled(session, issue, moment, principal)
        flash(
            request,
            _("The issue will be sent on %(moment)s.", moment=i18n.format_local_datetime(moment, "long")),
        )
        return _to_issue(issue)


@form_view
def issue_send_now(request: Request, data: FormData) -> Response:
    """Sends the issue at once to every confirmed subscriber, once the editor has confirmed it."""
    principal = _editor(request)
    form = Form.submitted(data)
    with db(request) as session:
        issue = _editable_issue(session, request)
        missing = _missing_subject(issue)
        if missing:
            form.error(
                "confirm",
                _(
                    "Write the subject in both languages before sending (missing: %(language)s).",
                    language=missing,
                ),
            )
        elif form.value("confirm") != "1":
            form.error("confirm", _("Tick the box to confirm that the issue may go out now."))
        if not form.ok:
            return _issue_page(request, session, issue, send_now=form, status_code=400)
        count = subscriptions.confirmed_count(session)
        _scheduled(session, issue, utcnow(), principal)
        flash(
            request,
            ngettext(
                "The issue is on its way to %(num)s subscriber: sending starts within a minute.",
                "The issue is on its way to %(num)s subscribers: sending starts within a minute.",
                count,
            ),
        )
        return _to_issue(issue)


def _cancel(session: Session, issue: NewsletterIssue, principal: Principal) -> None:
    if not issues.cancel_issue(session, issue=issue, user_id=principal.user_id):
        raise HTTPException(409, _("Only a scheduled issue, or one that is sending, can be cancelled."))


issue_cancel = action_view(
    lambda session, request, _principal: _issue(session, request),
    _cancel,
    done=N_("The issue was cancelled."),
    back=_to_issue,
    who=_editor,
)


# --- preview and test ----------------------------------------------------------------------------


def _filled(rendered: mail.Rendered, settings: Settings, lang: str) -> mail.Rendered:
    """A rendering with the subscriber's own links pointing at the public subscription page."""
    page = settings.base_url.rstrip("/") + url("newsletter", lang=lang)

    def fill(text: str) -> str:
        return text.replace(PREFERENCES, page).replace(UNSUBSCRIBE, page)

    return rendered._replace(text=fill(rendered.text), html=fill(rendered.html))


def _segment(request: Request, session: Session) -> tuple[Segment, dict[str, str]]:
    """The segment the preview's query names (400 for a language or list that does not exist)."""
    params = request.query_params
    lang = params.get("language", "") or language(request)
    if lang not in LANGUAGES:
        raise bad_request(_("“%(value)s” is not a language of the hub.", value=lang[:20]))
    allowed = subscriptions.lists(session).ids()
    chosen: set[tuple[InterestKind, int]] = set()
    for param, kind in PARAMS.items():
        for value in params.getlist(param):
            if not value:
                continue
            if not value.isdigit() or int(value) not in allowed[kind]:
                raise bad_request(_("There is no list “%(value)s” to follow.", value=value[:20]))
            chosen.add((kind, int(value)))
    interests: Interests = frozenset(chosen)
    raw = {param: "" for param in PARAMS} | {"language": lang}
    for kind, ref in interests:
        raw[next(p for p, k in PARAMS.items() if k == kind)] = str(ref)
    return Segment(lang, interests), raw


def preview_policy(settings: Settings) -> str:
    """The workspace's Content-Security-Policy, letting the e-mail's inline style attributes apply
    (a ``srcdoc`` frame inherits its page's policy). Scripts stay forbidden, and the frame is
    sandboxed besides."""
    return content_security_policy(oidc.origins(settings), inline_styles=True)


def issue_preview(request: Request) -> Response:
    _editor(request)
    settings = _settings(request)
    with db(request) as session:
        issue = _issue(session, request)
        segment, chosen = _segment(request, session)
        rendered = _filled(
            render_issue(session, issue=issue, segment=segment, settings=settings), settings, segment.language
        )
        response = render_page(
            request,
            "newsletters/workspace/preview.html",
            issue=issue,
            rendered=rendered,
            segment=segment,
            form=Form(chosen),
            lists=subscriptions.lists(session),
            recipients=issues.segment_recipients(
                session, language=segment.language, interests=segment.interests
            ),
            confirmed=issues.confirmed_subscribers(session, language=segment.language),
        )
    response.headers["content-security-policy"] = preview_policy(settings)
    return response


@form_view
def issue_test(request: Request, data: FormData) -> Response:
    """The issue in both languages, as the whole network gets it, to the editor's own address."""
    principal = _editor(request)
    settings = _settings(request)
    with db(request) as session:
        issue = _issue(session, request)
        messages = []
        for code in LANGUAGES:
            rendered = _filled(
                render_issue(session, issue=issue, segment=Segment(code), settings=settings), settings, code
            )
            subject = i18n.translations(code).ugettext(TEST_SUBJECT) % {"subject": rendered.subject}
            messages.append(
                mail.new_message(
                    settings, to=principal.email, subject=subject, text=rendered.text, html=rendered.html
                )
            )
    if mail.send_now(settings, *messages):
        flash(request, _("A test in both languages was sent to %(email)s.", email=principal.email))
    else:
        flash(request, _("The test could not be sent: the mail server did not accept it. Try again later."))
    return _to_issue(issue)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/newsletter", issue_list, name="ws_newsletter"),
        Route("/newsletter/new", issue_new, name="ws_issue_new"),
        post("/newsletter/new", issue_create, name="ws_issue_create"),
        Route("/newsletter/{issue_id:int}", issue_edit, name="ws_issue"),
        post("/newsletter/{issue_id:int}", issue_update, name="ws_issue_update"),
        Route("/newsletter/{issue_id:int}/preview", issue_preview, name="ws_issue_preview"),
        post("/newsletter/{issue_id:int}/test", issue_test, name="ws_issue_test"),
        post("/newsletter/{issue_id:int}/schedule", issue_schedule, name="ws_issue_schedule"),
        post("/newsletter/{issue_id:int}/send", issue_send_now, name="ws_issue_send_now"),
        post("/newsletter/{issue_id:int}/cancel", issue_cancel, name="ws_issue_cancel"),
    ]
