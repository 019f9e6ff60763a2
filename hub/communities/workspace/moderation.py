"""Coordinators' screens of community life: moderators decide on requests, keep the members and
post updates; coordinators decide on proposals; members see their communities.

Who moderates a community: its moderators (a role per community), the coordinators of its
programme and administrators. Communities kept on another hub are moderated there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.communities import joining, members, notices, proposals
from hub.communities import services as communities
from hub.communities.models import Community, MemberRole, Membership
from hub.coordinator import (
    action_view,
    decision_of,
    flash,
    found,
    record_page,
    redirect_to,
    render_page,
    scope,
    tell_decision,
)
from hub.db import utcnow
from hub.forms import Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.records import LANGUAGES
from hub.refusals import Refused
from hub.security import form_view
from hub.web import db, language, post

NOTE_MAX = 2000  # a decision's note


def load(session: Session, request: Request, principal: Principal) -> Community:
    """The community of the URL (404), if this person moderates it (403) and it is kept here (409)."""
    community_id = request.path_params["community_id"]
    community = found(
        communities.get_community(session, community_id=community_id),
        _("There is no community with number %(id)s.", id=community_id),
    )
    if not principal.may_moderate(community_id=community.id, programme_id=community.programme_id):
        raise HTTPException(403, _("Only the moderators of this community may do this."))
    if community.home_hub is not None:
        raise HTTPException(
            409, _("This record is kept by %(home)s and edited there.", home=community.home_hub)
        )
    return community


def to_community(community_id: int) -> RedirectResponse:
    return redirect_to("ws_community", community_id=community_id)


def community_index(request: Request) -> Response:
    """The communities this person moderates, the proposals they decide on, and those they belong to."""
    principal = require_principal(request)
    with db(request) as session:
        mine = communities.moderated_by(session, principal=principal)
        requests = joining.pending_requests(session, community_ids=[c.id for c in mine])
        waiting: dict[int, int] = {}
        for join_request in requests:
            waiting[join_request.community_id] = waiting.get(join_request.community_id, 0) + 1
        waiting_proposals = (
            proposals.pending_proposals(session, programme_ids=scope(principal))
            if principal.is_admin or principal.programme_ids
            else []
        )
        return render_page(
            request,
            "communities/workspace/index.html",
            moderated=mine,
            waiting=waiting,
            proposals=waiting_proposals,
            memberships=communities.memberships_of(session, email=principal.email),
        )


def _community_page(
    request: Request,
    session: Session,
    community: Community,
    *,
    member_form: Form | None = None,
    post_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    all_meetings = communities.meetings_of(session, community_id=community.id)
    return render_page(
        request,
        "communities/workspace/community.html",
        status_code=status_code,
        community=community,
        requests=joining.pending_requests(session, community_ids=[community.id]),
        members=communities.members_of(session, community_id=community.id),
        meetings=all_meetings[::-1],
        now=utcnow(),
        registered=communities.registration_counts(session, meeting_ids=[m.id for m in all_meetings]),
        posts=communities.posts_of(session, community_id=community.id, limit=20),
        member_form=member_form or Form({"role": MemberRole.MEMBER.value}),
        post_form=post_form or Form({"source_language": language(request)}),
        roles=list(MemberRole),
        languages=LANGUAGES,
    )


community_page = record_page(load, _community_page)


@form_view
def request_decide(request: Request, data: FormData) -> Response:
    """Accept or decline a request to join; the asker hears by e-mail in their language."""
    principal = require_principal(request)
    form = Form.submitted(data)
    accept, note = decision_of(form, note_max=NOTE_MAX)
    settings = request.app.state.settings
    with db(request) as session:
        community = load(session, request, principal)
        join_request = found(
            joining.get_request(
                session, request_id=request.path_params["request_id"], community_id=community.id
            ),
            _("There is no such request."),
        )
        if accept is None:
            raise HTTPException(400, _("Choose whether to accept or decline the request."))
        joining.decide_request(
            session,
            join_request=join_request,
            accept=accept,
            note=note,
            user_id=principal.user_id,
        )
        session.commit()
        message = notices.join_decision(settings, join_request=join_request, community=community)
        tell_decision(request, session, join_request, message)
    return to_community(community.id)


@form_view
def member_add(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    values: dict[str, Any] = {
        "name": form.line("name", max_length=members.NAME_MAX),
        "email": form.email("email") or None,
        "organisation_name": form.line("organisation", max_length=members.NAME_MAX),
        "role": form.choice("role", MemberRole),
    }
    _show(form, members.errors_of(values))
    with db(request) as session:
        community = load(session, request, principal)
        if form.ok and values["role"] is not None:
            try:
                member = members.MemberInput(community_id=community.id, **values)
                members.add_member(session, data=member, user_id=principal.user_id)
            except Refused as refused:
                _show(form, refused.errors or {"email": str(refused)})
        if not form.ok:
            return _community_page(request, session, community, member_form=form, status_code=400)
        session.commit()
    flash(request, _("The member was added."))
    return to_community(community.id)


def _show(form: Form, errors: dict[str, str]) -> None:
    """The domain's messages at the member form's fields."""
    for field, message in errors.items():
        form.error("organisation" if field == "organisation_name" else field, message)


def _membership(session: Session, request: Request, principal: Principal) -> Membership:
    community = load(session, request, principal)
    return found(
        members.get_member(
            session, membership_id=request.path_params["member_id"], community_id=community.id
        ),
        _("There is no such member."),
    )


member_remove = action_view(
    _membership,
    lambda session, membership, principal: members.remove_member(
        session,
        membership=membership,
        programme_id=membership.community.programme_id,
        user_id=principal.user_id,
    ),
    done=N_("The member was removed."),
    back=lambda membership: to_community(membership.community_id),
)


@form_view
def post_add(request: Request, data: FormData) -> Response:
    """An update in both languages (the source language required), shown on the community's page."""
    principal = require_principal(request)
    form = Form.submitted(data)
    values = form.bilingual("body", title_max=200)
    source = values["source_language"] = values["source_language"] or ""
    if source and not values[f"body_{source}"]:
        form.error(f"body_{source}", _("Write the update in the source language."))
    with db(request) as session:
        community = load(session, request, principal)
        if not form.ok:
            return _community_page(request, session, community, post_form=form, status_code=400)
        joining.add_post(
            session,
            community=community,
            values=values,
            author_id=principal.user_id,
            author_name=principal.name,
        )
        session.commit()
    flash(request, _("The update was posted."))
    return to_community(community.id)


