"""Workspace pages for organisations: the list, create, edit and archive.

Who may edit an organisation: organisations belong to no single programme, so the rule is
administrators, and coordinators of a programme the organisation takes part in now (a live
participation). A coordinator creates an organisation together with its participation in one of
their programmes, so they can edit what they create; an organisation with no live participation
is edited by administrators only. Any coordinator may open an organisation's page (read-only
for them) to add it to their own programme; they then change only their own programme's
participations of it (``hub.organisations.workspace.participations``).
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
from hub.forms import TEXT_MAX, Form, as_raw, countries
from hub.i18n import gettext as _
from hub.organisations import services
from hub.organisations.models import Organisation, Participation, Role, Sector
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.web import check_page, db

FIELDS = (
    "name",
    "sector",
    "country",
    "city",
    "website",
    "source_language",
    "description_nl",
    "description_en",
)


def may_edit_organisation(principal: Principal, programme_ids: set[int]) -> bool:
    """Administrators, and coordinators of a programme the organisation takes part in now."""
    return principal.is_admin or bool(programme_ids & principal.programme_ids)


def audit_programme(principal: Principal, programme_ids: set[int]) -> int | None:
    """The programme an organisation's audit entry is filed under: one the editor coordinates."""
    shared = sorted(programme_ids & principal.programme_ids) or sorted(programme_ids)
    return shared[0] if shared else None


def load(
    session: Session, request: Request, principal: Principal, *, edit: bool = True
) -> tuple[Organisation, set[int]]:
    """The organisation of the URL (404), and its programmes; with ``edit``, 403 unless this person
    may edit it."""
    organisation_id = request.path_params["organisation_id"]
    organisation = found(
        services.get_organisation(session, organisation_id=organisation_id),
        _("There is no organisation with number %(id)s.", id=organisation_id),
    )
    programme_ids = services.programmes_of_organisation(session, organisation_id=organisation.id)
    if edit:
        forbid_unless(may_edit_organisation(principal, programme_ids))
    return organisation, programme_ids


def parse(session: Session, form: Form, *, exclude_id: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.text("name", max_length=200, required=True),
        "sector": form.choice("sector", Sector),
        "country": form.key("country", {code for code, _name in countries()}),
        "city": form.text("city", max_length=120),
        "website": form.url("website", max_length=300),
        "source_language": form.key("source_language", LANGUAGES),
        "description_nl": form.text("description_nl", max_length=TEXT_MAX),
        "description_en": form.text("description_en", max_length=TEXT_MAX),
    }
    if values["name"] and values["country"] and "name" not in form.errors:
        duplicate = services.duplicate_organisation(
            session, name=values["name"], country=values["country"], exclude_id=exclude_id
        )
        if duplicate is not None:
            form.error(
                "name",
                _(
                    "An organisation named “%(name)s” already exists in this country (number %(id)d).",
                    name=duplicate.name,
                    id=duplicate.id,
                ),
            )
    return values


def form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form,
    *,
    organisation: Organisation | None,
    participation_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    programmes = editable_programmes(session, programme_ids=scope(principal))
    may_edit = organisation is None or may_edit_organisation(
        principal, services.programmes_of_organisation(session, organisation_id=organisation.id)
    )
    return render_page(
        request,
        "organisations/workspace/form.html",
        status_code=status_code,
        form=form,
        participation_form=participation_form or Form(),
        organisation=organisation,
        may_edit=may_edit,
        readonly=not may_edit or (organisation is not None and organisation.home_hub is not None),
        kept_elsewhere=kept_elsewhere(organisation) if organisation else "",
        programmes=programmes,
        editable_programme_ids={p.id for p in programmes},
        sectors=list(Sector),
        roles=list(Role),
        countries=countries(),
        languages=LANGUAGES,
    )


def organisation_list(request: Request) -> Response:
    principal = require_principal(request)
    q = search_text(request)
    form = Form(dict(request.query_params))  # shows the search again in the box
    with db(request) as session:
        number = page_number(request)
        page = services.organisations_in(session, programme_ids=scope(principal), q=q, page=number)
        check_page(number, page.pages)
        return render_page(request, "organisations/workspace/list.html", page=page, form=form)


def organisation_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        initial = new_record_form(request, programmes)
        return form_page(request, session, principal, initial, organisation=None)


@form_view
def organisation_create(request: Request, data: FormData) -> Response:
    """A new organisation and, for a coordinator, its participation in one of their programmes."""
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        values = parse(session, form)
        programme = form.key("programme_id", {str(p.id) for p in programmes}, required=not principal.is_admin)
        role = form.choice("role", Role, required=bool(programme) or not principal.is_admin)
        joined_on = form.date("joined_on")
        if not form.ok:
            return form_page(request, session, principal, form, organisation=None, status_code=400)
        organisation = Organisation()
        programme_id = int(programme) if programme else None
        changes.save(
            session,
            record=organisation,
            values=values,
            user_id=principal.user_id,
            programme_id=programme_id,
            summary=values["name"],
        )
        if programme_id is not None and role is not None:
            changes.save(
                session,
                record=Participation(),
                values={
                    "programme_id": programme_id,
                    "organisation_id": organisation.id,
                    "role": role,
                    "joined_on": joined_on,
                },
                user_id=principal.user_id,
                programme_id=programme_id,
                summary=values["name"],
            )
        session.commit()
        flash(request, _("The organisation was created."))
        return redirect_to("ws_organisation", organisation_id=organisation.id)


def organisation_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        organisation, _programmes = load(session, request, principal, edit=False)
        initial = Form({name: as_raw(getattr(organisation, name)) for name in FIELDS})
        return form_page(request, session, principal, initial, organisation=organisation)


@form_view
def organisation_update(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    form = Form.submitted(data)
    with db(request) as session:
        organisation, programme_ids = load(session, request, principal)
        refuse_if_synced(organisation)
        values = parse(session, form, exclude_id=organisation.id)
        if not form.ok:
            return form_page(request, session, principal, form, organisation=organisation, status_code=400)
        changes.save(
            session,
            record=organisation,
            values=values,
            user_id=principal.user_id,
            programme_id=audit_programme(principal, programme_ids),
            summary=values["name"],
        )
        session.commit()
        flash(request, _("Your changes were saved."))
        return redirect_to("ws_organisation", organisation_id=organisation.id)


@form_view
def organisation_archive(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        organisation, programme_ids = load(session, request, principal)
        refuse_if_synced(organisation)
        changes.archive(
            session,
            record=organisation,
            user_id=principal.user_id,
            programme_id=audit_programme(principal, programme_ids),
            summary=organisation.name,
        )
        session.commit()
    flash(request, _("The organisation was archived."))
    return redirect_to("ws_organisations")


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.organisations.workspace``)."""
    return [
        Route("/organisations", organisation_list, name="ws_organisations"),
        Route("/organisations/new", organisation_new, name="ws_organisation_new"),
        Route(
            "/organisations/new",
            organisation_create,
            methods=["POST"],
            name="ws_organisation_create",
        ),
        Route("/organisations/{organisation_id:int}", organisation_edit, name="ws_organisation"),
        Route(
            "/organisations/{organisation_id:int}",
            organisation_update,
            methods=["POST"],
            name="ws_organisation_update",
        ),
        Route(
            "/organisations/{organisation_id:int}/archive",
            organisation_archive,
            methods=["POST"],
            name="ws_organisation_archive",
        ),
    ]
