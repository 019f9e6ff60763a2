"""Public pages per product group: the index, and one group's records across every programme."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub import overview
from hub.i18n import N_
from hub.public import record
from hub.taxonomy import services
from hub.web import db, render


def product_group_list(request: Request) -> Response:
    with db(request) as session:
        groups = overview.product_groups_with_counts(session)
    return render(request, "taxonomy/list.html", groups=groups)


def product_group_detail(request: Request) -> Response:
    with db(request) as session:
        product_group = record(
            request, session, services.get_product_group, "code", N_("There is no product group “%(code)s”.")
        )
        share = overview.product_group_overview(session, product_group=product_group)
    return render(
        request,
        "taxonomy/detail.html",
        product_group=product_group,
        overview=share,
        pilots_per_programme=overview.PILOTS_PER_PROGRAMME,
    )
