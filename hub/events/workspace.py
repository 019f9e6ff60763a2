"""Coordinators' screens of the events: the list, the bilingual form (what and when, places per side, the
product groups, and the outcome once it took place), archiving, and the registrations per side with
a way to cancel one (its place frees up).

A coordinator edits the events of their own programmes (403 for others); an administrator all. An
event kept by another hub is shown read-only and refuses changes (409). Every change goes through
the audited ``changes.save`` / ``changes.archive``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import (
    archive_view,
    flash,
    found,
    kept_elsewhere,
    new_record_form,
    page_number,
    redirect_to,
    refuse_if_synced,
    render_page,
    scope,
)
from hub.db import utcnow
from hub.events import services as events
from hub.events.models import Event, EventKind, Side
from hub.forms import Form, as_raw
from hub.i18n import N_, TIMEZONE, ZONES, utc_moment
from hub.i18n import gettext as _
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.web import check_page, db

MAX_CAPACITY = 100_000
TEXTS = ("title", "summary", "outcome")


def _load(session: Session, request: Request, principal: Principal) -> Event:
    """The event of the URL (404), if this person coordinates its programme (403)."""
    event_id = request.path_params["event_id"]
    event = found(
        events.get_event(session, event_id=event_id), _("There is no event with number %(id)s.", id=event_id)
    )
    forbid_unless(principal.may_edit_programme(event.programme_id))
    return event


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "programmes": editable_programmes(session, programme_ids=scope(principal)),
        "product_groups": taxonomy.product_groups(session),
        "kinds": list(EventKind),
        "zones": ZONES,
        "languages": LANGUAGES,
    }


def parse(form: Form, choices: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """The event's values from the form; a field error for each problem."""
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    values: dict[str, Any] = {
        "programme_id": int(programme) if programme else None,
        "kind": form.choice("kind", EventKind),
        **form.bilingual("summary", "outcome"),
    }
    zone = form.key("timezone", choices["zones"]) or TIMEZONE
    values["timezone"] = zone
    values["location"] = form.line("location", max_length=300)
    for side in Side:
        values[f"capacity_{side.value}s"] = form.integer(
            f"capacity_{side.value}s", minimum=0, maximum=MAX_CAPACITY
        )
    ids = form.keys("product_group_ids", {str(g.id) for g in choices["product_groups"]})
    values["product_groups"] = [g for g in choices["product_groups"] if str(g.id) in ids]
    day = form.date("day")
    if day is None and "day" not in form.errors:
        form.error("day", _("This field is required."))
    starts, ends = form.time("starts", required=True), form.time("ends")
    closes_on = form.date("registration_closes_on")
    if day is None or starts is None:
        return values
    values["starts_at"] = utc_moment(day, starts, zone)
    values["ends_at"] = utc_moment(day, ends, zone) if ends else None
    for field, moment in (("starts", values["starts_at"]), ("ends", values["ends_at"])):
        if moment is None and (field == "starts" or ends):
            form.error(
                field, _("This time does not exist in %(zone)s that day: the clocks go forward.", zone=zone)
            )
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        form.error("ends", _("The event must end after it starts."))
    if closes_on is not None and closes_on > day:
        form.error("registration_closes_on", _("Registration must close on or before the day of the event."))
    # Registration closes at the end of its last day, in the event's time zone.
    after = closes_on + dt.timedelta(days=1) if closes_on else None
    values["registration_closes_at"] = utc_moment(after, dt.time(0, 0), zone) if after else None
    if values["starts_at"] and values["starts_at"] > now:
        for code in LANGUAGES:
            if values[f"outcome_{code}"]:
                form.error(f"outcome_{code}", _("The outcome is written once the event has taken place."))
    return values


