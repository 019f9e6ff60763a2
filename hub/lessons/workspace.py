"""Workspace pages for lessons learned: the list, the bilingual form with the good-practice fields,
the pilots a lesson was learned in and its linked documents, archiving (``RecordScreens``); and
recording a lesson from a meeting's close-out (saving it adds it to the lessons drawn at that
meeting).

A coordinator edits the lessons of their own programmes (an administrator: all); a lesson kept by
another hub or source is shown read-only and refuses changes (409). A lesson's fields are declared
in ``hub.lessons.fields``; its rules and its one write path, audited, are in ``hub.lessons.writes``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.communities.models import CloseOut
from hub.coordinator import ListFilters, flash, redirect_to, refuse_if_synced, scope
from hub.forms import Form, as_raw
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.lessons import linked, services
from hub.lessons.fields import FIELDS, TEXT_NAMES
from hub.lessons.models import Lesson, LessonKind
from hub.lessons.writes import Attachment, LessonInput, add_to_closeout, create_lesson, update_lesson
from hub.record_screens import RecordScreens, programme_list
from hub.records import LANGUAGES
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import bad_request, db, not_found

MAX_ATTACHMENTS = 5  # the form's rows of documents


def _attachments(form: Form) -> tuple[Attachment, ...]:
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
            rows.append(Attachment(title, url))
    return tuple(rows)


def _closeout(session: Session, principal: Principal, text: str) -> CloseOut:
    """The live close-out (of a live meeting) a new lesson comes from: 400 for a value that is not
    a number, 404, 403 for someone who may not edit it (as its page checks), 409 if kept elsewhere."""
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


class LessonScreens(RecordScreens[Lesson, LessonInput]):
    record_name = "lesson"
    form_template = "lessons/workspace/form.html"
    fields = FIELDS
    missing = N_("There is no lesson with number %(id)s.")
    created = N_("The lesson was created.")
    archived = N_("The lesson was archived: it no longer shows on the public pages.")

    def get(self, session: Session, record_id: int) -> Lesson | None:
        return services.load_lesson(session, lesson_id=record_id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        return {
            **super().choices(session, principal),
            "product_groups": taxonomy.product_groups(session),
            "strategies": taxonomy.strategies(session),
            "phases": list(Phase),
            "kinds": list(LessonKind),
            "languages": LANGUAGES,
            "pilots_to_link": linked.pilots_to_link(session, programme_ids=scope(principal)),
        }

    def read(
        self,
        session: Session,
        form: Form,
        choices: dict[str, Any],
        record: Lesson | None,
        principal: Principal,
    ) -> LessonInput | None:
        values: dict[str, Any] = {}
        programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
        values["programme_id"] = int(programme) if programme else None
        values.update(form.bilingual(*TEXT_NAMES[1:]))
        group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
        values["product_group_id"] = int(group) if group else None
        strategy = form.key("strategy_id", {str(s.id) for s in choices["strategies"]}, required=False)
        values["strategy_id"] = int(strategy) if strategy else None
        values["phase"] = form.choice("phase", Phase, required=False)
        values["kind"] = form.choice("kind", LessonKind)
        kept = {p.id for p in record.pilots} if record is not None else set()
        pilots = linked.pilots(session, form, kept=kept)
        attachments = _attachments(form)
        if not form.ok:
            return None
        return LessonInput(**values, pilot_ids=tuple(p.id for p in pilots), attachments=attachments)

    def create(self, session: Session, values: LessonInput, principal: Principal) -> Lesson:
        return create_lesson(session, data=values, user_id=principal.user_id)

    def update(self, session: Session, record: Lesson, values: LessonInput, principal: Principal) -> None:
        update_lesson(session, lesson=record, data=values, user_id=principal.user_id)

    def current(self, record: Lesson) -> Form:
        initial = super().current(record)
        initial.raw["pilot_numbers"] = ", ".join(str(p.id) for p in record.pilots)
        for i, attachment in enumerate(record.attachments, start=1):
            initial.raw[f"attachment_title_{i}"] = attachment.title
            initial.raw[f"attachment_url_{i}"] = attachment.url
        return initial

    def context(
        self, session: Session, principal: Principal, record: Lesson | None, form: Form
    ) -> dict[str, Any]:
        return {"attachment_rows": range(1, MAX_ATTACHMENTS + 1), "closeout": None}

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        groups = taxonomy.product_groups(session)

        def by_group(read: ListFilters) -> dict[str, Any]:
            group = read.key("product_group", {str(g.id) for g in groups})
            return {"product_group_id": int(group) if group else None}

        return programme_list(
            request,
            session,
            principal,
            template="lessons/workspace/list.html",
            query=services.lessons_of,
            filters=by_group,
            product_groups=groups,
        )

    # A lesson recorded from a meeting's close-out (``?closeout=``, then the form's hidden field):
    # checked before anything else, named on the form, and added to the close-out when saved.

    def new_view(self, request: Request) -> Response:
        text = request.query_params.get("closeout", "").strip()
        if not text:
            return super().new_view(request)
        principal = require_principal(request)
        with db(request) as session:
            closeout = _closeout(session, principal, text)
            choices = self.choices(session, principal)
            programmes = choices["programmes"]
            forbid_unless(bool(programmes))
            form = self.initial(request, programmes)
            # The meeting's community says which programme and product group.
            community = closeout.meeting.community
            form.raw["closeout"] = str(closeout.id)
            if community.programme_id in {p.id for p in programmes}:
                form.raw["programme_id"] = str(community.programme_id)
            form.raw["product_group_id"] = as_raw(community.product_group_id)
            return self.form_page(
                request, session, principal, form, record=None, choices=choices, closeout=closeout
            )

    def create_view(self, request: Request, data: FormData) -> Response:
        form = Form.submitted(data, multi=self.multi)
        text = form.value("closeout").strip()
        if not text:
            return super().create_view(request, data)
        principal = require_principal(request)
        with db(request) as session:
            closeout = _closeout(session, principal, text)
            choices = self.choices(session, principal)
            forbid_unless(bool(choices["programmes"]))
            values = self.read(session, form, choices, None, principal)
            if values is None:
                return self.form_page(
                    request,
                    session,
                    principal,
                    form,
                    record=None,
                    status_code=400,
                    choices=choices,
                    closeout=closeout,
                )
            lesson = self.create(session, values, principal)
            add_to_closeout(session, closeout=closeout, lesson=lesson, user_id=principal.user_id)
            session.commit()
            meeting = closeout.meeting
            flash(request, _("The lesson was created and added to this meeting's close-out."))
            return redirect_to("ws_closeout", community_id=meeting.community_id, meeting_id=meeting.id)


screens = LessonScreens()


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return screens.routes()
