"""Public pilot pages: the faceted list and the detail page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.calls import services as calls
from hub.filters import InvalidFilter
from hub.i18n import gettext as _
from hub.lessons import services as lessons
from hub.library import services as library
from hub.pilots import services
from hub.pilots.models import PilotStatus
from hub.web import check_page, db, found, invalid_value, language, render


def pilot_list(request: Request) -> Response:
    lang = language(request)
    with db(request) as session:
        facets = services.facets(session)
        try:
            filters = services.parse_filters(session, request.query_params, max_per_page=services.PAGE_SIZE)
        except InvalidFilter as error:
            raise invalid_value(error.field, error.value) from None
        page = services.list_pilots(session, filters=filters, language=lang)
    check_page(filters.page, page.pages)
    return render(
        request,
        "pilots/list.html",
        page=page,
        facets=facets,
        filters=filters,
        statuses=list(PilotStatus),
        sorts=list(services.Sort),
        strategy_names={s.code: s.name(lang) for s in facets.strategies},
        product_group_names={g.code: g.name(lang) for g in facets.product_groups},
    )


def pilot_detail(request: Request) -> Response:
    with db(request) as session:
        pilot_id = request.path_params["pilot_id"]
        pilot = found(
            services.get_pilot(session, pilot_id=pilot_id),
            _("There is no pilot with number %(id)s.", id=pilot_id),
        )
        return render(
            request,
            "pilots/detail.html",
            pilot=pilot,
            lessons=lessons.lessons_of_pilot(session, pilot_id=pilot.id),
            library=library.items_of_pilot(session, pilot_id=pilot.id),
            open_calls=calls.open_calls(session, today=calls.today(), pilot_id=pilot.id),
        )
