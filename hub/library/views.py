"""Public library pages: the searchable, filtered list and one entry with what it is linked from."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.filters import InvalidFilter
from hub.i18n import gettext as _
from hub.library import services
from hub.library.models import LibraryKind
from hub.programmes.services import programme_choices
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, found, invalid_value, render


def library_list(request: Request) -> Response:
    with db(request) as session:
        try:
            filters = services.parse_filters(session, request.query_params)
        except InvalidFilter as error:
            raise invalid_value(error.field, error.value) from None
        page = services.list_items(session, filters=filters)
        check_page(filters.page, page.pages)
        return render(
            request,
            "library/list.html",
            page=page,
            filters=filters,
            programmes=programme_choices(session),
            product_groups=taxonomy.product_groups(session),
            strategies=taxonomy.strategies(session),
            kinds=list(LibraryKind),
            phases=list(Phase),
        )


def library_item(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    with db(request) as session:
        item = found(
            services.get_item(session, item_id=item_id),
            _("There is no library entry with number %(id)s.", id=item_id),
        )
        return render(request, "library/detail.html", item=item)
