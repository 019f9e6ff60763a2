"""Public pages of the communities of practice: finding one, asking to join, proposing one,
meetings with registration and their outcome, and the meetings as iCalendar.

Visitors need no account. What they send is checked field by field; a refused form comes back
with what they typed and a message per field.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import mail
from hub.accounts.services import coordinators_of
from hub.communities import calendar, joining, meetings, notices, proposals, services
from hub.communities.models import Community, Meeting
from hub.db import utcnow
from hub.filters import QueryFilters
from hub.forms import TEXT_MAX, Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.programmes.services import list_programmes
from hub.public import calendar_page, caught_bot, record, send_and_tell, visitor
from hub.ratelimit import check_public_form
from hub.refusals import Refused
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.urls import url
from hub.web import db, flash, found, language, not_found, page_with_form, render_page, writer_db

# The proposal's fields that the form names otherwise (it asks for codes, not ids).
PROPOSAL_FORM = {
    "programme_id": "programme",
    "product_group_id": "product_group",
    "organisation_name": "organisation",
}


def _community(session: Session, request: Request) -> Community:
    return record(
        request,
        session,
        services.get_community,
        "community_id",
        N_("There is no community with number %(id)s."),
    )


def _meeting(session: Session, request: Request) -> Meeting:
    meeting = services.get_meeting(
        session,
        community_id=request.path_params["community_id"],
        meeting_id=request.path_params["meeting_id"],
    )
    return found(meeting, _("There is no such meeting."))


def community_list(request: Request) -> Response:
    q = QueryFilters(None, request.query_params).search()
    with db(request) as session:
        groups = services.communities_by_product_group(session, q=q)
    return render_page(request, "communities/list.html", groups=groups, q=q)


def community_detail(request: Request) -> Response:
    with db(request) as session:
        community = _community(session, request)
        all_meetings = services.meetings_of(session, community_id=community.id)
        now = utcnow()
        upcoming = [m for m in all_meetings if m.starts_at >= now]
        past = [m for m in all_meetings if m.starts_at < now][::-1]
        return render_page(
            request,
            "communities/detail.html",
            community=community,
            upcoming=upcoming,
            past=past,
            registered=services.registration_counts(session, meeting_ids=[m.id for m in upcoming]),
            outcomes=services.published_meeting_ids(session, meeting_ids=[m.id for m in past]),
            organisations=services.member_organisations(session, community_id=community.id),
            counterparts=services.counterparts(session, community=community),
            posts=services.posts_of(session, community_id=community.id),
        )


# --- asking to join ---


def _join_page(request: Request, community: Community, form: Form, status_code: int = 200) -> Response:
    return render_page(
        request, "communities/join.html", status_code=status_code, community=community, form=form
    )


def join_page(request: Request) -> Response:
    with db(request) as session:
        community = _community(session, request)
        return _join_page(request, community, Form())


@form_view
def join_submit(request: Request, data: FormData) -> Response:
    check_public_form(request)
    form = Form.submitted(data)
    who = visitor(request, form)
    message = form.text("message", max_length=4000)
    with db(request) as session:
        community = _community(session, request)
        if not form.ok:
            return _join_page(request, community, form, 400)
        try:
            join_request = joining.request_to_join(session, community=community, message=message, **who)
        except Refused as refused:
            form.error(refused.field or "form", str(refused))
            return _join_page(request, community, form, 409)
        session.commit()
        settings = request.app.state.settings
        moderators = services.moderator_addresses(session, community=community)
        notice = notices.request_waiting
        mail.send_now(
            settings, *notice(settings, join_request=join_request, community=community, moderators=moderators)
        )
        flash(
            request,
            _(
                "Thank you: your request was sent to the moderators. "
                "You will hear from them by e-mail at %(email)s.",
                email=who["email"],
            ),
        )
        return RedirectResponse(url("community", community_id=community.id), status_code=303)


# --- writing to the contact person ---


def _contact_page(request: Request, community: Community, form: Form, status_code: int = 200) -> Response:
    return render_page(
        request, "communities/contact.html", status_code=status_code, community=community, form=form
    )


def _contactable(session: Session, request: Request) -> Community:
    community = _community(session, request)
    if not community.contact_email:
        raise not_found(_("This community has no contact person to write to."))
    return community


def contact_page(request: Request) -> Response:
    with db(request) as session:
        return _contact_page(request, _contactable(session, request), Form())


@form_view
def contact_send(request: Request, data: FormData) -> Response:
    check_public_form(request)
    form = Form.submitted(data)
    with db(request) as session:
        community = _contactable(session, request)
        back = RedirectResponse(url("community", community_id=community.id), status_code=303)
        thanks = _("Your message was sent to %(person)s.", person=community.contact_name)
        if caught_bot(request, form, thanks):
            return back
        who = visitor(request, form)
        message = form.text("message", max_length=4000, required=True)
        if not form.ok:
            return _contact_page(request, community, form, 400)
        settings = request.app.state.settings
        messages = notices.contact_message(settings, community=community, sender=who, message=message)
    send_and_tell(
        request,
        messages,
        sent=thanks,
        unsent=_("The message could not be sent: the mail server did not accept it. Try again later."),
    )
    return back


# --- proposing a community ---


def _propose_page(request: Request, session: Session, form: Form, status_code: int = 200) -> Response:
    return render_page(
        request,
        "communities/propose.html",
        status_code=status_code,
        form=form,
        programme_options=[(p.code, p.short_name) for p in list_programmes(session)],
        product_group_options=[(g.code, g.name(language(request))) for g in taxonomy.product_groups(session)],
    )


def propose_page(request: Request) -> Response:
    initial = Form({k: v for k, v in request.query_params.items() if k in ("programme", "product_group")})
    with db(request) as session:
        return _propose_page(request, session, initial)


@form_view
def propose_submit(request: Request, data: FormData) -> Response:
    check_public_form(request)
    form = Form.submitted(data)
    with db(request) as session:
        programmes = {p.code: p for p in list_programmes(session)}
        product_groups = {g.code: g for g in taxonomy.product_groups(session)}
        programme = form.key("programme", programmes)
        product_group = form.key("product_group", product_groups, required=False)
        title = form.line("title", max_length=200, required=True)
        description = form.text("description", max_length=TEXT_MAX, required=True)
        who = visitor(request, form)
        if not form.ok or programme is None:
            return _propose_page(request, session, form, 400)
        proposed = proposals.ProposalInput(
            programme_id=programmes[programme].id,
            product_group_id=product_groups[product_group].id if product_group else None,
            title=title,
            description=description,
            **who,
        )
        try:
            proposal = proposals.create_proposal(session, data=proposed)
        except Refused as refused:
            for field, message in (refused.errors or {"form": str(refused)}).items():
                form.error(PROPOSAL_FORM.get(field, field), message)
            return _propose_page(request, session, form, refused.status)
        session.commit()
        settings = request.app.state.settings
        coordinators = [user.email for user in coordinators_of(session, programme_id=proposal.programme_id)]
        waiting = notices.proposal_waiting(settings, proposal=proposal, coordinators=coordinators)
        mail.send_now(settings, *waiting)
    flash(
        request,
        _("Thank you: the programme's coordinators will consider your proposal and answer you by e-mail."),
    )
    return RedirectResponse(url("communities"), status_code=303)


# --- meetings ---


def _meeting_page(
    request: Request, session: Session, meeting: Meeting, form: Form, status_code: int = 200
) -> Response:
    taken = services.registration_counts(session, meeting_ids=[meeting.id]).get(meeting.id, 0)
    return render_page(
        request,
        "communities/meeting.html",
        status_code=status_code,
        meeting=meeting,
        community=meeting.community,
        closeout=services.closeout_of(session, meeting_id=meeting.id),
        taken=taken,
        places_left=None if meeting.capacity is None else max(meeting.capacity - taken, 0),
        is_past=meeting.starts_at < utcnow(),
        form=form,
    )


meeting_detail = page_with_form(_meeting, _meeting_page)


@form_view
def meeting_register(request: Request, data: FormData) -> Response:
    check_public_form(request)
    form = Form.submitted(data)
    who = visitor(request, form)
    # A writer session: the capacity check and the insert must not interleave with another's.
    with writer_db(request) as session:
        meeting = _meeting(session, request)
        if not form.ok:
            return _meeting_page(request, session, meeting, form, 400)
        try:
            registration = meetings.register(session, meeting=meeting, **who)
        except Refused as refused:
            form.error(refused.field or "form", str(refused))
            return _meeting_page(request, session, meeting, form, 409)
        session.commit()
        message = notices.registration_confirmed(
            request.app.state.settings,
            registration=registration,
            meeting=meeting,
            community=meeting.community,
        )
        path = url("meeting", community_id=meeting.community_id, meeting_id=meeting.id)
    send_and_tell(
        request,
        [message],
        sent=_("You are registered. A confirmation is on its way to %(email)s.", email=who["email"]),
        unsent=_(
            "You are registered. The confirmation e-mail could not be sent; "
            "the moderators have your registration."
        ),
    )
    return RedirectResponse(path, status_code=303)


# --- calendars ---


def community_calendar(request: Request) -> Response:
    """Every meeting of the community, for a calendar program to subscribe to."""
    with db(request) as session:
        community = _community(session, request)
        every_meeting = services.meetings_of(session, community_id=community.id)
        name = community.localized("name", language(request)).text
        return calendar_page(request, calendar.calendar, every_meeting, name=name)


def meeting_calendar(request: Request) -> Response:
    """One meeting as a file to add to a calendar."""
    with db(request) as session:
        meeting = _meeting(session, request)
        name = meeting.localized("title", language(request)).text
        return calendar_page(
            request, calendar.calendar, [meeting], name=name, filename=f"meeting-{meeting.id}.ics"
        )
