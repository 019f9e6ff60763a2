"""Public library pages: the searchable, filtered list and one entry with what it is linked from."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.i18n import N_
from hub.library import services
from hub.library.models import LibraryKind
from hub.programmes.services import programme_choices
from hub.public import list_page, record
from hub.queries import Sort
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import db, language, render


def library_list(request: Request) -> Response:
    with db(request) as session:
        filters = services.parse_filters(session, request.query_params)
        return list_page(
            request,
            "library/list.html",
            services.list_items(session, filters=filters, language=language(request)),
            filters,
            programmes=programme_choices(session),
            product_groups=taxonomy.product_groups(session),
            strategies=taxonomy.strategies(session),
            kinds=list(LibraryKind),
            phases=list(Phase),
            sorts=list(Sort),
        )


def library_item(request: Request) -> Response:
    with db(request) as session:
        item = record(
            request,
            session,
            services.get_item,
            "item_id",
            N_("There is no library entry with number %(id)s."),
        )
        return render(request, "library/detail.html", item=item)
