"""The invitation link: ``/{lang}/invitations/{token}`` shows who invites whom (GET changes nothing,
since mail scanners open links), and accepting it (POST) signs the person in as a participant."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.accounts import services as accounts
from hub.accounts.links import LinkProblem
from hub.accounts.oidc import PROVIDER_KEY
from hub.accounts.web import LINK_HEADERS, current_principal, start_session
from hub.db import utcnow
from hub.i18n import gettext as _
from hub.participants import invitations
from hub.participants.models import Invitation
from hub.security import form_view
from hub.urls import url
from hub.web import db, render


def problem_text(problem: LinkProblem, invitation: Invitation | None) -> str:
    if problem == LinkProblem.USED and invitation is not None and invitation.accepted_at:
        return _(
            "This invitation was accepted on %(date)s and works only once. Sign in with a sign-in link "
            "sent to your e-mail address instead.",
            date=invitation.accepted_at.date().isoformat(),
        )
    if problem == LinkProblem.EXPIRED and invitation is not None:
        return _(
            "This invitation expired on %(date)s. Ask the coordinator of %(programme)s for a new one.",
            date=invitation.expires_at.date().isoformat(),
            programme=invitation.programme.short_name,
        )
    if problem == LinkProblem.WITHDRAWN:
        return _(
            "This invitation was withdrawn, or the account it is for was deactivated. Ask the coordinator."
        )
    return _("There is no such invitation. Check that you copied the whole link from the e-mail.")


def _problem_page(request: Request, problem: LinkProblem, invitation: Invitation | None) -> Response:
    response = render(
        request,
        "accounts/link_problem.html",
        status_code=404 if problem == LinkProblem.UNKNOWN else 410,
        message=problem_text(problem, invitation),
    )
    response.headers.update(LINK_HEADERS)
    return response


def invitation_page(request: Request) -> Response:
    token = request.path_params["token"]
    with db(request) as session:
        invitation = invitations.find(session, token=token)
        problem = invitations.problem_of(invitation, utcnow())
        if problem is not None or invitation is None:
            return _problem_page(request, problem or LinkProblem.UNKNOWN, invitation)
        response = render(
            request,
            "participants/invitation.html",
            invitation=invitation,
            token=token,
            principal=current_principal(request),
            providers=request.app.state.oidc.providers(),
        )
    response.headers.update(LINK_HEADERS)
    return response


@form_view
def invitation_accept(request: Request, _form: FormData) -> Response:
    token = request.path_params["token"]
    principal = current_principal(request)
    with db(request) as session:
        current = accounts.get_user(session, user_id=principal.user_id) if principal else None
        outcome = invitations.accept(session, token=token, current=current)
        if not isinstance(outcome, invitations.Accepted):
            session.rollback()
            return _problem_page(request, *outcome)
        new_principal = accounts.principal_of(outcome.user)
        session.commit()
    provider = request.session.get(PROVIDER_KEY) if principal else None
    start_session(request, new_principal)
    if provider:  # still logged in through OpenID Connect: logging out should end that too
        request.session[PROVIDER_KEY] = provider
    return RedirectResponse(url("participant_home"), status_code=303)
