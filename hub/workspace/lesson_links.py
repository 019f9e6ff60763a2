"""Workspace pages that link lessons and pilots: a pilot's suggested lessons, a lesson's suggested
pilots, and the links made so far. A suggestion is confirmed (or turned down) with one click;
nothing is linked, or published, until someone confirms it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.coordinator import flash, found, redirect, render_page
from hub.forms import Form
from hub.i18n import format_local_date
from hub.i18n import gettext as _
from hub.lessons import links
from hub.lessons.explain import explain
from hub.lessons.models import Lesson, LessonPilotLink, LinkKind
from hub.lessons.suggest import IndexCache, Suggestion, suggest_lessons, suggest_pilots
from hub.pilots.models import Pilot
from hub.security import form_view
from hub.taxonomy.models import ProductGroup, Strategy
from hub.web import bad_request, db, language

SUGGESTIONS = 10


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


def _current_links(session: Session, **where: int) -> list[LessonPilotLink]:
    column = {"pilot_id": LessonPilotLink.pilot_id, "lesson_id": LessonPilotLink.lesson_id}
    ((name, value),) = where.items()
    return list(
        session.scalars(
            select(LessonPilotLink)
            .where(column[name] == value, LessonPilotLink.withdrawn_at.is_(None))
            .options(selectinload(LessonPilotLink.lesson), selectinload(LessonPilotLink.pilot))
            .order_by(LessonPilotLink.made_at.desc(), LessonPilotLink.id)
        )
    )


def _explained(
    session: Session, suggestions: list[Suggestion], records: dict[int, Any], subject: Any, lang: str
) -> list[dict[str, Any]]:
    groups = {g.code: g for g in session.scalars(select(ProductGroup))}
    strategies = {s.code: s for s in session.scalars(select(Strategy))}
    other = "en" if lang == "nl" else "nl"
    texts_of = _texts(subject)
    found_items = []
    for suggestion in suggestions:
        record = records[suggestion.id]
        texts = _texts(record)
        phrases = explain(
            suggestion.reasons,
            texts=[texts[lang], texts_of[lang], texts[other], texts_of[other]],
            groups=groups,
            strategies=strategies,
            language=lang,
        )
        found_items.append({"record": record, "why": phrases, "score": suggestion.score})
    return found_items


def _texts(record: Lesson | Pilot) -> dict[str, str]:
    body = "body" if isinstance(record, Lesson) else "summary"
    return {
        lang: f"{getattr(record, f'title_{lang}')} {getattr(record, f'{body}_{lang}')}"
        for lang in ("nl", "en")
    }


def pilot_lessons(request: Request) -> Response:
    principal = require_principal(request)
    lang = language(request)
    with db(request) as session:
        pilot = _pilot(session, request.path_params["pilot_id"])
        programmes = _programmes(principal, pilot.programme_id)
        suggestions: list[dict[str, Any]] = []
        if pilot.withdrawn_at is None:
            ranked = suggest_lessons(
                session, pilot_id=pilot.id, limit=SUGGESTIONS, programmes=programmes, cache=_cache(request)
            )
            lessons = {
                lesson.id: lesson
                for lesson in session.scalars(
                    select(Lesson)
                    .where(Lesson.id.in_([s.id for s in ranked]))
                    .options(selectinload(Lesson.programme))
                )
            }
            suggestions = _explained(session, ranked, lessons, pilot, lang)
        return render_page(
            request,
            "workspace/lesson_links.html",
            direction="lessons",
            subject=pilot,
            links=_current_links(session, pilot_id=pilot.id),
            suggestions=suggestions,
            kinds=list(LinkKind),
            principal=principal,
        )


def lesson_pilots(request: Request) -> Response:
    principal = require_principal(request)
    lang = language(request)
    with db(request) as session:
        lesson = _lesson(session, request.path_params["lesson_id"])
        programmes = _programmes(principal, lesson.programme_id)
        suggestions: list[dict[str, Any]] = []
        if lesson.withdrawn_at is None:
            ranked = suggest_pilots(
                session, lesson_id=lesson.id, limit=SUGGESTIONS, programmes=programmes, cache=_cache(request)
            )
            pilots = {
                pilot.id: pilot
                for pilot in session.scalars(
                    select(Pilot)
                    .where(Pilot.id.in_([s.id for s in ranked]))
                    .options(selectinload(Pilot.programme))
                )
            }
            suggestions = _explained(session, ranked, pilots, lesson, lang)
        return render_page(
            request,
            "workspace/lesson_links.html",
            direction="pilots",
            subject=lesson,
            links=_current_links(session, lesson_id=lesson.id),
            suggestions=suggestions,
            kinds=list(LinkKind),
            principal=principal,
        )


def _bad_value(field: str, value: str) -> HTTPException:
    return bad_request(_("“%(value)s” is not a valid %(field)s.", value=value[:40], field=field))


def _pair(session: Session, request: Request, form: Form) -> tuple[Lesson, Pilot, str]:
    """The lesson and pilot a form names (one from the path, one from the form), and the page to
    go back to."""
    if "pilot_id" in request.path_params:
        pilot = _pilot(session, request.path_params["pilot_id"])
        lesson_id = form.integer("lesson_id", minimum=1, maximum=2**31 - 1)
        if lesson_id is None:
            raise _bad_value(_("lesson"), form.value("lesson_id"))
        return _lesson(session, lesson_id), pilot, f"pilots/{pilot.id}/lessons"
    lesson = _lesson(session, request.path_params["lesson_id"])
    pilot_id = form.integer("pilot_id", minimum=1, maximum=2**31 - 1)
    if pilot_id is None:
        raise _bad_value(_("pilot"), form.value("pilot_id"))
    return lesson, _pilot(session, pilot_id), f"lessons/{lesson.id}/pilots"


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
        try:
            link, made = links.confirm(session, principal, lesson=lesson, pilot=pilot, kind=kind, note=note)
        except links.LinkRefused as refused:
            raise HTTPException(refused.status, refused.message) from None
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
        return redirect(request, back)


@form_view
def link_dismiss(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        lesson, pilot, back = _pair(session, request, form)
        try:
            links.dismiss(session, principal, lesson=lesson, pilot=pilot)
        except links.LinkRefused as refused:
            raise HTTPException(refused.status, refused.message) from None
        session.commit()
    flash(request, _("Turned down: it is not suggested here again."))
    return redirect(request, back)


@form_view
def link_remove(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        link_id = request.path_params["link_id"]
        link = found(
            session.get(LessonPilotLink, link_id), _("There is no link with number %(id)s.", id=link_id)
        )
        try:
            links.remove(session, principal, link)
        except links.LinkRefused as refused:
            raise HTTPException(refused.status, refused.message) from None
        session.commit()
        back = (
            f"lessons/{link.lesson_id}/pilots"
            if form.value("back") == "lesson"
            else f"pilots/{link.pilot_id}/lessons"
        )
    flash(request, _("The link was removed here and will be removed on the other hubs at their next sync."))
    return redirect(request, back)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/pilots/{pilot_id:int}/lessons", pilot_lessons, name="ws_pilot_lessons"),
        Route(
            "/pilots/{pilot_id:int}/lessons",
            link_confirm,
            methods=["POST"],
            name="ws_pilot_lesson_confirm",
        ),
        Route(
            "/pilots/{pilot_id:int}/lessons/dismiss",
            link_dismiss,
            methods=["POST"],
            name="ws_pilot_lesson_dismiss",
        ),
        Route("/lessons/{lesson_id:int}/pilots", lesson_pilots, name="ws_lesson_pilots"),
        Route(
            "/lessons/{lesson_id:int}/pilots",
            link_confirm,
            methods=["POST"],
            name="ws_lesson_pilot_confirm",
        ),
        Route(
            "/lessons/{lesson_id:int}/pilots/dismiss",
            link_dismiss,
            methods=["POST"],
            name="ws_lesson_pilot_dismiss",
        ),
        Route("/links/{link_id:int}/remove", link_remove, methods=["POST"], name="ws_link_remove"),
    ]
