"""Participations (an organisation's role in a programme) and their commitments.

Both belong to a programme: a coordinator adds, changes and removes them only in their own
programmes (403 otherwise). Removing a participation archives it; adding it again restores it.
A commitment's form is a ``RecordScreens`` form whose list is its organisation's page: it is added
from there (to a participation) and goes back there.
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
from hub.coordinator import flash, found, kept_elsewhere, redirect_to, refuse_if_synced, scope
from hub.forms import Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.organisations import services
from hub.organisations.fields import COMMITMENT_FIELDS
from hub.organisations.forms import parse_commitment
from hub.organisations.models import Commitment, CommitmentKind, Participation, Role
from hub.organisations.workspace.organisations import screens as organisation_screens
from hub.organisations.writes import (
    CommitmentInput,
    ParticipationInput,
    add_participation,
    create_commitment,
    update_commitment,
)
from hub.programmes.services import editable_programmes
from hub.record_screens import RecordScreens, archive_view, record_loader
from hub.refusals import Refused
from hub.security import form_view
from hub.web import db, post


@form_view
def participation_add(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        organisation = organisation_screens.shown(session, request, principal)
        programme_text = form.value("programme_id").strip()
        if programme_text.isdigit():
            forbid_unless(principal.may_edit_programme(int(programme_text)))
        programmes = editable_programmes(session, programme_ids=scope(principal))
        programme = form.key("programme_id", {str(p.id) for p in programmes})
        role = form.choice("role", Role)
        joined_on = form.date("joined_on")
        if form.ok and programme is not None and role is not None:
            joins = ParticipationInput(int(programme), role, joined_on)
            try:
                add_participation(session, organisation=organisation, data=joins, user_id=principal.user_id)
            except Refused as refused:
                form.show(refused)
        if not form.ok:
            initial = organisation_screens.current(organisation)
            return organisation_screens.form_page(
                request,
                session,
                principal,
                initial,
                record=organisation,
                participation_form=form,
                status_code=400,
            )
        session.commit()
        flash(request, _("The participation was added."))
        return redirect_to("ws_organisation", organisation_id=organisation.id)


_participation = record_loader(
    services.get_participation, "participation_id", N_("There is no participation with number %(id)s.")
)


def _filed(participation: Participation) -> tuple[int | None, str]:
    """A participation's changes (and its commitments') are audited under its programme, named by
    its organisation."""
    return participation.programme_id, participation.organisation.name


def _organisation_page(participation: Participation) -> Response:
    return redirect_to("ws_organisation", organisation_id=participation.organisation_id)


participation_remove = archive_view(
    _participation,
    filed=lambda _session, _principal, participation: _filed(participation),
    done=N_("The participation was removed."),
    back=_organisation_page,
)


class CommitmentScreens(RecordScreens[Commitment, CommitmentInput]):
    """A commitment's edit, update and archive; it is added to a participation (``commitment_new``)."""

    record_name = "commitment"
    form_template = "organisations/workspace/commitment_form.html"
    fields = COMMITMENT_FIELDS
    missing = N_("There is no commitment with number %(id)s.")
    created = N_("The commitment was added.")
    archived = N_("The commitment was archived.")

    def get(self, session: Session, record_id: int) -> Commitment | None:
        return services.get_commitment(session, commitment_id=record_id)

    def shown(self, session: Session, request: Request, principal: Principal) -> Commitment:
        record_id = request.path_params[self.id_param]
        commitment = found(self.get(session, record_id), _(self.missing, id=record_id))
        forbid_unless(principal.may_edit_programme(commitment.participation.programme_id))
        return commitment

    def load(self, session: Session, request: Request, principal: Principal) -> Commitment:
        """A commitment to change: neither it nor its participation kept by another hub (409)."""
        commitment = self.shown(session, request, principal)
        refuse_if_synced(commitment, commitment.participation)
        return commitment

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        return {"kinds": list(CommitmentKind)}

    def parse(self, form: Form, choices: dict[str, Any]) -> CommitmentInput | None:
        values = parse_commitment(form)
        return CommitmentInput(**values) if form.ok else None

    def update(
        self, session: Session, record: Commitment, values: CommitmentInput, principal: Principal
    ) -> None:
        update_commitment(session, commitment=record, data=values, user_id=principal.user_id)

    def context(
        self, session: Session, principal: Principal, record: Commitment | None, form: Form
    ) -> dict[str, Any]:
        return {} if record is None else self.of_participation(record.participation, record)

    def of_participation(self, participation: Participation, commitment: Commitment | None) -> dict[str, Any]:
        """Its participation, and read-only if that or the commitment is kept by another hub."""
        synced = commitment if commitment is not None and commitment.home_hub else participation
        return {
            "participation": participation,
            "readonly": synced.home_hub is not None,
            "kept_elsewhere": kept_elsewhere(synced),
        }

    def next_page(self, record: Commitment) -> Response:
        return _organisation_page(record.participation)

    def filed(self, session: Session, principal: Principal, record: Commitment) -> tuple[int | None, str]:
        return _filed(record.participation)

    def archived_page(self, record: Commitment) -> Response:
        return self.next_page(record)

    def new_page(
        self, request: Request, session: Session, principal: Principal, form: Form, **extra: Any
    ) -> Response:
        """A new commitment's form, of the participation in the URL."""
        participation = _participation(session, request, principal)
        values = self.of_participation(participation, None)
        return self.form_page(request, session, principal, form, record=None, **values, **extra)

    def new_view(self, request: Request) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            return self.new_page(request, session, principal, Form({"target_count": "1"}))

    def create_view(self, request: Request, data: FormData) -> Response:
        principal = require_principal(request)
        form = Form.submitted(data)
        with db(request) as session:
            participation = _participation(session, request, principal)
            refuse_if_synced(participation)
            values = self.parse(form, {})
            if values is None:
                return self.new_page(request, session, principal, form, status_code=400)
            commitment = create_commitment(
                session, participation=participation, data=values, user_id=principal.user_id
            )
            session.commit()
            flash(request, _(self.created))
            return self.next_page(commitment)

    def routes(self) -> list[BaseRoute]:
        new, item = "/participations/{participation_id:int}/commitments", "/commitments/{commitment_id:int}"
        return [
            Route(new, self.new_view, name="ws_commitment_new"),
            post(new, form_view(self.create_view), name="ws_commitment_create"),
            Route(item, self.edit_view, name="ws_commitment"),
            post(item, form_view(self.update_view), name="ws_commitment_update"),
            post(f"{item}/archive", self.archive_endpoint(), name="ws_commitment_archive"),
        ]


commitment_screens = CommitmentScreens()


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return [
        post(
            "/organisations/{organisation_id:int}/participations",
            participation_add,
            name="ws_participation_add",
        ),
        post(
            "/participations/{participation_id:int}/remove",
            participation_remove,
            name="ws_participation_remove",
        ),
        *commitment_screens.routes(),
    ]
