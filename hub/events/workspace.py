"""Coordinators' screens of the events: the list, the bilingual form (what and when, places per side, the
product groups, and the outcome once it took place), archiving, and the registrations per side with
a way to cancel one (its place frees up).

A coordinator edits the events of their own programmes (403 for others); an administrator all. An
event kept by another hub is shown read-only and refuses changes (409). The list, the form and
archiving are ``RecordScreens``; an event's rules and its one write path, audited, are in
``hub.events.writes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.coordinator import (
    flash,
    found,
    list_filters,
    new_record_form,
    record_page,
    redirect_to,
    refuse_if_synced,
    render_page,
    scope,
)
from hub.db import utcnow
from hub.events import services as events
from hub.events.models import Event, EventKind, Side
from hub.events.writes import (
    CAPACITIES,
    FIELDS,
    MAX_CAPACITY,
    MOMENTS,
    EventInput,
    create_event,
    errors_of,
    registration_closes_at,
    update_event,
)
from hub.forms import Form, as_raw
from hub.i18n import N_, TIMEZONE, ZONES
from hub.i18n import gettext as _
from hub.programmes.models import Programme
from hub.programmes.services import editable_programmes
from hub.record_screens import RecordScreens
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.web import check_page, db, post

# The form's fields that show a rule about a stored value (the form takes a day and local times).
FORM_FIELD = {"starts_at": "starts", "ends_at": "ends", "registration_closes_at": "registration_closes_on"}


class EventScreens(RecordScreens[Event, EventInput]):
    record_name = "event"
    form_template = "events/workspace/form.html"
    fields = tuple(name for name in FIELDS if name not in MOMENTS)  # the moments: a day and times
    multi = ("product_group_ids",)
    missing = N_("There is no event with number %(id)s.")
    created = N_("The event was created.")
    archived = N_("The event was archived: it no longer shows on the public pages.")

    def get(self, session: Session, record_id: int) -> Event | None:
        return events.get_event(session, event_id=record_id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        return {
            **super().choices(session, principal),
            "product_groups": taxonomy.product_groups(session),
            "kinds": list(EventKind),
            "zones": ZONES,
            "languages": LANGUAGES,
        }

    def parse(self, form: Form, choices: dict[str, Any]) -> EventInput | None:
        """The event's values from the form (a day and times in the event's zone); a field error
        for each problem, the event's rules (``errors_of``) included."""
        programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
        values: dict[str, Any] = {
            "programme_id": int(programme) if programme else None,
            "kind": form.choice("kind", EventKind),
            **form.bilingual("summary", "outcome"),
        }
        zone = form.key("timezone", choices["zones"]) or TIMEZONE
        values["timezone"] = zone
        values["location"] = form.line("location", max_length=300)
        for name in CAPACITIES:
            values[name] = form.integer(name, minimum=0, maximum=MAX_CAPACITY)
        ids = form.keys("product_group_ids", {str(g.id) for g in choices["product_groups"]})
        values["product_group_ids"] = tuple(g.id for g in choices["product_groups"] if str(g.id) in ids)
        day = form.date("day")
        if day is None and "day" not in form.errors:
            form.error("day", _("This field is required."))
        starts, ends = form.time("starts", required=True), form.time("ends")
        closes_on = form.date("registration_closes_on")
        if day is None or starts is None:
            return None
        values["starts_at"] = form.moment("starts", day, starts, zone)
        values["ends_at"] = form.moment("ends", day, ends, zone) if ends else None
        values["registration_closes_at"] = registration_closes_at(closes_on, zone)
        for field, message in errors_of(values, now=utcnow()).items():
            form.error(FORM_FIELD.get(field, field), message)
        return EventInput(**values) if form.ok else None

    def create(self, session: Session, values: EventInput, principal: Principal) -> Event:
        return create_event(session, data=values, user_id=principal.user_id)

    def update(self, session: Session, record: Event, values: EventInput, principal: Principal) -> None:
        update_event(session, event=record, data=values, user_id=principal.user_id)

    def initial(self, request: Request, programmes: Sequence[Programme]) -> Form:
        return new_record_form(request, programmes, timezone=TIMEZONE)

    def current(self, record: Event) -> Form:
        """The stored event as the form shows it: the day and times in the event's zone."""
        form = super().current(record)
        zone = record.zone()
        starts = record.starts_at.astimezone(zone)
        form.raw["day"] = starts.date().isoformat()
        form.raw["starts"] = starts.strftime("%H:%M")
        form.raw["ends"] = record.ends_at.astimezone(zone).strftime("%H:%M") if record.ends_at else ""
        form.raw["registration_closes_on"] = as_raw(record.last_registration_day())
        form.raw["product_group_ids"] = [str(g.id) for g in record.product_groups]
        return form

    def context(
        self, session: Session, principal: Principal, record: Event | None, form: Form
    ) -> dict[str, Any]:
        return {"is_past": record is not None and record.is_past(utcnow())}

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        """The events of this person's programmes (all for an administrator), with registrations per side."""
        read = list_filters(request)  # 400 for a page that is not a page number
        archived = read.flag("archived")
        number = read.page()
        page = events.events_of(session, programme_ids=scope(principal), archived=archived, page=number)
        check_page(number, page.pages)
        return render_page(
            request,
            "events/workspace/list.html",
            page=page,
            archived=archived,
            taken=events.taken_places(session, event_ids=[e.id for e in page.items]),
            sides=list(Side),
            now=utcnow(),
            may_create=bool(editable_programmes(session, programme_ids=scope(principal))),
        )


screens = EventScreens()


def _registrations_page(request: Request, session: Session, event: Event) -> Response:
    """Who registered, per side, with the places taken and left."""
    registrations = events.registrations_of(session, event_id=event.id)
    taken = events.taken_places(session, event_ids=[event.id]).get(event.id, {})
    return render_page(
        request,
        "events/workspace/registrations.html",
        event=event,
        sides=list(Side),
        by_side={side: [r for r in registrations if r.side is side] for side in Side},
        taken=taken,
        places_left=events.places_left(event, taken),
        readonly=event.home_hub is not None,
    )


event_registrations = record_page(screens.load, _registrations_page)


@form_view
def registration_cancel(request: Request, data: FormData) -> Response:
    """Cancels a registration (say, the person wrote that they cannot come): the place frees up."""
    principal = require_principal(request)
    with db(request) as session:
        event = screens.load(session, request, principal)
        refuse_if_synced(event)
        registration = found(
            events.get_registration(
                session, registration_id=request.path_params["registration_id"], event_id=event.id
            ),
            _("There is no such registration."),
        )
        if events.cancel_registration(
            session, registration=registration, event=event, user_id=principal.user_id
        ):
            session.commit()
            flash(request, _("The registration of %(email)s was cancelled.", email=registration.email))
        else:
            flash(request, _("This registration was cancelled already."))
    return redirect_to("ws_event_registrations", event_id=event.id)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        *screens.routes(),
        Route("/events/{event_id:int}/registrations", event_registrations, name="ws_event_registrations"),
        post(
            "/events/{event_id:int}/registrations/{registration_id:int}/cancel",
            registration_cancel,
            name="ws_event_registration_cancel",
        ),
    ]
