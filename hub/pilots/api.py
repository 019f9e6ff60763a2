"""``GET /api/v1/pilots``: the public pilot list as JSON, filtered and paginated like the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from hub.api import api_error, json_response
from hub.i18n import gettext as _
from hub.pilots import services
from hub.web import db


def pilot_json(row: services.PilotRow, base_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "uid": row.uid,
        "url": f"{base_url}/en/pilots/{row.id}",
        "title": {"nl": row.title_nl or None, "en": row.title_en or None},
        "summary": {"nl": row.summary_nl or None, "en": row.summary_en or None},
        "source_language": row.source_language,
        "programme": row.programme,
        "country": row.country,
        "product_group": row.product_group,
        "strategies": row.strategies,
        "phase": row.phase,
        "status": row.status.value,
        "starts_on": row.starts_on.isoformat() if row.starts_on else None,
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        "contract_value": (
            {"amount": str(row.contract_value), "currency": "EUR"} if row.contract_value is not None else None
        ),
        "home_hub": row.home_hub,
        "demo": row.is_demo,
        "updated_at": row.updated_at.isoformat(),
    }


def pilots(request: Request) -> Response:
    base_url = request.app.state.settings.base_url.rstrip("/")
    with db(request) as session:
        try:
            filters = services.parse_filters(session, request.query_params)
        except services.InvalidFilter as error:
            return api_error(
                400,
                "invalid_filter",
                _(
                    "“%(value)s” is not a valid value for “%(field)s”.",
                    value=error.value,
                    field=error.field,
                ),
                field=error.field,
            )
        page = services.list_pilots(session, filters=filters, language="en")
    links = {"self": _page_url(request, filters.page)}
    if filters.page < page.pages:
        links["next"] = _page_url(request, filters.page + 1)
    if filters.page > 1:
        links["prev"] = _page_url(request, min(filters.page - 1, page.pages))
    body = {
        "data": [pilot_json(row, base_url) for row in page.rows],
        "meta": {
            "total": page.total,
            "page": filters.page,
            "per_page": filters.per_page,
            "pages": page.pages,
        },
        "links": links,
    }
    return json_response(body)


def _page_url(request: Request, page: int) -> str:
    params = dict(request.query_params)
    params["page"] = str(page)
    return f"{request.url.path}?{urlencode(params)}"