@form_view
def proposal_decide(request: Request, data: FormData) -> Response:
    """A coordinator of the proposal's programme accepts (the community starts) or declines it."""
    principal = require_principal(request)
    form = Form.submitted(data)
    accept, note = decision_of(form, note_max=NOTE_MAX)
    settings = request.app.state.settings
    with db(request) as session:
        proposal = found(
            proposals.get_proposal(session, proposal_id=request.path_params["proposal_id"]),
            _("There is no such proposal."),
        )
        if not principal.may_edit_programme(proposal.programme_id):
            raise HTTPException(403, _("You may not change records of this programme."))
        if accept is None:
            raise HTTPException(400, _("Choose whether to accept or decline the proposal."))
        community = proposals.decide_proposal(
            session, proposal=proposal, accept=accept, note=note, user_id=principal.user_id
        )
        session.commit()
        message = notices.proposal_decision(settings, proposal=proposal, community=community)
        tell_decision(request, session, proposal, message)
    if community is None:
        return redirect_to("ws_communities")
    return to_community(community.id)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.communities.workspace``)."""
    community = "/communities/{community_id:int}"
    return [
        Route("/communities", community_index, name="ws_communities"),
        Route(community, community_page, name="ws_community"),
        post(community + "/requests/{request_id:int}", request_decide, name="ws_request_decide"),
        post(community + "/members", member_add, name="ws_member_add"),
        post(community + "/members/{member_id:int}/remove", member_remove, name="ws_member_remove"),
        post(community + "/posts", post_add, name="ws_post_add"),
        post("/proposals/{proposal_id:int}", proposal_decide, name="ws_proposal_decide"),
    ]
