"""Public pages of the events: the list (to come first, then past), one event with its places per
side, the suppliers' circular offers and the outcome, the registration form, and iCalendar files.

A visitor needs no account. A refused form comes back with what they typed: 400 for a field to
correct, 409 when the event cannot take the registration (closed, the side full, the address
registered already). The registration is saved before the confirmation is sent, so a mail server
that is down loses nothing: the page says the e-mail could not go.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.db import utcnow
from hub.events import notices, services
from hub.events.models import Event, EventKind, Side
from hub.forms import Form
from hub.i18n import gettext as _
from hub.programmes.services import programme_choices
from hub.public import calendar_page, caught_bot, send_and_tell
from hub.ratelimit import check_public_form
from hub.refusals import Refused
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.urls import url
from hub.web import check_page, db, language, not_found, page_with_form, render_page, writer_db

OFFER_MAX = 4000


def _event(session: Session, request: Request) -> Event:
    event_id = request.path_params["event_id"]
    event = services.get_event(session, event_id=event_id)
    if event is None or event.withdrawn_at is not None:
        raise not_found(_("There is no event with number %(id)s.", id=event_id))
    return event


def event_list(request: Request) -> Response:
    now = utcnow()
    with db(request) as session:
        filters = services.parse_filters(session, request.query_params)
        page = services.list_events(session, filters=filters, now=now)
        check_page(filters.page, page.pages)
        return render_page(
            request,
            "events/list.html",
            page=page,
            filters=filters,
            now=now,
            programmes=programme_choices(session),
            kinds=list(EventKind),
            sorts=list(services.Sort),
        )


def _event_page(
    request: Request, session: Session, event: Event, form: Form, status_code: int = 200
) -> Response:
    now = utcnow()
    taken = services.taken_places(session, event_ids=[event.id]).get(event.id, {})
    places_left = services.places_left(event, taken)
    lang = language(request)
    return render_page(
        request,
        "events/detail.html",
        status_code=status_code,
        event=event,
        form=form,
        is_past=event.is_past(now),
        refusal=services.registration_refusal(event, now),
        taken=taken,
        places_left=places_left,
        open_sides=[side for side in Side if places_left[side] != 0],
        sides=list(Side),
        offers=services.supplier_offers(session, event_id=event.id),
        product_group_options=[(g.code, g.name(lang)) for g in taxonomy.product_groups(session)],
    )


event_detail = page_with_form(_event, _event_page)


def _read(form: Form) -> dict[str, str]:
    """The registration's fields as typed; errors are left in ``form.errors``."""
    return {
        "organisation": form.line("organisation", max_length=200, required=True),
        "name": form.line("name", max_length=200, required=True),
        "email": form.email("email", required=True),
    }


@form_view
def event_register(request: Request, data: FormData) -> Response:
    check_public_form(request)
    lang = language(request)
    form = Form.submitted(data)
    done = RedirectResponse(url("event", event_id=request.path_params["event_id"]), status_code=303)
    values = _read(form)
    side = form.choice("side", Side)
    offer = form.text("offer", max_length=OFFER_MAX, required=side is Side.SUPPLIER)
    # A writer session: the check of the places left and the insert must not interleave.
    with writer_db(request) as session:
        event = _event(session, request)
        if caught_bot(request, form, _("You are registered. A confirmation is on its way to you.")):
            return done
        refusal = services.registration_refusal(event, utcnow())
        if refusal is not None:
            form.error("form", refusal)
            return _event_page(request, session, event, form, 409)
        groups = {g.code: g for g in taxonomy.product_groups(session)}
        group = form.key("product_group", groups, required=side is Side.SUPPLIER)
        if not form.ok or side is None:
            return _event_page(request, session, event, form, 400)
        try:
            registration = services.register(
                session,
                event=event,
                side=side,
                organisation_name=values["organisation"],
                contact_name=values["name"],
                email=values["email"],
                product_group_id=groups[group].id if group else None,
                circular_offer=offer,
                language=lang,
                now=utcnow(),
            )
        except Refused as refused:
            form.error(refused.field or "form", str(refused))
            return _event_page(request, session, event, form, 409)
        session.commit()
        message = notices.registration_confirmed(
            request.app.state.settings, registration=registration, event=event
        )
    send_and_tell(
        request,
        [message],
        sent=_("You are registered. A confirmation is on its way to %(email)s.", email=values["email"]),
        unsent=_(
            "You are registered. The confirmation e-mail could not be sent; "
            "the coordinators have your registration."
        ),
    )
    return done


# --- calendars ---


def event_calendar(request: Request) -> Response:
    """One event as a file to add to a calendar."""
    with db(request) as session:
        event = _event(session, request)
        name = event.localized("title", language(request)).text
        return calendar_page(request, notices.calendar, [event], name=name, filename=f"event-{event.id}.ics")


def events_calendar(request: Request) -> Response:
    """Every event, for a calendar program to subscribe to."""
    name = _("Events of the circular procurement programmes")
    with db(request) as session:
        return calendar_page(request, notices.calendar, services.live_events(session), name=name)
