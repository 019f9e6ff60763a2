"""Workspace pages for supporting actions: a facilitator's contribution to a programme's network.

An action belongs to a programme (403 for other programmes' actions); its facilitator is an
organisation taking part in that programme.
"""

from __future__ import annotations

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
    search_text,
)
from hub.forms import Form, as_raw
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.organisations import services
from hub.organisations.models import SupportingAction
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.web import check_page, db

FIELDS = (
    "programme_id",
    "organisation_id",
    "source_language",
    "title_nl",
    "title_en",
    "summary_nl",
    "summary_en",
    "starts_on",
    "ends_on",
)


def _action(session: Session, request: Request, principal: Principal) -> SupportingAction:
    action_id = request.path_params["action_id"]
    action = found(
        services.get_action(session, action_id=action_id),
        _("There is no supporting action with number %(id)s.", id=action_id),
    )
    forbid_unless(principal.may_edit_programme(action.programme_id))
    return action


def _choices(session: Session, principal: Principal) -> dict[str, Any]:
    programmes = editable_programmes(session, programme_ids=scope(principal))
    participants = services.participants_of(session, programme_ids={p.id for p in programmes})
    return {"programmes": programmes, "participants": participants, "languages": LANGUAGES}


def parse(form: Form, choices: dict[str, Any]) -> dict[str, Any]:
    programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
    organisation = form.key("organisation_id", {str(row[0]) for row in choices["participants"]})
    if (
        programme
        and organisation
        and (int(organisation), int(programme)) not in {(row[0], row[2]) for row in choices["participants"]}
    ):
        form.error("organisation_id", _("This organisation does not take part in the chosen programme."))
    values: dict[str, Any] = {
        "programme_id": int(programme) if programme else None,
        "organisation_id": int(organisation) if organisation else None,
        **form.bilingual("summary"),
    }
    values["starts_on"], values["ends_on"] = form.date_range("starts_on", "ends_on")
    return values


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    action: SupportingAction | None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "organisations/workspace/action_form.html",
        status_code=status_code,
        form=form,
        action=action,
        readonly=action is not None and action.home_hub is not None,
        kept_elsewhere=kept_elsewhere(action) if action else "",
        **_choices(session, principal),
    )


def action_list(request: Request) -> Response:
    principal = require_principal(request)
    q = search_text(request)
    form = Form(dict(request.query_params))  # shows the search again in the box
    with db(request) as session:
        number = page_number(request)
        page = services.list_actions(session, programme_ids=scope(principal), q=q, page=number)
        check_page(number, page.pages)
        return render_page(request, "organisations/workspace/action_list.html", page=page, form=form)


def action_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        programmes = choices["programmes"]
        initial = new_record_form(request, programmes)
        return _form_page(request, session, principal, initial, action=None)


@form_view
def action_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        choices = _choices(session, principal)
        forbid_unless(bool(choices["programmes"]))
        values = parse(form, choices)
        if not form.ok:
            return _form_page(request, session, principal, form, action=None, status_code=400)
        action = SupportingAction()
        changes.save(
            session,
            record=action,
            values=values,
            user_id=principal.user_id,
            programme_id=values["programme_id"],
            summary=values[f"title_{values['source_language']}"],
        )
        session.commit()
        flash(request, _("The supporting action was created."))
        return redirect_to("ws_action", action_id=action.id)


def action_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        action = _action(session, request, principal)
        initial = Form({name: as_raw(getattr(action, name)) for name in FIELDS})
        return _form_page(request, session, principal, initial, action=action)


@form_view
def action_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        action = _action(session, request, principal)
        refuse_if_synced(action)
        values = parse(form, _choices(session, principal))
        if not form.ok:
            return _form_page(request, session, principal, form, action=action, status_code=400)
        changes.save(
            session,
            record=action,
            values=values,
            user_id=principal.user_id,
            programme_id=values["programme_id"],
            summary=values[f"title_{values['source_language']}"],
        )
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_action", action_id=action.id)


action_archive = archive_view(_action, done=N_("The supporting action was archived."), back="ws_actions")


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return [
        Route("/actions", action_list, name="ws_actions"),
        Route("/actions/new", action_new, name="ws_action_new"),
        Route("/actions/new", action_create, methods=["POST"], name="ws_action_create"),
        Route("/actions/{action_id:int}", action_edit, name="ws_action"),
        Route("/actions/{action_id:int}", action_update, methods=["POST"], name="ws_action_update"),
        Route("/actions/{action_id:int}/archive", action_archive, methods=["POST"], name="ws_action_archive"),
    ]
