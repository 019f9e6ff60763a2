"""Public pilot pages: the faceted list and the detail page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.calls import services as calls
from hub.i18n import N_
from hub.lessons import services as lessons
from hub.library import services as library
from hub.pilots import services
from hub.pilots.models import PilotStatus
from hub.public import list_page, record
from hub.search.query import completed_in, parse
from hub.web import db, language, render


def pilot_list(request: Request) -> Response:
    lang = language(request)
    with db(request) as session:
        facets = services.facets(session)
        filters = services.parse_filters(session, request.query_params, max_per_page=services.PAGE_SIZE)
        page = services.list_pilots(session, filters=filters, language=lang)
        searched = completed_in(session, parse(filters.q))  # what the snippets mark
    return list_page(
        request,
        "pilots/list.html",
        page,
        filters,
        facets=facets,
        searched=searched,
        statuses=list(PilotStatus),
        sorts=list(services.Sort),
        strategy_names={s.code: s.name(lang) for s in facets.strategies},
        product_group_names={g.code: g.name(lang) for g in facets.product_groups},
    )


def pilot_detail(request: Request) -> Response:
    with db(request) as session:
        pilot = record(
            request, session, services.get_pilot, "pilot_id", N_("There is no pilot with number %(id)s.")
        )
        return render(
            request,
            "pilots/detail.html",
            pilot=pilot,
            lessons=lessons.lessons_of_pilot(session, pilot_id=pilot.id),
            library=library.items_of_pilot(session, pilot_id=pilot.id),
            open_calls=calls.open_calls(session, today=calls.today(), pilot_id=pilot.id),
        )
