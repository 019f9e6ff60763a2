"""Workspace pages of the participants: coordinators invite people to log their organisation's
records, and review what they log (publish it, or return it with a note).

A coordinator invites for, and reviews, their own programmes only (403 otherwise). The review is
claimed with one conditional UPDATE, so two coordinators never both publish one entry.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import mail
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import (
    action_view,
    flash,
    list_filters,
    record_page,
    redirect_to,
    render_page,
    scope,
)
from hub.db import utcnow
from hub.forms import Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.participants import display, invitations, notices, publishing
from hub.participants import services as entries
from hub.participants.forms import raw_of
from hub.participants.models import Entry, EntryState, Invitation
from hub.programmes.services import editable_programmes
from hub.record_screens import paged_list, record_loader
from hub.records import LANGUAGES
from hub.refusals import Refused
from hub.security import form_view
from hub.web import db, invalid_value, language, post

NOTE_MAX = 2000


def _invitation_page(
    request: Request, session: Session, principal: Principal, form: Form, *, status_code: int = 200
) -> Response:
    ids = scope(principal)
    return render_page(
        request,
        "participants/workspace/invitations.html",
        status_code=status_code,
        form=form,
        programmes=editable_programmes(session, programme_ids=ids),
        organisations=invitations.participating_organisations(session, programme_ids=ids),
        invitations=invitations.list_invitations(session, programme_ids=ids),
        languages=LANGUAGES,
        now=utcnow(),
    )


def _organisation_chosen(form: Form, organisations: Sequence[Organisation]) -> str | None:
    """The organisation the picker names (typed and chosen from the list), or the id a script posts."""
    named = " ".join(form.value("organisation_name").split())
    if not named:
        return form.key("organisation_id", {str(o.id) for o in organisations})
    by_name = {" ".join(o.name.split()).casefold(): str(o.id) for o in organisations}
    chosen = by_name.get(named.casefold())
    if chosen is None:
        form.error(
            "organisation_id",
            _(
                "No organisation of your programmes is called “%(name)s”: choose one from the list.",
                name=named[:80],
            ),
        )
    return chosen


def participant_list(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        initial = {"language": language(request)}
        if len(programmes) == 1:
            initial["programme_id"] = str(programmes[0].id)
        return _invitation_page(request, session, principal, Form(initial))


@form_view
def participant_invite(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        programme = form.key("programme_id", {str(p.id) for p in programmes})
        organisation = _organisation_chosen(
            form, invitations.participating_organisations(session, programme_ids=scope(principal))
        )
        email = form.email("email", required=True)
        name = form.line("name", max_length=200)
        invite_language = form.key("language", LANGUAGES) or language(request)
        if (
            programme
            and organisation
            and not invitations.takes_part(
                session, programme_id=int(programme), organisation_id=int(organisation)
            )
        ):
            form.error("organisation_id", _("This organisation does not take part in this programme."))
        if not form.ok or programme is None or organisation is None:
            return _invitation_page(request, session, principal, form, status_code=400)
        invitation, token = invitations.invite(
            session,
            programme_id=int(programme),
            organisation_id=int(organisation),
            email=email,
            name=name,
            language=invite_language,
            invited_by_id=principal.user_id,
        )
        session.commit()
        session.refresh(invitation)
        message = notices.invitation(
            request.app.state.settings, invitation=invitation, token=token, inviter=principal.name
        )
    if mail.send_now(request.app.state.settings, message):
        flash(request, _("Invitation sent to %(email)s.", email=email))
    else:
        flash(
            request,
            _(
                "The invitation was saved, but the e-mail to %(email)s could not be sent. "
                "Withdraw it and invite again once the mail server works.",
                email=email,
            ),
        )
    return redirect_to("ws_participants")


_invitation = record_loader(
    invitations.get_invitation, "invitation_id", N_("There is no invitation with number %(id)s.")
)


def _revoke(session: Session, invitation: Invitation, principal: Principal) -> None:
    if not invitations.revoke(session, invitation=invitation, user_id=principal.user_id):
        raise HTTPException(409, _("This invitation was accepted or withdrawn already."))


participant_revoke = action_view(
    _invitation,
    _revoke,
    done=N_("The invitation was withdrawn; its link no longer works."),
    back=lambda _withdrawn: redirect_to("ws_participants"),
)


# --- the review of what participants logged ---


def entry_list(request: Request) -> Response:
    principal = require_principal(request)
    read = list_filters(request)  # 400 naming the filter for a value it does not know
    state = read.member("state", EntryState) or EntryState.SUBMITTED
    with db(request) as session:
        return paged_list(
            request,
            read,
            "participants/workspace/entry_list.html",
            lambda number: entries.review_queue(
                session, programme_ids=scope(principal), state=state, page=number
            ),
            state=state,
            states=list(EntryState),
            counts=entries.counts(session, programme_ids=scope(principal)),
        )


_entry = record_loader(entries.get_entry, "entry_id", N_("There is no entry with number %(id)s."))


def _entry_page(
    request: Request, session: Session, entry: Entry, *, problem: str = "", status_code: int = 200
) -> Response:
    vocabulary = publishing.choices(session)
    _values, form = publishing.check(session, entry, vocabulary)
    current = None
    if entry.target_id is not None and entry.editable:
        target = entries.target_of(
            session,
            kind=entry.kind,
            record_id=entry.target_id,
            programme_id=entry.programme_id,
            organisation_id=entry.organisation_id,
        )
        current = raw_of(target) if target is not None else None
    return render_page(
        request,
        "participants/workspace/entry.html",
        status_code=status_code,
        entry=entry,
        form=form,
        rows=display.rows(entry.kind, entry.values, current, vocabulary, language(request)),
        compared=current is not None,
        problem=problem,
    )


entry_page = record_page(_entry, _entry_page)


@form_view
def entry_review(request: Request, data: FormData) -> Response:
    """Publish the entry, or return it to the participant with a note (required then)."""
    principal = require_principal(request)
    decision = str(data.get("decision", ""))
    note = str(data.get("note", "")).replace("\r\n", "\n").strip()
    if decision not in ("publish", "return"):
        raise invalid_value("decision", decision[:20])
    with db(request) as session:
        entry = _entry(session, request, principal)
        if len(note) > NOTE_MAX:
            return _entry_page(
                request,
                session,
                entry,
                problem=_(
                    "Use at most %(max)d characters; this has %(count)d.", max=NOTE_MAX, count=len(note)
                ),
                status_code=400,
            )
        if decision == "return" and not note:
            return _entry_page(
                request,
                session,
                entry,
                problem=_("Say what the participant should change: the note goes to them."),
                status_code=400,
            )
        to = EntryState.PUBLISHED if decision == "publish" else EntryState.RETURNED
        if not entries.claim_for_review(session, entry=entry, user_id=principal.user_id, to=to, note=note):
            raise HTTPException(409, _("This entry is not waiting for review (any more)."))
        if to == EntryState.PUBLISHED:
            try:
                publishing.publish(session, entry=entry, user_id=principal.user_id)
            except Refused as refused:
                session.rollback()
                entry = _entry(session, request, principal)
                return _entry_page(request, session, entry, problem=str(refused), status_code=refused.status)
        session.commit()
        author = entry.created_by.email if entry.created_by and entry.created_by.is_active else None
        messages = (
            notices.entry_reviewed(request.app.state.settings, entry=entry, to=author) if author else []
        )
    sent = mail.send_now(request.app.state.settings, *messages) if messages else False
    if to == EntryState.PUBLISHED:
        flash(request, _("Published.") + (" " + _("The participant was told by e-mail.") if sent else ""))
    else:
        flash(
            request,
            _("Returned to the participant.") + (" " + _("They were told by e-mail.") if sent else ""),
        )
    return redirect_to("ws_entry", entry_id=entry.id)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/participants", participant_list, name="ws_participants"),
        post("/participants", participant_invite, name="ws_participant_invite"),
        post(
            "/participants/invitations/{invitation_id:int}/withdraw",
            participant_revoke,
            name="ws_invitation_withdraw",
        ),
        Route("/entries", entry_list, name="ws_entries"),
        Route("/entries/{entry_id:int}", entry_page, name="ws_entry"),
        post("/entries/{entry_id:int}", entry_review, name="ws_entry_review"),
    ]
