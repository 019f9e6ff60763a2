"""Coordinators' screens of a community's meetings: plan one, change it, see who registered, and record
its close-out (a draft until published; from then on public and federated).

A meeting is planned in its own time zone: the form takes the local date and time there, and the
hub keeps the moment in UTC. A time that does not exist there (the hour skipped when the clocks go
forward), a moment in the past or one overlapping another meeting of the community is refused.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.communities import meetings, writes
from hub.communities import services as communities
from hub.communities.models import CloseOut, Community, Meeting, MeetingMode
from hub.communities.workspace.moderation import load
from hub.coordinator import action_view, flash, found, redirect_to, render_page
from hub.db import utcnow
from hub.forms import TEXT_MAX, Form, as_raw
from hub.i18n import N_, TIMEZONE, ZONES
from hub.i18n import gettext as _
from hub.records import LANGUAGES
from hub.refusals import Invalid
from hub.security import form_view
from hub.web import db, language, post


def _meeting(session: Session, request: Request, community: Community) -> Meeting:
    return found(
        communities.get_meeting(
            session, community_id=community.id, meeting_id=request.path_params["meeting_id"]
        ),
        _("There is no such meeting."),
    )


def parse(session: Session, form: Form, community: Community, meeting: Meeting | None) -> dict[str, Any]:
    """The meeting's values as the form gives them, with every rule they break at its field."""
    values: dict[str, Any] = {"community_id": community.id, **form.bilingual("agenda")}
    zone = form.key("timezone", ZONES) or TIMEZONE
    day = form.date("day")
    if day is None and "day" not in form.errors:
        form.error("day", _("This field is required."))
    starts, ends = form.time("starts", required=True), form.time("ends")
    values["timezone"] = zone
    values["mode"] = form.choice("mode", MeetingMode)
    values["location"] = form.line("location", max_length=300)
    values["online_url"] = form.url("online_url", max_length=500)
    values["capacity"] = form.integer("capacity", minimum=1, maximum=writes.MAX_CAPACITY)
    if day is not None and starts is not None:
        values["starts_at"] = form.moment("starts", day, starts, zone)
        values["ends_at"] = form.moment("ends", day, ends, zone) if ends else None
    # The time is checked (in the past, in order, overlapping) once everything else reads well.
    timed = {"starts_at", "ends_at"} if form.ok else set()
    checked = {name: value for name, value in values.items() if name not in {"starts_at", "ends_at"} - timed}
    _show(form, writes.meeting_errors(session, checked, meeting=meeting))
    return values


def _show(form: Form, errors: dict[str, str]) -> None:
    """The domain's messages at the form's fields (the moments are read as a day and two times)."""
    for field, message in errors.items():
        form.error({"starts_at": "starts", "ends_at": "ends"}.get(field, field), message)


def initial(meeting: Meeting) -> Form:
    zone = ZoneInfo(meeting.timezone)
    starts = meeting.starts_at.astimezone(zone)
    raw = {
        name: as_raw(getattr(meeting, name))
        for name in ("source_language", "mode", "location", "online_url", "capacity", "timezone")
    }
    for code in LANGUAGES:
        raw[f"title_{code}"] = getattr(meeting, f"title_{code}")
        raw[f"agenda_{code}"] = getattr(meeting, f"agenda_{code}")
    raw["day"] = starts.date().isoformat()
    raw["starts"] = starts.strftime("%H:%M")
    raw["ends"] = meeting.ends_at.astimezone(zone).strftime("%H:%M") if meeting.ends_at else ""
    return Form(raw)


def _form_page(
    request: Request,
    session: Session,
    community: Community,
    form: Form,
    meeting: Meeting | None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "communities/workspace/meeting_form.html",
        status_code=status_code,
        community=community,
        meeting=meeting,
        form=form,
        registrations=communities.registrations_of(session, meeting_id=meeting.id) if meeting else [],
        zones=ZONES,
        modes=list(MeetingMode),
        now=utcnow(),
        languages=LANGUAGES,
    )


def meeting_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        community = load(session, request, principal)
        form = Form(
            {"source_language": language(request), "timezone": TIMEZONE, "mode": MeetingMode.IN_PERSON.value}
        )
        return _form_page(request, session, community, form, None)


@form_view
def meeting_create(request: Request, data: FormData) -> Response:
    return _save(request, data, create=True)


def meeting_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        community = load(session, request, principal)
        meeting = _meeting(session, request, community)
        return _form_page(request, session, community, initial(meeting), meeting)


@form_view
def meeting_update(request: Request, data: FormData) -> Response:
    return _save(request, data, create=False)


