"""Public pages of the calls to join: the open calls, one call with its interest form.

A visitor needs no account. What they send is checked field by field; a refused form comes back
with what they typed. The interest is saved before the coordinators are told by e-mail, so a mail
server that is down loses nothing: the page says the e-mail could not go.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.calls import notices, services
from hub.calls.models import Call, CallRole
from hub.forms import Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.public import caught_bot, record, send_and_tell, visitor
from hub.ratelimit import check_public_form
from hub.refusals import Refused
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.urls import url
from hub.web import db, language, page_with_form, render_page, writer_db

MESSAGE_MAX = 4000


def _call(session: Session, request: Request) -> Call:
    return record(request, session, services.get_call, "call_id", N_("There is no call with number %(id)s."))


def call_list(request: Request) -> Response:
    today = services.today()
    with db(request) as session:
        return render_page(
            request,
            "calls/list.html",
            open_calls=services.open_calls(session, today=today),
            closed_calls=services.closed_calls(session, today=today),
            closing_day=services.closing_day,
        )


def _call_page(
    request: Request, session: Session, call: Call, form: Form, status_code: int = 200
) -> Response:
    today = services.today()
    is_open = call.is_open(today)
    return render_page(
        request,
        "calls/detail.html",
        status_code=status_code,
        call=call,
        form=form,
        is_open=is_open,
        closed_on=None if is_open else services.closing_day(call),
        closed_message="" if is_open else services.closed_message(call),
        roles=list(CallRole),
        product_group_options=[(g.code, g.name(language(request))) for g in taxonomy.product_groups(session)],
    )


call_detail = page_with_form(_call, _call_page)


@form_view
def call_interest(request: Request, data: FormData) -> Response:
    check_public_form(request)
    form = Form.submitted(data)
    done = RedirectResponse(url("call", call_id=request.path_params["call_id"]), status_code=303)
    thanks = _("Thank you: the coordinators have your interest and will answer you by e-mail.")
    who = visitor(request, form, organisation_required=True)
    role = form.choice("role", CallRole)
    message = form.text("message", max_length=MESSAGE_MAX)
    # A writer session: the check for an open interest and the insert must not interleave.
    with writer_db(request) as session:
        call = _call(session, request)
        if caught_bot(request, form, thanks):
            return done
        if not call.is_open(services.today()):
            form.error("form", services.closed_message(call))
            return _call_page(request, session, call, form, 409)
        product_groups = {g.code: g for g in taxonomy.product_groups(session)}
        product_group = form.key("product_group", product_groups, required=False)
        if not form.ok or role is None:
            return _call_page(request, session, call, form, 400)
        try:
            interest = services.express_interest(
                session,
                call=call,
                today=services.today(),
                role=role,
                product_group_id=product_groups[product_group].id if product_group else None,
                message=message,
                **who,
            )
        except Refused as refused:
            form.error(refused.field or "form", str(refused))
            return _call_page(request, session, call, form, 409)
        session.commit()
        waiting = notices.interest_waiting(
            request.app.state.settings,
            interest=interest,
            call=call,
            coordinators=services.coordinator_addresses(session, call=call),
        )
    send_and_tell(
        request,
        waiting,
        sent=thanks,
        unsent=_(
            "Thank you: your interest is saved. The e-mail to the coordinators could not be sent; "
            "they will find your interest in their workspace and answer you by e-mail."
        ),
    )
    return done
