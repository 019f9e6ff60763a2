"""People and roles, for hub administrators: grant and revoke roles (OpenID Connect users start
without any), and see and end a person's login sessions.

Each request rebuilds the principal from the database, so a change takes effect at the person's
next request.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts import services, sessions
from hub.accounts.models import RoleName
from hub.accounts.web import require_principal
from hub.communities.services import local_communities
from hub.coordinator import flash, forbid_unless_admin, found, redirect_to, render_page
from hub.i18n import gettext as _
from hub.programmes.services import list_programmes
from hub.refusals import Refused
from hub.security import form_view
from hub.web import db, post


def _page(request: Request, status_code: int = 200, error: str = "") -> Response:
    with db(request) as session:
        return render_page(
            request,
            "accounts/workspace/people.html",
            status_code=status_code,
            error=error,
            users=services.list_users(session),
            login_sessions=sessions.live_sessions_by_user(session),
            programmes=list_programmes(session),
            communities=local_communities(session),
            roles=[role for role in RoleName if role != RoleName.PARTICIPANT],  # those come by invitation
        )


def people(request: Request) -> Response:
    forbid_unless_admin(require_principal(request))
    return _page(request)


@form_view
def grant_role(request: Request, form: FormData) -> Response:
    principal = require_principal(request)
    forbid_unless_admin(principal)
    role_value = str(form.get("role", ""))
    programme_code = str(form.get("programme", "")) or None
    if role_value not in {r.value for r in RoleName}:
        return _page(request, 400, _("Choose a role."))
    role = RoleName(role_value)
    if role == RoleName.PARTICIPANT:
        return _page(request, 400, _("A participant role comes with an invitation: see Participants."))
    if role == RoleName.COORDINATOR and not programme_code:
        return _page(request, 400, _("A coordinator role needs a programme."))
    community = str(form.get("community", ""))
    if role == RoleName.MODERATOR and not community.isdigit():
        return _page(request, 400, _("A moderator role needs a community."))
    with db(request) as session:
        user = found(
            services.get_user(session, user_id=request.path_params["user_id"]), _("There is no such person.")
        )
        admin = found(services.get_user(session, user_id=principal.user_id), _("There is no such person."))
        try:
            services.grant(
                session,
                user=user,
                role=role,
                programme_code=programme_code if role == RoleName.COORDINATOR else None,
                community_id=int(community) if role == RoleName.MODERATOR else None,
                granted_by=admin,
            )
        except Refused:
            if role == RoleName.MODERATOR:
                return _page(request, 400, _("There is no such community."))
            return _page(request, 400, _("There is no programme “%(code)s”.", code=programme_code or ""))
        session.commit()
        flash(request, _("Role granted to %(name)s.", name=user.name))
    return redirect_to("ws_people")


@form_view
def revoke_role(request: Request, form: FormData) -> Response:
    principal = require_principal(request)
    forbid_unless_admin(principal)
    with db(request) as session:
        admin = found(services.get_user(session, user_id=principal.user_id), _("There is no such person."))
        try:
            services.revoke(session, grant_id=request.path_params["grant_id"], revoked_by=admin)
        except Refused as error:
            message = (
                _("You cannot remove your own administrator role.")
                if "own administrator" in str(error)
                else _("There is no such role.")
            )
            return _page(request, 400, message)
        session.commit()
        flash(request, _("Role removed."))
    return redirect_to("ws_people")


@form_view
def end_login_session(request: Request, _form: FormData) -> Response:
    """End one of a person's login sessions: their next request is logged out."""
    forbid_unless_admin(require_principal(request))
    with db(request) as session:
        ended = sessions.end_session_of(
            session, user_id=request.path_params["user_id"], session_id=request.path_params["session_id"]
        )
        session.commit()
    flash(request, _("Session ended.") if ended else _("That session had ended already."))
    return redirect_to("ws_people")


@form_view
def end_login_sessions(request: Request, _form: FormData) -> Response:
    """Log a person out everywhere."""
    forbid_unless_admin(require_principal(request))
    with db(request) as session:
        user = found(
            services.get_user(session, user_id=request.path_params["user_id"]), _("There is no such person.")
        )
        sessions.end_sessions_of(session, user_id=user.id)
        session.commit()
        flash(request, _("%(name)s has been logged out everywhere.", name=user.name))
    return redirect_to("ws_people")


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/people", people, name="ws_people"),
        post("/people/{user_id:int}/roles", grant_role, name="ws_grant"),
        post("/people/roles/{grant_id:int}/revoke", revoke_role, name="ws_revoke"),
        post("/people/{user_id:int}/sessions/{session_id:int}/end", end_login_session, name="ws_end_session"),
        post("/people/{user_id:int}/sessions/end", end_login_sessions, name="ws_end_sessions"),
    ]
