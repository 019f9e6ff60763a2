"""Workspace pages for supporting actions: a facilitator's contribution to a programme's network
(``RecordScreens``).

An action belongs to a programme (403 for other programmes' actions); its facilitator is an
organisation taking part in that programme (``hub.organisations.writes.check_action``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from hub.accounts.services import Principal
from hub.forms import Form
from hub.i18n import N_
from hub.organisations import services
from hub.organisations.fields import ACTION_FIELDS
from hub.organisations.models import SupportingAction
from hub.organisations.writes import SupportingActionInput, create_action, update_action
from hub.record_screens import RecordScreens, searched_list
from hub.records import LANGUAGES


class ActionScreens(RecordScreens[SupportingAction, SupportingActionInput]):
    record_name = "action"
    form_template = "organisations/workspace/action_form.html"
    fields = ACTION_FIELDS
    missing = N_("There is no supporting action with number %(id)s.")
    created = N_("The supporting action was created.")
    archived = N_("The supporting action was archived.")

    def get(self, session: Session, record_id: int) -> SupportingAction | None:
        return services.get_action(session, action_id=record_id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        programmes = super().choices(session, principal)["programmes"]
        participants = services.participants_of(session, programme_ids={p.id for p in programmes})
        return {"programmes": programmes, "participants": participants, "languages": LANGUAGES}

    def parse(self, form: Form, choices: dict[str, Any]) -> SupportingActionInput | None:
        programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
        organisation = form.key("organisation_id", {str(row[0]) for row in choices["participants"]})
        values: dict[str, Any] = {
            "programme_id": int(programme) if programme else None,
            "organisation_id": int(organisation) if organisation else None,
            **form.bilingual("summary"),
        }
        values["starts_on"], values["ends_on"] = form.date_range("starts_on", "ends_on")
        return SupportingActionInput(**values) if form.ok else None

    def create(
        self, session: Session, values: SupportingActionInput, principal: Principal
    ) -> SupportingAction:
        return create_action(session, data=values, user_id=principal.user_id)

    def update(
        self, session: Session, record: SupportingAction, values: SupportingActionInput, principal: Principal
    ) -> None:
        update_action(session, action=record, data=values, user_id=principal.user_id)

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        return searched_list(
            request,
            session,
            principal,
            template="organisations/workspace/action_list.html",
            query=services.list_actions,
        )


screens = ActionScreens()


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return screens.routes()
