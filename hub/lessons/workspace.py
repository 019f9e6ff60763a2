"""Workspace pages for lessons learned: the list, the bilingual form with the good-practice fields,
the pilots a lesson was learned in and its linked documents, archiving; and recording a lesson from
a meeting's close-out (saving it adds it to the lessons drawn at that meeting).

A coordinator edits the lessons of their own programmes (an administrator: all); a lesson kept by
another hub or source is shown read-only and refuses changes (409).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal, audit
from hub.accounts.web import forbid_unless, require_principal
from hub.communities.models import CloseOut
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
from hub.forms import Form, as_raw
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.lessons import linked, services
from hub.lessons.models import Lesson, LessonAttachment, LessonKind
from hub.pilots.models import Pilot
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import bad_request, check_page, db, invalid_value, not_found

TEXTS = ("title", "body", "resources", "evidence", "transfer")  # each in both languages
FIELDS = (
    "programme_id",
    "source_language",
    *(f"{name}_{code}" for name in TEXTS for code in LANGUAGES),
    "product_group_id",
    "strategy_id",
    "phase",
    "kind",
)
MAX_ATTACHMENTS = 5

# --- loading with permission checks ---


def _lesson(session: Session, request: Request, principal: Principal) -> Lesson:
    lesson_id = request.path_params["lesson_id"]
    lesson = found(
        services.load_lesson(session, lesson_id=lesson_id),
        _("There is no lesson with number %(id)s.", id=lesson_id),
    )
    forbid_unless(principal.may_edit_programme(lesson.programme_id))
    return lesson


def _closeout(session: Session, principal: Principal, text: str) -> CloseOut | None:
    """The live close-out (of a live meeting) a new lesson comes from (None without one): 400 for a
    value that is not a number, 404, 403 for someone who may not edit it (as its page checks), 409 if
    kept elsewhere."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise bad_request(_("“%(value)s” is not a valid close-out number.", value=text[:20]))
    closeout = session.get(CloseOut, int(text))
    if closeout is None or closeout.withdrawn_at is not None or closeout.meeting.withdrawn_at is not None:
        raise not_found(_("There is no meeting close-out with number %(id)s.", id=text))
    community = closeout.meeting.community
    if not principal.may_moderate(community_id=community.id, programme_id=community.programme_id):
        raise HTTPException(403, _("Only the moderators of this community may do this."))
    refuse_if_synced(community, closeout)
    return closeout


# --- the form ---


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "programmes": editable_programmes(session, programme_ids=scope(principal)),
        "product_groups": taxonomy.product_groups(session),
        "strategies": taxonomy.strategies(session),
        "phases": list(Phase),
        "kinds": list(LessonKind),
        "languages": LANGUAGES,
    }


def _attachments(form: Form) -> list[tuple[str, str]]:
    """(title, web address) of each filled-in row; a row needs both."""
    rows = []
    for i in range(1, MAX_ATTACHMENTS + 1):
        title_field, url_field = f"attachment_title_{i}", f"attachment_url_{i}"
        title = form.line(title_field, max_length=200)
        url = form.url(url_field, max_length=500)
        if url and not title:
            form.error(title_field, _("Give this document a title."))
        elif title and not url and url_field not in form.errors:
            form.error(url_field, _("Enter the web address of this document."))
        elif title and url:
            rows.append((title, url))
    return rows


def parse(form: Form, choices: dict[str, Any]) -> dict[str, Any]:
    """The lesson's own fields from the form; errors are left in ``form.errors``."""
    values: dict[str, Any] = {}
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    values["programme_id"] = int(programme) if programme else None
    values.update(form.bilingual(*TEXTS[1:]))
    group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
    values["product_group_id"] = int(group) if group else None
    strategy = form.key("strategy_id", {str(s.id) for s in choices["strategies"]}, required=False)
    values["strategy_id"] = int(strategy) if strategy else None
    values["phase"] = form.choice("phase", Phase, required=False)
    values["kind"] = form.choice("kind", LessonKind)
    return values


def _current(lesson: Lesson) -> Form:
    initial = Form({name: as_raw(getattr(lesson, name)) for name in FIELDS})
    initial.raw["pilot_numbers"] = ", ".join(str(p.id) for p in lesson.pilots)
    for i, attachment in enumerate(lesson.attachments, start=1):
        initial.raw[f"attachment_title_{i}"] = attachment.title
        initial.raw[f"attachment_url_{i}"] = attachment.url
    return initial


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    lesson: Lesson | None,
    closeout: CloseOut | None = None,
    status_code: int = 200,
) -> Response:
    choices = _choices(session, principal)
    return render_page(
        request,
        "lessons/workspace/form.html",
        status_code=status_code,
        form=form,
        lesson=lesson,
        closeout=closeout,
        readonly=lesson is not None and lesson.home_hub is not None,
        kept_elsewhere=kept_elsewhere(lesson) if lesson else "",
        attachment_rows=range(1, MAX_ATTACHMENTS + 1),
        pilots_to_link=linked.pilots_to_link(session, programme_ids=scope(principal)),
        **choices,
    )