def _save(request: Request, data: FormData, *, create: bool) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        community = load(session, request, principal)
        meeting = None if create else _meeting(session, request, community)
        values = parse(session, form, community, meeting)
        if not form.ok:
            return _form_page(request, session, community, form, meeting, status_code=400)
        meeting_input = writes.MeetingInput(**values)
        try:
            if meeting is None:
                meeting = writes.create_meeting(session, data=meeting_input, user_id=principal.user_id)
            else:
                writes.update_meeting(session, meeting=meeting, data=meeting_input, user_id=principal.user_id)
        except Invalid as refused:  # what changed since the form was checked (another meeting planned)
            _show(form, refused.errors)
            return _form_page(request, session, community, form, meeting, status_code=400)
        session.commit()
        flash(request, _("The meeting was planned.") if create else _("Your changes were saved."))
        return redirect_to("ws_meeting", community_id=community.id, meeting_id=meeting.id)


# --- the close-out ---


def _closeout_page(
    request: Request,
    session: Session,
    principal: Principal,
    community: Community,
    meeting: Meeting,
    form: Form,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "communities/workspace/closeout_form.html",
        status_code=status_code,
        community=community,
        meeting=meeting,
        closeout=meeting.closeout,
        form=form,
        languages=LANGUAGES,
        **writes.closeout_choices(session, meeting=meeting),
    )


def closeout_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        community = load(session, request, principal)
        meeting = _meeting(session, request, community)
        closeout = meeting.closeout
        raw: dict[str, str | list[str]] = {"source_language": language(request)}
        if closeout is not None:
            raw = {
                "source_language": closeout.source_language,
                "minutes_nl": closeout.minutes_nl,
                "minutes_en": closeout.minutes_en,
                "attendance": as_raw(closeout.attendance),
                "organisations": [str(o.id) for o in closeout.organisations],
                "pilots": [str(p.id) for p in closeout.pilots],
                "lessons": [str(lesson.id) for lesson in closeout.lessons],
            }
        return _closeout_page(request, session, principal, community, meeting, Form(raw))


@form_view
def closeout_save(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=("organisations", "pilots", "lessons"))
    with db(request) as session:
        community = load(session, request, principal)
        meeting = _meeting(session, request, community)
        choices = writes.closeout_choices(session, meeting=meeting)
        source = form.key("source_language", LANGUAGES)
        values: dict[str, Any] = {"source_language": source}
        for code in LANGUAGES:
            values[f"minutes_{code}"] = form.text(f"minutes_{code}", max_length=TEXT_MAX)
        values["attendance"] = form.integer("attendance", minimum=0, maximum=writes.MAX_CAPACITY)
        chosen = {
            name: tuple(int(v) for v in form.keys(name, {str(record.id) for record in choices[name]}))
            for name in writes.CLOSEOUT_LINKS
        }
        for field, message in writes.closeout_errors(values).items():
            form.error(field, message)
        if not form.ok:
            return _closeout_page(request, session, principal, community, meeting, form, status_code=400)
        closeout_input = writes.CloseOutInput(
            **values,
            organisation_ids=chosen["organisations"],
            pilot_ids=chosen["pilots"],
            lesson_ids=chosen["lessons"],
        )
        try:
            writes.save_closeout(
                session, meeting=meeting, data=closeout_input, user_id=principal.user_id, choices=choices
            )
        except Invalid as refused:
            form.show(refused)
            return _closeout_page(request, session, principal, community, meeting, form, status_code=400)
        session.commit()
    flash(request, _("The close-out was saved."))
    return _to_closeout(meeting)


def _to_closeout(meeting: Meeting) -> RedirectResponse:
    return redirect_to("ws_closeout", community_id=meeting.community_id, meeting_id=meeting.id)


def _closeout(session: Session, request: Request, principal: Principal) -> CloseOut:
    meeting = _meeting(session, request, load(session, request, principal))
    return found(meeting.closeout, _("Save the close-out before publishing it."))


closeout_publish = action_view(
    _closeout,
    lambda session, closeout, principal: meetings.publish_closeout(
        session,
        closeout=closeout,
        user_id=principal.user_id,
        programme_id=closeout.meeting.community.programme_id,
    ),
    done=N_("The close-out is published on the meeting's page."),
    back=lambda closeout: _to_closeout(closeout.meeting),
)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.communities.workspace``)."""
    meeting = "/communities/{community_id:int}/meetings/{meeting_id:int}"
    return [
        Route("/communities/{community_id:int}/meetings/new", meeting_new, name="ws_meeting_new"),
        post("/communities/{community_id:int}/meetings/new", meeting_create, name="ws_meeting_create"),
        Route(meeting, meeting_edit, name="ws_meeting"),
        post(meeting, meeting_update, name="ws_meeting_update"),
        Route(meeting + "/closeout", closeout_edit, name="ws_closeout"),
        post(meeting + "/closeout", closeout_save, name="ws_closeout_save"),
        post(meeting + "/closeout/publish", closeout_publish, name="ws_closeout_publish"),
    ]
