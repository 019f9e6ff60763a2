"""Participations (an organisation's role in a programme) and their commitments.

Both belong to a programme: a coordinator adds, changes and removes them only in their own
programmes (403 otherwise). Removing a participation archives it; adding it again restores it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import flash, found, kept_elsewhere, redirect_to, refuse_if_synced, render_page
from hub.forms import Form, as_raw
from hub.i18n import gettext as _
from hub.organisations import services
from hub.organisations.forms import COMMITMENT_FIELDS, parse_commitment
from hub.organisations.models import Commitment, CommitmentKind, Participation, Role
from hub.organisations.workspace.organisations import FIELDS as ORGANISATION_FIELDS
from hub.organisations.workspace.organisations import form_page, load
from hub.programmes.services import editable_programmes
from hub.security import form_view
from hub.web import db


@form_view
def participation_add(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        organisation, _programmes = load(session, request, principal, edit=False)
        programme_text = form.value("programme_id").strip()
        if programme_text.isdigit():
            forbid_unless(principal.may_edit_programme(int(programme_text)))
        programmes = editable_programmes(
            session, programme_ids=None if principal.is_admin else principal.programme_ids
        )
        programme = form.key("programme_id", {str(p.id) for p in programmes})
        role = form.choice("role", Role)
        joined_on = form.date("joined_on")
        existing = None
        if programme and role:
            existing = services.find_participation(
                session, programme_id=int(programme), organisation_id=organisation.id, role=role
            )
            if existing is not None and existing.withdrawn_at is None:
                form.error("role", _("This organisation already has this role in this programme."))
            elif existing is not None:
                refuse_if_synced(existing)
        if not form.ok or programme is None or role is None:
            initial = Form({name: as_raw(getattr(organisation, name)) for name in ORGANISATION_FIELDS})
            return form_page(
                request,
                session,
                principal,
                initial,
                organisation=organisation,
                participation_form=form,
                status_code=400,
            )
        if existing is not None:  # removed before: take it up again
            changes.restore(
                session,
                record=existing,
                user_id=principal.user_id,
                programme_id=existing.programme_id,
                summary=organisation.name,
            )
        else:
            changes.save(
                session,
                record=Participation(),
                values={
                    "programme_id": int(programme),
                    "organisation_id": organisation.id,
                    "role": role,
                    "joined_on": joined_on,
                },
                user_id=principal.user_id,
                programme_id=int(programme),
                summary=organisation.name,
            )
        session.commit()
        flash(request, _("The participation was added."))
        return redirect_to("ws_organisation", organisation_id=organisation.id)


def _participation(session: Session, request: Request, principal: Principal) -> Participation:
    participation_id = request.path_params["participation_id"]
    participation = found(
        services.get_participation(session, participation_id=participation_id),
        _("There is no participation with number %(id)s.", id=participation_id),
    )
    forbid_unless(principal.may_edit_programme(participation.programme_id))
    return participation


@form_view
def participation_remove(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        participation = _participation(session, request, principal)
        refuse_if_synced(participation)
        changes.archive(
            session,
            record=participation,
            user_id=principal.user_id,
            programme_id=participation.programme_id,
            summary=participation.organisation.name,
        )
        session.commit()
        flash(request, _("The participation was removed."))
        return redirect_to("ws_organisation", organisation_id=participation.organisation_id)


def _commitment_page(
    request: Request,
    form: Form,
    *,
    participation: Participation,
    commitment: Commitment | None,
    status_code: int = 200,
) -> Response:
    synced = commitment if commitment is not None and commitment.home_hub else participation
    return render_page(
        request,
        "organisations/workspace/commitment_form.html",
        status_code=status_code,
        form=form,
        participation=participation,
        commitment=commitment,
        readonly=synced.home_hub is not None,
        kept_elsewhere=kept_elsewhere(synced),
        kinds=list(CommitmentKind),
    )


def commitment_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        participation = _participation(session, request, principal)
        initial = Form({"target_count": "1"})
        return _commitment_page(request, initial, participation=participation, commitment=None)


@form_view
def commitment_create(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        participation = _participation(session, request, principal)
        refuse_if_synced(participation)
        values = parse_commitment(form)
        if not form.ok:
            return _commitment_page(
                request, form, participation=participation, commitment=None, status_code=400
            )
        values["participation_id"] = participation.id
        changes.save(
            session,
            record=Commitment(),
            values=values,
            user_id=principal.user_id,
            programme_id=participation.programme_id,
            summary=participation.organisation.name,
        )
        session.commit()
        flash(request, _("The commitment was added."))
        return redirect_to("ws_organisation", organisation_id=participation.organisation_id)


def _commitment(session: Session, request: Request, principal: Principal) -> Commitment:
    commitment_id = request.path_params["commitment_id"]
    commitment = found(
        services.get_commitment(session, commitment_id=commitment_id),
        _("There is no commitment with number %(id)s.", id=commitment_id),
    )
    forbid_unless(principal.may_edit_programme(commitment.participation.programme_id))
    return commitment


def commitment_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        commitment = _commitment(session, request, principal)
        initial = Form({name: as_raw(getattr(commitment, name)) for name in COMMITMENT_FIELDS})
        return _commitment_page(
            request, initial, participation=commitment.participation, commitment=commitment
        )


@form_view
def commitment_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        commitment = _commitment(session, request, principal)
        participation = commitment.participation
        refuse_if_synced(commitment, participation)
        values = parse_commitment(form)
        if not form.ok:
            return _commitment_page(
                request, form, participation=participation, commitment=commitment, status_code=400
            )
        changes.save(
            session,
            record=commitment,
            values=values,
            user_id=principal.user_id,
            programme_id=participation.programme_id,
            summary=participation.organisation.name,
        )
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_organisation", organisation_id=participation.organisation_id)


@form_view
def commitment_archive(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        commitment = _commitment(session, request, principal)
        participation = commitment.participation
        refuse_if_synced(commitment, participation)
        changes.archive(
            session,
            record=commitment,
            user_id=principal.user_id,
            programme_id=participation.programme_id,
            summary=participation.organisation.name,
        )
        session.commit()
        flash(request, _("The commitment was archived."))
        return redirect_to("ws_organisation", organisation_id=participation.organisation_id)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return [
        Route(
            "/organisations/{organisation_id:int}/participations",
            participation_add,
            methods=["POST"],
            name="ws_participation_add",
        ),
        Route(
            "/participations/{participation_id:int}/remove",
            participation_remove,
            methods=["POST"],
            name="ws_participation_remove",
        ),
        Route(
            "/participations/{participation_id:int}/commitments",
            commitment_new,
            name="ws_commitment_new",
        ),
        Route(
            "/participations/{participation_id:int}/commitments",
            commitment_create,
            methods=["POST"],
            name="ws_commitment_create",
        ),
        Route("/commitments/{commitment_id:int}", commitment_edit, name="ws_commitment"),
        Route(
            "/commitments/{commitment_id:int}",
            commitment_update,
            methods=["POST"],
            name="ws_commitment_update",
        ),
        Route(
            "/commitments/{commitment_id:int}/archive",
            commitment_archive,
            methods=["POST"],
            name="ws_commitment_archive",
        ),
    ]
