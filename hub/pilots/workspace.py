"""Workspace pages for pilots: the list, the bilingual edit form, archiving, the translation queue.

A coordinator sees and edits the pilots of their own programmes (an administrator: all); a pilot
kept by another hub or source is shown read-only and refuses changes (409).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

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
from hub.forms import TEXT_MAX, Form, as_raw, countries
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.pilots.fields import FIELDS, LOCAL_FIELDS
from hub.pilots.forms import parse_dates, parse_impact
from hub.pilots.models import Pilot, PilotStatus
from hub.pilots.services import get_pilot, pilots_of
from hub.pilots.translations import untranslated_pilots
from hub.pilots.writes import PilotInput, add_locally, create_pilot, update_pilot
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import sdgs
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, invalid_value


def _pilot(session: Session, request: Request, principal: Principal) -> Pilot:
    pilot_id = request.path_params["pilot_id"]
    pilot = found(
        get_pilot(session, pilot_id=pilot_id), _("There is no pilot with number %(id)s.", id=pilot_id)
    )
    forbid_unless(principal.may_edit_programme(pilot.programme_id))
    return pilot


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "programmes": editable_programmes(session, programme_ids=scope(principal)),
        "product_groups": taxonomy.product_groups(session),
        "strategies": taxonomy.strategies(session),
        "countries": countries(),
        "phases": list(Phase),
        "statuses": list(PilotStatus),
        "languages": LANGUAGES,
    }


def parse(form: Form, choices: dict[str, Any]) -> PilotInput | None:
    """The pilot's values from the form, or None with the errors left in ``form.errors``."""
    values: dict[str, Any] = {}
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    values["programme_id"] = int(programme) if programme else None
    values.update(form.bilingual("summary"))
    group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
    values["product_group_id"] = int(group) if group else None
    values["country"] = form.key("country", {code for code, _name in choices["countries"]})
    values["phase"] = form.choice("phase", Phase)
    values["status"] = form.choice("status", PilotStatus)
    values["starts_on"], values["ends_on"] = parse_dates(form)
    values["contract_value"] = form.decimal("contract_value")
    values.update(parse_impact(form))
    strategy_ids = form.keys("strategy_ids", {str(s.id) for s in choices["strategies"]})
    values["strategy_ids"] = tuple(int(i) for i in strategy_ids)
    values["sdgs"] = tuple(sorted(int(n) for n in form.keys("sdgs", sdgs.FORM_VALUES)))
    return PilotInput(**values) if form.ok else None


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    pilot: Pilot | None,
    local: Form | None = None,
    status_code: int = 200,
) -> Response:
    synced = pilot is not None and pilot.source_id is not None and pilot.withdrawn_at is None
    if synced and local is None:
        assert pilot is not None
        local = Form({name: as_raw(getattr(pilot, name)) for name in LOCAL_FIELDS})
    return render_page(
        request,
        "pilots/workspace/form.html",
        status_code=status_code,
        form=form,
        pilot=pilot,
        readonly=pilot is not None and pilot.home_hub is not None,
        kept_elsewhere=kept_elsewhere(pilot) if pilot else "",
        local=local if synced else None,
        **_choices(session, principal),
    )


def pilot_list(request: Request) -> Response:
    principal = require_principal(request)
    params = request.query_params
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        form = Form(dict(params))
        programme = form.key("programme", {str(p.id) for p in programmes}, required=False)
        status = form.choice("status", PilotStatus, required=False)
        q = form.text("q", max_length=200)
        for field in form.errors:
            raise invalid_value(field, form.value(field)[:40])
        number = page_number(request)
        page = pilots_of(
            session,
            programme_ids=scope(principal),
            q=q,
            programme_id=int(programme) if programme else None,
            status=status,
            archived=params.get("archived") == "1",
            page=number,
        )
        check_page(number, page.pages)
        return render_page(
            request,
            "pilots/workspace/list.html",
            page=page,
            programmes=programmes,
            statuses=list(PilotStatus),
            form=form,
            archived=params.get("archived") == "1",
        )


