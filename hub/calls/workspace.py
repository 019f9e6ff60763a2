"""Coordinators' screens of the calls to join: a programme's coordinators open a call (for the programme
or one of its pilots), change and close it, and answer the visitors who expressed interest.

Coordinators see and change the calls of their own programmes only (403 for others); administrators
all. Each answer goes to the visitor by e-mail in the language they wrote in; the answer is saved
first, so a mail server that is down loses nothing (the page says the e-mail could not go).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.calls import notices, writes
from hub.calls import services as calls
from hub.calls.models import Call
from hub.calls.writes import CallInput, create_call, update_call
from hub.coordinator import (
    action_view,
    decision_of,
    found,
    new_record_form,
    record_page,
    redirect_to,
    render_page,
    scope,
    tell_decision,
)
from hub.forms import Form, as_raw
from hub.i18n import N_, format_date
from hub.i18n import gettext as _
from hub.programmes.services import editable_programmes
from hub.record_screens import record_loader
from hub.records import LANGUAGES
from hub.security import form_view
from hub.web import db, flash, post

NOTE_MAX = 2000
MAX_PILOT_NUMBER = 2**31 - 1
FORM_FIELD = {"pilot_id": "pilot"}  # the form asks for the pilot's number


_load = record_loader(calls.get_call, "call_id", N_("There is no call with number %(id)s."))


def _to_call(call: Call) -> RedirectResponse:
    return redirect_to("ws_call", call_id=call.id)


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "programmes": editable_programmes(session, programme_ids=scope(principal)),
        "languages": LANGUAGES,
    }


def _show(form: Form, errors: Mapping[str, str]) -> None:
    for field, message in errors.items():
        form.error(FORM_FIELD.get(field, field), message)


def parse(
    session: Session, form: Form, choices: dict[str, Any], *, call: Call | None, today: dt.date
) -> CallInput | None:
    """The call's values from the form; a field error for each problem, the call's rules
    (``hub.calls.writes``) each next to its field."""
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    programme_id = int(programme) if programme else None
    pilot_id = form.integer("pilot", minimum=1, maximum=MAX_PILOT_NUMBER)
    _show(form, writes.pilot_errors(session, pilot_id=pilot_id, programme_id=programme_id))
    values: dict[str, Any] = {
        "programme_id": programme_id,
        "pilot_id": pilot_id,
        **form.bilingual("body", title_max=writes.TITLE_MAX),
    }
    _show(form, writes.text_errors(values))
    values["closes_on"] = form.date("closes_on")
    _show(form, writes.closing_errors(values["closes_on"], call=call, today=today))
    return CallInput(**values) if form.ok else None


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    call: Call | None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "calls/workspace/form.html",
        status_code=status_code,
        form=form,
        call=call,
        **_choices(session, principal),
    )


def call_list(request: Request) -> Response:
    """The calls of this person's programmes (all for an administrator), with interests waiting."""
    principal = require_principal(request)
    with db(request) as session:
        all_calls = calls.calls_of(session, programme_ids=scope(principal))
        return render_page(
            request,
            "calls/workspace/list.html",
            calls=all_calls,
            waiting=calls.pending_counts(session, call_ids=[c.id for c in all_calls]),
            today=calls.today(),
            may_create=bool(_choices(session, principal)["programmes"]),
        )


def call_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = _choices(session, principal)["programmes"]
        forbid_unless(bool(programmes))
        initial = new_record_form(request, programmes)
        return _form_page(request, session, principal, initial, call=None)


@form_view
def call_create(request: Request, data: FormData) -> Response:
    return _save(request, data, new=True)


def call_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        call = _load(session, request, principal)
        initial = Form({name: as_raw(getattr(call, name)) for name in writes.FIELDS})
        initial.raw["pilot"] = initial.raw.pop("pilot_id")
        return _form_page(request, session, principal, initial, call=call)


@form_view
def call_update(request: Request, data: FormData) -> Response:
    return _save(request, data, new=False)


def _save(request: Request, data: FormData, *, new: bool) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        call = None if new else _load(session, request, principal)
        choices = _choices(session, principal)
        if new:
            forbid_unless(bool(choices["programmes"]))
        today = calls.today()
        values = parse(session, form, choices, call=call, today=today)
        if values is None:
            return _form_page(request, session, principal, form, call=call, status_code=400)
        if call is None:
            call = create_call(session, data=values, user_id=principal.user_id, on=today)
        else:
            update_call(session, call=call, data=values, user_id=principal.user_id, on=today)
        session.commit()
        flash(
            request,
            _("The call was opened. Visitors can now express their interest.")
            if new
            else _("Your changes were saved."),
        )
        return _to_call(call)


def _call_page(request: Request, session: Session, call: Call) -> Response:
    today = calls.today()
    return render_page(
        request,
        "calls/workspace/call.html",
        call=call,
        is_open=call.is_open(today),
        closed_on=calls.closing_day(call),
        interests=calls.interests_of(session, call_id=call.id),
    )


call_page = record_page(_load, _call_page)

# Closes the call now: its page stays, its form no longer takes interest.
call_close = action_view(
    _load,
    lambda session, call, principal: calls.close_call(session, call=call, user_id=principal.user_id),
    done=N_("The call is closed."),
    back=_to_call,
)


def _reopened(call: Call) -> str:
    if call.closes_on is None:
        return _("The call is open again, until further notice: close it, or set a closing day.")
    return _("The call is open again until %(date)s.", date=format_date(call.closes_on))


# Opens a closed call again (409 if it is open): its form takes interest from now on.
call_reopen = action_view(
    _load,
    lambda session, call, principal: calls.reopen_call(
        session, call=call, today=calls.today(), user_id=principal.user_id
    ),
    done=_reopened,
    back=_to_call,
)


@form_view
def interest_answer(request: Request, data: FormData) -> Response:
    """Accept or decline an interest with a note; the visitor hears by e-mail in their language."""
    principal = require_principal(request)
    form = Form.submitted(data)
    accept, note = decision_of(form, note_max=NOTE_MAX)
    with db(request) as session:
        call = _load(session, request, principal)
        interest = found(
            calls.get_interest(session, interest_id=request.path_params["interest_id"], call_id=call.id),
            _("There is no such expression of interest."),
        )
        if accept is None:
            raise HTTPException(400, _("Choose whether to accept or decline the interest."))
        if not form.ok:
            raise HTTPException(400, form.errors.get("note", form.summary()))
        calls.answer_interest(
            session,
            interest=interest,
            call=call,
            accept=accept,
            note=note,
            user_id=principal.user_id,
        )
        session.commit()
        message = notices.call_answer(request.app.state.settings, interest=interest, call=call)
        tell_decision(request, session, interest, message)
    return _to_call(call)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/calls", call_list, name="ws_calls"),
        Route("/calls/new", call_new, name="ws_call_new"),
        post("/calls/new", call_create, name="ws_call_create"),
        Route("/calls/{call_id:int}", call_page, name="ws_call"),
        Route("/calls/{call_id:int}/edit", call_edit, name="ws_call_edit"),
        post("/calls/{call_id:int}/edit", call_update, name="ws_call_update"),
        post("/calls/{call_id:int}/close", call_close, name="ws_call_close"),
        post("/calls/{call_id:int}/reopen", call_reopen, name="ws_call_reopen"),
        post("/calls/{call_id:int}/interests/{interest_id:int}", interest_answer, name="ws_interest_answer"),
    ]