def _current(event: Event) -> Form:
    names = ("programme_id", "kind", "source_language", "timezone", "location")
    raw: dict[str, str | list[str]] = {name: as_raw(getattr(event, name)) for name in names}
    for name in TEXTS:
        for code in LANGUAGES:
            raw[f"{name}_{code}"] = getattr(event, f"{name}_{code}")
    for side in Side:
        raw[f"capacity_{side.value}s"] = as_raw(event.capacity(side))
    zone = event.zone()
    starts = event.starts_at.astimezone(zone)
    raw["day"] = starts.date().isoformat()
    raw["starts"] = starts.strftime("%H:%M")
    raw["ends"] = event.ends_at.astimezone(zone).strftime("%H:%M") if event.ends_at else ""
    last_day = event.last_registration_day()
    raw["registration_closes_on"] = last_day.isoformat() if last_day else ""
    raw["product_group_ids"] = [str(g.id) for g in event.product_groups]
    return Form(raw)


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    event: Event | None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "events/workspace/form.html",
        status_code=status_code,
        form=form,
        event=event,
        readonly=event is not None and event.home_hub is not None,
        kept_elsewhere=kept_elsewhere(event) if event else "",
        is_past=event is not None and event.is_past(utcnow()),
        **_choices(session, principal),
    )


def _save(session: Session, principal: Principal, event: Event, values: dict[str, Any]) -> None:
    changes.save(
        session,
        record=event,
        values=values,
        user_id=principal.user_id,
        programme_id=values["programme_id"],
        summary=values[f"title_{values['source_language']}"],
    )


# --- the pages ---


def event_list(request: Request) -> Response:
    """The events of this person's programmes (all for an administrator), with registrations per side."""
    principal = require_principal(request)
    archived = request.query_params.get("archived") == "1"
    number = page_number(request)
    with db(request) as session:
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
            may_create=bool(_choices(session, principal)["programmes"]),
        )


def event_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = _choices(session, principal)["programmes"]
        forbid_unless(bool(programmes))
        initial = new_record_form(request, programmes, timezone=TIMEZONE)
        return _form_page(request, session, principal, initial, event=None)


@form_view
def event_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=("product_group_ids",))
    with db(request) as session:
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        values = parse(form, choices, now=utcnow())
        if not form.ok:
            return _form_page(request, session, principal, form, event=None, status_code=400)
        event = Event()
        _save(session, principal, event, values)
        session.commit()
        flash(request, _("The event was created."))
        return redirect_to("ws_event", event_id=event.id)


def event_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        event = _load(session, request, principal)
        return _form_page(request, session, principal, _current(event), event=event)


@form_view
def event_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=("product_group_ids",))
    with db(request) as session:
        event = _load(session, request, principal)
        refuse_if_synced(event)
        values = parse(form, _choices(session, principal), now=utcnow())
        if not form.ok:
            return _form_page(request, session, principal, form, event=event, status_code=400)
        _save(session, principal, event, values)
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_event", event_id=event.id)


event_archive = archive_view(
    _load, done=N_("The event was archived: it no longer shows on the public pages."), back="ws_events"
)


def event_registrations(request: Request) -> Response:
    """Who registered, per side, with the places taken and left."""
    principal = require_principal(request)
    with db(request) as session:
        event = _load(session, request, principal)
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


@form_view
def registration_cancel(request: Request, data: FormData) -> Response:
    """Cancels a registration (say, the person wrote that they cannot come): the place frees up."""
    principal = require_principal(request)
    with db(request) as session:
        event = _load(session, request, principal)
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
        Route("/events", event_list, name="ws_events"),
        Route("/events/new", event_new, name="ws_event_new"),
        Route("/events/new", event_create, methods=["POST"], name="ws_event_create"),
        Route("/events/{event_id:int}", event_edit, name="ws_event"),
        Route("/events/{event_id:int}", event_update, methods=["POST"], name="ws_event_update"),
        Route("/events/{event_id:int}/archive", event_archive, methods=["POST"], name="ws_event_archive"),
        Route("/events/{event_id:int}/registrations", event_registrations, name="ws_event_registrations"),
        Route(
            "/events/{event_id:int}/registrations/{registration_id:int}/cancel",
            registration_cancel,
            methods=["POST"],
            name="ws_event_registration_cancel",
        ),
    ]
