"""Workspace pages for organisations: the list, create, edit and archive (``RecordScreens``).

Who may edit an organisation: organisations belong to no single programme, so the rule is
administrators, and coordinators of a programme the organisation takes part in now (a live
participation). A coordinator creates an organisation together with its participation in one of
their programmes, so they can edit what they create; an organisation with no live participation
is edited by administrators only. Any coordinator may open an organisation's page (read-only
for them) to add it to their own programme; they then change only their own programme's
participations of it (``hub.organisations.workspace.participations``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless
from hub.coordinator import found
from hub.forms import TEXT_MAX, Form, countries
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.organisations import services
from hub.organisations.fields import ORGANISATION_FIELDS
from hub.organisations.models import Organisation, Role, Sector
from hub.organisations.writes import (
    OrganisationInput,
    ParticipationInput,
    create_organisation,
    update_organisation,
)
from hub.record_screens import RecordScreens, searched_list
from hub.records import LANGUAGES


def may_edit_organisation(principal: Principal, programme_ids: set[int]) -> bool:
    """Administrators, and coordinators of a programme the organisation takes part in now."""
    return principal.is_admin or bool(programme_ids & principal.programme_ids)


def audit_programme(principal: Principal, programme_ids: set[int]) -> int | None:
    """The programme an organisation's audit entry is filed under: one the editor coordinates."""
    shared = sorted(programme_ids & principal.programme_ids) or sorted(programme_ids)
    return shared[0] if shared else None


@dataclasses.dataclass(frozen=True)
class OrganisationForm:
    """What the organisation's form gives: its values and, for a new one, the programme it joins."""

    organisation: OrganisationInput
    joins: ParticipationInput | None = None


class OrganisationScreens(RecordScreens[Organisation, OrganisationForm]):
    record_name = "organisation"
    form_template = "organisations/workspace/form.html"
    fields = ORGANISATION_FIELDS
    missing = N_("There is no organisation with number %(id)s.")
    created = N_("The organisation was created.")
    archived = N_("The organisation was archived.")

    def get(self, session: Session, record_id: int) -> Organisation | None:
        return services.get_organisation(session, organisation_id=record_id)

    def shown(self, session: Session, request: Request, principal: Principal) -> Organisation:
        """Any coordinator may open it (to add it to their programme): read-only unless they may edit it."""
        record_id = request.path_params[self.id_param]
        return found(self.get(session, record_id), _(self.missing, id=record_id))

    def load(self, session: Session, request: Request, principal: Principal) -> Organisation:
        organisation = self.shown(session, request, principal)
        forbid_unless(may_edit_organisation(principal, self.programmes_of(session, organisation)))
        return organisation

    def programmes_of(self, session: Session, organisation: Organisation) -> set[int]:
        return services.programmes_of_organisation(session, organisation_id=organisation.id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        programmes = super().choices(session, principal)["programmes"]
        return {
            "programmes": programmes,
            "editable_programme_ids": {p.id for p in programmes},
            "sectors": list(Sector),
            "roles": list(Role),
            "countries": countries(),
            "languages": LANGUAGES,
        }

    def parse(self, form: Form, choices: dict[str, Any]) -> OrganisationForm | None:
        values: dict[str, Any] = {
            "name": form.text("name", max_length=200, required=True),
            "sector": form.choice("sector", Sector),
            "country": form.key("country", {code for code, _name in choices["countries"]}),
            "city": form.text("city", max_length=120),
            "website": form.url("website", max_length=300),
            "source_language": form.key("source_language", LANGUAGES),
            "description_nl": form.text("description_nl", max_length=TEXT_MAX),
            "description_en": form.text("description_en", max_length=TEXT_MAX),
        }
        return OrganisationForm(OrganisationInput(**values)) if form.ok else None

    def read(
        self,
        session: Session,
        form: Form,
        choices: dict[str, Any],
        record: Organisation | None,
        principal: Principal,
    ) -> OrganisationForm | None:
        """A coordinator's new organisation joins one of their programmes (an administrator's may)."""
        values = self.parse(form, choices)
        if record is not None:
            return values
        programmes = {str(p.id) for p in choices["programmes"]}
        programme = form.key("programme_id", programmes, required=not principal.is_admin)
        role = form.choice("role", Role, required=bool(programme) or not principal.is_admin)
        joined_on = form.date("joined_on")
        if values is None or not form.ok:
            return None
        if programme is None or role is None:
            return values
        return dataclasses.replace(values, joins=ParticipationInput(int(programme), role, joined_on))

    def create(self, session: Session, values: OrganisationForm, principal: Principal) -> Organisation:
        return create_organisation(
            session, data=values.organisation, user_id=principal.user_id, joins=values.joins
        )

    def update(
        self, session: Session, record: Organisation, values: OrganisationForm, principal: Principal
    ) -> None:
        programme_id = audit_programme(principal, self.programmes_of(session, record))
        update_organisation(
            session,
            organisation=record,
            data=values.organisation,
            user_id=principal.user_id,
            programme_id=programme_id,
        )

    def context(
        self, session: Session, principal: Principal, record: Organisation | None, form: Form
    ) -> dict[str, Any]:
        """Read-only for whoever may not edit it; and the form adding it to a programme."""
        may_edit = record is None or may_edit_organisation(principal, self.programmes_of(session, record))
        return {
            "participation_form": Form(),
            "may_edit": may_edit,
            "readonly": not may_edit or (record is not None and record.home_hub is not None),
        }

    def filed(self, session: Session, principal: Principal, record: Organisation) -> tuple[int | None, str]:
        """Archiving is audited under a programme the editor coordinates."""
        return audit_programme(principal, self.programmes_of(session, record)), record.name

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        return searched_list(
            request,
            session,
            principal,
            template="organisations/workspace/list.html",
            query=services.organisations_in,
        )


screens = OrganisationScreens()


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return screens.routes()