def pilot_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        initial = new_record_form(request, programmes, status=PilotStatus.PLANNED.value)
        return _form_page(request, session, principal, initial, pilot=None)


@form_view
def pilot_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=["strategy_ids", "sdgs"])
    with db(request) as session:
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        values = parse(form, choices)
        if values is None:
            return _form_page(request, session, principal, form, pilot=None, status_code=400)
        pilot = create_pilot(session, data=values, user_id=principal.user_id)
        session.commit()
        flash(request, _("The pilot was created."))
        return redirect_to("ws_pilot", pilot_id=pilot.id)


def pilot_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        pilot = _pilot(session, request, principal)
        return _form_page(request, session, principal, _current(pilot), pilot=pilot)


@form_view
def pilot_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data, multi=["strategy_ids", "sdgs"])
    with db(request) as session:
        pilot = _pilot(session, request, principal)
        refuse_if_synced(pilot)
        values = parse(form, _choices(session, principal))
        if values is None:
            return _form_page(request, session, principal, form, pilot=pilot, status_code=400)
        update_pilot(session, pilot=pilot, data=values, user_id=principal.user_id)
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_pilot", pilot_id=pilot.id)


pilot_archive = archive_view(
    _pilot, done=N_("The pilot was archived: it no longer shows on the public pages."), back="ws_pilots"
)


@form_view
def pilot_local_update(request: Request, data: FormData) -> Response:
    """Translations and a product-group tag added here to a synced pilot (kept by later syncs)."""
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        pilot = _pilot(session, request, principal)
        if pilot.source_id is None:
            refuse_if_synced(pilot)  # kept by another hub: nothing may change here
            raise invalid_value("pilot", str(pilot.id))  # a pilot of this hub: use the full form
        choices = _choices(session, principal)
        values: dict[str, Any] = {}
        for lang in LANGUAGES:
            values[f"title_{lang}"] = form.text(f"title_{lang}", max_length=300)
            values[f"summary_{lang}"] = form.text(f"summary_{lang}", max_length=TEXT_MAX)
        group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
        values["product_group_id"] = int(group) if group else None
        if not form.ok:
            return _form_page(
                request, session, principal, _current(pilot), pilot=pilot, local=form, status_code=400
            )
        add_locally(session, pilot=pilot, values=values, user_id=principal.user_id)
        session.commit()
        flash(request, _("Your additions were saved; the next sync from the source keeps them."))
        return redirect_to("ws_pilot", pilot_id=pilot.id)


def _current(pilot: Pilot) -> Form:
    initial = Form({name: as_raw(getattr(pilot, name)) for name in FIELDS})
    initial.raw["strategy_ids"] = [str(s.id) for s in pilot.strategies]
    initial.raw["sdgs"] = [str(number) for number in pilot.sdgs]
    return initial


def translation_queue(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        number = page_number(request)
        page = untranslated_pilots(session, programme_ids=scope(principal), page=number)
        check_page(number, page.pages)
        return render_page(request, "pilots/workspace/translations.html", page=page)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/pilots", pilot_list, name="ws_pilots"),
        Route("/pilots/new", pilot_new, name="ws_pilot_new"),
        Route("/pilots/new", pilot_create, methods=["POST"], name="ws_pilot_create"),
        Route("/pilots/{pilot_id:int}", pilot_edit, name="ws_pilot"),
        Route("/pilots/{pilot_id:int}", pilot_update, methods=["POST"], name="ws_pilot_update"),
        Route("/pilots/{pilot_id:int}/archive", pilot_archive, methods=["POST"], name="ws_pilot_archive"),
        Route("/pilots/{pilot_id:int}/local", pilot_local_update, methods=["POST"], name="ws_pilot_local"),
        Route("/translations", translation_queue, name="ws_translations"),
    ]
