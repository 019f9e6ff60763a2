"""Workspace pages for the knowledge library: the list, the bilingual form (what an entry is, its
link, date and speakers, its tags, the pilots and lessons it is linked from), and archiving.

A coordinator edits the entries of their own programmes (an administrator: all); an entry kept by
another hub is shown read-only and refuses changes (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal, audit
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
from hub.forms import Form, as_raw
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.lessons import linked
from hub.lessons.models import Lesson
from hub.library import services as library
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.pilots.models import Pilot
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, invalid_value

FIELDS = (
    "programme_id",
    "source_language",
    "kind",
    "tool_kind",
    *(f"{name}_{code}" for name in ("title", "body") for code in LANGUAGES),
    "url",
    "held_on",
    "speakers",
    "product_group_id",
    "strategy_id",
    "phase",
)

# --- loading with permission checks ---


def _item(session: Session, request: Request, principal: Principal) -> LibraryItem:
    item_id = request.path_params["item_id"]
    item = found(
        library.get_item(session, item_id=item_id),
        _("There is no library entry with number %(id)s.", id=item_id),
    )
    forbid_unless(principal.may_edit_programme(item.programme_id))
    return item


# --- the form ---


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "programmes": editable_programmes(session, programme_ids=scope(principal)),
        "product_groups": taxonomy.product_groups(session),
        "strategies": taxonomy.strategies(session),
        "phases": list(Phase),
        "kinds": list(LibraryKind),
        "tool_kinds": list(ToolKind),
        "languages": LANGUAGES,
    }


def _web_address(form: Form) -> str | None:
    """The entry's link (http or https only), its scheme in lower case as other hubs expect it."""
    url = form.url("url", max_length=500)
    if url and "url" not in form.errors:
        scheme, rest = url.split(":", 1)
        url = f"{scheme.lower()}:{rest}"
    return url


def parse(form: Form, choices: dict[str, Any]) -> dict[str, Any]:
    """The entry's own fields from the form; errors are left in ``form.errors``."""
    values: dict[str, Any] = {}
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    values["programme_id"] = int(programme) if programme else None
    values.update(form.bilingual("body"))
    kind = form.choice("kind", LibraryKind)
    values["kind"] = kind
    values["tool_kind"] = form.choice("tool_kind", ToolKind, required=False)
    if values["tool_kind"] and kind and kind is not LibraryKind.TOOLBOX:
        form.error(
            "tool_kind", _("Only a toolbox entry has a tool kind: choose “None”, or the kind Toolbox.")
        )
    values["url"] = _web_address(form)
    values["held_on"] = form.date("held_on")
    values["speakers"] = form.line("speakers", max_length=500)
    if kind and kind is not LibraryKind.WEBINAR:
        if values["held_on"]:
            form.error("held_on", _("Only a webinar has a date it was held: leave this empty."))
        if values["speakers"]:
            form.error("speakers", _("Only a webinar has speakers: leave this empty."))
    group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
    values["product_group_id"] = int(group) if group else None
    strategy = form.key("strategy_id", {str(s.id) for s in choices["strategies"]}, required=False)
    values["strategy_id"] = int(strategy) if strategy else None
    values["phase"] = form.choice("phase", Phase, required=False)
    return values


def _current(item: LibraryItem) -> Form:
    initial = Form({name: as_raw(getattr(item, name)) for name in FIELDS})
    initial.raw["pilot_numbers"] = ", ".join(str(p.id) for p in item.pilots)
    initial.raw["lesson_numbers"] = ", ".join(str(lesson.id) for lesson in item.lessons)
    return initial


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    item: LibraryItem | None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "library/workspace/form.html",
        status_code=status_code,
        form=form,
        item=item,
        readonly=item is not None and item.home_hub is not None,
        kept_elsewhere=kept_elsewhere(item) if item else "",
        pilots_to_link=linked.pilots_to_link(session, programme_ids=scope(principal)),
        lessons_to_link=linked.lessons_to_link(session, programme_ids=scope(principal)),
        **_choices(session, principal),
    )


