"""Workspace pages that link lessons and pilots: a pilot's suggested lessons, a lesson's suggested
pilots, and the links made so far. A suggestion is confirmed (or turned down) with one click;
nothing is linked, or published, until someone confirms it.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.coordinator import flash, found, redirect_to, render_page
from hub.forms import Form
from hub.i18n import format_local_date
from hub.i18n import gettext as _
from hub.lessons import links
from hub.lessons.models import Lesson, LessonPilotLink, LinkKind
from hub.lessons.suggest import IndexCache
from hub.pilots.models import Pilot
from hub.security import form_view
from hub.web import bad_request, db, language, post


def _cache(request: Request) -> IndexCache:
    cache: IndexCache = request.app.state.index_cache
    return cache


def _programmes(principal: Principal, owner_programme: int) -> frozenset[int] | None:
    """Whose records this person may link to a record of ``owner_programme``: all (None) when they
    may edit that programme, else those of their own programmes; 403 when that is none."""
    if principal.may_edit_programme(owner_programme):
        return None
    if not principal.programme_ids:
        raise HTTPException(403, _("You may link only lessons or pilots of your own programmes."))
    return principal.programme_ids


def _pilot(session: Session, pilot_id: int) -> Pilot:
    return found(session.get(Pilot, pilot_id), _("There is no pilot with number %(id)s.", id=pilot_id))


def _lesson(session: Session, lesson_id: int) -> Lesson:
    return found(session.get(Lesson, lesson_id), _("There is no lesson with number %(id)s.", id=lesson_id))


def links_page(request: Request) -> Response:
    """The links of the pilot or the lesson the path names, and the lessons (of a pilot) or the
    pilots (of a lesson) suggested to this person."""
    principal = require_principal(request)
    with db(request) as session:
        subject: Lesson | Pilot
        if "pilot_id" in request.path_params:
            subject = pilot = _pilot(session, request.path_params["pilot_id"])
            direction, made = "lessons", links.links_of(session, pilot_id=pilot.id)
            suggest = partial(links.suggested_lessons, session, pilot=pilot)
        else:
            subject = lesson = _lesson(session, request.path_params["lesson_id"])
            direction, made = "pilots", links.links_of(session, lesson_id=lesson.id)
            suggest = partial(links.suggested_pilots, session, lesson=lesson)
        programmes = _programmes(principal, subject.programme_id)
        return render_page(
            request,
            "lessons/workspace/links.html",
            direction=direction,
            subject=subject,
            links=made,
            suggestions=suggest(programmes=programmes, cache=_cache(request), language=language(request)),
            kinds=list(LinkKind),
            principal=principal,
        )


def _bad_value(field: str, value: str) -> HTTPException:
    return bad_request(_("“%(value)s” is not a valid %(field)s.", value=value[:40], field=field))


def _pair(session: Session, request: Request, form: Form) -> tuple[Lesson, Pilot, Response]:
    """The lesson and pilot a form names (one from the path, one from the form), and the way back
    to the page it was sent from."""
    if "pilot_id" in request.path_params:
        pilot = _pilot(session, request.path_params["pilot_id"])
        lesson_id = form.integer("lesson_id", minimum=1, maximum=2**31 - 1)
        if lesson_id is None:
            raise _bad_value(_("lesson"), form.value("lesson_id"))
        return _lesson(session, lesson_id), pilot, redirect_to("ws_pilot_lessons", pilot_id=pilot.id)
    lesson = _lesson(session, request.path_params["lesson_id"])
    pilot_id = form.integer("pilot_id", minimum=1, maximum=2**31 - 1)
    if pilot_id is None:
        raise _bad_value(_("pilot"), form.value("pilot_id"))
    return lesson, _pilot(session, pilot_id), redirect_to("ws_lesson_pilots", lesson_id=lesson.id)


@form_view
def link_confirm(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        lesson, pilot, back = _pair(session, request, form)
        kind = form.choice("kind", LinkKind)
        note = form.text("note", max_length=links.NOTE_MAX)
        if kind is None or not form.ok:
            raise _bad_value(_("kind of link"), form.value("kind"))
        link, made = links.confirm(session, principal, lesson=lesson, pilot=pilot, kind=kind, note=note)
        session.commit()
        if made:
            flash(
                request,
                _(
                    "Linked. The link shows on the pilot's and the lesson's pages "
                    "and travels to the other hubs."
                ),
            )
        else:
            flash(
                request,
                _(
                    "This link was made already, by %(who)s on %(date)s: nothing changed.",
                    who=link.made_by or "—",
                    date=format_local_date(link.made_at),
                ),
            )
        return back


@form_view
def link_dismiss(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        lesson, pilot, back = _pair(session, request, form)
        links.dismiss(session, principal, lesson=lesson, pilot=pilot)
        session.commit()
    flash(request, _("Turned down: it is not suggested here again."))
    return back


@form_view
def link_remove(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        link_id = request.path_params["link_id"]
        link = found(
            session.get(LessonPilotLink, link_id), _("There is no link with number %(id)s.", id=link_id)
        )
        links.remove(session, principal, link)
        session.commit()
        back = (
            redirect_to("ws_lesson_pilots", lesson_id=link.lesson_id)
            if form.value("back") == "lesson"
            else redirect_to("ws_pilot_lessons", pilot_id=link.pilot_id)
        )
    flash(request, _("The link was removed here and will be removed on the other hubs at their next sync."))
    return back


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/pilots/{pilot_id:int}/lessons", links_page, name="ws_pilot_lessons"),
        post("/pilots/{pilot_id:int}/lessons", link_confirm, name="ws_pilot_lesson_confirm"),
        post("/pilots/{pilot_id:int}/lessons/dismiss", link_dismiss, name="ws_pilot_lesson_dismiss"),
        Route("/lessons/{lesson_id:int}/pilots", links_page, name="ws_lesson_pilots"),
        post("/lessons/{lesson_id:int}/pilots", link_confirm, name="ws_lesson_pilot_confirm"),
        post("/lessons/{lesson_id:int}/pilots/dismiss", link_dismiss, name="ws_lesson_pilot_dismiss"),
        post("/links/{link_id:int}/remove", link_remove, name="ws_link_remove"),
    ]