def _links(pilots: Sequence[Pilot], attachments: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The lesson's pilots and documents as the audit log shows them."""
    return {"pilots": [p.id for p in pilots], "attachments": [f"{t} <{u}>" for t, u in attachments]}


def _save(
    session: Session,
    principal: Principal,
    lesson: Lesson,
    values: dict[str, Any],
    pilots: list[Pilot],
    attachments: list[tuple[str, str]],
) -> None:
    """Saves the fields through the audited ``changes.save``; the pilots and documents, when they
    changed, get an entry of their own that names them (the shared snapshot cannot)."""
    title = values[f"title_{values['source_language']}"]
    before = _links(lesson.pilots, [(a.title, a.url) for a in lesson.attachments]) if lesson.id else {}
    changes.save(
        session,
        record=lesson,
        values=values,
        user_id=principal.user_id,
        programme_id=values["programme_id"],
        summary=title,
    )
    after = _links(pilots, attachments)
    changed = [name for name in after if before.get(name, []) != after[name]]
    if not changed:
        return
    if "pilots" in changed:
        lesson.pilots = pilots
    if "attachments" in changed:  # documents have no identity of their own: replace them all
        lesson.attachments = [
            LessonAttachment(title=t, url=u, position=i) for i, (t, u) in enumerate(attachments)
        ]
    session.flush()
    audit(
        session,
        user=None,
        user_id=principal.user_id,
        action="update",
        entity="lessons",
        entity_id=lesson.id,
        programme_id=lesson.programme_id,
        summary=title,
        before={name: before.get(name, []) for name in changed},
        after={name: after[name] for name in changed},
    )


def _add_to_closeout(session: Session, principal: Principal, closeout: CloseOut, lesson: Lesson) -> None:
    before = [item.id for item in closeout.lessons]
    closeout.lessons.append(lesson)
    session.flush()
    meeting = closeout.meeting
    audit(
        session,
        user=None,
        user_id=principal.user_id,
        action="update",
        entity="meeting_closeouts",
        entity_id=closeout.id,
        programme_id=meeting.community.programme_id,
        summary=meeting.title_en or meeting.title_nl,
        before={"lessons": before},
        after={"lessons": [*before, lesson.id]},
    )


# --- the pages ---


def lesson_list(request: Request) -> Response:
    principal = require_principal(request)
    params = request.query_params
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        groups = taxonomy.product_groups(session)
        form = Form(dict(params))
        programme = form.key("programme", {str(p.id) for p in programmes}, required=False)
        group = form.key("product_group", {str(g.id) for g in groups}, required=False)
        q = form.text("q", max_length=200)
        for field in form.errors:
            raise invalid_value(field, form.value(field)[:40])
        archived = params.get("archived") == "1"
        number = page_number(request)
        page = services.lessons_of(
            session,
            programme_ids=scope(principal),
            q=q,
            programme_id=int(programme) if programme else None,
            product_group_id=int(group) if group else None,
            archived=archived,
            page=number,
        )
        check_page(number, page.pages)
        return render_page(
            request,
            "lessons/workspace/list.html",
            page=page,
            programmes=programmes,
            product_groups=groups,
            form=form,
            archived=archived,
        )


def lesson_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        closeout = _closeout(session, principal, request.query_params.get("closeout", ""))
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        form = new_record_form(request, programmes)
        if closeout is not None:  # the meeting's community says which programme and product group
            community = closeout.meeting.community
            form.raw["closeout"] = str(closeout.id)
            if community.programme_id in {p.id for p in programmes}:
                form.raw["programme_id"] = str(community.programme_id)
            form.raw["product_group_id"] = as_raw(community.product_group_id)
        return _form_page(request, session, principal, form, lesson=None, closeout=closeout)


@form_view
def lesson_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        closeout = _closeout(session, principal, form.value("closeout"))
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        values = parse(form, choices)
        pilots, attachments = linked.pilots(session, form, kept=()), _attachments(form)
        if not form.ok:
            return _form_page(
                request, session, principal, form, lesson=None, closeout=closeout, status_code=400
            )
        lesson = Lesson()
        _save(session, principal, lesson, values, pilots, attachments)
        if closeout is not None:
            _add_to_closeout(session, principal, closeout, lesson)
        session.commit()
        if closeout is None:
            flash(request, _("The lesson was created."))
            return redirect_to("ws_lesson", lesson_id=lesson.id)
        meeting = closeout.meeting
        flash(request, _("The lesson was created and added to this meeting's close-out."))
        return redirect_to("ws_closeout", community_id=meeting.community_id, meeting_id=meeting.id)


def lesson_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        lesson = _lesson(session, request, principal)
        return _form_page(request, session, principal, _current(lesson), lesson=lesson)


@form_view
def lesson_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        lesson = _lesson(session, request, principal)
        refuse_if_synced(lesson)
        values = parse(form, _choices(session, principal))
        pilots = linked.pilots(session, form, kept={p.id for p in lesson.pilots})
        attachments = _attachments(form)
        if not form.ok:
            return _form_page(request, session, principal, form, lesson=lesson, status_code=400)
        _save(session, principal, lesson, values, pilots, attachments)
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_lesson", lesson_id=lesson.id)


lesson_archive = archive_view(
    _lesson, done=N_("The lesson was archived: it no longer shows on the public pages."), back="ws_lessons"
)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/lessons", lesson_list, name="ws_lessons"),
        Route("/lessons/new", lesson_new, name="ws_lesson_new"),
        Route("/lessons/new", lesson_create, methods=["POST"], name="ws_lesson_create"),
        Route("/lessons/{lesson_id:int}", lesson_edit, name="ws_lesson"),
        Route("/lessons/{lesson_id:int}", lesson_update, methods=["POST"], name="ws_lesson_update"),
        Route("/lessons/{lesson_id:int}/archive", lesson_archive, methods=["POST"], name="ws_lesson_archive"),
    ]
