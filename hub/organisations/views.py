"""Public organisation pages: the searchable list and the detail page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.i18n import N_
from hub.organisations import services
from hub.organisations.models import Role
from hub.pilots.services import pilots_of_organisation
from hub.programmes.services import list_programmes
from hub.public import list_page, record
from hub.web import db, invalid_value, render


def organisation_list(request: Request) -> Response:
    with db(request) as session:
        programmes = list_programmes(session)
        try:
            filters = services.parse_filters(request.query_params, [p.code for p in programmes])
        except services.InvalidOrganisationFilter as error:
            raise invalid_value(error.field, error.value) from None
        page = services.list_organisations(session, filters=filters)
    return list_page(
        request,
        "organisations/list.html",
        page,
        filters,
        programmes=programmes,
        roles=list(Role),
        sorts=list(services.Sort),
    )


def organisation_detail(request: Request) -> Response:
    with db(request) as session:
        organisation = record(
            request,
            session,
            services.get_organisation,
            "organisation_id",
            N_("There is no organisation with number %(id)s."),
        )
        pilots = pilots_of_organisation(session, organisation_id=organisation.id)
        actions = services.supporting_actions_of(session, organisation_id=organisation.id)
    return render(
        request,
        "organisations/detail.html",
        organisation=organisation,
        pilots=pilots,
        actions=actions,
    )
