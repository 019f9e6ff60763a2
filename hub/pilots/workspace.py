"""Workspace pages for pilots: the list, the bilingual edit form and archiving (``RecordScreens``),
a synced pilot's local additions, the translation queue.

A coordinator sees and edits the pilots of their own programmes (an administrator: all); a pilot
kept by another hub or source is shown read-only and refuses changes (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.coordinator import (
    flash,
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
from hub.organisations.services import organisation_names
from hub.pilots.fields import FIELDS, LOCAL_FIELDS
from hub.pilots.forms import parse_dates, parse_impact
from hub.pilots.models import Pilot, PilotRole, PilotStatus
from hub.pilots.services import get_pilot, pilots_of
from hub.pilots.translations import untranslated_pilots
from hub.pilots.writes import PilotInput, add_locally, create_pilot, update_pilot
from hub.programmes.models import Programme
from hub.record_screens import RecordScreens, programme_list
from hub.records import LANGUAGES
from hub.security import form_view
from hub.taxonomy import sdgs
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, invalid_value, post


class PilotScreens(RecordScreens[Pilot, PilotInput]):
    record_name = "pilot"
    form_template = "pilots/workspace/form.html"
    fields = FIELDS
    multi = ("strategy_ids", "sdgs", "party_organisation", "party_role")
    missing = N_("There is no pilot with number %(id)s.")
    created = N_("The pilot was created.")
    archived = N_("The pilot was archived: it no longer shows on the public pages.")

    def get(self, session: Session, record_id: int) -> Pilot | None:
        return get_pilot(session, pilot_id=record_id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        return {
            **super().choices(session, principal),
            "product_groups": taxonomy.product_groups(session),
            "strategies": taxonomy.strategies(session),
            "countries": countries(),
            "phases": list(Phase),
            "statuses": list(PilotStatus),
            "languages": LANGUAGES,
            "organisations": organisation_names(session),
            "roles": list(PilotRole),
        }

    def parse(self, form: Form, choices: dict[str, Any]) -> PilotInput | None:
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
        values["parties"] = parse_parties(form, choices["organisations"])
        return PilotInput(**values) if form.ok else None

    def create(self, session: Session, values: PilotInput, principal: Principal) -> Pilot:
        return create_pilot(session, data=values, user_id=principal.user_id)

    def update(self, session: Session, record: Pilot, values: PilotInput, principal: Principal) -> None:
        update_pilot(session, pilot=record, data=values, user_id=principal.user_id)

    def initial(self, request: Request, programmes: Sequence[Programme]) -> Form:
        return new_record_form(request, programmes, status=PilotStatus.PLANNED.value)

    def current(self, record: Pilot) -> Form:
        initial = super().current(record)
        initial.raw["strategy_ids"] = [str(s.id) for s in record.strategies]
        initial.raw["sdgs"] = [str(number) for number in record.sdgs]
        initial.raw["party_organisation"] = [party.organisation.name for party in record.parties]
        initial.raw["party_role"] = [party.role.value for party in record.parties]
        return initial

    def context(
        self, session: Session, principal: Principal, record: Pilot | None, form: Form
    ) -> dict[str, Any]:
        """A pilot synced from a source takes local additions: their form, as stored."""
        if record is None or record.source_id is None or record.withdrawn_at is not None:
            return {"local": None}
        return {"local": Form({name: as_raw(getattr(record, name)) for name in LOCAL_FIELDS})}

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        return programme_list(
            request,
            session,
            principal,
            template="pilots/workspace/list.html",
            query=pilots_of,
            filters=lambda read: {"status": read.member("status", PilotStatus)},
            statuses=list(PilotStatus),
        )


def parse_parties(form: Form, organisations: Sequence[tuple[int, str]]) -> tuple[tuple[int, PilotRole], ...]:
    """The organisations named in the rows of the form (by their name, as the picker offers them)
    with their roles; a name the hub does not know is an error of the field."""
    by_name = {" ".join(name.split()).casefold(): organisation_id for organisation_id, name in organisations}
    roles = form.values("party_role")
    parties = []
    for row, name in enumerate(form.values("party_organisation")):
        name = " ".join(name.split())
        if not name:
            continue
        organisation_id = by_name.get(name.casefold())
        role = roles[row] if row < len(roles) else ""
        if organisation_id is None:
            form.error(
                "party_organisation",
                _(
                    "There is no organisation “%(name)s” in the hub: add it under Organisations first.",
                    name=name[:80],
                ),
            )
        elif role not in {r.value for r in PilotRole}:
            form.error("party_organisation", _("Choose the role of %(name)s.", name=name[:80]))
        else:
            parties.append((organisation_id, PilotRole(role)))
    return tuple(parties)


screens = PilotScreens()


@form_view
def pilot_local_update(request: Request, data: FormData) -> Response:
    """Translations and a product-group tag added here to a synced pilot (kept by later syncs)."""
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        pilot = screens.load(session, request, principal)
        if pilot.source_id is None:
            refuse_if_synced(pilot)  # kept by another hub: nothing may change here
            raise invalid_value("pilot", str(pilot.id))  # a pilot of this hub: use the full form
        choices = screens.choices(session, principal)
        values: dict[str, Any] = {}
        for lang in LANGUAGES:
            values[f"title_{lang}"] = form.text(f"title_{lang}", max_length=300)
            values[f"summary_{lang}"] = form.text(f"summary_{lang}", max_length=TEXT_MAX)
        group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
        values["product_group_id"] = int(group) if group else None
        if not form.ok:
            return screens.form_page(
                request, session, principal, screens.current(pilot), record=pilot, status_code=400, local=form
            )
        add_locally(session, pilot=pilot, values=values, user_id=principal.user_id)
        session.commit()
        flash(request, _("Your additions were saved; the next sync from the source keeps them."))
        return redirect_to("ws_pilot", pilot_id=pilot.id)


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
        *screens.routes(),
        post("/pilots/{pilot_id:int}/local", pilot_local_update, name="ws_pilot_local"),
        Route("/translations", translation_queue, name="ws_translations"),
    ]
