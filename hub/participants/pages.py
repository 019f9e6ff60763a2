"""The participant's own pages, under ``/{lang}/participant/``: their organisation's records and the
entries they log (a new pilot, commitment or supporting action, or a change to a published one).

A participant reaches only the organisations of their invitation: another organisation in the URL
is refused (403), another organisation's entry is not there for them (404). What they log waits
for a coordinator's review; nothing here changes a public record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub import mail
from hub.accounts.services import Principal, coordinators_of
from hub.accounts.web import require_principal
from hub.forms import Form
from hub.i18n import gettext as _
from hub.organisations.models import CommitmentKind, Organisation
from hub.participants import display, forms, notices, publishing, services
from hub.participants.models import Entry, EntryKind, EntryState
from hub.pilots.models import PilotStatus
from hub.programmes.models import Programme
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy.models import Phase
from hub.urls import url
from hub.web import db, flash, language, not_found, render_page


def _participant(request: Request) -> Principal:
    principal = require_principal(request)
    if not principal.organisations:
        raise HTTPException(
            403, _("These pages are for participants. Ask your coordinator for an invitation.")
        )
    return principal


def _pair(request: Request, principal: Principal) -> tuple[int, int]:
    """The (programme, organisation) of the URL, if this person logs for it (403 otherwise)."""
    pair = (request.path_params["programme_id"], request.path_params["organisation_id"])
    if pair not in principal.organisations:
        raise HTTPException(403, _("You log records for your own organisation only."))
    return pair


def _kind(request: Request) -> EntryKind:
    try:
        return EntryKind(request.path_params["kind"])
    except ValueError:
        raise not_found() from None


def _entry(session: Session, request: Request, principal: Principal) -> Entry:
    entry = services.get_entry(session, entry_id=request.path_params["entry_id"])
    if entry is None or (entry.programme_id, entry.organisation_id) not in principal.organisations:
        raise not_found(_("You have no entry with number %(id)s.", id=request.path_params["entry_id"]))
    return entry


def home(request: Request) -> Response:
    principal = _participant(request)
    with db(request) as session:
        records = [
            services.records_of(session, programme_id=p, organisation_id=o)
            for p, o in principal.organisations
        ]
        return render_page(
            request, "participants/home.html", records=[r for r in records if r], EntryState=EntryState
        )


def _form_page(
    request: Request,
    session: Session,
    form: Form,
    *,
    kind: EntryKind,
    pair: tuple[int, int],
    entry: Entry | None = None,
    target: Any = None,
    status_code: int = 200,
) -> Response:
    choices = publishing.choices(session)
    return render_page(
        request,
        "participants/entry_form.html",
        status_code=status_code,
        form=form,
        kind=kind,
        entry=entry,
        target=target,
        programme=session.get(Programme, pair[0]),
        organisation=session.get(Organisation, pair[1]),
        goals=choices.goals,
        business_models=choices.business_models,
        product_groups=choices.product_groups,
        phases=list(Phase),
        statuses=list(PilotStatus),
        languages=LANGUAGES,
        milestones=range(forms.MILESTONES),
        labels=display.labels(),
        commitment_kinds=list(CommitmentKind),
        action=url("participant_entry_update", entry_id=entry.id) if entry else request.url.path,
    )


def _initial(request: Request, kind: EntryKind) -> Form:
    if kind == EntryKind.PILOT:
        return Form(
            {"source_language": language(request), "status": PilotStatus.PLANNED.value, "progress": "0"}
        )
    if kind == EntryKind.COMMITMENT:
        return Form({"target_count": "2"})
    return Form({"source_language": language(request)})


def entry_new(request: Request) -> Response:
    principal = _participant(request)
    pair, kind = _pair(request, principal), _kind(request)
    with db(request) as session:
        return _form_page(request, session, _initial(request, kind), kind=kind, pair=pair)


def _target(session: Session, request: Request, kind: EntryKind, pair: tuple[int, int]) -> Any:
    record_id = request.path_params["record_id"]
    target = services.target_of(
        session, kind=kind, record_id=record_id, programme_id=pair[0], organisation_id=pair[1]
    )
    if target is None or target.withdrawn_at is not None:
        raise HTTPException(403, _("Record %(id)s is not one of your organisation's.", id=record_id))
    if target.home_hub is not None:
        raise HTTPException(409, _("This record is kept by %(home)s and edited there.", home=target.home_hub))
    return target


def record_change(request: Request) -> Response:
    """A change to a published record: the form starts from the record as published (or, if a
    change is in progress already, that entry opens)."""
    principal = _participant(request)
    pair, kind = _pair(request, principal), _kind(request)
    with db(request) as session:
        target = _target(session, request, kind, pair)
        pending = services.open_entry(session, kind=kind, target_id=target.id)
        if pending is not None:
            return RedirectResponse(url("participant_entry", entry_id=pending.id), status_code=303)
        return _form_page(request, session, Form(forms.raw_of(target)), kind=kind, pair=pair, target=target)


def _submitted(data: FormData) -> tuple[Form, bool]:
    return Form.submitted(data, multi=forms.MULTI), data.get("send") == "1"


def _save(
    request: Request,
    session: Session,
    form: Form,
    send: bool,
    *,
    entry: Entry,
    target: Any = None,
) -> Response:
    """Saves a draft even with errors (nothing is lost); sending needs a valid form."""
    pair = (entry.programme_id, entry.organisation_id)
    forms.parse(entry.kind, form, publishing.choices(session))
    if send and not form.ok:
        return _form_page(
            request,
            session,
            form,
            kind=entry.kind,
            pair=pair,
            entry=entry if entry.id else None,
            target=target,
            status_code=400,
        )
    raw = forms.kept(entry.kind, form)
    try:
        services.save_entry(session, entry=entry, raw=raw, title=forms.title_of(entry.kind, raw), send=send)
        session.commit()
    except IntegrityError:  # a change of this record was opened at the same moment elsewhere
        session.rollback()
        raise HTTPException(
            409, _("A change of this record is in progress already; open it from your page.")
        ) from None
    if send:
        settings = request.app.state.settings
        coordinators = [user.email for user in coordinators_of(session, programme_id=entry.programme_id)]
        session.refresh(entry, ["organisation"])
        # Saved first: a mail server that is down delays the coordinators' notice, never the entry.
        mail.send_now(settings, *notices.entry_waiting(settings, entry=entry, coordinators=coordinators))
        flash(request, _("Sent for review. The coordinators will publish it or return it with a note."))
    elif not form.ok:
        flash(request, _("Saved as a draft. Some fields still need your attention before you can send it."))
    else:
        flash(request, _("Saved as a draft. Only you and your coordinators see it."))
    return RedirectResponse(url("participant_entry", entry_id=entry.id), status_code=303)


@form_view
def entry_create(request: Request, data: FormData) -> Response:
    principal = _participant(request)
    pair, kind = _pair(request, principal), _kind(request)
    form, send = _submitted(data)
    with db(request) as session:
        target = _target(session, request, kind, pair) if "record_id" in request.path_params else None
        entry = Entry(
            programme_id=pair[0],
            organisation_id=pair[1],
            kind=kind,
            target_id=target.id if target is not None else None,
            created_by_id=principal.user_id,
        )
        return _save(request, session, form, send, entry=entry, target=target)


def entry_page(request: Request) -> Response:
    principal = _participant(request)
    with db(request) as session:
        entry = _entry(session, request, principal)
        pair = (entry.programme_id, entry.organisation_id)
        if not entry.editable:
            return render_page(request, "participants/entry.html", entry=entry)
        return _form_page(request, session, Form(entry.values), kind=entry.kind, pair=pair, entry=entry)


@form_view
def entry_update(request: Request, data: FormData) -> Response:
    principal = _participant(request)
    form, send = _submitted(data)
    with db(request) as session:
        entry = _entry(session, request, principal)
        if not entry.editable:
            raise HTTPException(409, _("This entry has been published; start a change from your page."))
        return _save(request, session, form, send, entry=entry)


@form_view
def entry_discard(request: Request, _data: FormData) -> Response:
    principal = _participant(request)
    with db(request) as session:
        entry = _entry(session, request, principal)
        if not entry.editable:
            raise HTTPException(409, _("This entry has been published; start a change from your page."))
        services.discard_entry(session, entry=entry)
        session.commit()
    flash(request, _("The entry was discarded."))
    return RedirectResponse(url("participant_home"), status_code=303)


def routes() -> list[Route]:
    kinds = "/{programme_id:int}/{organisation_id:int}/{kind:str}"
    return [
        Route("/", home, name="participant_home"),
        Route(kinds + "/new", entry_new, name="participant_new"),
        Route(kinds + "/new", entry_create, methods=["POST"], name="participant_create"),
        Route(kinds + "/{record_id:int}", record_change, name="participant_change"),
        Route(kinds + "/{record_id:int}", entry_create, methods=["POST"], name="participant_change_create"),
        Route("/entries/{entry_id:int}", entry_page, name="participant_entry"),
        Route("/entries/{entry_id:int}", entry_update, methods=["POST"], name="participant_entry_update"),
        Route("/entries/{entry_id:int}/discard", entry_discard, methods=["POST"], name="participant_discard"),
    ]