def _links(pilots: Sequence[Pilot], lessons: Sequence[Lesson]) -> dict[str, list[int]]:
    """What the entry is linked from, as the audit log shows it."""
    return {"pilots": [p.id for p in pilots], "lessons": [lesson.id for lesson in lessons]}


def _save(
    session: Session,
    principal: Principal,
    item: LibraryItem,
    values: dict[str, Any],
    pilots: list[Pilot],
    lessons: list[Lesson],
) -> None:
    """Saves the fields through the audited ``changes.save``; the pilots and lessons, when they
    changed, get an entry of their own that names them (the shared snapshot cannot)."""
    title = values[f"title_{values['source_language']}"]
    before = _links(item.pilots, item.lessons) if item.id else {}
    changes.save(
        session,
        record=item,
        values=values,
        user_id=principal.user_id,
        programme_id=values["programme_id"],
        summary=title,
    )
    after = _links(pilots, lessons)
    changed = [name for name in after if before.get(name, []) != after[name]]
    if not changed:
        return
    if "pilots" in changed:
        item.pilots = pilots
    if "lessons" in changed:
        item.lessons = lessons
    session.flush()
    audit(
        session,
        user=None,
        user_id=principal.user_id,
        action="update",
        entity="library_items",
        entity_id=item.id,
        programme_id=item.programme_id,
        summary=title,
        before={name: before.get(name, []) for name in changed},
        after={name: after[name] for name in changed},
    )


# --- the pages ---


def library_list(request: Request) -> Response:
    principal = require_principal(request)
    params = request.query_params
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        form = Form(dict(params))
        programme = form.key("programme", {str(p.id) for p in programmes}, required=False)
        kind = form.choice("kind", LibraryKind, required=False)
        q = form.text("q", max_length=200)
        for field in form.errors:
            raise invalid_value(field, form.value(field)[:40])
        archived = params.get("archived") == "1"
        number = page_number(request)
        page = library.items_of(
            session,
            programme_ids=scope(principal),
            q=q,
            programme_id=int(programme) if programme else None,
            kind=kind,
            archived=archived,
            page=number,
        )
        check_page(number, page.pages)
        return render_page(
            request,
            "library/workspace/list.html",
            page=page,
            programmes=programmes,
            kinds=list(LibraryKind),
            form=form,
            archived=archived,
        )


def library_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        return _form_page(request, session, principal, new_record_form(request, programmes), item=None)


@form_view
def library_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        values = parse(form, choices)
        pilots, lessons = linked.pilots(session, form, kept=()), linked.lessons(session, form, kept=())
        if not form.ok:
            return _form_page(request, session, principal, form, item=None, status_code=400)
        item = LibraryItem()
        _save(session, principal, item, values, pilots, lessons)
        session.commit()
        flash(request, _("The library entry was created."))
        return redirect_to("ws_library_item", item_id=item.id)


def library_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        item = _item(session, request, principal)
        return _form_page(request, session, principal, _current(item), item=item)


@form_view
def library_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        item = _item(session, request, principal)
        refuse_if_synced(item)
        values = parse(form, _choices(session, principal))
        pilots = linked.pilots(session, form, kept={p.id for p in item.pilots})
        lessons = linked.lessons(session, form, kept={lesson.id for lesson in item.lessons})
        if not form.ok:
            return _form_page(request, session, principal, form, item=item, status_code=400)
        _save(session, principal, item, values, pilots, lessons)
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_library_item", item_id=item.id)


library_archive = archive_view(
    _item,
    done=N_("The library entry was archived: it no longer shows on the public pages."),
    back="ws_library",
)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/library", library_list, name="ws_library"),
        Route("/library/new", library_new, name="ws_library_new"),
        Route("/library/new", library_create, methods=["POST"], name="ws_library_create"),
        Route("/library/{item_id:int}", library_edit, name="ws_library_item"),
        Route("/library/{item_id:int}", library_update, methods=["POST"], name="ws_library_update"),
        Route("/library/{item_id:int}/archive", library_archive, methods=["POST"], name="ws_library_archive"),
    ]
